// Taught aliases leave the database for data/: `aliases export` writes them in catalog.json's format, `import`
// accepts the result, and then every workspace (and the command line) gets the answer. `report` lists them.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, loadCatalog } from '../../src/catalog/catalog.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { mergeTaughtAliases } from '../../src/teach/export.ts';
import { addTaughtAlias, recordConfirmation } from '../../src/teach/store.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let work: string;
let config: Config;
const QUESTION = 'who babysits the zorblax cluster?';

beforeAll(async () => {
  t = await openTestDb();
  work = mkdtempSync(path.join(tmpdir(), 'mle-duties-export-'));
  cpSync(DATA_DIR, path.join(work, 'data'), { recursive: true });
  const at = new Date('2026-12-01T10:00:00Z');
  await addTaughtAlias(
    t.db,
    { teamId: 'T1', actor: 'UKEEPER1', at },
    '2:Model Monitoring',
    'babysit the zorblax cluster',
  );
  // Already in data/ (an alias of the catalog, in other case): exported once, never twice.
  const existing = (loadCatalog().entries.find((e) => e.id === '4:Code Review')?.aliases ?? [])[0] as string;
  await addTaughtAlias(t.db, { teamId: 'T1', actor: 'UKEEPER1', at }, '4:Code Review', existing.toUpperCase());
  await addTaughtAlias(t.db, { teamId: 'T2', actor: 'UOTHER01', at }, '4:Code Review', 'nitpick the wombat diff');
  await recordConfirmation(t.db, {
    teamId: 'T1',
    answerId: '00000000-0000-4000-8000-000000000001',
    question: QUESTION,
    questionNorm: 'who babysits the zorblax cluster',
    dutyId: '2:Model Monitoring',
    userHash: 'abc123def456',
    via: 'vote',
    at,
  });
  // Before: the command line (no workspace) does not know the phrase.
  expect((await createSearchEngine(t.db).search(QUESTION)).matches).toEqual([]);
  // The CLI opens the database itself: PGlite allows one opener of a data directory at a time.
  if (t.dir) await t.db.close();
  const database = t.url ? { DATABASE_URL: t.url } : { PGLITE_DIR: t.dir };
  config = loadConfig({ ...database, CATALOG_DIR: path.join(work, 'data') });
});
afterAll(async () => {
  await t.close();
  rmSync(work, { recursive: true, force: true });
});

const cli = (argv: string[], cfg = config) => runCliCaptured(argv, cfg);

describe('taught aliases out of the database', () => {
  it('report lists the taught aliases (who, when) and the confirmed pairs (how many, never who)', async () => {
    const r = await cli(['report', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out[0] as string);
    expect(json.taught).toHaveLength(3);
    expect(json.taught).toContainEqual(
      expect.objectContaining({
        teamId: 'T1',
        dutyId: '2:Model Monitoring',
        phrase: 'babysit the zorblax cluster',
        taughtBy: 'UKEEPER1',
        taughtAt: '2026-12-01T10:00:00.000Z',
      }),
    );
    expect(json.confirmed).toEqual([
      expect.objectContaining({ teamId: 'T1', question: QUESTION, dutyId: '2:Model Monitoring', people: 1 }),
    ]);
    expect(r.out[0]).not.toContain('abc123def456');
  });

  it('export writes them into catalog.json, import accepts it, and the phrase is answered everywhere', async () => {
    const file = path.join(work, 'data', 'catalog.json');
    const original = readFileSync(file, 'utf8');
    const r = await cli(['aliases', 'export', '--team', 'T1']);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^1 taught alias added to .*catalog\.json \(1 already there, 0 skipped; workspace T1\)/);

    // data/'s format: the phrase among its duty's aliases, nothing else changed, formatting kept.
    const exported = readFileSync(file, 'utf8');
    const catalog = loadCatalog(path.join(work, 'data'));
    const orig = JSON.parse(original) as { entries: { id: string; aliases: string[] }[] };
    for (const e of catalog.entries) {
      const was = orig.entries.find((o) => o.id === e.id)?.aliases ?? [];
      expect(e.aliases).toEqual(e.id === '2:Model Monitoring' ? [...was, 'babysit the zorblax cluster'] : was);
    }
    expect(exported).toBe(`${JSON.stringify(JSON.parse(exported), null, 2)}\n`);
    // Another workspace's phrase is not in it.
    expect(exported).not.toContain('wombat');

    const imported = await cli(['import']);
    expect(imported.out).toEqual([expect.stringMatching(/^Catalog synced/)]);
    const after = await cli(['ask', '--json', QUESTION]);
    expect(JSON.parse(after.out[0] as string).matches[0]?.id).toBe('2:Model Monitoring');

    // Exporting again adds nothing and leaves the file as it is.
    const taughtT1 = [
      {
        teamId: 'T1',
        dutyId: '2:Model Monitoring',
        title: '',
        phrase: 'Babysit the Zorblax cluster',
        taughtBy: 'U',
        taughtAt: new Date(),
      },
    ];
    const again = mergeTaughtAliases(exported, taughtT1);
    expect(again).toMatchObject({ text: exported, added: [], present: 1 });
  });

  it('--out writes a whole catalog directory (every file import reads); a wrong subcommand is a usage error', async () => {
    const out = path.join(work, 'exported');
    const r = await cli(['aliases', 'export', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^1 taught alias added/);
    expect(loadCatalog(out).entries.find((e) => e.id === '4:Code Review')?.aliases).toContain(
      'nitpick the wombat diff',
    );
    expect((await cli(['aliases', 'import'])).code).toBe(2);
  });
});
