import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres.ts';
import { type BotEnv, openBotEnv, startBot, type TestBot } from '../helpers/bot.ts';
import { ENGINE } from '../helpers/db.ts';
import { allText, blockAction, blocksOf, unescapedMarkup, uniqueId } from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';
import type { RecordedCall } from '../helpers/slack-api/server.ts';

let env: BotEnv;
const seen: RecordedCall[] = [];
beforeAll(async () => {
  env = await openBotEnv();
});
afterAll(() => env?.close());
beforeEach(() => {
  seen.push(...env.slack.calls);
  env.slack.reset();
});

let ts = 1_700_000_000;
const nextTs = () => `${++ts}.000100`;

async function deliver(
  event: Record<string, unknown>,
  options: { eventId?: string; retryNum?: number; to?: TestBot } = {},
) {
  const eventId = options.eventId ?? uniqueId('Ev');
  const target = options.to ?? env.bot;
  const res = await send(
    target.url,
    target.signer.event(event, { eventId, ...(options.retryNum !== undefined ? { retryNum: options.retryNum } : {}) }),
  );
  expect(res.status).toBe(200);
  return eventId;
}

/** Waits until the event's handling finished (its receipt is marked done) in whichever process took it. */
async function handled(eventId: string, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const rows = await env.tdb.db.query<{ done: boolean }>(
      'select done_at is not null as done from slack_event_receipts where event_id = $1',
      [eventId],
    );
    if (rows[0]?.done) return;
    if (Date.now() - started > timeoutMs) throw new Error(`event ${eventId} not handled`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const mention = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'app_mention',
  user: 'U0ASKER1',
  text,
  ts: nextTs(),
  channel: 'C0GENERAL',
  event_ts: `${ts}.000100`,
  ...extra,
});
const dm = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'message',
  channel_type: 'im',
  channel: 'D0DM0001',
  user: 'U0ASKER1',
  text,
  ts: nextTs(),
  event_ts: `${ts}.000100`,
  ...extra,
});

describe('@mentions', () => {
  it('answer in a thread under the question, public, with the bot mention and markup stripped', async () => {
    const event = mention(
      '<@UBOT0001> <#C0OTHER1|ml-team> who deploys models to <https://example.com/prod|production>? <@U0SOMEONE>',
    );
    const id = await deliver(event);
    const [call] = await env.slack.waitFor('chat.postMessage');
    await handled(id);
    expect(call?.body.channel).toBe('C0GENERAL');
    expect(call?.body.thread_ts).toBe(event.ts);
    expect(call?.body.link_names).toBeUndefined();
    expect(allText(call as RecordedCall)).toContain('You asked: *who deploys models to production ?*');
    expect(allText(call as RecordedCall)).not.toContain('answer_share');
    expect(allText(call as RecordedCall)).toContain('vote_down');
    const rows = await env.tdb.db.query<{ question: string; surface: string }>(
      "select question, surface from answers where surface = 'mention'",
    );
    expect(rows.map((r) => r.question)).toContain('who deploys models to production ?');
  });

  it('a mention inside a thread answers in that thread', async () => {
    const id = await deliver(mention('<@UBOT0001> random', { thread_ts: '1699999999.000001' }));
    await handled(id);
    expect(env.slack.callsTo('chat.postMessage')[0]?.body.thread_ts).toBe('1699999999.000001');
  });

  it('a bare mention gets the help', async () => {
    const id = await deliver(mention('<@UBOT0001>'));
    await handled(id);
    expect(allText(env.slack.callsTo('chat.postMessage')[0] as RecordedCall)).toContain('/mle-duties sections');
  });
});

describe('DMs', () => {
  it('are answered in the DM', async () => {
    const id = await deliver(dm('who deploys models to production?'));
    await handled(id);
    const [call] = env.slack.callsTo('chat.postMessage');
    expect(call?.body.channel).toBe('D0DM0001');
    expect(call?.body.thread_ts).toBeUndefined();
    expect(allText(call as RecordedCall)).toContain('Why it matched');
  });

  it('ignore bots (ourselves included), edits, joins and non-DM messages', async () => {
    const ignored = [
      dm('who deploys models?', { bot_id: 'B0OTHER01', subtype: 'bot_message', user: undefined }),
      dm('who deploys models?', { user: 'UBOT0001', bot_id: 'BBOT0001' }),
      dm('who deploys models?', { bot_id: 'B0OTHER02' }),
      dm('who deploys models?', { subtype: 'message_changed', user: undefined, message: { text: 'x', user: 'U1' } }),
      dm('who deploys models?', { edited: { user: 'U0ASKER1', ts: '1.1' } }),
      dm('', { subtype: 'channel_join' }),
      { ...dm('who deploys models?'), channel_type: 'channel', channel: 'C0GENERAL' },
      mention('<@UBOT0001> who deploys models?', { bot_id: 'B0OTHER03' }),
    ];
    for (const event of ignored) await deliver(event);
    // Bolt drops our own messages before any middleware runs, so not every ignored event leaves a
    // receipt: a real question sent afterwards, and answered, is the barrier.
    await handled(await deliver(dm('random')));
    await new Promise((r) => setTimeout(r, 100));
    const posts = env.slack.calls.filter((c) => c.method !== 'auth.test');
    expect(posts).toHaveLength(1);
    expect(allText(posts[0] as RecordedCall)).toContain('A duty picked at random');
  });
});

describe('App Home', () => {
  it('publishes the role section by section with a picker and the usage', async () => {
    const id = await deliver({
      type: 'app_home_opened',
      user: 'U0ASKER1',
      channel: 'D0DM0001',
      tab: 'home',
      event_ts: nextTs(),
    });
    await handled(id);
    const [call] = env.slack.callsTo('views.publish');
    expect(call?.status).toBe(200);
    expect(call?.response.ok).toBe(true);
    expect(call?.body.user_id).toBe('U0ASKER1');
    const blocks = blocksOf(call as RecordedCall);
    expect(blocks.length).toBeLessThanOrEqual(100);
    expect(allText(call as RecordedCall)).toContain('/mle-duties');
    expect(allText(call as RecordedCall)).toContain('1. Machine Learning Engineer Duties');

    const select = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'home_section');
    expect(select).toBeDefined();
    const payload = blockAction(select as never, {
      user: 'U0ASKER1',
      selected: '4',
      container: { type: 'view', view_id: 'V0001' },
    });
    expect((await send(env.bot.url, env.bot.signer.action(payload))).status).toBe(200);
    const calls = await env.slack.waitFor('views.publish', 2);
    expect(allText(calls[1] as RecordedCall)).toContain('4. Machine Learning Engineer Accountabilities');
  });

  it('ignores the Messages tab', async () => {
    const id = await deliver({
      type: 'app_home_opened',
      user: 'U0ASKER1',
      channel: 'D0DM0001',
      tab: 'messages',
      event_ts: nextTs(),
    });
    await handled(id);
    expect(env.slack.callsTo('views.publish')).toHaveLength(0);
  });
});

describe('event deliveries', () => {
  it('retries 0–3 of one event, sent to two app instances on one database, give exactly one answer', async () => {
    // Postgres: a second pool on the same database, as a second process would have. PGlite: one
    // embedded database cannot be opened twice, so both instances share the one Db.
    const second = ENGINE === 'postgres' ? await openPostgres({ url: env.tdb.url as string, max: 3 }) : env.tdb.db;
    const other = await startBot({ db: second, slack: env.slack });
    try {
      env.slack.reset();
      for (let round = 0; round < 3; round++) {
        const eventId = uniqueId('EvDup');
        const event = mention('<@UBOT0001> who deploys models to production?');
        await Promise.all(
          [0, 1, 2, 3].map((retryNum) =>
            deliver(event, { eventId, ...(retryNum > 0 ? { retryNum } : {}), to: retryNum % 2 ? other : env.bot }),
          ),
        );
        await handled(eventId);
        // Late retries after the answer: still nothing more.
        await deliver(event, { eventId, retryNum: 3, to: other });
        await deliver(event, { eventId, retryNum: 2, to: env.bot });
        await new Promise((r) => setTimeout(r, 150));
        expect(env.slack.callsTo('chat.postMessage')).toHaveLength(round + 1);
      }
    } finally {
      await other.stop();
      if (second !== env.tdb.db) await second.close();
    }
  });

  it('a retry of an event never seen (sent while no process was up) is handled', async () => {
    const id = await deliver(dm('random'), { retryNum: 2 });
    await handled(id);
    expect(env.slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('a retry of an event whose handler died long ago is taken over', async () => {
    const eventId = uniqueId('EvStale');
    await env.tdb.db.query(
      "insert into slack_event_receipts (event_id, claimed_at) values ($1, now() - interval '10 minutes')",
      [eventId],
    );
    await deliver(dm('random'), { eventId, retryNum: 3 });
    await handled(eventId);
    expect(env.slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('Slack 429 on the answer: waits Retry-After, then answers', async () => {
    env.slack.script('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    const id = await deliver(dm('random'));
    await handled(id, 8000);
    const statuses = env.slack.callsTo('chat.postMessage').map((c) => c.status);
    expect(statuses).toEqual([429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('nothing sent anywhere carries markup', () => {
    seen.push(...env.slack.calls);
    expect(seen.length).toBeGreaterThan(5);
    expect(unescapedMarkup(seen)).toEqual([]);
  });
});
