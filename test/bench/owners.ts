// Owners of duties, measured (`npm run bench -- owners`, or `npx tsx test/bench/owners.ts [pglite|postgres]`):
//   answer latency with owners on every shown duty (profiles cached) against the same bot with owners switched off,
//     same process, same run, rounds alternating so drift on the machine hits both alike: signed /mle-duties
//     requests, ack → response_url, one at a time and in bursts of 50
//   users.info calls under a burst of 500 questions whose answers name 30 owners, from a cold cache: Slack should be
//     asked at most once per person (per hour); on Postgres the questions are spread over two bot processes sharing
//     the database, which must share the cache too

import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { activeDutyIds } from '../../src/catalog/queries.ts';
import { type Bot, createBot } from '../../src/compose.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import type { OwnersService } from '../../src/owners/service.ts';
import { saveOwners } from '../../src/owners/store.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { EVENTS_PATH } from '../../src/slack/http.ts';
import { loadQuestions } from '../eval/eval.ts';
import { freshDatabase } from '../helpers/pg-admin.ts';
import { createSigner, send } from '../helpers/signer.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';
import { percentile, type Row } from './stats.ts';

const SECRET = 'bench-signing-secret';
const TEAM = 'T0TEST01';
const OWNERS = 30;
const ROUNDS = 16;
const SEQUENTIAL_PER_ROUND = 20;
const BURST = 50;
const STORM = 500;

const QUESTIONS = loadQuestions().map((q) => q.question);

const ZONES = [
  'Europe/London',
  'America/New_York',
  'Asia/Tokyo',
  'Europe/Berlin',
  'America/Los_Angeles',
  'Asia/Kolkata',
];
const ownerId = (i: number) => `UOWNER${String(i).padStart(3, '0')}`;

/** Owners switched off: what every message did before owners existed (no query, no line, no button). */
function switchedOff(real: OwnersService): OwnersService {
  return {
    ...real,
    linesFor: async () => ({ lines: new Map(), ownerships: new Map(), profiles: new Map() }),
    mayEdit: async () => ({ allowed: false, reason: 'not_keeper', admins: [] }),
  };
}

interface Target {
  rt: Runtime;
  bot: Bot;
  url: string;
}

async function start(config: ReturnType<typeof loadConfig>): Promise<Target> {
  const rt = await openRuntime(config, { pgliteThread: 'worker' });
  const bot = await createBot(rt, { logger: silentLogger });
  const { port } = await bot.start(0);
  return { rt, bot, url: `http://127.0.0.1:${port}${EVENTS_PATH}` };
}

async function stop(t: Target): Promise<void> {
  await t.bot.stop(2000).catch(() => {});
  await t.rt.close().catch(() => {});
}

let counter = 0;

/** `n` questions, `concurrency` at a time; ack → response_url latency of each, ms. */
async function ask(slack: SlackApiStandIn, targets: Target[], n: number, concurrency: number): Promise<number[]> {
  const signer = createSigner(SECRET);
  const ackedAt = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const id = `q${++counter}`;
      const t = targets[i % targets.length] as Target;
      const req = signer.command({
        text: QUESTIONS[counter % QUESTIONS.length] as string,
        user_id: `U0ASKER${i % 20}`,
        response_url: slack.responseUrl(id),
      });
      const res = await send(t.url, req);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      ackedAt.set(id, Date.now());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const started = Date.now();
  for (;;) {
    const got = slack.calls.filter((c) => c.method === 'response_url' && ackedAt.has(c.responseUrlId ?? ''));
    if (got.length >= ackedAt.size) {
      return got.map((c) => Math.max(0, c.at - (ackedAt.get(c.responseUrlId as string) as number)));
    }
    if (Date.now() - started > 120_000) throw new Error(`only ${got.length}/${ackedAt.size} answers arrived`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const p99 = (s: number[]) => percentile(s, 99);

export async function benchOwners(engine: 'pglite' | 'postgres'): Promise<Row[]> {
  const slack = await startSlackApi();
  for (let i = 0; i < OWNERS; i++) {
    slack.users.set(ownerId(i), {
      id: ownerId(i),
      profile: { display_name: `Owner ${i}` },
      tz: ZONES[i % ZONES.length],
    });
  }
  let dbEnv: Record<string, string>;
  let drop: () => Promise<void>;
  if (engine === 'pglite') {
    const dir = await mkdtemp(path.join(tmpdir(), 'mle-duties-bench-owners-'));
    dbEnv = { PGLITE_DIR: dir };
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const created = await freshDatabase(`mle_duties_bench_owners_${process.pid}`);
    dbEnv = { DATABASE_URL: created.url };
    drop = created.drop;
  }
  const config = loadConfig({
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    SCHEDULER: 'off',
    LOG_LEVEL: 'error',
    NODE_ENV: 'production',
    ...dbEnv,
  });
  const targets: Target[] = [];
  try {
    const first = await start(config);
    targets.push(first);
    // Every duty has an owner and a backup among the 30.
    const duties = await activeDutyIds(first.rt.db, (await first.rt.catalog.current()).id);
    for (const [i, dutyId] of duties.entries()) {
      await saveOwners(first.rt.db, {
        teamId: TEAM,
        dutyId,
        next: { owners: [ownerId(i % OWNERS)], backups: [ownerId((i + 7) % OWNERS)] },
        actor: 'cli',
        now: new Date(),
      });
    }
    if (engine === 'postgres') targets.push(await start(config));

    // users.info under a storm of questions, from a cold cache: how often is each person looked up?
    slack.reset();
    await ask(slack, targets, STORM, BURST);
    const infoCalls = slack.callsTo('users.info').map((c) => String(c.body.user));
    const perUser = new Map<string, number>();
    for (const u of infoCalls) perUser.set(u, (perUser.get(u) ?? 0) + 1);
    const ownerCalls = infoCalls.filter((u) => u.startsWith('UOWNER'));
    const maxPerOwner = Math.max(0, ...[...perUser].filter(([u]) => u.startsWith('UOWNER')).map(([, n]) => n));

    // Latency: one bot, owners on and off in alternating rounds, cache warm (the storm above filled it).
    const bot = first.bot;
    const real = bot.deps.owners;
    const offService = switchedOff(real);
    const on = { sequential: [] as number[], burst: [] as number[] };
    const off = { sequential: [] as number[], burst: [] as number[] };
    const roundRatios = { sequential: [] as number[], burst: [] as number[] };
    await ask(slack, [first], 50, 1); // warm this path's JIT
    for (let round = 0; round < ROUNDS; round++) {
      for (const [mode, into] of [
        ['off', off],
        ['on', on],
      ] as const) {
        bot.deps.owners = mode === 'on' ? real : offService;
        slack.reset();
        const seq = await ask(slack, [first], SEQUENTIAL_PER_ROUND, 1);
        slack.reset();
        const burst = await ask(slack, [first], BURST, BURST);
        into.sequential.push(...seq);
        into.burst.push(...burst);
        if (mode === 'on') {
          // This round's p99 over the "off" round just before it: a stall of the shared machine moves one round only.
          roundRatios.sequential.push(p99(seq) / p99(off.sequential.slice(-SEQUENTIAL_PER_ROUND)));
          roundRatios.burst.push(p99(burst) / p99(off.burst.slice(-BURST)));
        }
      }
    }
    // What owners cost a message in itself, warm: the lines of three duties and the viewer's edit right.
    const three = duties.slice(0, 3);
    const direct: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      await real.linesFor(TEAM, three, new Date(), `U0ASKER${i % 20}`);
      direct.push(performance.now() - t0);
    }
    bot.deps.owners = real;

    const ms = (name: string, value: number): Row => ({ name, value: Math.round(value * 10) / 10, unit: 'ms' });
    const fine = (name: string, value: number): Row => ({ name, value: Math.round(value * 100) / 100, unit: 'ms' });
    const ratio = (name: string, a: number, b: number): Row => ({
      name,
      value: Math.round((a / b) * 100) / 100,
      unit: '×',
    });
    return [
      ms('answer p50, one at a time, owners off', percentile(off.sequential, 50)),
      ms('answer p50, one at a time, owners on every duty', percentile(on.sequential, 50)),
      ms('answer p99, one at a time, owners off', p99(off.sequential)),
      ms('answer p99, one at a time, owners on every duty', p99(on.sequential)),
      ratio('answer p99 ratio on / off, one at a time (goal ≤ 1.2)', p99(on.sequential), p99(off.sequential)),
      ms(`answer p99, burst of ${BURST}, owners off`, p99(off.burst)),
      ms(`answer p99, burst of ${BURST}, owners on every duty`, p99(on.burst)),
      ratio(`answer p99 ratio on / off, burst of ${BURST} (goal ≤ 1.2)`, p99(on.burst), p99(off.burst)),
      {
        name: `answer p99 ratio, median of ${ROUNDS} alternating rounds, one at a time`,
        value: Math.round(percentile(roundRatios.sequential, 50) * 100) / 100,
        unit: '×',
      },
      {
        name: `answer p99 ratio, median of ${ROUNDS} alternating rounds, burst of ${BURST}`,
        value: Math.round(percentile(roundRatios.burst, 50) * 100) / 100,
        unit: '×',
      },
      fine('owners of 3 duties + edit right, warm, per message: p50', percentile(direct, 50)),
      fine('owners of 3 duties + edit right, warm, per message: p99', p99(direct)),
      {
        name: `users.info calls for ${OWNERS} owners, ${STORM} questions${engine === 'postgres' ? ', 2 processes' : ''}`,
        value: ownerCalls.length,
        unit: '',
      },
      { name: 'users.info calls per owner, most (goal ≤ 1 per hour)', value: maxPerOwner, unit: '' },
      {
        name: 'users.info calls in all (owners + the 20 askers, for the edit check)',
        value: infoCalls.length,
        unit: '',
      },
    ];
  } finally {
    for (const t of targets) await stop(t);
    await slack.close();
    await drop();
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const { formatRows } = await import('./stats.ts');
  const engines = (process.argv[2] ? [process.argv[2]] : ['pglite', 'postgres']) as ('pglite' | 'postgres')[];
  for (const engine of engines) console.log(formatRows(`owners on ${engine}`, await benchOwners(engine)));
}
