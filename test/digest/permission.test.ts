// Who may change a channel's digest, through the bot's signed endpoint: anyone may start one, only its subscriber and
// the catalog keepers (ADMINS, workspace admins/owners) may move, stop or resume it; only a keeper lifts the
// workspace-wide stop; every change is recorded and shown by `digest status`, people named without a ping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getHalt, getSubscription, setHalt } from '../../src/digest/store.ts';
import { listChanges } from '../../src/people/changes.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import { responseFor, unescapedMarkup, uniqueId } from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';

const ALICE = 'U0ALICE1'; // subscribes the channel
const MALLORY = 'U0MALLORY'; // a member of the channel, nothing more
const ADA = 'U0ADA001'; // a workspace admin (users.info)
const KEEPER = 'U0KEEPER1'; // named in ADMINS
const CHANNEL = 'C0TEAM01';

let env: BotEnv;
beforeAll(async () => {
  env = await openBotEnv({ env: { ADMINS: KEEPER } });
  const person = (id: string, display: string, extra: Record<string, unknown> = {}) =>
    env.slack.users.set(id, {
      id,
      name: display.toLowerCase(),
      tz: 'UTC',
      profile: { display_name: display },
      ...extra,
    });
  person(ALICE, 'Alice <!channel>');
  person(MALLORY, 'Mallory');
  person(ADA, 'Ada', { is_admin: true });
  person(KEEPER, 'Kim');
});
afterAll(() => env?.close());

async function digest(args: string, user: string, channel = CHANNEL): Promise<string> {
  const id = uniqueId('dg');
  const res = await send(
    env.bot.url,
    env.bot.signer.command({
      text: `digest ${args}`,
      user_id: user,
      channel_id: channel,
      response_url: env.slack.responseUrl(id),
    }),
  );
  expect(res.status).toBe(200);
  const call = await responseFor(env.slack, id);
  expect(call.body.response_type).toBe('ephemeral');
  return String(call.body.text);
}

describe('digest permissions', () => {
  it('only the subscriber and keepers change a digest; subscribing never lifts the stop; all recorded', async () => {
    const db = env.tdb.db;
    expect(await digest('subscribe monday 09:00 UTC', ALICE)).toMatch(/will get the weekly role digest/);

    // Someone else in the channel can neither stop it nor move it, and is told who can (by name, no ping).
    const refusal = await digest('unsubscribe', MALLORY);
    expect(refusal).toMatch(/changed nothing/);
    expect(refusal).toContain('Alice &lt;!channel&gt;');
    expect(refusal).toContain('Kim');
    expect(refusal).toContain("workspace's admins and owners");
    expect(await digest('subscribe sunday 03:00 Pacific/Kiritimati', MALLORY)).toMatch(/changed nothing/);
    expect(await getSubscription(db, CHANNEL)).toMatchObject({ status: 'active', weekday: 1, subscribedBy: ALICE });

    // A workspace admin may move it; the channel stays Alice's.
    expect(await digest('subscribe wednesday 10:30 UTC', ADA)).toMatch(/every Wednesday at 10:30/);
    expect(await getSubscription(db, CHANNEL)).toMatchObject({ weekday: 3, subscribedBy: ALICE });

    // A dead-token stop: subscribing another channel does not lift it, nor does a member's resume; a keeper's does.
    await setHalt(db, 'token_revoked', new Date());
    expect(await digest('subscribe', MALLORY, 'C0OTHER1')).toMatch(/All digests are stopped/);
    expect(await digest('resume', MALLORY)).toMatch(/Only a catalog keeper/);
    expect(await getHalt(db)).toBeDefined();
    expect(await digest('resume', KEEPER)).toMatch(/running again in every subscribed channel/);
    expect(await getHalt(db)).toBeUndefined();

    // The subscriber stops it; then anyone may start it afresh.
    expect(await digest('unsubscribe', ALICE)).toMatch(/^Unsubscribed/);
    const status = await digest('status', MALLORY);
    expect(status).toMatch(/Changes:/);
    expect(status).toMatch(/Alice &lt;!channel&gt; unsubscribed it/);
    expect(status).toMatch(/Kim restarted every digest/);
    expect(status).toMatch(/Ada moved it from every Monday at 09:00 \(UTC\) to every Wednesday at 10:30 \(UTC\)/);
    expect(status).toMatch(/Alice &lt;!channel&gt; subscribed it, every Monday at 09:00 \(UTC\)/);

    const changes = await listChanges(db, { area: 'digest', subject: CHANNEL });
    expect(changes.map((c) => c.actor)).toEqual([ALICE, ADA, ALICE]);
    expect(changes[1]).toMatchObject({
      before: { status: 'active', schedule: 'every Monday at 09:00 (UTC)', subscribedBy: ALICE },
      after: { status: 'active', schedule: 'every Wednesday at 10:30 (UTC)', subscribedBy: ALICE },
    });
    expect(unescapedMarkup(env.slack.calls)).toEqual([]);
  });
});
