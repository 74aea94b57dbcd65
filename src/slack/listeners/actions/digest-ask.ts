import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { servedRequest } from '../../middleware/serve.ts';

/** The digest's "Ask the bot" button: tells the clicker, privately, how to ask. */
export function digestAskButton() {
  return async ({
    ack,
    respond,
    context,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'Ask me who does what: type `/mle-duties` and your question (for example `/mle-duties who reviews code?`), or mention me in a thread.',
    }).catch((err: unknown) => servedRequest(context).log.warn('digest ask hint failed', { err }));
  };
}
