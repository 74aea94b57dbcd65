import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RETRIES } from '../../src/summarize/provider.ts';
import { createSummarizer, type SummaryOutcome } from '../../src/summarize/summarizer.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import {
  canaryOf,
  type OpenAiStandIn,
  type StandInMode,
  startOpenAiStandIn,
  warmUpSummarizer,
} from '../helpers/openai-api.ts';
import { failOnUnhandledRejections } from '../helpers/unhandled.ts';

// Short budgets keep the file fast; the behaviour under test is relative to the budget.
const TIMEOUT_MS = 800;
// The deadline is one timer; under a loaded test run it can fire a little late (event-loop lag).
const TIMER_SLACK_MS = 100;

const entries = [
  { id: 'd1', sectionTitle: 'Model Monitoring', title: 'Monitor models in production', description: 'Watch drift.' },
  { id: 'd2', sectionTitle: 'Deployment', title: 'Deploy models', description: 'Ship to production.' },
];

const unhandled = failOnUnhandledRejections();
let t: TestDb;

beforeAll(async () => {
  t = await openTestDb();
  await warmUpSummarizer(t.db);
});
afterAll(async () => {
  await t?.close();
});

interface Expectation {
  kind: SummaryOutcome['kind'];
  reason?: string;
  /** The outcome of a second call right after (a circuit opens on auth, quota and 429). */
  next?: SummaryOutcome;
}

const EXPECT: Record<StandInMode, Expectation> = {
  normal: { kind: 'summary' },
  slow: { kind: 'summary' },
  hang: { kind: 'failed', reason: 'timeout' },
  '500': { kind: 'failed', reason: 'server_error' },
  '429': { kind: 'failed', reason: 'rate_limited', next: { kind: 'skipped', reason: 'circuit_open' } },
  quota: { kind: 'failed', reason: 'quota', next: { kind: 'skipped', reason: 'circuit_open' } },
  '401': { kind: 'failed', reason: 'auth', next: { kind: 'skipped', reason: 'circuit_open' } },
  malformed: { kind: 'failed', reason: 'bad_response' },
  reset: { kind: 'failed', reason: 'connection' },
  echo: { kind: 'failed', reason: 'prompt_echo' },
};

interface Run {
  outcome: SummaryOutcome;
  waited: number;
  requests: number;
  statsRequests: number;
  second?: SummaryOutcome;
  requestsAfterSecond?: number;
  settled?: number;
  shown: string;
  canaries: (string | undefined)[];
  bodies: OpenAiStandIn['bodies'];
}
const runs = new Map<StandInMode, Run>();
const MODES = Object.keys(EXPECT) as StandInMode[];

// Modes run one after another (timing is the point, so they do not compete for the event loop),
// each with its own stand-in: own port, so own circuit. One shared wait at the end then shows
// that no retry sneaks out after a caller has moved on.
describe('every stand-in mode: an outcome within the deadline, at most retries+1 requests', () => {
  const apis: OpenAiStandIn[] = [];
  beforeAll(async () => {
    for (const mode of MODES) {
      const api = await startOpenAiStandIn({ mode });
      apis.push(api);
      const summarizer = createSummarizer({
        db: t.db,
        llm: { apiKey: 'sk-test-key', baseUrl: api.url, model: `m-${mode}`, timeoutMs: TIMEOUT_MS },
        limits: { perUserPerMinute: 100, globalPerMinute: 1000 },
      });
      const started = performance.now();
      const outcome = await summarizer.summarize({
        question: `who monitors models? (${mode})`,
        matches: entries,
        userKey: `U-${mode}`,
      });
      const waited = performance.now() - started;
      const run: Run = {
        outcome,
        waited,
        requests: api.requests,
        statsRequests: summarizer.stats().requests,
        shown: JSON.stringify(outcome),
        canaries: api.bodies.map(canaryOf),
        bodies: api.bodies,
      };
      if (EXPECT[mode].next) {
        run.second = await summarizer.summarize({ question: 'who deploys?', matches: entries, userKey: `U-${mode}` });
        run.requestsAfterSecond = api.requests;
      }
      runs.set(mode, run);
    }
    await sleep(TIMEOUT_MS + 300);
    MODES.forEach((mode, i) => {
      const run = runs.get(mode);
      if (run) run.settled = apis[i]?.requests;
    });
  }, 30_000);
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.close()));
  });

  it.for(MODES)('%s', (mode) => {
    const run = runs.get(mode);
    if (!run) throw new Error(`mode ${mode} did not run`);
    const want = EXPECT[mode];
    expect(run.outcome.kind).toBe(want.kind);
    if (want.reason) expect(run.outcome).toMatchObject({ reason: want.reason });
    expect(run.waited).toBeLessThanOrEqual(TIMEOUT_MS + TIMER_SLACK_MS);
    expect(run.requests).toBeGreaterThanOrEqual(1);
    expect(run.requests).toBeLessThanOrEqual(MAX_RETRIES + 1);
    expect(run.statsRequests).toBe(run.requests);

    // Nothing unescaped, no canary, whatever the outcome.
    expect(run.shown).not.toMatch(/<|>/);
    for (const canary of run.canaries) {
      expect(canary).toBeTruthy();
      expect(run.shown).not.toContain(canary);
    }
    for (const body of run.bodies) {
      expect(body.tools).toBeUndefined();
      expect(body.max_tokens).toBeGreaterThan(0);
    }
    if (run.outcome.kind === 'summary') expect(run.outcome.text).toContain('[1]');

    if (want.next) {
      expect(run.second).toEqual(want.next);
      expect(run.requestsAfterSecond).toBe(run.requests);
    }
    expect(run.settled).toBe(run.requestsAfterSecond ?? run.requests);
  });

  it('no unhandled rejection', () => {
    expect(unhandled).toEqual([]);
  });
});

describe('retries', () => {
  it('a 429 whose retry-after fits the budget is retried once, then gives up inside the deadline', async () => {
    const api = await startOpenAiStandIn({ mode: '429', retryAfter: '0.05' });
    try {
      const s = createSummarizer({
        db: t.db,
        llm: { apiKey: 'sk-test-key', baseUrl: api.url, model: 'm', timeoutMs: TIMEOUT_MS },
      });
      const started = performance.now();
      const outcome = await s.summarize({ question: 'retry-after fits', matches: entries, userKey: 'U-ra' });
      expect(performance.now() - started).toBeLessThanOrEqual(TIMEOUT_MS + TIMER_SLACK_MS);
      expect(outcome).toEqual({ kind: 'failed', reason: 'rate_limited' });
      expect(api.requests).toBe(2);
    } finally {
      await api.close();
    }
  });

  it('a spent quota is not retried at all', async () => {
    const api = await startOpenAiStandIn({ mode: 'quota' });
    try {
      const s = createSummarizer({
        db: t.db,
        llm: { apiKey: 'sk-test-key', baseUrl: api.url, model: 'm', timeoutMs: TIMEOUT_MS },
      });
      expect(await s.summarize({ question: 'quota', matches: entries, userKey: 'U-q' })).toEqual({
        kind: 'failed',
        reason: 'quota',
      });
      expect(api.requests).toBe(1);
    } finally {
      await api.close();
    }
  });
});

describe('output from the model', () => {
  it('is escaped, cleaned, and its citations checked', async () => {
    const api = await startOpenAiStandIn({
      reply: () =>
        'Ping <!channel> & <@U1>: monitoring\u202E\u200B is yours [1]; see [2] and [5]. https://evil.example',
    });
    try {
      const s = createSummarizer({
        db: t.db,
        llm: { apiKey: 'sk-test-key', baseUrl: api.url, model: 'm', timeoutMs: TIMEOUT_MS },
      });
      const outcome = await s.summarize({ question: 'escaping', matches: entries, userKey: 'U-esc' });
      expect(outcome.kind).toBe('summary');
      if (outcome.kind !== 'summary') return;
      expect(outcome.text).toBe(
        'Ping &lt;!channel&gt; &amp; &lt;@U1&gt;: monitoring is yours [1]; see [2] and. (link removed)',
      );
      expect(outcome.text).not.toMatch(/[<>\u202E\u200B]|\[5\]/);
    } finally {
      await api.close();
    }
  });

  it('a reply carrying only the canary is discarded', async () => {
    const api = await startOpenAiStandIn({ reply: (b) => `Monitoring is yours [1]. ${canaryOf(b)}` });
    try {
      const s = createSummarizer({
        db: t.db,
        llm: { apiKey: 'sk-test-key', baseUrl: api.url, model: 'm', timeoutMs: TIMEOUT_MS },
      });
      expect(await s.summarize({ question: 'canary', matches: entries, userKey: 'U-can' })).toEqual({
        kind: 'failed',
        reason: 'prompt_echo',
      });
    } finally {
      await api.close();
    }
  });

  it('sends only the matched entries and the question, nothing else', async () => {
    const api = await startOpenAiStandIn();
    try {
      const s = createSummarizer({
        db: t.db,
        llm: { apiKey: 'sk-test-key', baseUrl: api.url, model: 'm', timeoutMs: TIMEOUT_MS },
      });
      await s.summarize({ question: 'only these', matches: entries, userKey: 'U-secret-user' });
      const body = api.bodies[0];
      expect(body?.messages.map((m) => m.role)).toEqual(['system', 'user']);
      const user = body?.messages[1]?.content ?? '';
      expect(user).toContain('<<<QUESTION\nonly these\nQUESTION>>>');
      expect(user).toContain('Watch drift.');
      expect(user).toContain('<<<ENTRY 2');
      expect(user).not.toContain('<<<ENTRY 3');
      expect(JSON.stringify(body)).not.toContain('U-secret-user');
    } finally {
      await api.close();
    }
  });
});
