import { afterAll, beforeAll, expect, it } from 'vitest';
import { ASK_ACTION_ID } from '../../src/digest/blocks.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import { click } from '../helpers/payloads.ts';

let env: BotEnv;
beforeAll(async () => {
  env = await openBotEnv();
});
afterAll(() => env?.close());

it("the digest's Ask button answers the clicker privately with how to ask", async () => {
  const response = await click(env, { type: 'button', action_id: ASK_ACTION_ID, value: '2026-W48' });
  expect(response?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  expect(JSON.stringify(response?.body)).toContain('/mle-duties');
  expect(env.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
});
