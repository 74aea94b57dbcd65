import { textMessage } from '../../../blocks/kit.ts';
import { dutiesInSection, listSections } from '../../../catalog/queries.ts';
import type { SlackDeps } from '../../deps.ts';
import { publishHome } from '../../home.ts';
import { sectionMessage } from '../../messages/browse.ts';
import type { ActionRequest } from '../../middleware/listen.ts';
import { ownerDisplay } from '../../owners.ts';

/** The section picker under `sections`: shows that section privately. */
export function sectionSelect(deps: SlackDeps) {
  return async ({ value, respond, userId, teamId }: ActionRequest) => {
    const n = Number.parseInt(value, 10);
    const message = await deps.work(async () => {
      const role = await deps.catalog.current();
      const s = (await listSections(deps.db, role.id)).find((x) => x.number === n);
      if (!s) return textMessage('That section no longer exists.');
      const duties = await dutiesInSection(deps.db, role.id, s.number);
      const owners = await ownerDisplay(deps, {
        teamId,
        dutyIds: duties.map((d) => d.id),
        viewer: userId,
        mode: 'edit',
      });
      return sectionMessage(s, duties, owners);
    });
    await respond({ response_type: 'ephemeral', replace_original: false, ...message });
  };
}

/** The Home tab's section picker. */
export function homeSection(deps: SlackDeps) {
  return ({ value, userId, teamId, client }: ActionRequest) =>
    publishHome(deps, client, userId, Number.parseInt(value, 10), 0, teamId);
}

/** The Home tab's Previous / Next. Value: `<section>:<page>`. */
export function homePage(deps: SlackDeps) {
  return ({ value, userId, teamId, client }: ActionRequest) => {
    const [section = '', page = '0'] = value.split(':');
    return publishHome(deps, client, userId, Number.parseInt(section, 10), Number.parseInt(page, 10) || 0, teamId);
  };
}
