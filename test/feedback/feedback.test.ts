import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandContext, type Io, UsageError } from '../../src/cli/command.ts';
import { report } from '../../src/cli/report.ts';
import { type AnswerService, askedQuestions, createAnswerService } from '../../src/feedback/answers.ts';
import { normalizeQuestion } from '../../src/feedback/normalize.ts';
import { downvotedAnswers, multiplierFor } from '../../src/feedback/votes.ts';
import type { Runtime } from '../../src/runtime.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let tdb: TestDb;
let answers: AnswerService;
beforeAll(async () => {
  tdb = await openTestDb();
  answers = createAnswerService(tdb.db, createSearchEngine(tdb.db));
});
afterAll(() => tdb?.close());

const voter = (userId: string) => ({ userId, keeper: async () => false });

function runReport(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), stdin: process.stdin, stdinIsTty: true };
  const ctx: CommandContext = { args, io, runtime: async () => ({ db: tdb.db }) as Runtime };
  // Wrong arguments are reported by the CLI's runner as exit code 2.
  const code = report.run(ctx).catch((e: unknown) => (e instanceof UsageError ? 2 : Promise.reject(e)));
  return code.then((c) => ({ code: c, out, err }));
}

describe('feedback', () => {
  it('normalises questions so case and punctuation do not split votes', () => {
    expect(normalizeQuestion('Who DEPLOYS models?!')).toBe(normalizeQuestion('who deploys models'));
    expect(normalizeQuestion('who deploys models')).not.toBe(normalizeQuestion('who deploys'));
  });

  it('multipliers: 👎 demotes, 👍 promotes, both bounded', () => {
    expect(multiplierFor(0)).toBe(1);
    expect(multiplierFor(-1)).toBeLessThan(1);
    expect(multiplierFor(1)).toBeGreaterThan(1);
    expect(multiplierFor(-50)).toBeGreaterThan(0);
    expect(multiplierFor(50)).toBeLessThanOrEqual(2);
    expect(multiplierFor(-2)).toBeLessThan(multiplierFor(-1));
  });

  it('one vote per person and question: voting again changes it rather than adding one', async () => {
    const a = await answers.ask('who deploys models to production?', { userId: 'U1', surface: 'command' });
    expect(a.answered).toBe(true);
    const previous = async (vote: 1 | -1) => {
      const r = await answers.vote(a.id, voter('U1'), vote);
      return r.kind === 'recorded' ? r.previous : r.kind;
    };
    expect(await previous(-1)).toBeUndefined();
    expect(await previous(-1)).toBe(-1);
    expect(await previous(1)).toBe(-1);
    const rows = await tdb.db.query<{ n: number; vote: number }>(
      'select count(*)::int as n, max(vote)::int as vote from answer_votes where question_norm = $1',
      [a.questionNorm],
    );
    expect(rows[0]).toEqual({ n: 1, vote: 1 });
    expect(await answers.vote('not-a-uuid', voter('U1'), 1)).toEqual({ kind: 'gone' });
    expect(await answers.vote('00000000-0000-4000-8000-000000000000', voter('U1'), 1)).toEqual({ kind: 'gone' });
    // Someone the (private) answer was never shown to.
    expect(await answers.vote(a.id, voter('U2'), 1)).toEqual({ kind: 'refused' });
  });

  it('`mle-duties report` lists unanswered questions (most asked first) and the most 👎 answers', async () => {
    for (const u of ['U1', 'U2', 'U3'])
      await answers.ask('Who fixes the coffee machine?', { userId: u, surface: 'dm' });
    await answers.ask('what is the wifi password', { userId: 'U1', surface: 'command' });
    const bad = await answers.ask('who trains the models?', { userId: 'U1', surface: 'mention', channelId: 'C1' });
    await answers.vote(bad.id, voter('U1'), -1);
    // Someone else in the channel the answer was posted in.
    await answers.vote(bad.id, { ...voter('U2'), channelId: 'C1' }, -1);

    const unanswered = await askedQuestions(tdb.db, {
      since: new Date(0),
      unanswered: true,
      order: 'most',
      limit: 50,
    });
    expect(unanswered[0]).toMatchObject({ question: 'Who fixes the coffee machine?', times: 3 });
    expect(unanswered.map((q) => q.question)).toContain('what is the wifi password');
    expect(unanswered.map((q) => q.question)).not.toContain('who trains the models?');

    const down = await downvotedAnswers(tdb.db);
    expect(down[0]).toMatchObject({ question: 'who trains the models?', dutyId: bad.matches[0]?.id, down: 2 });

    const text = await runReport([]);
    expect(text.code).toBe(0);
    expect(text.out.join('\n')).toContain('3×  Who fixes the coffee machine?');
    expect(text.out.join('\n')).toContain(`2👎`);
    const json = await runReport(['--json']);
    expect(JSON.parse(json.out.join(''))).toMatchObject({
      unanswered: expect.any(Array),
      downvoted: expect.any(Array),
    });
    expect((await runReport(['--days', 'x'])).code).toBe(2);
    expect((await runReport(['--nope'])).code).toBe(2);
  });
});
