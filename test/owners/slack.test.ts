// Owners of duties through the real bot: signed requests in, the Slack stand-in's Web API out.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ownersOfDuty, saveOwners } from '../../src/owners/store.ts';
import { listChanges } from '../../src/people/changes.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import {
  allText,
  blockAction,
  blocksOf,
  button,
  buttons,
  click,
  command,
  type Element,
  unescapedMarkup,
  uniqueId,
} from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';
import type { RecordedCall } from '../helpers/slack-api/server.ts';

const TEAM = 'T0TEST01';
const KEEPER = 'UKEEPER1';
const MEMBER = 'U0ASKER1';
// 10:00 UTC: London is at work, Tokyo (19:00) is not.
const NOW = new Date('2026-12-03T10:00:00Z');

let env: BotEnv;
let duties: string[] = [];
const QUESTION = 'who monitors models in production?';

beforeAll(async () => {
  env = await openBotEnv({ env: { ADMINS: KEEPER } });
  env.bot.deps.now = () => NOW;
  const users: Record<string, Record<string, unknown>> = {
    UALICE01: { id: 'UALICE01', profile: { display_name: 'Alice' }, tz: 'Asia/Tokyo' },
    UBOB0001: { id: 'UBOB0001', profile: { display_name: 'Bob' }, tz: 'Europe/London' },
    UEVIL001: { id: 'UEVIL001', profile: { display_name: '<!channel> *bold* <@UALICE01>' }, tz: 'Europe/London' },
    UGONE001: { id: 'UGONE001', profile: { display_name: 'Gone Person' }, deleted: true },
    [KEEPER]: { id: KEEPER, profile: { display_name: 'Kim Keeper' }, tz: 'Europe/London' },
    [MEMBER]: { id: MEMBER, profile: { display_name: 'Max Member' }, tz: 'Europe/London' },
  };
  for (const [id, u] of Object.entries(users)) env.slack.users.set(id, u);
  env.slack.usergroups.set('SMLOPS01', { id: 'SMLOPS01', handle: 'ml-oncall', name: 'ML on call' });
  const answer = await env.bot.deps.answers.ask(QUESTION, { userId: MEMBER, surface: 'command' });
  duties = answer.matches.slice(0, 3).map((m) => m.id);
  expect(duties.length).toBeGreaterThan(1);
  const save = (dutyId: string, owners: string[], backups: string[]) =>
    saveOwners(env.tdb.db, { teamId: TEAM, dutyId, next: { owners, backups }, actor: 'cli', now: NOW });
  await save(duties[0] as string, ['UALICE01'], ['UBOB0001']);
  await save(duties[1] as string, ['UEVIL001'], []);
  if (duties[2]) await save(duties[2], ['UGONE001'], []);
});
afterAll(() => env?.close());
beforeEach(() => env.slack.reset());

let ts = 1_800_000_000;
const nextTs = () => `${++ts}.000100`;

function viewSubmission(user: string, view: Record<string, unknown>, values: Record<string, unknown>) {
  return {
    type: 'view_submission',
    team: { id: TEAM, domain: 'test' },
    user: { id: user, username: 'u', team_id: TEAM },
    api_app_id: 'A0TEST01',
    trigger_id: `${Date.now()}.trigger`,
    view: { ...view, id: 'VMODAL01', state: { values }, hash: 'h1' },
  };
}

/** A button in the message, in an actions block or beside a section. */
function accessory(call: RecordedCall, actionId: string) {
  const found = blocksOf(call)
    .flatMap((b) => {
      const side = (b as { accessory?: Element }).accessory;
      return [...(b.elements ?? []), ...(side ? [side] : [])];
    })
    .find((e) => e.action_id === actionId);
  if (!found) throw new Error(`no ${actionId} in ${allText(call)}`);
  return found;
}

const formValues = (owners: string[], backups: string[], group?: string) => ({
  owners: { owners_users: { type: 'multi_users_select', selected_users: owners } },
  backups: { backups_users: { type: 'multi_users_select', selected_users: backups } },
  ...(group
    ? {
        group: { group: { type: 'static_select', selected_option: { value: group } } },
        group_kind: { kind: { type: 'radio_buttons', selected_option: { value: 'backup' } } },
      }
    : {}),
});

describe('owners in answers', () => {
  it('are shown under every duty of a private answer, by name, marked when off, with a backup first', async () => {
    const call = await command(env, QUESTION, MEMBER);
    const text = allText(call);
    expect(text).toContain('Here: backup Bob · Alice (off now, 19:00 for them)');
    expect(text).toContain('&lt;!channel&gt; ∗bold∗ &lt;@UALICE01&gt;');
    if (duties[2]) expect(text).toContain('No owner on this team yet_ (listed: Gone Person (former member))');
    expect(unescapedMarkup([call])).toEqual([]);
    // A member who may not edit gets no edit button.
    expect(allText(call)).not.toContain('owners_edit');
  });

  it('a keeper sees "Edit owners" beside each duty', async () => {
    const call = await command(env, QUESTION, KEEPER);
    expect(accessory(call, 'owners_edit_0').value).toBe(duties[0]);
  });

  it('a public thread answer names owners without a ping; "Ping owner" posts one deliberate mention', async () => {
    const question = nextTs();
    const res = await send(
      env.bot.url,
      env.bot.signer.event({
        type: 'app_mention',
        user: MEMBER,
        text: `<@UBOT0001> ${QUESTION}`,
        ts: question,
        channel: 'C0GENERAL',
        event_ts: question,
      }),
    );
    expect(res.status).toBe(200);
    const [answer] = await env.slack.waitFor('chat.postMessage');
    expect(unescapedMarkup([answer as RecordedCall])).toEqual([]);
    expect(allText(answer as RecordedCall)).toContain('Alice (off now');
    const ping = accessory(answer as RecordedCall, 'owners_ping_0');
    await click(env, ping, {
      user: MEMBER,
      waitForResponse: false,
      container: { type: 'message', message_ts: nextTs(), channel_id: 'C0GENERAL', thread_ts: question },
    });
    const posts = await env.slack.waitFor('chat.postMessage', 2);
    const pinged = posts[1] as RecordedCall;
    expect(pinged.body.thread_ts).toBe(question);
    // Bob is around (London, 10:00), Alice is not (Tokyo, 19:00): Bob is pinged, once.
    expect(unescapedMarkup([pinged], ['UBOB0001', MEMBER])).toEqual([]);
    expect(String(pinged.body.text)).toContain('<@UBOB0001>');
    expect(String(pinged.body.text)).not.toContain('<@UALICE01>');
  });
});

describe('editing', () => {
  it('a member clicking an edit button is refused politely, naming who can, and no modal opens', async () => {
    const call = await click(env, { type: 'button', action_id: 'owners_edit_0', value: duties[0] }, { user: MEMBER });
    expect(allText(call as RecordedCall)).toContain('only the catalog keepers');
    expect(allText(call as RecordedCall)).toContain('Kim Keeper');
    expect(env.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('a keeper opens the modal with Slack user pickers, saves it, and the change is recorded', async () => {
    await click(
      env,
      { type: 'button', action_id: 'owners_edit_0', value: duties[0] },
      { user: KEEPER, waitForResponse: false },
    );
    const [open] = await env.slack.waitFor('views.open');
    expect(open?.response, JSON.stringify(open?.response)).toMatchObject({ ok: true });
    const view = open?.body.view as { blocks: { element?: { type: string; initial_users?: string[] } }[] };
    const pickers = view.blocks.filter((b) => b.element?.type === 'multi_users_select');
    expect(pickers.map((b) => b.element?.initial_users)).toEqual([['UALICE01'], ['UBOB0001']]);
    expect(allText(open as RecordedCall)).toContain('@ml-oncall');

    const before = await ownersOfDuty(env.tdb.db, TEAM, duties[0] as string);
    const res = await send(
      env.bot.url,
      env.bot.signer.action(
        viewSubmission(
          KEEPER,
          open?.body.view as Record<string, unknown>,
          formValues(['UBOB0001'], ['UALICE01'], 'SMLOPS01'),
        ),
      ),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ response_action: 'update' });
    const [update] = await env.slack.waitFor('views.update');
    expect(update?.response.ok).toBe(true);
    expect(allText(update as RecordedCall)).toContain('Saved.');
    const after = await ownersOfDuty(env.tdb.db, TEAM, duties[0] as string);
    expect(after).toMatchObject({
      owners: ['UBOB0001'],
      backups: ['UALICE01'],
      usergroup: { id: 'SMLOPS01', name: 'ml-oncall', kind: 'backup' },
      version: before.version + 1,
    });
    const [change] = await listChanges(env.tdb.db, { area: 'owners', subject: duties[0] as string, teamId: TEAM });
    expect(change?.actor).toBe(KEEPER);
  });

  it('a stale modal is told it changed meanwhile and shown the current state; nothing is lost', async () => {
    const current = await ownersOfDuty(env.tdb.db, TEAM, duties[0] as string);
    const stale = {
      callback_id: 'owners_modal',
      private_metadata: JSON.stringify({ t: TEAM, d: duties[0], v: current.version - 1 }),
    };
    await send(env.bot.url, env.bot.signer.action(viewSubmission(KEEPER, stale, formValues(['UEVIL001'], []))));
    const [update] = await env.slack.waitFor('views.update');
    const text = allText(update as RecordedCall);
    expect(text).toContain('changed the owners');
    expect(text).toContain('while you were editing');
    const view = (update?.body.view ?? {}) as {
      private_metadata?: string;
      blocks: { element?: { initial_users?: string[] } }[];
    };
    expect(JSON.parse(view.private_metadata ?? '{}').v).toBe(current.version);
    expect(view.blocks.some((b) => b.element?.initial_users?.includes('UBOB0001'))).toBe(true);
    expect(await ownersOfDuty(env.tdb.db, TEAM, duties[0] as string)).toEqual(current);
  });

  it('a member submitting the modal is refused and nothing changes', async () => {
    const current = await ownersOfDuty(env.tdb.db, TEAM, duties[0] as string);
    const view = {
      callback_id: 'owners_modal',
      private_metadata: JSON.stringify({ t: TEAM, d: duties[0], v: current.version }),
    };
    await send(env.bot.url, env.bot.signer.action(viewSubmission(MEMBER, view, formValues([MEMBER], []))));
    const [update] = await env.slack.waitFor('views.update');
    expect(allText(update as RecordedCall)).toContain('only the catalog keepers');
    expect(await ownersOfDuty(env.tdb.db, TEAM, duties[0] as string)).toEqual(current);
  });

  it('/mle-duties assign: refused for a member, saved for a keeper, and in the history', async () => {
    const dutyId = duties[1] as string;
    const refused = await command(env, `assign ${dutyId} <@UALICE01|alice>`, MEMBER);
    expect(allText(refused)).toContain('only the catalog keepers');
    expect((await ownersOfDuty(env.tdb.db, TEAM, dutyId)).owners).toEqual(['UEVIL001']);

    const saved = await command(env, `assign ${dutyId} <@UALICE01|alice> backup <@UBOB0001|bob>`, KEEPER);
    expect(allText(saved)).toContain('Saved.');
    expect(await ownersOfDuty(env.tdb.db, TEAM, dutyId)).toMatchObject({ owners: ['UALICE01'], backups: ['UBOB0001'] });

    const history = await command(env, `history ${dutyId}`, MEMBER);
    const text = allText(history);
    expect(text).toContain('Kim Keeper: &lt;!channel&gt; ∗bold∗ &lt;@UALICE01&gt; → Alice; backups Bob');
    expect(text).toContain('the command line: nobody → ');
    expect(unescapedMarkup([history])).toEqual([]);
  });
});

describe('listings', () => {
  it('who @someone and mine list the duties a person carries', async () => {
    const who = await command(env, 'who <@UBOB0001|bob>', MEMBER);
    expect(allText(who)).toContain('The duties Bob carries here');
    expect(blocksOf(who).filter((b) => b.type === 'section').length).toBeGreaterThan(0);
    const mine = await command(env, 'mine', MEMBER);
    expect(allText(mine)).toContain('No duty lists you');
  });

  it('unowned pages past Block Kit limits with buttons, and ends with the count', async () => {
    const first = await command(env, 'unowned', MEMBER);
    expect(first.status).toBe(200);
    const next = button(first, 'owners_page_next');
    const second = await click(env, next, { user: MEMBER });
    expect(second?.status).toBe(200);
    expect(second?.body.replace_original).toBe(true);
    expect(allText(second as RecordedCall)).toMatch(/Page 2 of \d+/);
    expect(allText(first)).not.toContain(duties[0]);
  });

  it('owners section N lists a section with the unowned count of the whole role', async () => {
    const call = await command(env, 'owners section 1', KEEPER);
    expect(allText(call)).toMatch(/\d+ of the role's \d+ duties have no owner on this team yet/);
    expect(buttons(call).some((e) => e.action_id === 'owners_pick')).toBe(true);
  });

  it('the digest preview shows owners under duties and ends with the unowned count', async () => {
    const call = await command(env, 'digest preview', MEMBER);
    const blocks = blocksOf(call);
    expect(allText(call)).toContain('Who carries this part here:');
    expect(JSON.stringify(blocks.at(-1))).toMatch(/no owner on this team yet|has an owner/);
    expect(unescapedMarkup([call])).toEqual([]);
  });

  it('the App Home shows owners and the unowned count', async () => {
    const eventId = uniqueId('Ev');
    await send(
      env.bot.url,
      env.bot.signer.event(
        { type: 'app_home_opened', user: KEEPER, channel: 'D0DM0001', tab: 'home', event_ts: nextTs() },
        { eventId },
      ),
    );
    const [home] = await env.slack.waitFor('views.publish');
    expect(home?.response.ok).toBe(true);
    expect(allText(home as RecordedCall)).toMatch(/duties have no owner on this team yet|has an owner/);
    expect(allText(home as RecordedCall)).toContain('owners_pick');
  });

  it('the Home picker opens the form for a keeper, and a refusal in a modal for anyone else (no response_url)', async () => {
    const pick = (user: string) =>
      send(
        env.bot.url,
        env.bot.signer.action(
          blockAction(
            { type: 'static_select', action_id: 'owners_pick' },
            { user, selected: duties[1] as string, container: { type: 'view', view_id: 'VHOME001' } },
          ),
        ),
      );
    await pick(MEMBER);
    const [refusal] = await env.slack.waitFor('views.open');
    expect(allText(refusal as RecordedCall)).toContain('only the catalog keepers');
    expect(allText(refusal as RecordedCall)).not.toContain('multi_users_select');
    await pick(KEEPER);
    const [, form] = await env.slack.waitFor('views.open', 2);
    expect(allText(form as RecordedCall)).toContain('multi_users_select');
    const meta = (form as RecordedCall).body.view as { private_metadata: string };
    expect(JSON.parse(meta.private_metadata).d).toBe(duties[1]);
  });
});
