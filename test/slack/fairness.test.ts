// Answers never starve, through the real endpoint. The old ack gate held every query of every answer while any request
// was waiting for its ack (up to a second each): under a stream that never pauses, answers waited for seconds. Here a
// request that never finishes arriving (its body trickles in) is pending throughout, the strictest "stream" the gate
// can see, while questions keep coming: they are acked fast and answered while the stream lasts.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_TEXT } from '../../src/slack/middleware/serve.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import { send } from '../helpers/signer.ts';

let env: BotEnv;
beforeAll(async () => {
  env = await openBotEnv();
  // Warm: the search engine's caches, the database's, the connections.
  for (const [i, text] of ['who deploys models?', 'who monitors drift?', 'who labels data?'].entries()) {
    await send(env.bot.url, env.bot.signer.command({ text, response_url: env.slack.responseUrl(`warm${i}`) }));
  }
  await env.slack.waitFor('response_url', 3, 20_000);
  env.slack.reset();
});
afterAll(() => env?.close());

/** A signed request whose body never finishes arriving: pending until `end()`. */
function pendingRequest(): { end: () => void } {
  const { body, headers } = env.bot.signer.command({ text: 'random', response_url: env.slack.responseUrl('slow') });
  const req = request(env.bot.url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } });
  req.on('error', () => {});
  req.write(body.slice(0, 10));
  return { end: () => req.destroy() };
}

describe('a stream of requests that never pauses', () => {
  it('questions asked while a request is always pending: acked fast, answered within 1.5 s, none busy', async () => {
    const slow = pendingRequest();
    try {
      const questions = ['who deploys models?', 'who monitors drift?', 'who labels data?', 'who reviews code?'];
      const asked: { id: string; at: number; ackMs: number }[] = [];
      for (let i = 0; i < 12; i++) {
        const id = `q${i}`;
        const at = Date.now();
        const res = await send(
          env.bot.url,
          env.bot.signer.command({ text: questions[i % 4] as string, response_url: env.slack.responseUrl(id) }),
        );
        expect(res.status).toBe(200);
        asked.push({ id, at, ackMs: Date.now() - at });
        await new Promise((r) => setTimeout(r, 100));
      }
      const replies = await env.slack.waitFor('response_url', asked.length, 10_000);
      const latency = asked.map((a) => (replies.find((c) => c.responseUrlId === a.id)?.at ?? Number.NaN) - a.at);
      console.log(`answers while a request is pending: ${latency.join(', ')} ms; acks ${asked.map((a) => a.ackMs)}`);
      for (const c of replies) expect(JSON.stringify(c.body)).not.toContain(BUSY_TEXT);
      for (const a of asked) expect(a.ackMs).toBeLessThan(1000);
      // All answered before the pending request ends: answers flow while requests keep arriving.
      for (const ms of latency) expect(ms).toBeLessThan(1500);
    } finally {
      slow.end();
    }
  });
});
