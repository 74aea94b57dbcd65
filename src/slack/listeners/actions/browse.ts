import { textMessage } from '../../../blocks/kit.ts';
import { dutiesInSection, listSections } from '../../../catalog/queries.ts';
import type { SlackDeps } from '../../deps.ts';
import { publishHome } from '../../home.ts';
import { sectionMessage } from '../../messages/browse.ts';
import type { ActionRequest } from '../../middleware/listen.ts';

/** The section picker under `sections`: shows that section privately. */
export function sectionSelect(deps: SlackDeps) {
  return async ({ value, respond }: ActionRequest) => {
    const n = Number.parseInt(value, 10);
    const message = await deps.work(async () => {
      const role = await deps.catalog.current();
      const s = (await listSections(deps.db, role.id)).find((x) => x.number === n);
      return s
        ? sectionMessage(s, await dutiesInSection(deps.db, role.id, s.number))
        : textMessage('That section no longer exists.');
    });
    await respond({ response_type: 'ephemeral', replace_original: false, ...message });
  };
}

/** The Home tab's section picker. */
export function homeSection(deps: SlackDeps) {
  return ({ value, userId, client }: ActionRequest) => publishHome(deps, client, userId, Number.parseInt(value, 10));
}

/** The Home tab's Previous / Next. Value: `<section>:<page>`. */
export function homePage(deps: SlackDeps) {
  return ({ value, userId, client }: ActionRequest) => {
    const [section = '', page = '0'] = value.split(':');
    return publishHome(deps, client, userId, Number.parseInt(section, 10), Number.parseInt(page, 10) || 0);
  };
}
