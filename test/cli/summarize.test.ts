import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import { SUMMARIES_OFF } from '../../src/summarize/cli.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type OpenAiStandIn, startOpenAiStandIn } from '../helpers/openai-api.ts';
import { failOnUnhandledRejections } from '../helpers/unhandled.ts';

let t: TestDb;
let api: OpenAiStandIn;
let dbEnv: Record<string, string>;
failOnUnhandledRejections();

beforeAll(async () => {
  t = await openTestDb();
  // The CLI opens the database itself: PGlite allows one opener of a data directory at a time.
  if (t.dir) await t.db.close();
  dbEnv = t.url ? { DATABASE_URL: t.url } : { PGLITE_DIR: t.dir as string };
  api = await startOpenAiStandIn();
});
afterAll(async () => {
  await api?.close();
  await t?.close();
});

const withLlm = (timeoutMs = 800): Config =>
  loadConfig({
    ...dbEnv,
    LOG_LEVEL: 'silent',
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: api.url,
    OPENAI_MODEL: 'stand-in',
    LLM_TIMEOUT_MS: String(timeoutMs),
  });

const cli = (argv: string[], cfg: Config, stdin?: string) => runCliCaptured(argv, cfg, stdin);

describe('mle-duties ask --summarize', () => {
  it('prints the summary under the matches', async () => {
    api.setMode('normal');
    api.reset();
    const r = await cli(['ask', '--summarize', 'who reviews code?'], withLlm());
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    const summaryAt = text.indexOf('   Summary: This is part of the role: Code Review [1]');
    expect(summaryAt).toBeGreaterThan(text.indexOf('1. '));
    expect(api.requests).toBe(1);
  });

  it('adds a "summary" field to --json, served from the cache the second time', async () => {
    api.setMode('normal');
    api.reset();
    const first = await cli(['ask', '--json', '--summarize', 'who deploys models?'], withLlm());
    const second = await cli(['ask', '--json', '--summarize', 'Who deploys models'], withLlm());
    const a = JSON.parse(first.out[0] as string);
    const b = JSON.parse(second.out[0] as string);
    expect(a.matches.length).toBeGreaterThan(0);
    expect(a.summary).toMatchObject({ kind: 'summary', cached: false });
    expect(a.summary.text).toContain('[1]');
    expect(b.summary).toEqual({ ...a.summary, cached: true });
    expect(api.requests).toBe(1);
  });

  it('falls back to the plain answer, inside the deadline, when the provider hangs', async () => {
    api.setMode('hang');
    api.reset();
    const started = performance.now();
    const r = await cli(['ask', '--json', '--summarize', 'who monitors drift in production?'], withLlm(400));
    const json = JSON.parse(r.out[0] as string);
    expect(json.matches.length).toBeGreaterThan(0);
    expect(json.summary).toEqual({ kind: 'failed', reason: 'timeout' });
    // Opening the runtime is included here; the summary itself is bounded by 400 ms.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(api.requests).toBeLessThanOrEqual(2);
  });

  it('says summaries are off without configuration, and still answers', async () => {
    api.reset();
    const r = await cli(['ask', '--summarize', 'who reviews code?'], loadConfig({ ...dbEnv, LOG_LEVEL: 'silent' }));
    expect(r.code).toBe(0);
    expect(r.err).toContain(SUMMARIES_OFF);
    expect(r.out.join('\n')).toContain('Code Review');
    expect(r.out.join('\n')).not.toContain('Summary');
    expect(api.requests).toBe(0);
  });

  it('without the flag nothing is sent', async () => {
    api.reset();
    const r = await cli(['ask', 'who reviews code?'], withLlm());
    expect(r.out.join('\n')).not.toContain('Summary');
    expect(api.requests).toBe(0);
  });
});
