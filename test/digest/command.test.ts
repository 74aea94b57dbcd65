// `/mle-duties digest …` as the router calls it: replies for the asker, state in Postgres, Slack via the stand-in.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DigestCommandContext, parseSubscribeArgs, runDigestCommand } from '../../src/digest/command.ts';
import { getSubscription } from '../../src/digest/store.ts';
import { validateBlocks } from '../helpers/slack-api/block-kit.ts';
import { addMs, at, type DigestWorld, digestContext, HOUR, openWorld } from './helpers.ts';

const NOW = at('2026-01-01T12:00:00Z'); // a Thursday

let w: DigestWorld;
beforeAll(async () => {
  w = await openWorld();
});
afterAll(() => w.close());
beforeEach(() => w.reset());

const ctx = (over: Partial<DigestCommandContext> = {}): DigestCommandContext => ({
  db: w.db,
  ...digestContext(w.db),
  client: new WebClient(w.slack.token, { slackApiUrl: w.slack.url, retryConfig: { retries: 0 } }),
  channelId: 'C1',
  userId: 'U1',
  teamId: 'T1',
  now: NOW,
  logger: w.logger,
  ...over,
});
const run = async (args: string[], over: Partial<DigestCommandContext> = {}) => {
  const reply = await runDigestCommand(args, ctx(over));
  // Every reply is valid Block Kit, so the router can send it as is.
  if (reply.blocks) expect(validateBlocks(reply.blocks, 50)).toBeUndefined();
  return reply;
};

describe('parseSubscribeArgs', () => {
  it.each([
    [['monday', '09:00', 'UTC'], { weekday: 1, minuteOfDay: 540, timeZone: 'UTC' }],
    [['Mon'], { weekday: 1 }],
    [['fri', '17:45'], { weekday: 5, minuteOfDay: 17 * 60 + 45 }],
    [['europe/berlin', '7:05', 'sunday'], { weekday: 7, minuteOfDay: 425, timeZone: 'Europe/Berlin' }],
    [[], {}],
  ])('%j', (args, expected) => {
    expect(parseSubscribeArgs(args)).toEqual(expected);
  });

  it.each([
    [['funday'], /could not read/],
    [['25:00'], /24-hour/],
    [['9am'], /24-hour/],
    [['monday', 'tuesday'], /one day only/],
    [['Mars/Olympus_Mons'], /could not read/],
    [['<!channel>'], /&lt;!channel&gt;/],
  ])('refuses %j politely', (args, message) => {
    const r = parseSubscribeArgs(args);
    expect('error' in r && r.error).toMatch(message);
  });
});

describe('subscribe', () => {
  it('defaults to Monday 09:00 in the subscriber’s Slack time zone (users.info)', async () => {
    w.slack.users.set('U1', { id: 'U1', tz: 'America/New_York' });
    const r = await run(['subscribe']);
    expect(r.text).toContain('every Monday at 09:00 (America/New_York) (your Slack time zone)');
    expect(r.text).toContain('Monday, 5 January 2026 at 09:00 (America/New_York)');
    expect(await getSubscription(w.db, 'C1')).toMatchObject({
      weekday: 1,
      minuteOfDay: 540,
      timeZone: 'America/New_York',
      status: 'active',
      subscribedBy: 'U1',
      teamId: 'T1',
    });
    expect(w.slack.callsTo('users.info')[0]?.body.user).toBe('U1');
  });

  it('takes day, time and zone', async () => {
    const r = await run(['subscribe', 'wed', '14:30', 'Europe/Berlin']);
    expect(r.text).toContain('every Wednesday at 14:30 (Europe/Berlin)');
    expect(w.slack.callsTo('users.info')).toHaveLength(0);
  });

  it('bad input: a polite message and nothing stored', async () => {
    const r = await run(['subscribe', 'someday', '9:99']);
    expect(r.text).toMatch(/could not read `someday`/);
    expect(await getSubscription(w.db, 'C1')).toBeUndefined();
  });

  it('says how to invite the bot when it is not a member', async () => {
    w.slack.conversations.set('C1', { id: 'C1', is_channel: true, is_member: false, is_archived: false });
    const r = await run(['subscribe']);
    expect(r.text).toMatch(/\/invite @mle-duties/);
    expect(await getSubscription(w.db, 'C1')).toBeUndefined();
  });

  it.each(['not_in_channel', 'channel_not_found'])('says how to invite the bot on %s', async (error) => {
    w.slack.script('conversations.info', { error });
    const r = await run(['subscribe']);
    expect(r.text).toMatch(/\/invite @mle-duties/);
  });

  it('refuses an archived channel', async () => {
    w.slack.conversations.set('C1', { id: 'C1', is_channel: true, is_member: true, is_archived: true });
    expect((await run(['subscribe'])).text).toMatch(/archived/);
  });

  it('works in a DM with the bot (no membership there)', async () => {
    const r = await run(['subscribe', 'UTC'], { channelId: 'D1' });
    expect(r.text).toContain('every Monday at 09:00 (UTC)');
  });
});

describe('status, unsubscribe, preview', () => {
  it('status without a subscription says how to start', async () => {
    expect((await run(['status'])).text).toMatch(/not subscribed.*digest subscribe/);
  });

  it('status shows the next post time and the last post', async () => {
    await run(['subscribe', 'monday', '09:00', 'UTC']);
    const before = await run(['status']);
    expect(before.text).toContain('Next post: Monday, 5 January 2026 at 09:00 (UTC)');
    expect(before.text).toContain('part 1 of 10');
    expect(before.text).toContain('Last post: none yet');
    const a = await w.instance('a');
    await a.tick(at('2026-01-05T09:00:00Z'));
    const after = await run(['status'], { now: at('2026-01-05T10:00:00Z') });
    expect(after.text).toContain('Next post: Monday, 12 January 2026 at 09:00 (UTC)');
    expect(after.text).toContain('part 2 of 10');
    expect(after.text).toContain('Last post: Monday, 5 January 2026 at 09:00 (UTC) (week 2026-W02)');
  });

  it('unsubscribe stops posts; unsubscribing twice is harmless', async () => {
    await run(['subscribe', 'monday', '09:00', 'UTC']);
    expect((await run(['unsubscribe'])).text).toMatch(/Unsubscribed/);
    expect((await run(['unsubscribe'])).text).toMatch(/was not subscribed/);
    const a = await w.instance('a');
    await a.tick(at('2026-01-05T09:00:00Z'));
    expect(w.posts()).toHaveLength(0);
    expect((await run(['status'])).text).toMatch(/not subscribed/);
  });

  it('preview returns this week’s message, valid Block Kit, without posting', async () => {
    await run(['subscribe', 'monday', '09:00', 'UTC']);
    const r = await run(['preview']);
    expect(r.text).toMatch(/^Preview of this week's digest/);
    expect(JSON.stringify(r.blocks)).toContain('Part 1 of 10');
    expect(w.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('help and unknown subcommands answer with the usage', async () => {
    expect((await run([])).text).toMatch(/digest subscribe/);
    expect((await run(['frobnicate'])).text).toMatch(/I don't know `digest frobnicate`/);
  });

  it('status after a pause shows why it stopped', async () => {
    await run(['subscribe', 'monday', '09:00', 'UTC']);
    w.slack.script('chat.postMessage', { error: 'not_in_channel' });
    const a = await w.instance('a');
    await a.tick(at('2026-01-05T09:00:00Z'));
    const r = await run(['status'], { now: addMs(at('2026-01-05T09:00:00Z'), HOUR) });
    expect(r.text).toMatch(/Paused: I was removed from this channel/);
  });
});
