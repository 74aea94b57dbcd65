// A process SIGKILLed while Slack is slow to answer chat.postMessage. The documented guarantee:
//  - Slack accepted the post → the next tick after the lease finds it in the channel history: exactly one post.
//  - Slack did not accept it → the next tick finds nothing and posts: exactly one post.
//  - the history cannot be read → the run is recorded 'unknown' and never posted again: at most one post.
import { type ChildProcess, spawn } from 'node:child_process';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchCatalog } from '../../src/catalog/current.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import type { Db } from '../../src/db/db.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { runDigestCommand } from '../../src/digest/command.ts';
import { createDigestClient } from '../../src/digest/slack.ts';
import { getRun } from '../../src/digest/store.ts';
import { DEFAULTS, tick } from '../../src/digest/tick.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';
import { addMs, at, captureLogger, digestContext, MINUTE } from './helpers.ts';

const SUBSCRIBED = at('2026-01-01T12:00:00Z');
const DUE = at('2026-01-05T09:00:00Z');
const CHILD_NOW = addMs(DUE, MINUTE);

let tdb: TestDb;
let slack: SlackApiStandIn;
let db: Db;
let reopened: Db | undefined;
const { logger } = captureLogger();

beforeEach(async () => {
  tdb = await openTestDb();
  db = tdb.db;
  reopened = undefined;
  slack = await startSlackApi();
  const res = await runDigestCommand(['subscribe', 'monday', '09:00', 'UTC'], {
    db,
    ...digestContext(db),
    client: new WebClient(slack.token, { slackApiUrl: slack.url }),
    channelId: 'C1',
    userId: 'U1',
    now: SUBSCRIBED,
    logger,
  });
  expect(res.text).toContain('weekly role digest');
});
afterEach(async () => {
  await reopened?.close();
  await slack.close();
  await tdb.close();
});

function spawnTick(now: Date): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.url,
    LOG_LEVEL: 'error',
    // Empty rather than unset, so a developer's .env cannot fill it in.
    DATABASE_URL: tdb.url ?? '',
    PGLITE_DIR: tdb.dir ?? '',
  };
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'digest', 'tick', '--now', now.toISOString()], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a child tick and SIGKILLs it while the stand-in is still holding its chat.postMessage. */
async function killDuringPost(): Promise<void> {
  // On PGlite the child must be the only process with the data directory open.
  if (tdb.dir) await db.close();
  const child = spawnTick(CHILD_NOW);
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  try {
    await slack.waitFor('chat.postMessage', 1, 40_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`the child never posted: ${stderr}`, { cause: err });
  }
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  // Let the stand-in finish the request the dead process left behind (it answers after its delay).
  const call = slack.callsTo('chat.postMessage')[0];
  for (let i = 0; i < 100 && call && call.response.ok === undefined; i++) await new Promise((r) => setTimeout(r, 50));
  if (tdb.dir) {
    reopened = await openPglite(tdb.dir);
    db = reopened;
  }
}

const recoveryTick = (now: Date) =>
  tick({
    db,
    catalog: watchCatalog(db),
    client: createDigestClient({ token: slack.token, apiUrl: slack.url }),
    logger,
    now,
    owner: 'recovery',
    paceMs: 0,
  });

const afterLease = addMs(CHILD_NOW, DEFAULTS.leaseMs + MINUTE);

describe('SIGKILL while chat.postMessage is in flight', () => {
  it('after Slack accepted the post: the next owner finds it; one post in total', { timeout: 90_000 }, async () => {
    slack.script('chat.postMessage', { delayMs: 1500 }, 1);
    await killDuringPost();
    expect(slack.messages('C1')).toHaveLength(1);
    const claimed = await getRun(db, 'C1', '2026-W02');
    expect(claimed?.status).toBe('claimed');
    // While the dead process's lease runs, nobody touches the run.
    await recoveryTick(addMs(CHILD_NOW, MINUTE));
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(slack.callsTo('conversations.history')).toHaveLength(0);
    // After it: the history shows the post, which is recorded instead of posted again.
    const r = await recoveryTick(afterLease);
    expect(r.outcomes).toEqual([{ channelId: 'C1', period: '2026-W02', outcome: 'recovered' }]);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(slack.messages('C1')).toHaveLength(1);
    const run = await getRun(db, 'C1', '2026-W02');
    expect(run).toMatchObject({ status: 'posted', messageTs: slack.messages('C1')[0]?.ts });
    await recoveryTick(addMs(afterLease, MINUTE));
    expect(slack.messages('C1')).toHaveLength(1);
  });

  it('before Slack accepted the post: the next owner posts it; one post in total', { timeout: 90_000 }, async () => {
    // Slack never stores this one: it answers 503 after the delay, to a process that is already dead.
    slack.script('chat.postMessage', { delayMs: 1500, status: 503 }, 1);
    await killDuringPost();
    expect(slack.messages('C1')).toHaveLength(0);
    const r = await recoveryTick(afterLease);
    expect(r.outcomes).toEqual([{ channelId: 'C1', period: '2026-W02', outcome: 'posted' }]);
    expect(slack.messages('C1')).toHaveLength(1);
    expect(slack.callsTo('conversations.history')).toHaveLength(1);
  });

  it('history unreadable after an accepted post: recorded unknown, not posted again', { timeout: 90_000 }, async () => {
    slack.script('chat.postMessage', { delayMs: 1500 }, 1);
    await killDuringPost();
    slack.script('conversations.history', { error: 'missing_scope' }, 10);
    const r = await recoveryTick(afterLease);
    expect(r.outcomes[0]?.outcome).toBe('unknown');
    await recoveryTick(addMs(afterLease, MINUTE));
    expect(slack.messages('C1')).toHaveLength(1);
    expect((await getRun(db, 'C1', '2026-W02'))?.status).toBe('unknown');
  });

  it('history unreadable after a refused post: recorded unknown, nothing posted (at most once)', {
    timeout: 90_000,
  }, async () => {
    slack.script('chat.postMessage', { delayMs: 1500, status: 503 }, 1);
    await killDuringPost();
    slack.script('conversations.history', { error: 'missing_scope' }, 10);
    await recoveryTick(afterLease);
    await recoveryTick(addMs(afterLease, MINUTE));
    expect(slack.messages('C1')).toHaveLength(0);
    expect((await getRun(db, 'C1', '2026-W02'))?.status).toBe('unknown');
  });
});
