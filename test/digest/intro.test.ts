// The digest's one-line intro comes from the LLM when one is configured (the summarizer's provider, its caps and
// circuit), escaped like any LLM text; without one, or when it fails, the fixed intro. Through the real bot.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import { type OpenAiStandIn, startOpenAiStandIn } from '../helpers/openai-api.ts';
import { blocksOf, command } from '../helpers/payloads.ts';

let llm: OpenAiStandIn;
let env: BotEnv | undefined;
beforeAll(async () => {
  llm = await startOpenAiStandIn({ reply: () => 'Meet the people behind <!here> *these* duties this week!' });
});
afterAll(() => llm?.close());
afterEach(async () => {
  await env?.close();
  env = undefined;
  llm.reset();
});

const llmEnv = () => ({ OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: llm.url, LLM_TIMEOUT_MS: '3000' });
const introOf = async (bot: BotEnv) => {
  const intro = blocksOf(await command(bot, 'digest preview')).find((b) => b.block_id === 'digest_intro');
  return intro?.text?.text ?? '';
};

it('with an LLM configured, the preview opens with its line, escaped, written from titles only', async () => {
  env = await openBotEnv({ env: llmEnv() });
  expect(await introOf(env)).toBe('Meet the people behind &lt;!here&gt; *these* duties this week!');
  expect(llm.requests).toBe(1);
  const prompt = JSON.stringify(llm.bodies[0]?.messages);
  expect(prompt).toContain('Machine Learning Engineer Duties');
  // Titles only: no description, no question, no user.
  expect(prompt).not.toContain('U0ASKER1');
});

it('when the LLM fails, the fixed intro; without one, the fixed intro and no request', async () => {
  llm.setMode('500');
  env = await openBotEnv({ env: llmEnv() });
  expect(await introOf(env)).toMatch(/^This week: \d+ duties from/);
  await env.close();
  llm.setMode('normal');
  llm.reset();
  env = await openBotEnv();
  expect(await introOf(env)).toMatch(/^This week: \d+ duties from/);
  expect(llm.requests).toBe(0);
});
