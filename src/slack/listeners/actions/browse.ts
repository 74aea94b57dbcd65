import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  StaticSelectAction,
} from '@slack/bolt';
import { dutiesInSection, listSections } from '../../../catalog/queries.ts';
import { hashId } from '../../../log.ts';
import { sectionMessage, textMessage } from '../../blocks/browse.ts';
import { runWork, type SlackDeps } from '../../deps.ts';
import { servedRequest } from '../../middleware/serve.ts';
import { publishHome } from '../events/app-home-opened.ts';

/** The section picker under `sections`: shows that section privately. */
export function sectionSelect(deps: SlackDeps) {
  return async ({
    ack,
    action,
    respond,
    body,
    context,
  }: SlackActionMiddlewareArgs<BlockAction<StaticSelectAction>> & AllMiddlewareArgs) => {
    await ack();
    try {
      const n = Number.parseInt(action.selected_option?.value ?? '', 10);
      const message = await runWork(deps, async () => {
        const sections = await listSections(deps.db, deps.role.id);
        const s = sections.find((x) => x.number === n);
        return s
          ? sectionMessage(s, await dutiesInSection(deps.db, deps.role.id, s.number))
          : textMessage('That section no longer exists.');
      });
      await respond({ response_type: 'ephemeral', replace_original: false, ...message });
    } catch (err) {
      servedRequest(context).log.error('section select failed', { err, user: hashId(body.user.id) });
    }
  };
}

/** The Home tab's section picker. */
export function homeSection(deps: SlackDeps) {
  return async ({
    ack,
    action,
    body,
    client,
    context,
  }: SlackActionMiddlewareArgs<BlockAction<StaticSelectAction>> & AllMiddlewareArgs) => {
    await ack();
    try {
      await publishHome(deps, client, body.user.id, Number.parseInt(action.selected_option?.value ?? '', 10));
    } catch (err) {
      servedRequest(context).log.error('home section failed', { err, user: hashId(body.user.id) });
    }
  };
}

/** The Home tab's Previous / Next. Value: `<section>:<page>`. */
export function homePage(deps: SlackDeps) {
  return async ({
    ack,
    action,
    body,
    client,
    context,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    try {
      const [section = '', page = '0'] = (action.value ?? '').split(':');
      await publishHome(deps, client, body.user.id, Number.parseInt(section, 10), Number.parseInt(page, 10) || 0);
    } catch (err) {
      servedRequest(context).log.error('home page failed', { err, user: hashId(body.user.id) });
    }
  };
}
