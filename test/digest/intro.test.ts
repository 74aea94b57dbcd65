// The digest's one-line intro comes from the LLM when one is configured (the summarizer's provider, its caps and
// circuit), escaped like any LLM text; without one, or when it fails, the fixed intro. Through the real bot.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type BotEnv, openBotEnv, startBot, type TestBot } from '../helpers/bot.ts';
import { type OpenAiStandIn, startOpenAiStandIn } from '../helpers/openai-api.ts';
import { blocksOf, command } from '../helpers/payloads.ts';

let llm: OpenAiStandIn;
/** A bot with the LLM configured as a deployment configures it (compose.ts builds the summarizer from it). */
let env: BotEnv;
/** A second bot on the same database, without an LLM. */
let plain: TestBot;
beforeAll(async () => {
  llm = await startOpenAiStandIn({ reply: () => 'Meet the people behind <!here> *these* duties this week!' });
  env = await openBotEnv({
    env: { OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: llm.url, LLM_TIMEOUT_MS: '3000' },
  });
  plain = await startBot({ db: env.tdb.db, slack: env.slack });
});
afterAll(async () => {
  await plain?.stop();
  await env?.close();
  await llm?.close();
});
beforeEach(() => {
  llm.setMode('normal');
  llm.reset();
});

const introOf = async (bot: TestBot) => {
  const intro = blocksOf(await command({ ...env, bot }, 'digest preview')).find((b) => b.block_id === 'digest_intro');
  return intro?.text?.text ?? '';
};

it('with an LLM configured, the preview opens with its line, escaped, written from titles only', async () => {
  expect(await introOf(env.bot)).toBe('Meet the people behind &lt;!here&gt; *these* duties this week!');
  expect(llm.requests).toBe(1);
  const prompt = JSON.stringify(llm.bodies[0]?.messages);
  expect(prompt).toContain('Machine Learning Engineer Duties');
  // Titles only: no description, no question, no user.
  expect(prompt).not.toContain('U0ASKER1');
});

it('when the LLM fails, the fixed intro; without one, the fixed intro and no request', async () => {
  llm.setMode('500');
  expect(await introOf(env.bot)).toMatch(/^This week: \d+ duties from/);
  llm.setMode('normal');
  llm.reset();
  expect(await introOf(plain)).toMatch(/^This week: \d+ duties from/);
  expect(llm.requests).toBe(0);
});
