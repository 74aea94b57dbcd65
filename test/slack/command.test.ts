import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Match } from '../../src/search/engine.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import {
  allText,
  blockAction,
  blocksOf,
  button,
  buttons,
  click,
  command,
  responseFor,
  unescapedMarkup,
  uniqueId,
} from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';
import type { RecordedCall } from '../helpers/slack-api/server.ts';

let env: BotEnv;
beforeAll(async () => {
  env = await openBotEnv();
});
afterAll(() => env?.close());
// Every call of every test, for the final check on markup.
const seen: RecordedCall[] = [];
beforeEach(() => {
  seen.push(...env.slack.calls);
  env.slack.reset();
});

const ANSWERED = 'who deploys models to production?';
// Near the role's words but not confident: did-you-mean buttons. ("who fixes the coffee machine?" is an outside
// topic now, refused without buttons.)
const NOT_COVERED = 'who cleans up old branches?';

async function storedMatches(answerId: string): Promise<Match[]> {
  const rows = await env.tdb.db.query<{ matches: Match[] }>('select matches from answers where id = $1', [answerId]);
  return rows[0]?.matches ?? [];
}

describe('/mle-duties <question>', () => {
  it('acks at once and answers privately: ≤ 3 matches with breadcrumb and why, More, Share, 👍/👎', async () => {
    const id = uniqueId('q');
    const started = Date.now();
    const res = await send(
      env.bot.url,
      env.bot.signer.command({ text: ANSWERED, response_url: env.slack.responseUrl(id) }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    // Measured in-process, so it includes the embedded database's first (cold) search blocking this
    // event loop after the ack was written; Slack's limit is 3 s. test/bench measures it properly.
    expect(Date.now() - started).toBeLessThan(2500);

    const call = await command(env, ANSWERED);
    expect(call.body.response_type).toBe('ephemeral');
    expect(String(call.body.text).length).toBeGreaterThan(0);
    const sections = blocksOf(call).filter((b) => b.type === 'section');
    expect(sections.length).toBeGreaterThanOrEqual(1);
    expect(sections.length).toBeLessThanOrEqual(3);
    for (const s of sections) expect(s.text?.text).toMatch(/^\*.+\*\n_.+ › section \d+_\n.+/s);
    expect(allText(call)).toContain('Why it matched');
    const ids = buttons(call).map((b) => b.action_id);
    expect(ids).toEqual(expect.arrayContaining(['answer_share', 'vote_up', 'vote_down']));

    const answerId = button(call, 'vote_up').value as string;
    const matches = await storedMatches(answerId);
    expect(sections[0]?.text?.text).toContain(matches[0]?.title);
    if (matches.length > 3) expect(ids).toContain('answer_more');
  });

  it('"More" shows the matches after the first three', async () => {
    const call = await command(env, ANSWERED);
    const answerId = button(call, 'vote_up').value as string;
    const matches = await storedMatches(answerId);
    expect(matches.length).toBeGreaterThan(3);
    const more = await click(env, button(call, 'answer_more'));
    if (!more) throw new Error('no answer');
    expect(more.body.response_type).toBe('ephemeral');
    expect(more.body.replace_original).toBe(false);
    const shownTitles = blocksOf(more)
      .filter((b) => b.type === 'section')
      .map((b) => b.text?.text ?? '');
    expect(shownTitles.length).toBe(Math.min(3, matches.length - 3));
    expect(shownTitles[0]).toContain(matches[3]?.title);
  });

  it('"Share in channel" posts the same answer publicly, saying who asked', async () => {
    const call = await command(env, ANSWERED, 'U0ASKER1');
    const shared = await click(env, button(call, 'answer_share'), { user: 'U0ASKER1' });
    if (!shared) throw new Error('no answer');
    expect(shared.body.response_type).toBe('in_channel');
    expect(allText(shared)).toContain('<@U0ASKER1> asked');
    expect(buttons(shared).map((b) => b.action_id)).not.toContain('answer_share');
    const firstTitle = (blocksOf(call).find((b) => b.type === 'section')?.text?.text ?? '').split('\n')[0];
    expect(allText(shared)).toContain(firstTitle);
  });

  it('no confident match: says the role does not cover it, offers did-you-mean buttons, never an answer', async () => {
    const call = await command(env, NOT_COVERED);
    expect(allText(call)).toContain('does not cover this');
    expect(allText(call)).not.toContain('Why it matched');
    const choices = buttons(call).filter((b) => b.action_id?.startsWith('did_you_mean_'));
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(3);
    expect(new Set(choices.map((c) => c.action_id)).size).toBe(choices.length);

    const picked = await click(env, choices[0] as (typeof choices)[number]);
    if (!picked) throw new Error('no answer');
    expect(allText(picked)).toContain(choices[0]?.text?.text);
    expect(buttons(picked).map((b) => b.action_id)).toContain('vote_up');
  });

  it('a wifi question gets a plain "not covered" without buttons when nothing is near', async () => {
    const call = await command(env, 'what is the wifi password?');
    expect(allText(call)).toContain('does not cover this');
    expect(buttons(call).filter((b) => b.action_id?.startsWith('did_you_mean_'))).toHaveLength(0);
  });

  it('a question over 2000 characters is refused politely', async () => {
    const call = await command(env, `who ${'monitors '.repeat(300)}`);
    expect(allText(call)).toContain('too long');
  });

  it('digest … goes to the digest feature', async () => {
    const call = await command(env, 'digest status');
    expect(String(call.body.text).length).toBeGreaterThan(0);
    expect(call.body.response_type).toBe('ephemeral');
  });
});

describe('votes', () => {
  it('are stored with question, entries shown and a hashed user id, acknowledged, and can be changed', async () => {
    const call = await command(env, 'who writes code reviews for the model?', 'U0VOTER1');
    const answerId = button(call, 'vote_up').value as string;
    const up = await click(env, button(call, 'vote_up'), { user: 'U0VOTER1' });
    expect(up?.body.response_type).toBe('ephemeral');
    expect(allText(up as never)).toContain('recorded');
    const down = await click(env, button(call, 'vote_down'), { user: 'U0VOTER1' });
    expect(allText(down as never)).toContain('changed');

    const rows = await env.tdb.db.query<{ vote: number; user_hash: string; shown_ids: string[]; question: string }>(
      'select vote, user_hash, shown_ids, question from answer_votes where answer_id = $1',
      [answerId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.vote).toBe(-1);
    expect(rows[0]?.question).toBe('who writes code reviews for the model?');
    expect(rows[0]?.shown_ids.length).toBeGreaterThan(0);
    expect(rows[0]?.user_hash).not.toContain('U0VOTER1');
    expect(JSON.stringify(await env.tdb.db.query('select * from answer_votes'))).not.toContain('U0VOTER1');
  });

  it('👎 demotes the top entry for the same question next time; 👍 promotes it', async () => {
    const q = 'Who deploys models to production';
    const first = await command(env, `${q}?`, 'U0DOWN01');
    const before = await storedMatches(button(first, 'vote_down').value as string);
    const top = before[0] as Match;
    await click(env, button(first, 'vote_down'), { user: 'U0DOWN01' });

    // Same question, other punctuation and case: the vote still applies.
    const second = await command(env, q.toLowerCase(), 'U0OTHER1');
    const after = await storedMatches(button(second, 'vote_up').value as string);
    expect(after[0]?.id).not.toBe(top.id);
    const demoted = after.find((m) => m.id === top.id);
    if (demoted) expect(demoted.score).toBeLessThan(top.score);

    // A different question is not affected.
    const other = await command(env, 'who deploys models?', 'U0OTHER1');
    const otherMatches = await storedMatches(button(other, 'vote_up').value as string);
    expect(otherMatches.some((m) => m.id === top.id)).toBe(true);

    const third = await command(env, 'who trains the models?', 'U0UP0001');
    const t1 = await storedMatches(button(third, 'vote_up').value as string);
    await click(env, button(third, 'vote_up'), { user: 'U0UP0001' });
    const fourth = await command(env, 'who trains the models?', 'U0UP0001');
    const t2 = await storedMatches(button(fourth, 'vote_up').value as string);
    expect(t2[0]?.id).toBe(t1[0]?.id);
    expect(t2[0]?.score).toBeGreaterThan(t1[0]?.score ?? 1);
  });
});

describe('browsing', () => {
  it('help (and empty), sections with a picker, section by number or name, random', async () => {
    for (const text of ['', 'help']) expect(allText(await command(env, text))).toContain('/mle-duties sections');
    const sections = await command(env, 'sections');
    expect(allText(sections)).toContain('Machine Learning Engineer Responsibilities');
    const picker = buttons(sections).find((b) => b.action_id === 'section_select');
    expect(picker?.options?.length).toBeGreaterThan(1);
    expect(allText(await command(env, 'section 3'))).toContain('3. Machine Learning Engineer Responsibilities');
    expect(allText(await command(env, 'section accountabilities'))).toContain('Accountabilities');
    expect(allText(await command(env, 'section 99'))).toContain('There is no section');
    expect(allText(await command(env, 'random'))).toContain('A duty picked at random');
  });

  it('the section picker shows the chosen section', async () => {
    const sections = await command(env, 'sections');
    const picker = buttons(sections).find((b) => b.action_id === 'section_select');
    const id = uniqueId('sel');
    const payload = blockAction(picker as never, {
      user: 'U0ASKER1',
      responseUrl: env.slack.responseUrl(id),
      selected: '4',
    });
    expect((await send(env.bot.url, env.bot.signer.action(payload))).status).toBe(200);
    expect(allText(await responseFor(env.slack, id))).toContain('4. Machine Learning Engineer Accountabilities');
  });

  it('a click on a button the bot does not know (from an older version) is acked and answers nothing', async () => {
    const id = uniqueId('old');
    const payload = blockAction(
      { type: 'button', action_id: 'retired_button', value: 'x' },
      {
        user: 'U0ASKER1',
        responseUrl: env.slack.responseUrl(id),
      },
    );
    // Unacked, Bolt would leave the request open until Slack gives up and shows the clicker an error.
    expect((await send(env.bot.url, env.bot.signer.action(payload), { timeoutMs: 2000 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(env.slack.calls.filter((c) => c.responseUrlId === id)).toEqual([]);
  });

  it('nothing sent anywhere carries markup other than the "who asked" mention code built', () => {
    seen.push(...env.slack.calls);
    expect(seen.length).toBeGreaterThan(20);
    expect(unescapedMarkup(seen, ['U0ASKER1'])).toEqual([]);
  });
});
