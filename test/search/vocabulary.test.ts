import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Catalog, loadCatalog } from '../../src/catalog/catalog.ts';
import { catalogVersion, syncCatalog } from '../../src/catalog/sync.ts';
import type { Queryable } from '../../src/db/db.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
  await t.db.query('delete from vocabulary_snapshot');
});
afterEach(async () => {
  await t.close();
});

const QUESTIONS = ['who does code review?', 'modle monitoirng', 'who keeps an eye on models in production?', 'payroll'];

/** The database as the engine sees it, with every query text it sent. */
function recording(db: Queryable, after?: (sql: string) => Promise<void>): Queryable & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async query(text, params) {
      sent.push(text);
      const rows = await db.query(text, params);
      await after?.(text);
      return rows as never;
    },
    exec: (sql) => db.exec(sql),
  };
}

const readsAfresh = (sent: string[]) => sent.filter((s) => s.includes('json_build_object')).length;

async function answers(db: Queryable): Promise<unknown[]> {
  const engine = createSearchEngine(db);
  const out: unknown[] = [];
  for (const q of QUESTIONS) out.push(await engine.search(q));
  return out;
}

async function snapshotRow(): Promise<{ version: string; format: string } | undefined> {
  const rows = await t.db.query<{ version: string; format: string }>(
    'select version, format from vocabulary_snapshot where id = 1',
  );
  return rows[0];
}

describe('the vocabulary snapshot', () => {
  it('is saved by the first process and read whole by the next, which answers the same', async () => {
    const first = recording(t.db);
    const before = await answers(first);
    expect(readsAfresh(first.sent)).toBe(1);
    expect((await snapshotRow())?.version).toBe((await catalogVersion(t.db))?.version);

    const next = recording(t.db);
    expect(await answers(next)).toEqual(before);
    expect(readsAfresh(next.sent)).toBe(0);
    expect(next.sent.filter((s) => s.includes('from vocabulary_snapshot'))).toHaveLength(1);
  });

  it('is not read once the catalog changed: the new synonym counts at once', async () => {
    await answers(t.db);
    const catalog: Catalog = loadCatalog();
    await syncCatalog(t.db, {
      ...catalog,
      contentHash: 'with-a-new-synonym',
      synonyms: [...catalog.synonyms, { term: 'babysitting', means: 'monitoring' }],
    });
    const next = recording(t.db);
    const r = await createSearchEngine(next).search('who is babysitting the models?');
    expect(readsAfresh(next.sent)).toBe(1);
    expect(r.matches[0]?.id).toBe('2:Model Monitoring');
    expect((await snapshotRow())?.version).toBe((await catalogVersion(t.db))?.version);
  });

  it("is not read when another build's query wrote it, and is rewritten in this build's format", async () => {
    await answers(t.db);
    const ours = (await snapshotRow())?.format;
    await t.db.query(`update vocabulary_snapshot set format = 'an-older-build', body = '{}'`);
    const next = recording(t.db);
    expect(await answers(next)).toEqual(await answers(t.db));
    expect(readsAfresh(next.sent)).toBe(1);
    expect((await snapshotRow())?.format).toBe(ours);
  });

  it('is not saved when a sync lands between reading the vocabulary and saving it', async () => {
    const catalog = loadCatalog();
    const racing = recording(t.db, async (sql) => {
      if (sql.includes('json_build_object')) await syncCatalog(t.db, { ...catalog, contentHash: 'synced-meanwhile' });
    });
    await createSearchEngine(racing).search('who does code review?');
    expect(await snapshotRow()).toBeUndefined();
    // The next process reads the new catalog afresh and saves it.
    await answers(t.db);
    expect((await snapshotRow())?.version).toBe((await catalogVersion(t.db))?.version);
  });
});
