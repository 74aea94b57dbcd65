import { type Message, textMessage } from '../../../blocks/kit.ts';
import type { SlackDeps } from '../../deps.ts';
import { modalNotice } from '../../messages/owners.ts';
import type { ActionRequest } from '../../middleware/listen.ts';
import { openOwnersModal, ownersCommand, pageIntent, pingOwners } from '../../owners.ts';

const privately = (respond: ActionRequest['respond']) => (message: Message) =>
  respond({ response_type: 'ephemeral', replace_original: false, ...message });

/** "Edit owners" beside a duty, or the "Edit owners of…" picker: the modal, or a polite refusal. Value: the duty id. */
export function editOwners(deps: SlackDeps) {
  return ({ value, userId, teamId, triggerId, client, respond, inView }: ActionRequest) =>
    openOwnersModal(deps, client, {
      ...(teamId ? { teamId } : {}),
      ...(triggerId ? { triggerId } : {}),
      userId,
      dutyId: value,
      // The Home tab has no response_url: a refusal there comes as a small modal instead.
      tell:
        inView && triggerId
          ? (m: Message) => client.views.open({ trigger_id: triggerId, view: modalNotice(m.text) })
          : privately(respond),
    });
}

/** "Ping owner" in a thread: one message there that mentions the duty's owners. Value: the duty id. */
export function pingOwner(deps: SlackDeps) {
  return ({ value, userId, teamId, channelId, threadTs, client, respond }: ActionRequest) =>
    deps.work(() =>
      pingOwners(deps, client, {
        ...(teamId ? { teamId } : {}),
        ...(channelId ? { channelId } : {}),
        ...(threadTs ? { threadTs } : {}),
        userId,
        dutyId: value,
        tell: privately(respond),
      }),
    );
}

/** Previous / Next under an owners listing: the same listing, another page, in place. Value: `<query>|<page>`. */
export function ownersPage(deps: SlackDeps) {
  return ({ value, userId, teamId, request, respond }: ActionRequest) =>
    deps.work(async () => {
      const parsed = pageIntent(value);
      const message =
        parsed && teamId
          ? await ownersCommand(deps, parsed.intent, { teamId, userId, log: request.log }, parsed.page)
          : textMessage('That list is no longer available. Please ask again.');
      await respond({ response_type: 'ephemeral', replace_original: true, ...message });
    });
}
