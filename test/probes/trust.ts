// The attacks of issue 12's findings 2, 3, 4 and 7, replayed against the real bot over signed HTTP (Slack stand-in,
// a fresh embedded database), counting how many succeed. Uses only the HTTP surface and columns every version has, so
// the same file measures an older checkout too.
//
//   npx tsx test/probes/trust.ts [--questions 40]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createBot } from '../../src/compose.ts';
import { loadConfig } from '../../src/config.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { silentLogger } from '../../src/log.ts';
import { openRuntime } from '../../src/runtime.ts';
import { createSigner, send } from '../helpers/signer.ts';
import { type RecordedCall, startSlackApi } from '../helpers/slack-api/server.ts';

const { values: opts } = parseArgs({ options: { questions: { type: 'string', default: '40' } } });
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET = 'probe-signing-secret';

const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-probe-'));
const slack = await startSlackApi();
const db = await openPglite(dir);
const config = loadConfig({
  SLACK_BOT_TOKEN: slack.token,
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_API_URL: slack.url,
  SCHEDULER: 'off',
  LOG_LEVEL: 'error',
  ADMINS: 'U0KEEPER1',
});
const rt = await openRuntime(config, { db });
const bot = await createBot(rt, { logger: silentLogger });
const { port } = await bot.start(0);
const url = `http://127.0.0.1:${port}/slack/events`;
const signer = createSigner(SECRET);

let n = 0;
const uid = (p: string) => `${p}${++n}`;
let ts = 1_800_000_000;

async function until<T>(find: () => T | undefined, ms = 8000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() - started > ms) throw new Error('probe: no answer in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
const responseFor = (id: string) => until(() => slack.calls.find((c) => c.responseUrlId === id));

async function command(text: string, user: string, channel = 'C0GENERAL'): Promise<RecordedCall> {
  const id = uid('cmd');
  await send(url, signer.command({ text, user_id: user, channel_id: channel, response_url: slack.responseUrl(id) }));
  return responseFor(id);
}

async function event(e: Record<string, unknown>): Promise<RecordedCall> {
  await send(url, signer.event(e));
  return until(() =>
    slack.calls.find(
      (c) => c.method === 'chat.postMessage' && c.body.channel === e.channel && c.body.thread_ts === e.ts,
    ),
  );
}
const mention = (text: string, user: string, channel = 'C0GENERAL') => {
  const at = `${++ts}.000100`;
  return event({ type: 'app_mention', user, text: `<@UBOT0001> ${text}`, ts: at, channel, event_ts: at });
};
const dm = (text: string, user: string) => {
  const at = `${++ts}.000100`;
  return event({ type: 'message', channel_type: 'im', channel: `D${user}`, user, text, ts: at, thread_ts: at });
};

interface Button {
  action_id: string;
  value: string;
}
function buttonOf(call: RecordedCall, actionId: string): Button | undefined {
  const blocks = (call.body.blocks ?? []) as { type: string; elements?: Button[] }[];
  return blocks.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : [])).find((e) => e.action_id === actionId);
}

async function click(b: Button, user: string, channel = 'C0GENERAL'): Promise<RecordedCall> {
  const id = uid('act');
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user, team_id: 'T0TEST01' },
    api_app_id: 'A0TEST01',
    team: { id: 'T0TEST01', domain: 'test' },
    container: { type: 'message', message_ts: '1.000001', channel_id: channel, is_ephemeral: false },
    channel: { id: channel, name: channel },
    trigger_id: `${Date.now()}.trigger`,
    response_url: slack.responseUrl(id),
    actions: [
      { type: 'button', action_id: b.action_id, value: b.value, block_id: 'b1', action_ts: `${Date.now() / 1000}` },
    ],
  };
  await send(url, signer.action(payload));
  return responseFor(id);
}

const topOf = async (call: RecordedCall): Promise<{ top?: string; ids: string[]; answered: boolean }> => {
  const id = buttonOf(call, 'vote_up')?.value;
  if (!id) return { ids: [], answered: false };
  const [row] = await db.query<{ matches: { id: string }[]; answered: boolean }>(
    'select matches, answered from answers where id = $1',
    [id],
  );
  const ids = (row?.matches ?? []).map((m) => m.id);
  return { top: ids[0], ids, answered: row?.answered ?? false };
};
const sub = async (channel: string) =>
  (
    await db.query<{ weekday: number; status: string }>(
      'select weekday, status from digest_subscriptions where channel_id = $1',
      [channel],
    )
  )[0];

const out: Record<string, string> = {};
try {
  // Finding 2: a member who neither subscribed the channel nor keeps the catalog.
  await command('digest subscribe monday 09:00 UTC', 'U0ALICE01', 'C0TEAM01');
  await command('digest subscribe sunday 03:00 Pacific/Kiritimati', 'U0MALLORY', 'C0TEAM01');
  const moved = (await sub('C0TEAM01'))?.weekday === 7;
  await command('digest unsubscribe', 'U0MALLORY', 'C0TEAM01');
  const stopped = (await sub('C0TEAM01'))?.status === 'unsubscribed';
  await db.query(
    `insert into digest_halt (id, reason, halted_at) values (1, 'token_revoked', now()) on conflict (id) do nothing`,
  );
  await command('digest subscribe', 'U0MALLORY', 'C0MINE001');
  const lifted = (await db.query('select 1 from digest_halt')).length === 0;
  out['2 digest: member attacks that worked (reschedule, unsubscribe, lift stop)'] =
    `${[moved, stopped, lifted].filter(Boolean).length} of 3`;

  // Finding 3: made-up questions asked privately, and one person asking one text six times; a public control.
  slack.conversations.set('C0SECRET1', { id: 'C0SECRET1', is_channel: true, is_private: true, is_member: true });
  const people = ['U0P00001', 'U0P00002', 'U0P00003'];
  const leaks = {
    dm: 'who approves the secret reorg of the model team?',
    command: 'who deploys models for the confidential merger?',
    privateChannel: 'who monitors models for the layoff list?',
    onePersonSixTimes: 'who reviews the purple unicorn pipeline?',
  };
  for (const p of people) {
    await dm(leaks.dm, p);
    await command(leaks.command, p);
    await mention(leaks.privateChannel, p, 'C0SECRET1');
    await mention('who deploys models to production?', p);
  }
  for (let i = 0; i < 6; i++) await mention(leaks.onePersonSixTimes, 'U0P00001');
  const preview = JSON.stringify((await command('digest preview', 'U0READER1', 'C0OTHER01')).body);
  const shown = Object.entries(leaks).filter(([, q]) => preview.includes(q));
  out['3 digest: private or one-person questions quoted in another channel’s digest'] =
    `${shown.length} of 4${shown.length ? ` (${shown.map(([k]) => k).join(', ')})` : ''}; public control shown: ${preview.includes('who deploys models to production?')}`;

  // Finding 4: one 👎 from a non-asker on a public answer; then one member asking and 👎 the top, up to 5 times.
  const questions = readFileSync(path.join(root, 'test/eval/dev-questions.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t')[2])
    .filter((q): q is string => Boolean(q));
  const limit = Number(opts.questions);
  let tried = 0;
  let changed = 0;
  let buried = 0;
  let clicks = 0;
  for (const q of questions) {
    if (tried >= limit) break;
    const asked = await mention(q, 'U0ASKER01');
    const before = await topOf(asked);
    const down = buttonOf(asked, 'vote_down');
    if (!before.answered || !down || before.ids.length < 2) continue;
    tried++;
    await click(down, 'U0MEMBER1');
    if ((await topOf(await command(q, 'U0FRESH01'))).top !== before.top) changed++;
    // The member asks themselves and 👎 whatever comes first, up to five times.
    for (let i = 0; i < 5; i++) {
      const mine = await mention(q, 'U0MEMBER2');
      const b = buttonOf(mine, 'vote_down');
      if (!b) break;
      await click(b, 'U0MEMBER2');
      clicks++;
      if (!(await topOf(await command(q, 'U0FRESH01'))).answered) {
        buried++;
        break;
      }
    }
  }
  out['4 votes: one non-asker 👎 changes the top answer for everyone'] = `${changed} of ${tried} questions`;
  out['4 votes: one member’s ≤5 👎 make the bot answer "not covered" to everyone'] =
    `${buried} of ${tried} questions (${clicks} clicks)`;

  // Finding 7: another person's private answer ids, in validly signed clicks.
  let shared = 0;
  let voted = 0;
  let offered = 0;
  const privateQuestions = questions.slice(0, 10);
  for (const q of privateQuestions) {
    const mine = await command(q, 'U0ALICE01');
    const share = buttonOf(mine, 'answer_share');
    const up = buttonOf(mine, 'vote_up');
    if (share) {
      offered++;
      const r = await click(share, 'U0MALLORY');
      if (r.body.response_type === 'in_channel' && JSON.stringify(r.body).includes(q.slice(0, 30))) shared++;
    }
    if (up) {
      await click(up, 'U0MALLORY');
      if ((await db.query('select 1 from answer_votes where answer_id = $1', [up.value])).length > 0) voted++;
    }
  }
  out['7 clicks: another person’s private answer shared publicly'] = `${shared} of ${offered} (answers with Share)`;
  out['7 clicks: votes recorded on another person’s private answer'] = `${voted} of ${offered}`;
} finally {
  for (const [k, v] of Object.entries(out)) console.log(`${k}: ${v}`);
  await bot.stop(500);
  await rt.close();
  await db.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
}
