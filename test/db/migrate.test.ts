import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, listMigrations, migrate } from '../../src/db/migrate.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('migrate', () => {
  it('applies every migration once and records it', async () => {
    t = await openTestDb({ empty: true });
    expect((await appliedMigrations(t.db)).applied).toBe(0);
    const applied = await migrate(t.db);
    expect(applied).toEqual(listMigrations().map((m) => m.name));
    expect(await appliedMigrations(t.db)).toEqual({ applied: listMigrations().length, total: listMigrations().length });
    expect(await migrate(t.db)).toEqual([]);
  });

  it.runIf(ENGINE === 'postgres')('lets several processes start at once on one database', async () => {
    t = await openTestDb({ empty: true });
    const url = t.url as string;
    const pools = await Promise.all([1, 2, 3].map(() => openPostgres({ url, max: 2 })));
    try {
      const results = await Promise.all(pools.map((p) => migrate(p)));
      expect(results.flat().sort()).toEqual(
        listMigrations()
          .map((m) => m.name)
          .sort(),
      );
      const rows = await t.db.query<{ n: number }>('select count(*)::int as n from schema_migrations');
      expect(rows[0]?.n).toBe(listMigrations().length);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('rolls back a failing migration whole and names it', async () => {
    t = await openTestDb({ empty: true });
    const bad = [
      ...listMigrations(),
      { version: 9999, name: '9999_broken', sql: 'create table ok_part (x int); select nope;' },
    ];
    await expect(migrate(t.db, bad)).rejects.toThrow(/9999_broken/);
    const rows = await t.db.query<{ n: number }>(
      "select count(*)::int as n from information_schema.tables where table_name in ('ok_part', 'duties')",
    );
    expect(rows[0]?.n).toBe(0);
  });
});
