import { afterAll, beforeAll, expect, it } from 'vitest';
import { ASK_ACTION_ID } from '../../src/digest/blocks.ts';
import { click, type Env, openEnv } from './support.ts';

let env: Env;
beforeAll(async () => {
  env = await openEnv();
});
afterAll(() => env?.close());

it("the digest's Ask button answers the clicker privately with how to ask", async () => {
  const response = await click(env, { type: 'button', action_id: ASK_ACTION_ID, value: '2026-W48' });
  expect(response?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  expect(JSON.stringify(response?.body)).toContain('/mle-duties');
  expect(env.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
});
