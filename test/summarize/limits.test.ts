import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSearchEngine } from '../../src/search/engine.ts';
import { cacheKey, createSummarizer, type SummarizerDeps } from '../../src/summarize/summarizer.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type OpenAiStandIn, startOpenAiStandIn, warmUpSummarizer } from '../helpers/openai-api.ts';
import { failOnUnhandledRejections } from '../helpers/unhandled.ts';

const TIMEOUT_MS = 800;

failOnUnhandledRejections();
let t: TestDb;
let api: OpenAiStandIn;
let clock = Date.UTC(2026, 0, 5, 10, 0, 30);

beforeAll(async () => {
  t = await openTestDb();
  await warmUpSummarizer(t.db);
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  api = await startOpenAiStandIn();
  // Each test starts an hour later: rate windows and circuits of earlier tests are long over.
  clock += 60 * 60_000;
});
afterEach(async () => {
  await api.close();
});

const entriesA = [
  { id: 'a1', sectionTitle: 'Monitoring', title: 'Monitor models', description: 'Watch drift.' },
  { id: 'a2', sectionTitle: 'Deployment', title: 'Deploy models', description: 'Ship them.' },
];
const entriesB = [entriesA[1] as (typeof entriesA)[number]];

function make(overrides: Partial<SummarizerDeps> = {}) {
  return createSummarizer({
    db: t.db,
    llm: { apiKey: 'sk-test-key', baseUrl: api.url, model: 'test-model', timeoutMs: TIMEOUT_MS },
    now: () => clock,
    ...overrides,
  });
}

describe('cache', () => {
  it('a repeated question costs no call, even with the provider down', async () => {
    const s = make();
    const first = await s.summarize({ question: 'Who monitors models?', matches: entriesA, userKey: 'U1' });
    expect(first).toMatchObject({ kind: 'summary', cached: false });
    expect(api.requests).toBe(1);

    api.setMode('hang');
    // Same question as the engine reads it: case, spacing and punctuation do not matter.
    const again = await s.summarize({ question: '  who MONITORS models ', matches: entriesA, userKey: 'U2' });
    expect(again).toMatchObject({ kind: 'summary', cached: true });
    if (first.kind === 'summary' && again.kind === 'summary') expect(again.text).toBe(first.text);
    expect(api.requests).toBe(1);
    expect(s.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1, summaries: 2, requests: 1 });

    // Another process (another summarizer on the same database) gets the hit too.
    expect(await make().summarize({ question: 'who monitors models', matches: entriesA, userKey: 'U3' })).toMatchObject(
      {
        cached: true,
      },
    );
    expect(api.requests).toBe(1);
  });

  it('is keyed by entries, model and entry text, and expires', async () => {
    const s = make({ limits: { cacheTtlMs: 60_000 } });
    const q = 'who deploys models?';
    await s.summarize({ question: q, matches: entriesA, userKey: 'U1' });
    await s.summarize({ question: q, matches: entriesB, userKey: 'U1' });
    expect(api.requests).toBe(2);
    await make({ llm: { apiKey: 'sk-test-key', baseUrl: api.url, model: 'other', timeoutMs: TIMEOUT_MS } }).summarize({
      question: q,
      matches: entriesB,
      userKey: 'U1',
    });
    expect(api.requests).toBe(3);
    const edited = [{ ...entriesA[0], description: 'Watch drift and bias.' }, entriesA[1]] as typeof entriesA;
    expect(cacheKey(q, edited, 'test-model')).not.toBe(cacheKey(q, entriesA, 'test-model'));
    expect(await s.summarize({ question: q, matches: entriesA, userKey: 'U1' })).toMatchObject({ cached: true });
    clock += 61_000;
    expect(await s.summarize({ question: q, matches: entriesA, userKey: 'U1' })).toMatchObject({ cached: false });
    expect(api.requests).toBe(4);
  });

  it('no matches: nothing to summarise, no call', async () => {
    const s = make();
    expect(await s.summarize({ question: 'wifi password?', matches: [], userKey: 'U1' })).toEqual({
      kind: 'skipped',
      reason: 'no_matches',
    });
    expect(api.requests).toBe(0);
  });

  it('works on real search matches', async () => {
    const result = await createSearchEngine(t.db).search('who keeps an eye on models in production?');
    expect(result.matches.length).toBeGreaterThan(0);
    const outcome = await make().summarize({ question: result.question, matches: result.matches, userKey: 'U1' });
    expect(outcome).toMatchObject({ kind: 'summary' });
    const sent = api.bodies[0]?.messages[1]?.content ?? '';
    expect(sent).toContain(result.matches[0]?.title);
  });
});

describe('limits', () => {
  it('caps calls per user and globally per minute, shared by all processes, and cache hits are free', async () => {
    const limits = { perUserPerMinute: 2, globalPerMinute: 3 };
    const web1 = make({ limits });
    const web2 = make({ limits });
    const ask = (s: typeof web1, user: string, n: number) =>
      s.summarize({ question: `question number ${user} ${n}`, matches: entriesA, userKey: user });

    expect((await ask(web1, 'alice', 1)).kind).toBe('summary');
    expect((await ask(web2, 'alice', 2)).kind).toBe('summary');
    expect(await ask(web1, 'alice', 3)).toEqual({ kind: 'skipped', reason: 'rate_limited' });
    expect((await ask(web2, 'bob', 1)).kind).toBe('summary');
    // Global cap of 3 reached by two processes together.
    expect(await ask(web1, 'carol', 1)).toEqual({ kind: 'skipped', reason: 'rate_limited' });
    expect(api.requests).toBe(3);
    // A cached question is still answered over the cap.
    expect(await ask(web1, 'alice', 1)).toMatchObject({ kind: 'summary', cached: true });

    clock += 60_000;
    expect((await ask(web1, 'carol', 1)).kind).toBe('summary');
    expect(api.requests).toBe(4);
    expect(web1.stats().skipped.rate_limited).toBe(2);
  });

  it('a refused global slot does not use up the user slot', async () => {
    const s = make({ limits: { perUserPerMinute: 1, globalPerMinute: 1 } });
    await s.summarize({ question: 'q one', matches: entriesA, userKey: 'dave' });
    expect(await s.summarize({ question: 'q two', matches: entriesA, userKey: 'erin' })).toMatchObject({
      reason: 'rate_limited',
    });
    clock += 60_000;
    expect((await s.summarize({ question: 'q three', matches: entriesA, userKey: 'erin' })).kind).toBe('summary');
  });
});

describe('circuit', () => {
  it.for(['quota', '401'] as const)('%s opens it for every process until it times out', async (mode) => {
    const limits = { circuitOpenMs: 5 * 60_000 };
    const web1 = make({ limits });
    api.setMode(mode);
    expect(await web1.summarize({ question: 'first', matches: entriesA, userKey: 'U1' })).toMatchObject({
      kind: 'failed',
    });
    const hits = api.requests;
    api.setMode('normal');
    expect(await web1.summarize({ question: 'second', matches: entriesA, userKey: 'U1' })).toEqual({
      kind: 'skipped',
      reason: 'circuit_open',
    });
    // A process that never saw the failure learns it from Postgres.
    const web2 = make({ limits });
    expect(await web2.summarize({ question: 'third', matches: entriesA, userKey: 'U2' })).toEqual({
      kind: 'skipped',
      reason: 'circuit_open',
    });
    expect(api.requests).toBe(hits);

    clock += 4 * 60_000;
    expect((await web2.summarize({ question: 'fourth', matches: entriesA, userKey: 'U2' })).kind).toBe('skipped');
    clock += 61_000;
    expect((await web1.summarize({ question: 'fifth', matches: entriesA, userKey: 'U1' })).kind).toBe('summary');
    expect((await web2.summarize({ question: 'sixth', matches: entriesA, userKey: 'U2' })).kind).toBe('summary');
    expect(web1.stats().skipped.circuit_open).toBe(1);
  });

  it('a 500 does not open it', async () => {
    const s = make();
    api.setMode('500');
    expect(await s.summarize({ question: 'a', matches: entriesA, userKey: 'U1' })).toMatchObject({ kind: 'failed' });
    api.setMode('normal');
    expect((await s.summarize({ question: 'b', matches: entriesA, userKey: 'U1' })).kind).toBe('summary');
    expect(s.stats().failed).toEqual({ server_error: 1 });
  });
});

describe('disabled', () => {
  it('without configuration nothing is called', async () => {
    const s = createSummarizer({ db: t.db, llm: undefined });
    expect(s.enabled).toBe(false);
    expect(await s.summarize({ question: 'q', matches: entriesA, userKey: 'U1' })).toEqual({
      kind: 'skipped',
      reason: 'disabled',
    });
    expect(api.requests).toBe(0);
  });
});
