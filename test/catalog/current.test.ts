// A catalog changed under a running bot (an `import` by another process, a newer deploy's start) is what the bot
// answers from at its next question: its search caches and the role it names follow the database, not its memory.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, loadCatalog } from '../../src/catalog/catalog.ts';
import { watchCatalog } from '../../src/catalog/current.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import { ENGINE } from '../helpers/db.ts';
import { allText, command } from '../helpers/payloads.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const QUESTION = 'who does the zorblax wrangling?';

/** data/ with one new alias and the role renamed, written to a directory of its own. */
function editedCatalogDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-catalog-'));
  const catalog = JSON.parse(readFileSync(path.join(DATA_DIR, 'catalog.json'), 'utf8'));
  catalog.role.name = 'Machine Learning Engineer (edited)';
  const review = catalog.entries.find((e: { id: string }) => e.id === '4:Code Review');
  review.aliases.push('zorblax wrangling');
  writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(catalog, null, 2));
  // Every other file of data/ as it is (vocabulary, topics, the English table …).
  for (const f of readdirSync(DATA_DIR)) {
    if (f !== 'catalog.json') writeFileSync(path.join(dir, f), readFileSync(path.join(DATA_DIR, f)));
  }
  return dir;
}

let env: BotEnv | undefined;
let dir: string;
beforeAll(async () => {
  dir = editedCatalogDir();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** Asks until the answer names Code Review (the bot notices within its check interval), or gives up. */
async function answerTo(bot: BotEnv, question: string, withinMs: number): Promise<string> {
  const started = Date.now();
  for (;;) {
    const text = allText(await command(bot, question));
    if (text.includes('Code Review') || Date.now() - started > withinMs) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a catalog changed under a running bot', () => {
  it('in the same database: the next question after the check interval uses it', async () => {
    const bot = await openBotEnv({ catalogCheckMs: 200 });
    env = bot;
    // Warm: the bot has read the vocabulary and the role once.
    expect(allText(await command(bot, QUESTION))).not.toContain('Code Review');
    expect(allText(await command(bot, 'help'))).not.toContain('(edited)');
    const result = await syncCatalog(bot.tdb.db, loadCatalog(dir));
    expect(result.changed).toBe(true);
    expect(await answerTo(bot, QUESTION, 3000)).toContain('Code Review');
    expect(allText(await command(bot, 'help'))).toContain('Machine Learning Engineer (edited)');
  });

  it.runIf(ENGINE === 'postgres')(
    'from another process: `mle-duties import` with CATALOG_DIR reaches the running bot within a second',
    async () => {
      const bot = await openBotEnv();
      env = bot;
      expect(allText(await command(bot, QUESTION))).not.toContain('Code Review');
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'import'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: bot.tdb.url as string, CATALOG_DIR: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout?.on('data', (d) => {
        out += String(d);
      });
      child.stderr?.on('data', (d) => {
        out += String(d);
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, out).toBe(0);
      expect(out).toContain('Catalog synced');
      const started = Date.now();
      expect(await answerTo(bot, QUESTION, 5000)).toContain('Code Review');
      // The default check interval is one second.
      expect(Date.now() - started).toBeLessThan(2500);
    },
  );
});

describe('watchCatalog', () => {
  it('reads the version at most once per interval, and tells its listeners once per change', async () => {
    let t = 0;
    let queries = 0;
    const state = { version: 'v1' };
    const db = {
      query: async () => {
        queries += 1;
        return [{ roleId: 'mle', roleName: 'MLE', version: state.version }];
      },
      exec: async () => {},
    } as unknown as Parameters<typeof watchCatalog>[0];
    const watch = watchCatalog(db, { checkMs: 1000, now: () => t });
    let changes = 0;
    watch.onChange(() => {
      changes += 1;
    });
    expect(await watch.current()).toEqual({ id: 'mle', name: 'MLE' });
    state.version = 'v2';
    t = 999;
    await Promise.all([watch.current(), watch.current()]);
    expect(queries).toBe(1);
    expect(changes).toBe(0);
    t = 1000;
    await Promise.all([watch.current(), watch.current()]);
    expect(queries).toBe(2);
    expect(changes).toBe(1);
    t = 2500;
    await watch.current();
    expect(changes).toBe(1);
  });
});
