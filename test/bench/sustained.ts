// Sustained load, as a busy workspace would send it: /mle-duties commands at a steady RATE per second for SECONDS,
// sent on schedule whether or not earlier ones were answered (open loop), to the real bot in its own process: signed
// HTTP requests, or in Socket Mode envelopes over the socket (test/helpers/socket-mode.ts).
//   ack       HTTP: request sent → response received; Socket Mode: envelope sent → its ack received (Slack gives up
//             at 3 s; goal p99 ≤ 300 ms)
//   answer    request sent → its first response_url post received (goal p99 ≤ 1.5 s)
//   delivered requests whose asker heard something (an answer, or "busy, try again") / requests sent (goal: all)
// Standalone: `npx tsx test/bench/sustained.ts [pglite|postgres] [rate] [seconds] [http|socket]`.
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUSY_TEXT } from '../../src/slack/middleware/serve.ts';
import { freePort } from '../helpers/ports.ts';
import { createSigner } from '../helpers/signer.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';
import { type SocketModeStandIn, startSocketMode } from '../helpers/socket-mode.ts';
import { database, QUESTIONS, SECRET, sample, spawnTarget, stopTarget, type Target } from './slack.ts';
import { percentile, type Row } from './stats.ts';

const RATE = 300;
const SECONDS = 30;
/** How long after the last request answers may still arrive before the rest count as never delivered. */
const DRAIN_MS = 15_000;

export type Mode = 'http' | 'socket';

/** How the bench's requests reach the bot. */
interface Requests {
  /** Sends request `i`, answered through the response_url with id `id`. */
  send(id: string, i: number): void;
  /** Ack latencies (ms) of the requests sent since the last reset. */
  ackMs(): number[];
  /** Requests sent since the last reset that were refused (HTTP status not 200), failed, or never acked. */
  unacked(): number;
  reset(): void;
  close(): void;
}

const commandFor = (slack: SlackApiStandIn, id: string, i: number) => ({
  text: QUESTIONS[i % QUESTIONS.length] as string,
  user_id: `U0LOAD${i % 50}`,
  response_url: slack.responseUrl(id),
});

function httpRequests(url: string, slack: SlackApiStandIn): Requests {
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const signer = createSigner(SECRET);
  const ack: number[] = [];
  let refused = 0;
  let failed = 0;
  return {
    send(id, i) {
      const { body, headers } = signer.command(commandFor(slack, id, i));
      const started = performance.now();
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
    },
    ackMs: () => ack,
    unacked: () => refused + failed,
    reset() {
      ack.length = 0;
      refused = 0;
      failed = 0;
    },
    close: () => agent.destroy(),
  };
}

function socketRequests(socket: SocketModeStandIn, slack: SlackApiStandIn): Requests {
  let sent = 0;
  return {
    send(id, i) {
      socket.command(commandFor(slack, id, i));
      sent += 1;
    },
    ackMs: () => socket.acks.map((a) => a.ms),
    unacked: () => sent - new Set(socket.acks.map((a) => a.envelopeId)).size,
    reset() {
      socket.reset();
      sent = 0;
    },
    close() {},
  };
}

export async function benchSustained(
  engine: 'pglite' | 'postgres',
  rate = RATE,
  seconds = SECONDS,
  mode: Mode = 'http',
): Promise<Row[]> {
  const slack = await startSlackApi();
  const socket = mode === 'socket' ? await startSocketMode(slack) : undefined;
  const db = await database(engine);
  const env = {
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.url,
    ...db.env,
    // In Socket Mode the bot's port serves only the ops routes; it must not collide with anything running.
    ...(socket
      ? { SLACK_APP_TOKEN: slack.appToken, PORT: String(await freePort()) }
      : { SLACK_SIGNING_SECRET: SECRET }),
  };
  let target: Target | undefined;
  let requests: Requests | undefined;
  try {
    target = await spawnTarget('ours', env);
    await db.analyze();
    requests = socket ? socketRequests(socket, slack) : httpRequests(target.url, slack);
    const sentAt = new Map<string, number>();
    const post = (id: string, i: number) => {
      sentAt.set(id, Date.now());
      requests?.send(id, i);
    };
    // A short warm-up (JIT, connections, caches), answered before the measurement starts.
    for (let i = 0; i < 50; i++) post(`warm-${i}`, i);
    await slack.waitFor('response_url', 50, 60_000);
    slack.reset();
    sentAt.clear();
    requests.reset();

    // Open loop: every few ms, send what the schedule says should have gone by now.
    const before = await sample(target);
    const ownBefore = process.cpuUsage();
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
    const own = process.cpuUsage(ownBefore);
    const ack = requests.ackMs();
    const answerMs = [...firstReply].map(([id, r]) => r.at - (sentAt.get(id) as number));
    const busy = [...firstReply.values()].filter((r) => r.busy).length;
    // BENCH_SERIES=1: first reply p50 / max and "busy" count per second of sending, to see a backlog build or drain.
    if (process.env.BENCH_SERIES) {
      const start = Math.min(...sentAt.values());
      const bySecond = new Map<number, { ms: number[]; busy: number }>();
      for (const [id, r] of firstReply) {
        const sec = Math.floor(((sentAt.get(id) as number) - start) / 1000);
        const s = bySecond.get(sec) ?? { ms: [], busy: 0 };
        s.ms.push(r.at - (sentAt.get(id) as number));
        if (r.busy) s.busy += 1;
        bySecond.set(sec, s);
      }
      for (const [sec, s] of [...bySecond].sort((a, b) => a[0] - b[0])) {
        console.log(
          `  second ${sec}: p50 ${Math.round(percentile(s.ms, 50))} ms, max ${Math.round(Math.max(...s.ms))} ms, busy ${s.busy}`,
        );
      }
    }
    const ms = (name: string, value: number): Row => ({ name, value: Math.round(value), unit: 'ms' });
    return [
      {
        name: `${mode === 'socket' ? 'envelopes' : 'requests'} sent (${rate}/s for ${seconds} s; actual ${Math.round(total / sendSeconds)}/s)`,
        value: total,
        unit: '',
      },
      ms('ack p50', percentile(ack, 50)),
      ms('ack p99 (goal ≤ 300)', percentile(ack, 99)),
      ms('ack max', Math.max(...ack)),
      {
        name: mode === 'socket' ? 'envelopes never acked' : 'acks not 200 / connection errors',
        value: requests.unacked(),
        unit: '',
      },
      ms('first reply p50 (sent → response_url)', percentile(answerMs, 50)),
      ms('first reply p99 (goal ≤ 1500)', percentile(answerMs, 99)),
      ms('first reply max', Math.max(...answerMs)),
      {
        name: 'bot main thread CPU per request',
        value: Math.round(((after.cpuMs - before.cpuMs) / total) * 100) / 100,
        unit: 'ms',
      },
      {
        // On a small machine the load generator and the stand-ins take their share of the cores the bot needs.
        name: 'bench process CPU per request (load, Slack stand-ins)',
        value: Math.round(((own.user + own.system) / 1000 / total) * 100) / 100,
        unit: 'ms',
      },
      ms('garbage collection pauses, total', after.gc.ms - before.gc.ms),
      ms('longest garbage collection pause', after.gc.maxMs),
      { name: 'delivered / sent (goal 1)', value: Math.round((firstReply.size / total) * 1000) / 1000, unit: '' },
      { name: 'of which "busy, try again"', value: busy, unit: '' },
      { name: 'never heard back', value: total - firstReply.size, unit: '' },
      {
        name: 'load average (1 min) at the end',
        value: Math.round((loadavg()[0] ?? Number.NaN) * 100) / 100,
        unit: '',
      },
    ];
  } finally {
    if (target) await stopTarget(target);
    requests?.close();
    await socket?.close();
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
  const mode = (process.argv[5] ?? 'http') as Mode;
  if (mode !== 'http' && mode !== 'socket') throw new Error(`mode must be http or socket, not ${mode}`);
  for (const engine of engines) {
    const rows = await benchSustained(engine, rate, seconds, mode);
    console.log(formatRows(`sustained load on ${engine} (${mode === 'socket' ? 'Socket Mode' : 'HTTP'})`, rows));
  }
}
