// Shared set-up for the digest tests: a private database per test, the Slack stand-in, and "instances" (a process's
// worth of tick dependencies: its own pool on Postgres, the shared connection on PGlite).
import { WebClient } from '@slack/web-api';
import { watchCatalog } from '../../src/catalog/current.ts';
import type { Db, Queryable } from '../../src/db/db.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { createAskedStats } from '../../src/digest/asked-stats.ts';
import { runDigestCommand } from '../../src/digest/command.ts';
import { createDigestClient } from '../../src/digest/slack.ts';
import { type TickDeps, type TickResult, tick } from '../../src/digest/tick.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { createKeepers } from '../../src/people/keepers.ts';
import { createProfiles } from '../../src/people/profiles.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';

export interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({ level: 'debug', json: true, write: (l) => lines.push(JSON.parse(l) as LogLine) });
  return { logger, lines };
}

export interface Instance {
  name: string;
  db: Db;
  client: WebClient;
  tick(now?: Date, extra?: Partial<TickDeps>): Promise<TickResult>;
}

export interface DigestWorld {
  tdb: TestDb;
  db: Db;
  slack: SlackApiStandIn;
  logger: Logger;
  lines: LogLine[];
  /** A new "process": on Postgres its own pool on the same database, on PGlite the one shared connection. */
  instance(name: string, options?: { client?: WebClient }): Promise<Instance>;
  subscribe(channel: string, args: string[], now: Date, user?: string): Promise<string>;
  posts(channel?: string): Record<string, unknown>[];
  /** Between tests: empty the digest tables, forget Slack calls and logs, close the extra pools. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function openWorld(): Promise<DigestWorld> {
  const tdb = await openTestDb();
  const slack = await startSlackApi();
  const { logger, lines } = captureLogger();
  const pools: Db[] = [];
  const world: DigestWorld = {
    tdb,
    db: tdb.db,
    slack,
    logger,
    lines,
    async instance(name, options = {}) {
      let db = tdb.db;
      if (tdb.url) {
        db = await openPostgres({ url: tdb.url, max: 2, applicationName: `digest-test-${name}` });
        pools.push(db);
      }
      const client = options.client ?? createDigestClient({ token: slack.token, apiUrl: slack.url, timeoutMs: 5000 });
      return {
        name,
        db,
        client,
        tick: (now, extra = {}) =>
          tick({
            db,
            catalog: watchCatalog(db),
            client,
            logger: logger.child({ instance: name }),
            now,
            owner: name,
            paceMs: 0,
            ...extra,
          }),
      };
    },
    async subscribe(channel, args, now, user = 'U0SUBSCRIBER') {
      const res = await runDigestCommand(['subscribe', ...args], {
        db: tdb.db,
        ...digestContext(tdb.db),
        client: new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } }),
        channelId: channel,
        userId: user,
        teamId: slack.teamId,
        now,
        logger,
      });
      return res.text;
    },
    posts(channel) {
      return slack
        .callsTo('chat.postMessage')
        .filter((c) => c.response.ok === true && (channel === undefined || c.body.channel === channel))
        .map((c) => c.body);
    },
    async reset() {
      for (const p of pools.splice(0)) await p.close();
      await tdb.db.exec('truncate digest_subscriptions, digest_runs, digest_halt');
      slack.reset();
      slack.users.clear();
      slack.conversations.clear();
      lines.length = 0;
    },
    async close() {
      for (const p of pools.splice(0)) await p.close();
      await slack.close();
      await tdb.close();
    },
  };
  return world;
}

export const at = (iso: string) => new Date(iso);
export const addMs = (d: Date, ms: number) => new Date(d.getTime() + ms);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** The period named in a posted message's metadata. */
export function periodOf(body: Record<string, unknown>): string | undefined {
  const meta = body.metadata as { event_payload?: { period?: string } } | undefined;
  return meta?.event_payload?.period;
}

/** A keeper named in ADMINS in the digest tests; nobody else is one (users.info knows nobody here). */
export const KEEPER = 'U0KEEPER';

/**
 * What the bot gives every digest (compose.ts): the catalog as the database holds it, the week's questions, and the
 * permission model (ADMINS = KEEPER).
 */
export function digestContext(db: Queryable) {
  const profiles = createProfiles({ db, lookup: async () => ({ kind: 'not_found' }) });
  return {
    catalog: watchCatalog(db),
    askedStats: createAskedStats(db),
    keepers: createKeepers({ admins: [KEEPER], profiles }),
    profiles,
  };
}
