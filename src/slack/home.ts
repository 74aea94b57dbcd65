import type { WebClient } from '@slack/web-api';
import { dutiesInSection, listSections } from '../catalog/queries.ts';
import type { SlackDeps } from './deps.ts';
import { homeView } from './messages/browse.ts';

/** Publishes the Home tab for one user, showing one section (the first by default) and one page of it. */
export async function publishHome(
  deps: SlackDeps,
  client: WebClient,
  userId: string,
  sectionNumber?: number,
  page = 0,
): Promise<void> {
  const view = await deps.work(async () => {
    const role = await deps.catalog.current();
    const sections = await listSections(deps.db, role.id);
    const selected = sections.find((s) => s.number === sectionNumber) ?? sections[0];
    const current = selected
      ? { section: selected, duties: await dutiesInSection(deps.db, role.id, selected.number), page }
      : undefined;
    return homeView(role.name, sections, current);
  });
  await client.views.publish({ user_id: userId, view });
}
