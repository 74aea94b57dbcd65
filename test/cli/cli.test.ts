import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let config: Config;
beforeAll(async () => {
  t = await openTestDb();
  // The CLI opens the database itself: PGlite allows one opener of a data directory at a time.
  if (t.dir) await t.db.close();
  config = loadConfig(t.url ? { DATABASE_URL: t.url } : { PGLITE_DIR: t.dir });
});
afterAll(async () => {
  await t.close();
});

const cli = (argv: string[], stdin?: string, cfg = config) => runCliCaptured(argv, cfg, stdin);

describe('mle-duties ask', () => {
  it('prints one JSON object with the fixed fields', async () => {
    const r = await cli(['ask', '--json', 'who', 'reviews', 'code?']);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const json = JSON.parse(r.out[0] as string);
    expect(json.question).toBe('who reviews code?');
    expect(json.matches[0]).toMatchObject({ id: '4:Code Review', section: 4, title: 'Code Review' });
    expect(Object.keys(json.matches[0])).toEqual(
      expect.arrayContaining(['id', 'section', 'sectionTitle', 'title', 'description', 'score']),
    );
    expect(json.matches.length).toBeLessThanOrEqual(5);
  });

  it('honours --limit', async () => {
    const r = await cli(['ask', '--json', '--limit', '1', 'model deployment']);
    expect(JSON.parse(r.out[0] as string).matches).toHaveLength(1);
  });

  it('answers one question per stdin line, in order, with an error object for a bad line', async () => {
    const long = 'x'.repeat(2001);
    const r = await cli(['ask', '--json'], `who reviews code?\n${long}\n\nwhat's the wifi password?\n`);
    expect(r.code).toBe(0);
    const lines = r.out.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0].matches[0].id).toBe('4:Code Review');
    expect(lines[1].error).toMatch(/2000/);
    expect(lines[2]).toEqual({ question: '', error: 'empty question' });
    expect(lines[3].matches).toEqual([]);
  });

  it('prints a readable answer with breadcrumb and why', async () => {
    const r = await cli(['ask', 'who', 'reviews', 'code?']);
    expect(r.out.join('\n')).toMatch(/Accountabilities › Code Review/);
    expect(r.out.join('\n')).toMatch(/why: /);
  });

  it('shows help for an empty question and exits 0', async () => {
    const r = await cli(['ask', '   ']);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/Usage:/);
  });

  it('refuses an argument over 2000 characters, naming the limit', async () => {
    const r = await cli(['ask', 'y'.repeat(2001)]);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/limit is 2000/);
  });

  it('rejects an unknown option', async () => {
    const r = await cli(['ask', '--bogus', 'x']);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/unknown option --bogus/);
  });

  it('lists the sections', async () => {
    const r = await cli(['sections']);
    expect(r.out).toHaveLength(10);
    expect(r.out[0]).toMatch(/1\. Machine Learning Engineer Duties \(11 duties\)/);
  });

  it('syncs the catalog on import (a no-op when nothing changed)', async () => {
    const r = await cli(['import']);
    expect(r.out).toEqual(['Catalog already up to date.']);
  });
});

describe('an unreachable DATABASE_URL', () => {
  it('gives one clear line and a non-zero exit, without a stack trace', async () => {
    const r = await cli(
      ['ask', 'who reviews code?'],
      undefined,
      loadConfig({ DATABASE_URL: 'postgres://postgres:secret-pw@127.0.0.1:1/nowhere' }),
    );
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/Cannot reach the database at 127\.0\.0\.1:1\/nowhere/);
    expect(r.err[0]).not.toMatch(/secret-pw|\n\s+at /);
  });
});
