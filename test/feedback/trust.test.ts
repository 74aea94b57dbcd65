// Votes, shares and the other answer buttons, through the bot's signed endpoint, against people who should not be able
// to move or see an answer: one member's 👎 must not change the answer for everyone (the asker's and a keeper's do;
// others count once VOTE_THRESHOLD different people agree), no number of votes removes an entry, and a validly signed
// click carrying another person's answer id shares, shows or votes on nothing it was not shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Match } from '../../src/search/engine.ts';
import { askByCommand, askInChannel } from '../helpers/asking.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import { allText, blockAction, button, type Element, responseFor, uniqueId } from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';
import type { RecordedCall } from '../helpers/slack-api/server.ts';

const KEEPER = 'U0KEEPER1';
let env: BotEnv;
beforeAll(async () => {
  env = await openBotEnv({ env: { ADMINS: KEEPER, VOTE_THRESHOLD: '3' } });
});
afterAll(() => env?.close());

/** A signed click by `user` on a message in `channel` (Slack sends both the channel and the container's). */
async function clickAs(element: Element, user: string, channel = 'C0GENERAL'): Promise<RecordedCall> {
  const id = uniqueId('act');
  const payload = {
    ...blockAction(element, {
      user,
      responseUrl: env.slack.responseUrl(id),
      container: { type: 'message', message_ts: '1.000001', channel_id: channel, is_ephemeral: false },
    }),
    channel: { id: channel, name: channel.toLowerCase() },
  };
  expect((await send(env.bot.url, env.bot.signer.action(payload))).status).toBe(200);
  return responseFor(env.slack, id);
}

async function matchesOf(call: RecordedCall): Promise<Match[]> {
  const rows = await env.tdb.db.query<{ matches: Match[] }>('select matches from answers where id = $1', [
    button(call, 'vote_up').value,
  ]);
  return rows[0]?.matches ?? [];
}
/** What someone else asking the same question now gets first. */
const topFor = async (question: string) => (await matchesOf(await askByCommand(env, question, 'U0FRESH01')))[0]?.id;

describe('votes', () => {
  it("one member's 👎 changes nothing for others; VOTE_THRESHOLD members agreeing, the asker or a keeper do", async () => {
    const q = 'who deploys models to production?';
    const asked = await askInChannel(env, q, 'U0ASKER01');
    const top = (await matchesOf(asked))[0]?.id;
    const down = button(asked, 'vote_down');

    const first = await clickAs(down, 'U0MEMBER1');
    expect(await topFor(q)).toBe(top);
    expect(allText(first)).toMatch(/once 3 people agree/);
    expect(allText(await clickAs(down, 'U0MEMBER1'))).toMatch(/already voted/); // the same person counts once
    await clickAs(down, 'U0MEMBER2');
    expect(await topFor(q)).toBe(top);
    await clickAs(down, 'U0MEMBER3');
    expect(await topFor(q)).not.toBe(top);

    // The asker's own 👎 moves it at once, and so does a keeper's.
    for (const [question, voter] of [
      ['who trains the models?', 'U0ASKER02'],
      ['who reviews code?', KEEPER],
    ] as const) {
      const answer = await askInChannel(env, question, 'U0ASKER02');
      const before = (await matchesOf(answer))[0]?.id;
      expect(allText(await clickAs(button(answer, 'vote_down'), voter))).toMatch(/for everyone/);
      expect(await topFor(question)).not.toBe(before);
    }
  });

  it('no number of votes removes an entry or turns an answer into "not covered"', async () => {
    const q = 'who monitors models in production?';
    const original = await matchesOf(await askByCommand(env, q, 'U0FRESH01'));
    // Four rounds: each time the asker and three members 👎 whatever comes first now.
    for (let round = 0; round < 4; round++) {
      const answer = await askInChannel(env, q, 'U0ASKER03');
      for (const voter of ['U0ASKER03', 'U0MEMBER4', 'U0MEMBER5', 'U0MEMBER6']) {
        await clickAs(button(answer, 'vote_down'), voter);
      }
    }
    const after = await matchesOf(await askByCommand(env, q, 'U0FRESH01'));
    expect(after.map((m) => m.id).sort()).toEqual(original.map((m) => m.id).sort());
    expect(after[0]?.id).not.toBe(original[0]?.id);
  });
});

describe('a click carrying someone else’s answer id', () => {
  it('shares, shows and votes on nothing the clicker was not shown', async () => {
    const secret = 'who deploys models for project nightingale?';
    const mine = await askByCommand(env, secret, 'U0ALICE01');
    const before = env.slack.calls.length;
    for (const action of ['answer_share', 'answer_more', 'vote_down']) {
      const refused = await clickAs(button(mine, action), 'U0MALLORY');
      expect(refused.body.response_type).toBe('ephemeral');
      expect(allText(refused)).toMatch(/not shown to you|Only the person who asked/);
    }
    const after = env.slack.calls.slice(before);
    expect(after.some((c) => c.body.response_type === 'in_channel')).toBe(false);
    expect(after.some((c) => allText(c).includes('nightingale'))).toBe(false);
    expect(
      await env.tdb.db.query('select 1 from answer_votes where answer_id = $1', [button(mine, 'vote_up').value]),
    ).toHaveLength(0);

    // A public answer: votes from its channel count, from another channel they do not.
    const posted = await askInChannel(env, 'who writes the model documentation?', 'U0BOB0001');
    expect(allText(await clickAs(button(posted, 'vote_up'), 'U0MALLORY', 'C0ELSEWHERE'))).toMatch(/not shown to you/);
    expect(allText(await clickAs(button(posted, 'vote_up'), 'U0MALLORY'))).toMatch(/recorded/);

    // The asker shares it: then the channel it was shared in may use its buttons.
    const shared = await clickAs(button(mine, 'answer_share'), 'U0ALICE01');
    expect(shared.body.response_type).toBe('in_channel');
    expect(allText(await clickAs(button(mine, 'vote_up'), 'U0MALLORY'))).toMatch(/recorded/);
  });
});
