import type { ActionRequest } from '../../middleware/listen.ts';

/** The digest's "Ask the bot" button: tells the clicker, privately, how to ask. */
export async function digestAskButton({ respond }: ActionRequest): Promise<void> {
  await respond({
    response_type: 'ephemeral',
    replace_original: false,
    text: 'Ask me who does what: type `/mle-duties` and your question (for example `/mle-duties who reviews code?`), or mention me in a thread.',
  });
}
