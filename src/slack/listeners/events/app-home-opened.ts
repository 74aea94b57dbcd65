import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { dutiesInSection, listSections } from '../../../catalog/queries.ts';
import { hashId } from '../../../log.ts';
import { homeView } from '../../blocks/browse.ts';
import { runWork, type SlackDeps } from '../../deps.ts';
import { servedRequest } from '../../middleware/serve.ts';

/** Publishes the Home tab for one user, showing one section (the first by default) and one page of it. */
export async function publishHome(
  deps: SlackDeps,
  client: WebClient,
  userId: string,
  sectionNumber?: number,
  page = 0,
): Promise<void> {
  const view = await runWork(deps, async () => {
    const sections = await listSections(deps.db, deps.role.id);
    const selected = sections.find((s) => s.number === sectionNumber) ?? sections[0];
    const current = selected
      ? { section: selected, duties: await dutiesInSection(deps.db, deps.role.id, selected.number), page }
      : undefined;
    return homeView(deps.role.name, sections, current);
  });
  await client.views.publish({ user_id: userId, view });
}

export function appHomeOpened(deps: SlackDeps) {
  return async ({ event, client, context }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    if (event.tab !== 'home') return;
    try {
      await publishHome(deps, client, event.user);
    } catch (err) {
      servedRequest(context).log.error('home publish failed', { err, user: hashId(event.user) });
    }
  };
}
