import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAckGate } from '../../src/slack/ack-gate.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import { send } from '../helpers/signer.ts';

// Through the real endpoint: a burst of commands is acked in full before any of them is answered, and then every
// one of them is answered, even when the requests come in two bursts with a pause between them that leaves time to
// answer the first. The quiet period is long here (the default is a few ms) so that a slow, shared machine
// spreading the burst's arrivals cannot open the gate between them.

let env: BotEnv;
beforeAll(async () => {
  env = await openBotEnv({ ackGate: createAckGate({ quietMs: 1500, maxWaitMs: 10_000 }) });
});
afterAll(async () => {
  await env?.close();
});

describe('acks first', () => {
  it('two bursts 500 ms apart: all 20 acked before the first answer is posted, then all 20 answered', async () => {
    const questions = ['who deploys models?', 'who monitors drift?', 'who labels data?', 'sections', 'random'];
    const ackedAt: number[] = [];
    const ids = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
    const burst = (part: string[]) =>
      Promise.all(
        part.map(async (id, i) => {
          const res = await send(
            env.bot.url,
            env.bot.signer.command({
              text: questions[i % questions.length] as string,
              response_url: env.slack.responseUrl(id),
            }),
          );
          expect(res.status).toBe(200);
          ackedAt.push(Date.now());
        }),
      );
    await burst(ids.slice(0, 10));
    // Time enough for the first burst's answers, were they not held while requests keep arriving.
    await new Promise((r) => setTimeout(r, 500));
    await burst(ids.slice(10));
    const answers = await env.slack.waitFor('response_url', ids.length, 15_000);
    expect(new Set(answers.map((c) => c.responseUrlId))).toEqual(new Set(ids));
    expect(Math.min(...answers.map((c) => c.at))).toBeGreaterThanOrEqual(Math.max(...ackedAt));
    for (const c of answers) expect(c.status).toBe(200);
  });
});
