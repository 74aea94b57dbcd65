// The Postgres adapter sends each query text as a named prepared statement (planned once per connection), can be
// told not to (a pooler that cannot keep them), and keeps answering when a table changes under a statement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/db.ts';
import { openDatabase } from '../../src/db/open.ts';
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.ts';

const PREPARED = `select name, statement from pg_prepared_statements where statement = $1`;

async function preparedOnOneConnection(db: Db, text: string, params: unknown[]) {
  return db.transaction(async (tx) => {
    await tx.query(text, params);
    return tx.query<{ name: string; statement: string }>(PREPARED, [text]);
  });
}

describe.runIf(ENGINE === 'postgres')('the Postgres adapter', () => {
  let tdb: TestDb;
  const opened: Db[] = [];
  const open = async (env: Record<string, string>) => {
    const db = await openDatabase(loadConfig({ DATABASE_URL: tdb.url as string, ...env }).database);
    opened.push(db);
    return db;
  };
  beforeAll(async () => {
    tdb = await openTestDb();
  });
  afterAll(async () => {
    for (const db of opened) await db.close();
    await tdb?.close();
  });

  it('prepares each query text once per connection, under a name of its own', async () => {
    const db = await open({});
    const text = 'select count(*)::int as n from duties where section = $1';
    const rows = await preparedOnOneConnection(db, text, [1]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.name).toMatch(/^mle_duties_\d+_\d+$/);
    // The same text again reuses the statement (a second name would have been a second row).
    const again = await preparedOnOneConnection(db, text, [2]);
    expect(again.map((r) => r.name)).toEqual(rows.map((r) => r.name));
    const [count] = await db.query<{ n: number }>(text, [1]);
    expect(count?.n).toBeGreaterThan(0);
  });

  it('DB_PREPARED_STATEMENTS=off sends every query unnamed', async () => {
    const db = await open({ DB_PREPARED_STATEMENTS: 'off' });
    const rows = await preparedOnOneConnection(db, 'select count(*)::int as n from sections where number > $1', [0]);
    expect(rows).toEqual([]);
  });

  it('rejects a value it does not know, naming the setting', () => {
    expect(() => loadConfig({ DB_PREPARED_STATEMENTS: 'yes' })).toThrow(/DB_PREPARED_STATEMENTS/);
  });

  it('keeps answering when another process changes a table a statement reads', async () => {
    const db = await open({});
    const other = await open({ DB_PREPARED_STATEMENTS: 'off' });
    await other.exec('create table prepared_probe (id int primary key, label text)');
    await other.query(`insert into prepared_probe values (1, 'one')`);
    const text = 'select id, label from prepared_probe where id = $1';
    expect(await db.query(text, [1])).toEqual([{ id: 1, label: 'one' }]);
    await other.exec(
      `alter table prepared_probe add column note text default 'x'; alter table prepared_probe alter column label type varchar(20)`,
    );
    expect(await db.query(text, [1])).toEqual([{ id: 1, label: 'one' }]);
  });
});
