import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.ts';
import { createSearchEngine, type SearchEngine } from '../../src/search/engine.ts';
import { questionIntent, tokenize } from '../../src/search/text.ts';
import { editDistance } from '../../src/search/vocabulary.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let search: SearchEngine;
beforeAll(async () => {
  t = await openTestDb();
  search = createSearchEngine(t.db);
});
afterAll(async () => {
  await t.close();
});

describe('matching', () => {
  it('finds a duty by its own words and says why', async () => {
    const r = await search.search('who does code review?');
    expect(r.matches[0]?.id).toBe('4:Code Review');
    expect(r.matches[0]?.why).toEqual(expect.arrayContaining(['code', 'review']));
    expect(r.matches[0]?.score).toBeGreaterThan(0);
    expect(r.matches[0]?.score).toBeLessThanOrEqual(1);
    expect(r.matches[0]?.sectionTitle).toBe('Machine Learning Engineer Accountabilities');
  });

  it('ranks best first and respects the limit', async () => {
    const r = await search.search('model deployment', { limit: 2 });
    expect(r.matches.length).toBeLessThanOrEqual(2);
    const scores = r.matches.map((m) => m.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('repairs typos against the catalog vocabulary', async () => {
    const r = await search.search('modle monitoirng');
    expect(r.matches[0]?.id).toBe('2:Model Monitoring');
    expect(r.matches[0]?.why.join(' ')).toContain('monitoirng → monitoring');
  });

  it('leaves correctly spelt English words alone instead of "repairing" them', async () => {
    const r = await search.search('the laptop dock by the stairs stops charging');
    expect(r.matches.flatMap((m) => m.why).join(' ')).not.toContain('→');
    expect(r.nearMisses.flatMap((m) => m.why).join(' ')).not.toContain('→');
    expect(r.unknownWords).toEqual(expect.arrayContaining(['dock', 'stairs']));
    expect(r.matches).toEqual([]);
  });

  it('reads a misspelt filler word as filler, not as a catalog word one edit away', async () => {
    const r = await search.search('wuold somebody design the feature store');
    expect(r.matches[0]?.id).toBe('3:Feature Store');
    expect(r.matches.flatMap((m) => m.why).join(' ')).not.toContain('wuold');
    expect(r.unknownWords).not.toContain('wuold');
  });

  it('expands synonyms of the field', async () => {
    const r = await search.search('who watches models in prod');
    expect(r.matches.map((m) => m.id)).toContain('2:Model Monitoring');
    expect(r.matches.flatMap((m) => m.why).join(' ')).toMatch(/prod ≈ production/);
  });

  it('answers "no confident match" for questions outside the role', async () => {
    for (const q of [
      "what's the wifi password?",
      'when is the team lunch on friday?',
      'how do I book a meeting room?',
    ]) {
      expect((await search.search(q)).matches, q).toEqual([]);
    }
  });

  it('suggests nothing from a guessed word alone', async () => {
    // "wifi" is not in the English word list and is one edit from a catalog word ("wiki")
    const r = await search.search("what's the wifi password?");
    expect(r.matches).toEqual([]);
    expect(r.nearMisses).toEqual([]);
  });

  it('offers near misses when it is not confident', async () => {
    const r = await search.search('how do I version my figma files?');
    expect(r.matches).toEqual([]);
    expect(r.nearMisses.length).toBeLessThanOrEqual(3);
  });

  it('applies per-duty adjustments from feedback', async () => {
    const plain = await search.search('code review');
    const first = plain.matches[0]?.id as string;
    const demoted = await search.search('code review', { adjustments: new Map([[first, 0.01]]) });
    expect(demoted.matches[0]?.id).not.toBe(first);
  });
});

describe("people's own words", () => {
  it.each([
    ['who runs Tecton for us?', '3:Feature Store'],
    ['whose job is the TensorRT int8 build for the phone app?', '6:Model Optimization'],
    ['who keeps the dagster schedule for the nightly scoring healthy?', '4:Production Operations'],
  ])('maps the tools of the field: %s', async (q, id) => {
    expect((await search.search(q)).matches[0]?.id).toBe(id);
  });

  it('reads the tokens of the field: p95, A/B, CI/CD, version numbers', async () => {
    expect((await search.search('who watches p95 latency of the scoring API?')).matches[0]?.id).toBe(
      '5:Scalable Systems',
    );
    const ab = await search.search('who sets up A/B tests for the v2.1 ranker?');
    expect(ab.unknownWords).not.toContain('v2');
    expect([...ab.matches, ...ab.nearMisses].flatMap((m) => m.why).join(' ')).toContain('a/b ≈ ab testing');
    const cicd = await search.search('who owns the CI/CD that promotes models to prod?');
    expect(cicd.matches[0]?.id).toBe('4:End-to-End Deployment');
  });

  it('maps a monitoring tool to the duties that watch live models', async () => {
    const r = await search.search('who sets up evidently dashboards for drift on the live models?');
    expect(['2:Model Monitoring', '9:Model Maintenance']).toContain(r.matches[0]?.id);
  });

  it('maps a symptom to the duty that handles it', async () => {
    const r = await search.search(
      'the churn model got way worse after the upstream schema change and no one was alerted',
    );
    expect(r.matches.slice(0, 3).map((m) => m.id)).toEqual(expect.arrayContaining(['2:Model Monitoring']));
  });

  it('lets a phrase the question holds whole outrank scattered words', async () => {
    const r = await search.search('who sets up shadow mode for the new model before it gets traffic?');
    expect(['4:End-to-End Deployment', '9:Model Deployment', '2:Model Deployment']).toContain(r.matches[0]?.id);
    expect(r.matches[0]?.why).toContain('“shadow mode”');
  });

  it('refuses a question about a topic outside the role, even when duty words overlap, and suggests nothing', async () => {
    for (const q of [
      'who approves the invoice from our labeling vendor?',
      'who decides the bonus for the model monitoring team?',
      'my laptop keeps freezing during training runs, who fixes it?',
    ]) {
      const r = await search.search(q);
      expect(r.matches, q).toEqual([]);
      expect(r.nearMisses, q).toEqual([]);
      expect(r.outsideTopic?.topic, q).toBeTruthy();
    }
  });

  it('refuses a word that sits right beside an outside topic in English', async () => {
    const r = await search.search('who handles reimbursements for the data team?');
    expect(r.matches).toEqual([]);
    expect(r.outsideTopic).toMatchObject({ topic: 'purchasing and billing', words: ['reimbursements'] });
  });

  it("reads an outside topic's word in the role's sense inside the role's phrases", async () => {
    const contracts = await search.search('who writes the data contracts for our training tables?');
    expect(contracts.matches[0]?.id).toBe('9:Data Modeling');
    const classifier = await search.search('who monitors drift on our invoice classifier?');
    expect(classifier.outsideTopic).toBeUndefined();
    expect(classifier.matches.length).toBeGreaterThan(0);
  });

  it('refuses the boilerplate of a job posting that is no duty, and keeps its duties', async () => {
    for (const line of [
      "Bachelor's degree in Computer Science or a related field",
      'Equal opportunity employer: we celebrate diversity and inclusion',
      "Manage the team's hiring pipeline and interview process",
    ]) {
      const r = await search.search(line);
      expect(r.matches, line).toEqual([]);
      expect(r.outsideTopic?.topic, line).toBeTruthy();
    }
    // "pipeline" after an outside word alone still names what an ML team builds.
    const feature = await search.search('Build and maintain the feature pipeline for our invoice data');
    expect(feature.outsideTopic).toBeUndefined();
    expect(feature.matches.length).toBeGreaterThan(0);
  });

  it('lets a story name its business in passing', async () => {
    const r = await search.search('On our travel site the hotel search keeps putting irrelevant listings on top.');
    expect(r.matches[0]?.id).toBe('7:Ranking Optimization');
  });

  it('does not "repair" a real word into a catalog word', async () => {
    const r = await search.search('our fintech app needs a credit model in production');
    expect(r.matches.flatMap((m) => m.why).join(' ')).not.toContain('fintech →');
  });
});

describe('bad input', () => {
  const nasty = [
    `'; drop table duties; --`,
    '"quoted" & | ! : * ( ) <-> model',
    'back\\slash \\\\ monitoring',
    '100% of the %s and _ wildcards',
    'nul\u0000byte monitoring',
    '🚀🔥 deploy models 🤖',
    'مراقبة النماذج model monitoring',
    'zero\u200bwidth\u202emonitoring',
    'who is it what is the',
    '!!!???',
    ':*',
    'a'.repeat(1999),
  ];
  it.each(nasty)('does not crash or raise a SQL error on %j', async (q) => {
    const r = await search.search(q);
    expect(Array.isArray(r.matches)).toBe(true);
  });

  it('returns nothing for a question of stop words only', async () => {
    expect((await search.search('who is supposed to do it?')).matches).toEqual([]);
  });

  it('refuses a question over 2000 characters with an error naming the limit', async () => {
    const err = await search.search('model '.repeat(400)).catch((e: unknown) => e);
    expect(isAppError(err, 'question_too_long')).toBe(true);
    expect((err as Error).message).toContain('2000');
  });

  it('leaves the schema as it was', async () => {
    const rows = await t.db.query<{ n: number }>('select count(*)::int as n from duties');
    expect(rows[0]?.n).toBe(111);
  });
});

describe('helpers', () => {
  it('drops contractions and possessives', () => {
    expect(tokenize("we're sure they'd say the team's model isn't done, can't ship")).toEqual([
      'we',
      'sure',
      'they',
      'say',
      'the',
      'team',
      'model',
      'is',
      'not',
      'done',
      'cannot',
      'ship',
    ]);
  });

  it('reads a 2 between words as "to"', () => {
    expect(tokenize('speech2text and end2end')).toEqual(['speech', 'to', 'text', 'and', 'end', 'to', 'end']);
    expect(tokenize('b2b h2o')).toEqual(['b2b', 'h2o']);
  });

  it('counts edits with transpositions', () => {
    expect(editDistance('wrokflow', 'workflow')).toBe(1);
    expect(editDistance('modls', 'models')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('tells role questions from questions after facts', () => {
    expect(questionIntent('who owns the feature store?')).toBe('duty');
    expect(questionIntent('is it on me to write the docs?')).toBe('duty');
    expect(questionIntent("what's the URL for the dashboard?")).toBe('fact');
    expect(questionIntent('when is the next hackathon?')).toBe('fact');
    expect(questionIntent('feature store design')).toBe('neutral');
  });
});
