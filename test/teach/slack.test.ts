// Learning in use through the real endpoint: signed commands and clicks, the Slack stand-in, two bots on one database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listChanges } from '../../src/people/changes.ts';
import { listConfirmedPairs, listTaughtAliases } from '../../src/teach/store.ts';
import { askInChannel, askInDm } from '../helpers/asking.ts';
import { type BotEnv, openBotEnv, startBot, type TestBot } from '../helpers/bot.ts';
import {
  allText,
  blockAction,
  blocksOf,
  button,
  buttons,
  type Element,
  responseFor,
  unescapedMarkup,
  uniqueId,
} from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';
import type { RecordedCall } from '../helpers/slack-api/server.ts';

const TEAM = 'T0TEST01';
const OTHER_TEAM = 'T0OTHER9';
const KEEPER = 'UKEEPER1';
const ADMIN = 'UWSADMIN';
const MEMBER = 'UMEMBER01';

let env: BotEnv;
let second: TestBot;
const seen: RecordedCall[] = [];
beforeAll(async () => {
  env = await openBotEnv({ env: { ADMINS: KEEPER } });
  env.slack.users.set(KEEPER, { id: KEEPER, profile: { display_name: 'Kim <!channel>' } });
  env.slack.users.set(ADMIN, { id: ADMIN, is_admin: true, profile: { display_name: 'Ada' } });
  env.slack.users.set(MEMBER, { id: MEMBER, profile: { display_name: 'Mo' } });
  // A second bot process on the same database (on PGlite: a second bot over the same connection, as only one
  // process may open its directory).
  second = await startBot({ db: env.tdb.db, slack: env.slack, env: { ADMINS: KEEPER } });
});
afterAll(async () => {
  await second?.stop();
  await env?.close();
});
beforeEach(() => {
  seen.push(...env.slack.calls);
  env.slack.reset();
});

async function cmd(text: string, options: { user?: string; team?: string; bot?: TestBot } = {}): Promise<RecordedCall> {
  const bot = options.bot ?? env.bot;
  const id = uniqueId('cmd');
  const res = await send(
    bot.url,
    bot.signer.command({
      text,
      user_id: options.user ?? MEMBER,
      team_id: options.team ?? TEAM,
      response_url: env.slack.responseUrl(id),
    }),
  );
  expect(res.status).toBe(200);
  const call = await responseFor(env.slack, id);
  expect(call.status, JSON.stringify(call.response)).toBe(200);
  return call;
}

async function clickAs(element: Element, user: string, team = TEAM): Promise<RecordedCall> {
  const id = uniqueId('act');
  const payload = blockAction(element, { user, responseUrl: env.slack.responseUrl(id) });
  payload.team = { id: team, domain: 'test' };
  payload.user = { id: user, username: 'someone', team_id: team };
  const res = await send(env.bot.url, env.bot.signer.action(payload));
  expect(res.status).toBe(200);
  return responseFor(env.slack, id);
}

/** The title of the first duty an answer shows, or undefined when the role does not cover the question. */
function topTitle(call: RecordedCall): string | undefined {
  const first = blocksOf(call).find((b) => b.type === 'section')?.text?.text ?? '';
  return /^\*(?:\[\d+\] )?(.+?)\*\n_/.exec(first)?.[1];
}

describe('teach and untaught', () => {
  const question = 'who babysits the zorblax cluster?';

  it('a keeper teaches a phrase: the next question is answered with that duty, in every process of the workspace', async () => {
    expect(topTitle(await cmd(question))).toBeUndefined();
    expect(topTitle(await cmd(question, { bot: second }))).toBeUndefined();

    const taught = await cmd('teach Model Monitoring babysit the zorblax cluster', { user: KEEPER });
    expect(allText(taught)).toContain('Taught');
    expect(allText(taught)).toContain('2:Model Monitoring');

    // Asked by anyone of the workspace, through either bot, at once.
    expect(topTitle(await cmd(question))).toBe('Model Monitoring');
    expect(topTitle(await cmd(question, { bot: second }))).toBe('Model Monitoring');
    expect(allText(await cmd(question))).toContain('(taught here)');
    // An @mention in the workspace is answered the same way (the event's workspace travels with it).
    seen.push(...env.slack.calls);
    env.slack.reset();
    const res = await send(
      second.url,
      second.signer.event({
        type: 'app_mention',
        user: MEMBER,
        text: `<@UBOT0001> ${question}`,
        ts: '1700000001.000100',
        channel: 'C0GENERAL',
        event_ts: '1700000001.000100',
      }),
    );
    expect(res.status).toBe(200);
    const [posted] = await env.slack.waitFor('chat.postMessage');
    expect(topTitle(posted as RecordedCall)).toBe('Model Monitoring');
    // Another workspace's answers do not change, on either bot.
    expect(topTitle(await cmd(question, { team: OTHER_TEAM }))).toBeUndefined();
    expect(topTitle(await cmd(question, { team: OTHER_TEAM, bot: second }))).toBeUndefined();

    const changes = await listChanges(env.tdb.db, { area: 'aliases', subject: '2:Model Monitoring', teamId: TEAM });
    expect(changes[0]).toMatchObject({
      actor: KEEPER,
      teamId: TEAM,
      before: { aliases: [] },
      after: { aliases: ['babysit the zorblax cluster'] },
    });
    expect(Date.now() - (changes[0]?.at.getTime() ?? 0)).toBeLessThan(60_000);
  });

  it('anyone else is refused politely, told who can by name, and nothing changes', async () => {
    const before = await listTaughtAliases(env.tdb.db, TEAM);
    const refused = await cmd('teach Code Review sourdough starter', { user: MEMBER });
    const text = allText(refused);
    expect(text).toContain('only the catalog keepers');
    expect(text).toContain("this workspace's admins and owners");
    // Named, escaped, never mentioned.
    expect(text).toContain('Kim &lt;!channel&gt;');
    expect(text).not.toContain(`<@${KEEPER}>`);
    expect(unescapedMarkup([refused])).toEqual([]);
    expect(await listTaughtAliases(env.tdb.db, TEAM)).toEqual(before);
    expect(allText(await cmd('untaught babysit the zorblax cluster', { user: MEMBER }))).toContain(
      'only the catalog keepers',
    );
    expect(topTitle(await cmd(question))).toBe('Model Monitoring');
    // The report shows what people asked: keepers only.
    expect(allText(await cmd('report', { user: MEMBER }))).toContain('only the catalog keepers');
  });

  it('a workspace admin untaughts it by the phrase alone: the next question is not covered again', async () => {
    const gone = await cmd('untaught Babysit the zorblax cluster?', { user: ADMIN });
    expect(allText(gone)).toContain('Removed');
    expect(topTitle(await cmd(question))).toBeUndefined();
    expect(topTitle(await cmd(question, { bot: second }))).toBeUndefined();
    expect(allText(await cmd('untaught Model Monitoring babysit the zorblax cluster', { user: ADMIN }))).toContain(
      'not a taught phrase',
    );
    const changes = await listChanges(env.tdb.db, { area: 'aliases', subject: '2:Model Monitoring', teamId: TEAM });
    expect(changes[0]).toMatchObject({ actor: ADMIN, after: { aliases: [] } });
  });

  it('says what it could not do: unknown or ambiguous duty, no phrase, the usage', async () => {
    expect(allText(await cmd('teach Wombat Feeding feed the wombats', { user: KEEPER }))).toContain('no duty named');
    const ambiguous = allText(await cmd('teach Model Deployment ship it', { user: KEEPER }));
    expect(ambiguous).toContain('Several sections');
    expect(ambiguous).toMatch(/\d+:Model Deployment/);
    expect(allText(await cmd('teach Code Review', { user: KEEPER }))).toContain('Please give the phrase');
    expect(allText(await cmd('teach', { user: KEEPER }))).toContain('/mle-duties teach &lt;duty title or id&gt;');
    expect(await listTaughtAliases(env.tdb.db, TEAM)).toEqual([]);
  });
});

describe('confirmed pairs and the report', () => {
  const nearQuestion = 'who cleans up old branches?';

  it('a did-you-mean pick and a 👍 record the pair (asker hashed); a 👎 withdraws it; no alias is made', async () => {
    const asked = await cmd(nearQuestion, { user: MEMBER });
    const pick = button(asked, /^did_you_mean_\d+$/);
    const [, dutyId] = String(pick.value).split('|');
    const picked = await clickAs(pick, MEMBER);
    expect(blocksOf(picked).length).toBeGreaterThan(0);
    let pairs = await listConfirmedPairs(env.tdb.db, { teamId: TEAM });
    expect(pairs).toMatchObject([{ question: nearQuestion, dutyId, people: 1, taught: false }]);

    // Someone else asking the same and 👍-ing the same entry confirms it again (a pick is its picker's own answer:
    // nobody else may vote on it).
    const theirs = await cmd(nearQuestion, { user: ADMIN });
    const samePick = buttons(theirs).find(
      (b) => /^did_you_mean_\d+$/.test(b.action_id ?? '') && String(b.value).endsWith(`|${dutyId}`),
    );
    const theirPick = await clickAs(samePick as Element, ADMIN);
    await clickAs(button(theirPick, 'vote_up'), ADMIN);
    pairs = await listConfirmedPairs(env.tdb.db, { teamId: TEAM });
    expect(pairs).toMatchObject([{ question: nearQuestion, dutyId, people: 2 }]);
    const rows = await env.tdb.db.query<{ user_hash: string }>('select user_hash from confirmed_pairs');
    expect(rows.map((r) => r.user_hash).join(' ')).not.toMatch(/UMEMBER|UWSADMIN/);
    // They changed their mind.
    await clickAs(button(theirPick, 'vote_down'), ADMIN);
    expect((await listConfirmedPairs(env.tdb.db, { teamId: TEAM }))[0]?.people).toBe(1);

    // Nothing is taught by it: the question is still not covered; another workspace sees no pair.
    expect(topTitle(await cmd(nearQuestion))).toBeUndefined();
    expect(await listTaughtAliases(env.tdb.db, TEAM)).toEqual([]);
    expect(await listConfirmedPairs(env.tdb.db, { teamId: OTHER_TEAM })).toEqual([]);
  });

  it('the keeper report lists only what was asked in public channels: nothing asked privately leaves its asker', async () => {
    // The pair above was confirmed on answers to the slash command; these were asked in a DM and a private channel.
    env.slack.conversations.set('C0HUSH001', { id: 'C0HUSH001', is_channel: true, is_private: true, is_member: true });
    await askInDm(env, 'who feeds the secret office goldfish?', MEMBER);
    await askInChannel(env, 'who polishes the hidden trophy cabinet?', MEMBER, 'C0HUSH001');
    const before = allText(await cmd('report', { user: KEEPER }));
    for (const hidden of [nearQuestion, 'goldfish', 'trophy']) expect(before).not.toContain(hidden);
    expect(before).toContain('stays with its asker');
    // Asked in a public channel, the same questions are listed: the pair, and an unanswered one.
    await askInChannel(env, nearQuestion, 'U0PUBLIC1');
    await askInChannel(env, 'who feeds the office goldfish in public?', 'U0PUBLIC1');
    const after = allText(await cmd('report', { user: KEEPER }));
    expect(after).toContain(nearQuestion);
    expect(after).toContain('goldfish in public');
    expect(after).not.toContain('secret office goldfish');
  });

  it('the keeper report lists the pair and the unanswered questions; "Teach this" teaches it at once', async () => {
    await cmd('who waters the office ficus?', { team: OTHER_TEAM });
    const report = await cmd('report', { user: KEEPER });
    const text = allText(report);
    expect(text).toContain(nearQuestion);
    // Questions of another workspace never show.
    expect(text).not.toContain('ficus');
    // Buttons in actions blocks and beside sections (a pair's "Teach this").
    const accessories = blocksOf(report).flatMap((b) => {
      const accessory = (b as { accessory?: Element }).accessory;
      return accessory ? [accessory] : [];
    });
    const teachButtons = [...accessories, ...buttons(report)].filter((b) => /^teach_this_\d+$/.test(b.action_id ?? ''));
    expect(teachButtons.length).toBeGreaterThan(0);
    const ids = teachButtons.map((b) => b.action_id);
    expect(new Set(ids).size).toBe(ids.length);

    const pairButton = teachButtons[0] as Element;
    const [, dutyId] = String(pairButton.value).split('|');
    // Not from another workspace, and not by a member.
    expect(allText(await clickAs(pairButton, KEEPER, OTHER_TEAM))).toContain('no longer available');
    expect(allText(await clickAs(pairButton, MEMBER))).toContain('only the catalog keepers');
    expect(allText(await clickAs(pairButton, KEEPER))).toContain('Taught');

    const taught = await listTaughtAliases(env.tdb.db, TEAM);
    expect(taught).toMatchObject([{ dutyId, phrase: 'who cleans up old branches', taughtBy: KEEPER }]);
    const answered = await cmd(nearQuestion);
    expect(topTitle(answered)).toBe(taught[0]?.title);
    expect(topTitle(await cmd(nearQuestion, { team: OTHER_TEAM }))).toBeUndefined();
    // The report no longer offers it; `taught` lists it.
    expect((await listConfirmedPairs(env.tdb.db, { teamId: TEAM }))[0]?.taught).toBe(true);
    expect(allText(await cmd('taught'))).toContain('who cleans up old branches');
    // A phrase typed with markup in it (Slack sends it as &lt;…&gt;) is kept as text and shown escaped everywhere.
    expect(allText(await cmd('teach Code Review &lt;!channel&gt; wombat rota', { user: KEEPER }))).toContain('Taught');
    expect(allText(await cmd('taught'))).toContain('&lt;!channel&gt; wombat rota');
    expect(allText(await cmd('who keeps the channel wombat rota?'))).toContain(
      '“&lt;!channel&gt; wombat rota” (taught here)',
    );
    expect(unescapedMarkup([...seen, ...env.slack.calls])).toEqual([]);
  });
});
