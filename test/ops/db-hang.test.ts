// A database that hangs must not leave askers in silence: every call has a time limit (statement_timeout on the
// server, query_timeout on the client, a bounded wait for a connection), so the asker hears "try again" within the
// answer budget, and answers come back once the database does. Postgres only: the limits are the pg pool's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { openDatabase } from '../../src/db/open.ts';
import { TRY_AGAIN } from '../../src/slack/middleware/serve.ts';
import { startBot, type TestBot, testConfig } from '../helpers/bot.ts';
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.ts';
import { responseFor, uniqueId } from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const QUERY_TIMEOUT_MS = 800;
const CONNECT_TIMEOUT_MS = 800;
/** The asker hears something within this: the claim's query, then the answer's (each bounded), and some slack. */
const BUDGET_MS = 2 * (QUERY_TIMEOUT_MS * 1.5) + CONNECT_TIMEOUT_MS + 1000;
const TRY_AGAIN_TEXT = TRY_AGAIN.text;

describe.runIf(ENGINE === 'postgres')('a database that hangs', () => {
  let tdb: TestDb;
  let slack: SlackApiStandIn;
  let proxy: TcpProxy;
  let db: Db;
  let bot: TestBot;
  beforeAll(async () => {
    tdb = await openTestDb();
    slack = await startSlackApi();
    const url = new URL(tdb.url as string);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    // The bot's own pool, as production opens it from the settings, through the proxy.
    const env = {
      DATABASE_URL: url.toString(),
      DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    };
    db = await openDatabase(testConfig(slack, env).database);
    bot = await startBot({ db, slack, env });
  });
  afterAll(async () => {
    proxy?.thaw();
    await bot?.stop();
    await db?.close();
    await proxy?.close();
    await slack?.close();
    await tdb?.close();
  });

  /** Asks `n` questions at once; resolves with each asker's first reply and how long it took. */
  async function ask(n: number) {
    return Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const id = uniqueId('hang');
        const started = Date.now();
        const req = bot.signer.command({
          text: `who deploys models to production ${i}?`,
          response_url: slack.responseUrl(id),
        });
        expect((await send(bot.url, req, { timeoutMs: 3000 })).status).toBe(200);
        const call = await responseFor(slack, id, 15_000);
        return { text: JSON.stringify(call.body), ms: Date.now() - started };
      }),
    );
  }

  it('a table the answer writes held under an ACCESS EXCLUSIVE lock: "try again" within the budget', async () => {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holder = tdb.db.transaction(async (tx) => {
      await tx.query('lock table answers in access exclusive mode');
      locked();
      await held;
    });
    await isLocked;
    try {
      const replies = await ask(4);
      console.log(`lock held: first replies after ${replies.map((r) => r.ms).join(', ')} ms (budget ${BUDGET_MS})`);
      for (const r of replies) {
        expect(r.text).toContain(TRY_AGAIN_TEXT);
        expect(r.ms).toBeLessThan(BUDGET_MS);
      }
    } finally {
      release();
      await holder;
    }
    const [after] = await ask(1);
    expect(after?.text).not.toContain(TRY_AGAIN_TEXT);
    expect(after?.text).toMatch(/deploy/i);
  });

  it('the server stops answering altogether (frozen connection): "try again" within the budget; answers after', async () => {
    proxy.freeze();
    try {
      const replies = await ask(4);
      console.log(`frozen: first replies after ${replies.map((r) => r.ms).join(', ')} ms (budget ${BUDGET_MS})`);
      for (const r of replies) {
        expect(r.text).toContain(TRY_AGAIN_TEXT);
        expect(r.ms).toBeLessThan(BUDGET_MS);
      }
    } finally {
      proxy.thaw();
    }
    const [after] = await ask(1);
    expect(after?.text).toMatch(/deploy/i);
  });
});
