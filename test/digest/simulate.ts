// Simulation: 12 weeks × 20 channels × 3 scheduler instances against the Slack stand-in, with random kills (a process
// dying mid-post, before or after Slack accepted the post), restarts, outages, 429s and transient Slack errors.
//
//   npx tsx test/digest/simulate.ts [--seed N] [--weeks N] [--channels N] [--postgres URL]
//
// Prints expected, posted, duplicated, missed. "Expected" counts the (channel, week) pairs that had at least one live
// instance between their due time and six days after it; weeks entirely inside an outage are skipped by design.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { WebClient } from '@slack/web-api';
import pg from 'pg';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { watchCatalog } from '../../src/catalog/current.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { latestOccurrence, MAX_LATENESS_MS, type WeeklyTime } from '../../src/digest/schedule.ts';
import { createDigestClient } from '../../src/digest/slack.ts';
import { upsertSubscription } from '../../src/digest/store.ts';
import { tick } from '../../src/digest/tick.ts';
import { silentLogger } from '../../src/log.ts';
import { startSlackApi } from '../helpers/slack-api/server.ts';

const { values: opts } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    weeks: { type: 'string', default: '12' },
    channels: { type: 'string', default: '20' },
    instances: { type: 'string', default: '3' },
    postgres: { type: 'string' },
  },
});

// Small seeded PRNG (mulberry32): the same seed gives the same run.
let seed = Number(opts.seed) >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEP = 15 * MINUTE; // simulated time between scheduling rounds
const WEEKS = Number(opts.weeks);
const CHANNELS = Number(opts.channels);
const INSTANCES = Number(opts.instances);
const START = new Date('2026-01-01T00:00:00Z');
const END = new Date(START.getTime() + WEEKS * 7 * DAY);
const P_TICK = 0.35; // each live instance ticks in a round with this probability (≈ every 40 min; rounds overlap)
const P_KILL_ON_POST = 0.06; // a post during which the process dies
const P_429 = 0.03;
const P_TRANSIENT = 0.02;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'America/Los_Angeles'];

// Outages: all instances down. Short ones, one across a due time of many channels, and one longer than six days.
const outages: [number, number][] = [];
for (let i = 0; i < 6; i++) {
  const s = START.getTime() + random() * (END.getTime() - START.getTime());
  outages.push([s, s + (1 + random() * 30) * HOUR]);
}
{
  const s = START.getTime() + 5 * 7 * DAY + random() * DAY;
  outages.push([s, s + 8 * DAY]);
}
const inOutage = (t: number) => outages.some(([a, b]) => t >= a && t < b);

class Death extends Error {}

interface Instance {
  id: number;
  generation: number;
  db: Db;
  downUntil: number;
  kills: number;
}

async function openDb(): Promise<{ db: Db; extra: () => Promise<Db>; close: () => Promise<void> }> {
  if (opts.postgres) {
    const name = `mle_duties_sim_${process.pid}`;
    const admin = new pg.Client({ connectionString: opts.postgres });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    const u = new URL(opts.postgres);
    u.pathname = `/${name}`;
    const db = await openPostgres({ url: u.toString(), max: 2 });
    const pools: Db[] = [];
    return {
      db,
      extra: async () => {
        const p = await openPostgres({ url: u.toString(), max: 2 });
        pools.push(p);
        return p;
      },
      close: async () => {
        for (const p of pools) await p.close();
        await db.close();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-sim-'));
  const db = await openPglite(dir);
  return {
    db,
    extra: async () => db, // PGlite: one process, one connection; instances are tick callers sharing it
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const wall = Date.now();
  const store = await openDb();
  await migrate(store.db);
  await syncCatalog(store.db, loadCatalog());
  const slack = await startSlackApi();
  const realClient = createDigestClient({ token: slack.token, apiUrl: slack.url, timeoutMs: 5000 });

  const schedules = new Map<string, WeeklyTime>();
  for (let c = 0; c < CHANNELS; c++) {
    const channel = `CSIM${String(c).padStart(4, '0')}`;
    // Half the channels share Monday 09:00 UTC, so instances really race for the same due time.
    const s: WeeklyTime =
      c % 2 === 0
        ? { weekday: 1, minuteOfDay: 540, timeZone: 'UTC' }
        : { weekday: 1 + Math.floor(random() * 7), minuteOfDay: Math.floor(random() * 288) * 5, timeZone: pick(ZONES) };
    schedules.set(channel, s);
    await upsertSubscription(store.db, { channelId: channel, teamId: null, subscribedBy: 'USIM', ...s }, START);
  }

  const instances: Instance[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    instances.push({ id: i, generation: 0, db: await store.extra(), downUntil: 0, kills: 0 });
  }
  const liveTickTimes: number[] = [];
  let kills = 0;
  let killsAfterAccept = 0;

  // A client whose process may die during chat.postMessage: the request reaches Slack (or not), then the process
  // is gone: the tick never returns and never writes to the database again.
  const clientFor = (inst: Instance, die: () => void): WebClient => {
    const chat = {
      postMessage: async (args: Parameters<WebClient['chat']['postMessage']>[0]) => {
        const r = random();
        if (r < P_KILL_ON_POST) {
          kills += 1;
          inst.kills += 1;
          if (random() < 0.5) {
            killsAfterAccept += 1;
            await realClient.chat.postMessage(args).catch(() => {});
          }
          die();
          return new Promise<never>(() => {});
        }
        if (r < P_KILL_ON_POST + P_429) slack.script('chat.postMessage', { status: 429, retryAfter: 1 });
        else if (r < P_KILL_ON_POST + P_429 + P_TRANSIENT)
          slack.script('chat.postMessage', { error: 'internal_error' });
        return realClient.chat.postMessage(args);
      },
    };
    return new Proxy(realClient, {
      get: (target, prop, receiver) => (prop === 'chat' ? chat : Reflect.get(target, prop, receiver)),
    });
  };

  for (let t = START.getTime(); t < END.getTime(); t += STEP) {
    if (inOutage(t)) continue;
    const round: Promise<unknown>[] = [];
    for (const inst of instances) {
      if (t < inst.downUntil || random() > P_TICK) continue;
      liveTickTimes.push(t);
      let onDeath: () => void = () => {};
      const died = new Promise<void>((resolve) => {
        onDeath = resolve;
      });
      const run = tick({
        db: inst.db,
        catalog: watchCatalog(inst.db),
        client: clientFor(inst, () => onDeath()),
        logger: silentLogger,
        now: new Date(t + Math.floor(random() * STEP)),
        owner: `i${inst.id}g${inst.generation}`,
        paceMs: 0,
        sleep: async () => {}, // Retry-After waits cost no simulated time
      });
      round.push(
        Promise.race([run, died.then(() => Promise.reject(new Death()))]).catch((err) => {
          if (!(err instanceof Death)) throw err;
          // Restarted by the platform after a while, as a new process.
          inst.generation += 1;
          inst.downUntil = t + (10 + random() * 120) * MINUTE;
        }),
      );
    }
    await Promise.all(round);
  }

  // Count what reached the channels, by the period in each message's metadata.
  let expected = 0;
  let posted = 0;
  let duplicated = 0;
  let missed = 0;
  let skippedByDesign = 0;
  let late = 0;
  const ticks = [...new Set(liveTickTimes)].sort((a, b) => a - b);
  const hasLiveTick = (from: number, to: number) => {
    let lo = 0;
    let hi = ticks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ticks[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < ticks.length && (ticks[lo] as number) <= to;
  };
  const unknownRuns =
    (await store.db.query<{ n: number }>(`select count(*)::int as n from digest_runs where status = 'unknown'`))[0]
      ?.n ?? 0;
  for (const [channel, s] of schedules) {
    const counts = new Map<string, number>();
    for (const m of slack.messages(channel)) {
      const period = (m.metadata as { event_payload?: { period?: string } } | undefined)?.event_payload?.period ?? '?';
      counts.set(period, (counts.get(period) ?? 0) + 1);
    }
    for (let due = latestOccurrence(s, START); ; ) {
      const next = latestOccurrence(s, new Date(due.dueAt.getTime() + 8 * DAY));
      if (due.dueAt.getTime() > START.getTime() && due.dueAt.getTime() + MAX_LATENESS_MS < END.getTime()) {
        const n = counts.get(due.period) ?? 0;
        // Ticks happen up to one STEP after their round time; a due time is reachable by a tick in that window.
        if (hasLiveTick(due.dueAt.getTime() - STEP, due.dueAt.getTime() + MAX_LATENESS_MS - STEP)) {
          expected += 1;
          if (n === 0) missed += 1;
        } else if (n === 0) skippedByDesign += 1;
        if (n > 0) posted += 1;
        if (n > 1) duplicated += n - 1;
      }
      if (next.dueAt.getTime() >= END.getTime()) break;
      due = next;
    }
    late += (
      await store.db.query<{ n: number }>(`select count(*)::int as n from digest_runs where channel_id = $1 and late`, [
        channel,
      ])
    )[0]?.n as number;
  }

  const summary = {
    weeks: WEEKS,
    channels: CHANNELS,
    instances: INSTANCES,
    seed: Number(opts.seed),
    engine: opts.postgres ? 'postgres' : 'pglite',
    outages: outages.map(([a, b]) => `${new Date(a).toISOString().slice(0, 16)} +${((b - a) / HOUR).toFixed(1)}h`),
    kills,
    killsAfterSlackAccepted: killsAfterAccept,
    expected,
    posted,
    duplicated,
    missed,
    skippedByDesign,
    latePosts: late,
    unknownRuns,
    postCalls: slack.callsTo('chat.postMessage').length,
    historyChecks: slack.callsTo('conversations.history').length,
    seconds: Math.round((Date.now() - wall) / 1000),
  };
  console.log(JSON.stringify(summary, null, 2));
  await slack.close();
  await store.close();
  process.exit(duplicated > 0 || missed > 0 ? 1 : 0);
}

await main();
