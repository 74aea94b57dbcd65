import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { send } from '../helpers/signer.ts';
import { type RecordedCall, type SlackApiStandIn, startSlackApi } from '../helpers/slack-api.ts';

let tdb: TestDb;
let slack: SlackApiStandIn;
let bot: TestBot;

beforeAll(async () => {
  tdb = await openTestDb();
  slack = await startSlackApi();
  bot = await startTestBot({ db: tdb.db, slack });
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await tdb?.close();
});
beforeEach(() => slack.reset());

let n = 0;
async function command(text: string, user = 'U0ASKER1'): Promise<RecordedCall> {
  n += 1;
  const id = `cmd${n}`;
  const res = await send(bot.url, bot.signer.command({ text, user_id: user, response_url: slack.responseUrl(id) }));
  expect(res.status).toBe(200);
  const calls = await slack.waitFor('response_url', slack.callsTo('response_url').length + 1);
  const call = calls.filter((c) => c.responseUrlId === id).at(-1);
  if (!call) throw new Error(`no response for ${id}`);
  expect(call.status).toBe(200);
  return call;
}

function blocksText(call: RecordedCall): string {
  return JSON.stringify(call.body.blocks ?? []);
}

describe('/mle-duties', () => {
  it('answers a question privately with at most three matches, why, More, Share and votes', async () => {
    const call = await command('who keeps an eye on models in production?');
    expect(call.body.response_type).toBe('ephemeral');
    expect(typeof call.body.text).toBe('string');
    const blocks = call.body.blocks as { type: string; elements?: { action_id: string }[] }[];
    const sections = blocks.filter((b) => b.type === 'section');
    expect(sections.length).toBeGreaterThan(0);
    expect(sections.length).toBeLessThanOrEqual(3);
    expect(blocksText(call)).toContain('Why it matched');
    const actions = blocks.find((b) => b.type === 'actions')?.elements?.map((e) => e.action_id) ?? [];
    expect(actions).toEqual(expect.arrayContaining(['answer_share', 'vote_up', 'vote_down']));
  });

  it('help, empty, sections, section, random', async () => {
    for (const text of ['', 'help']) {
      expect(blocksText(await command(text))).toContain('/mle-duties sections');
    }
    expect(blocksText(await command('sections'))).toContain('section_select');
    const s3 = await command('section 3');
    expect(blocksText(s3)).toContain('3. Machine Learning Engineer Responsibilities');
    const byName = await command('section accountabilities');
    expect(blocksText(byName)).toContain('Accountabilities');
    expect(blocksText(await command('section 99'))).toContain('There is no section');
    expect(blocksText(await command('random'))).toContain('A duty picked at random');
  });
});
