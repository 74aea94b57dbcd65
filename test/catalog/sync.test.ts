import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Catalog, loadCatalog } from '../../src/catalog/catalog.ts';
import { countActiveDuties } from '../../src/catalog/queries.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(async () => {
  await t.close();
});

const withHash = (c: Catalog, hash: string): Catalog => ({ ...c, contentHash: hash });

describe('syncCatalog', () => {
  it('is a no-op when data/ has not changed', async () => {
    const result = await syncCatalog(t.db, loadCatalog());
    expect(result).toEqual({ changed: false, upserted: 0, retired: 0 });
  });

  it('retires duties that left data/ and brings them back when they return', async () => {
    const full = loadCatalog();
    const fewer = withHash({ ...full, entries: full.entries.filter((e) => e.id !== '2:Model Monitoring') }, 'fewer');
    expect(await syncCatalog(t.db, fewer)).toMatchObject({ changed: true, upserted: 110, retired: 1 });
    expect(await countActiveDuties(t.db, 'mle')).toBe(110);
    const rows = await t.db.query<{ retired: boolean }>(
      "select retired_at is not null as retired from duties where id = '2:Model Monitoring'",
    );
    expect(rows).toEqual([{ retired: true }]);
    const search = createSearchEngine(t.db);
    const ids = (await search.search('model monitoring', { limit: 10 })).matches.map((m) => m.id);
    expect(ids).not.toContain('2:Model Monitoring');

    expect(await syncCatalog(t.db, withHash(full, 'again'))).toMatchObject({ changed: true, retired: 0 });
    expect(await countActiveDuties(t.db, 'mle')).toBe(111);
  });

  it('upserts edited text by id, so a second run with the same data changes nothing', async () => {
    const full = loadCatalog();
    const edited = withHash(
      {
        ...full,
        entries: full.entries.map((e) => (e.id === '4:Code Review' ? { ...e, description: 'Review code.' } : e)),
      },
      'edited',
    );
    await syncCatalog(t.db, edited);
    expect(await syncCatalog(t.db, edited)).toMatchObject({ changed: false });
    const rows = await t.db.query<{ description: string }>("select description from duties where id = '4:Code Review'");
    expect(rows[0]?.description).toBe('Review code.');
    const count = await t.db.query<{ n: number }>('select count(*)::int as n from duties');
    expect(count[0]?.n).toBe(111);
  });
});
