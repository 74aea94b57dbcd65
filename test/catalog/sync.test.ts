import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Catalog, DATA_DIR, loadCatalog, readCatalogFiles } from '../../src/catalog/catalog.ts';
import { countActiveDuties } from '../../src/catalog/queries.ts';
import { isSynced, syncCatalog } from '../../src/catalog/sync.ts';
import { loadConfig } from '../../src/config.ts';
import { openRuntime } from '../../src/runtime.ts';
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

describe('a start', () => {
  it('knows its data files are synced from their hash alone', async () => {
    expect(await isSynced(t.db, readCatalogFiles().contentHash)).toBe(true);
    expect(await isSynced(t.db, 'other files')).toBe(false);
  });

  it('syncs edited files and fails on broken ones, naming the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-data-'));
    try {
      cpSync(DATA_DIR, dir, { recursive: true });
      const file = path.join(dir, 'synonyms.json');
      const synonyms = JSON.parse(readFileSync(file, 'utf8'));
      synonyms.synonyms.push({ term: 'zorbify', means: 'monitor' });
      writeFileSync(file, JSON.stringify(synonyms));
      const rt = await openRuntime(loadConfig({ CATALOG_DIR: dir }), { db: t.db });
      expect(rt.sync).toMatchObject({ changed: true, upserted: 111 });
      await rt.close();

      writeFileSync(file, '{"synonyms": [');
      await expect(openRuntime(loadConfig({ CATALOG_DIR: dir }), { db: t.db })).rejects.toMatchObject({
        code: 'catalog_invalid',
        message: expect.stringContaining('synonyms.json is not valid JSON'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
