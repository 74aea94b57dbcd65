// Sustained load, as a busy workspace would send it: signed /mle-duties commands at a steady RATE per second for
// SECONDS, sent on schedule whether or not earlier ones were answered (open loop), to the real bot in its own process.
//   ack       request sent → HTTP response received (Slack gives up at 3 s; goal p99 ≤ 300 ms)
//   answer    request sent → its first response_url post received (goal p99 ≤ 1.5 s)
//   delivered requests whose asker heard something (an answer, or "busy, try again") / requests sent (goal: all)
// Standalone: `npx tsx test/bench/sustained.ts [pglite|postgres] [rate] [seconds]`.
import { Agent, request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUSY_TEXT } from '../../src/slack/middleware/serve.ts';
import { createSigner } from '../helpers/signer.ts';
import { startSlackApi } from '../helpers/slack-api/server.ts';
import { database, QUESTIONS, SECRET, sample, spawnTarget, stopTarget, type Target } from './slack.ts';
import { percentile, type Row } from './stats.ts';

const RATE = 300;
const SECONDS = 30;
/** How long after the last request answers may still arrive before the rest count as never delivered. */
const DRAIN_MS = 15_000;

export async function benchSustained(engine: 'pglite' | 'postgres', rate = RATE, seconds = SECONDS): Promise<Row[]> {
  const slack = await startSlackApi();
  const db = await database(engine);
  const env = { SLACK_BOT_TOKEN: slack.token, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url, ...db.env };
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  let target: Target | undefined;
  try {
    target = await spawnTarget('ours', env);
    await db.analyze();
    const url = target.url;
    const signer = createSigner(SECRET);
    const sentAt = new Map<string, number>();
    const ack: number[] = [];
    let refused = 0;
    let failed = 0;
    const post = (id: string, i: number) => {
      const { body, headers } = signer.command({
        text: QUESTIONS[i % QUESTIONS.length] as string,
        user_id: `U0LOAD${i % 50}`,
        response_url: slack.responseUrl(id),
      });
      const started = performance.now();
      sentAt.set(id, Date.now());
      const req = request(url, { method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          ack.push(performance.now() - started);
          if (res.statusCode !== 200) refused += 1;
        });
      });
      req.on('error', () => {
        failed += 1;
      });
      req.end(body);
    };
    // A short warm-up (JIT, connections, caches), answered before the measurement starts.
    for (let i = 0; i < 50; i++) post(`warm-${i}`, i);
    await slack.waitFor('response_url', 50, 60_000);
    slack.reset();
    sentAt.clear();
    ack.length = 0;

    // Open loop: every few ms, send what the schedule says should have gone by now.
    const before = await sample(target);
    const total = rate * seconds;
    const t0 = performance.now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
        while (sent < due) {
          post(`load-${sent}`, sent);
          sent += 1;
        }
        if (sent >= total) resolve();
        else setTimeout(tick, 2);
      };
      tick();
    });
    const sendSeconds = (performance.now() - t0) / 1000;
    // Drain: until every request is delivered, or DRAIN_MS after the last one.
    const until = Date.now() + DRAIN_MS;
    const firstReply = new Map<string, { at: number; busy: boolean }>();
    for (;;) {
      for (const c of slack.calls) {
        const id = c.responseUrlId;
        if (c.method !== 'response_url' || !id || firstReply.has(id) || !sentAt.has(id)) continue;
        firstReply.set(id, { at: c.at, busy: JSON.stringify(c.body).includes(BUSY_TEXT) });
      }
      if (firstReply.size >= total || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await sample(target);
    const answerMs = [...firstReply].map(([id, r]) => r.at - (sentAt.get(id) as number));
    const busy = [...firstReply.values()].filter((r) => r.busy).length;
    const ms = (name: string, value: number): Row => ({ name, value: Math.round(value), unit: 'ms' });
    return [
      {
        name: `requests sent (${rate}/s for ${seconds} s; actual ${Math.round(total / sendSeconds)}/s)`,
        value: total,
        unit: '',
      },
      ms('ack p50', percentile(ack, 50)),
      ms('ack p99 (goal ≤ 300)', percentile(ack, 99)),
      ms('ack max', Math.max(...ack)),
      { name: 'acks not 200 / connection errors', value: refused + failed, unit: '' },
      ms('first reply p50 (sent → response_url)', percentile(answerMs, 50)),
      ms('first reply p99 (goal ≤ 1500)', percentile(answerMs, 99)),
      ms('first reply max', Math.max(...answerMs)),
      {
        name: 'bot main thread CPU per request',
        value: Math.round(((after.cpuMs - before.cpuMs) / total) * 100) / 100,
        unit: 'ms',
      },
      ms('garbage collection pauses, total', after.gc.ms - before.gc.ms),
      ms('longest garbage collection pause', after.gc.maxMs),
      { name: 'delivered / sent (goal 1)', value: Math.round((firstReply.size / total) * 1000) / 1000, unit: '' },
      { name: 'of which "busy, try again"', value: busy, unit: '' },
      { name: 'never heard back', value: total - firstReply.size, unit: '' },
    ];
  } finally {
    if (target) await stopTarget(target);
    agent.destroy();
    await slack.close();
    await db.drop();
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const { formatRows } = await import('./stats.ts');
  const engines = (process.argv[2] ? [process.argv[2]] : ['pglite', 'postgres']) as ('pglite' | 'postgres')[];
  const rate = Number(process.argv[3] ?? RATE);
  const seconds = Number(process.argv[4] ?? SECONDS);
  for (const engine of engines) {
    console.log(formatRows(`sustained load on ${engine}`, await benchSustained(engine, rate, seconds)));
  }
}
