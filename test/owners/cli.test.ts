// `mle-duties owners export|import` through the real CLI, on a private database, with the Slack stand-in resolving
// e-mails (users.lookupByEmail) and the workspace (auth.test).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';

let t: TestDb;
let slack: SlackApiStandIn;
let config: Config;
let dir: string;

beforeAll(async () => {
  t = await openTestDb();
  if (t.dir) await t.db.close();
  slack = await startSlackApi();
  slack.users.set('UALICE01', { id: 'UALICE01', profile: { display_name: 'Alice', email: 'alice@example.com' } });
  slack.users.set('UBOB0001', { id: 'UBOB0001', profile: { display_name: 'Bob', email: 'bob@example.com' } });
  config = loadConfig({
    ...(t.url ? { DATABASE_URL: t.url } : { PGLITE_DIR: t.dir }),
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.url,
  });
  dir = mkdtempSync(path.join(tmpdir(), 'owners-cli-'));
});
afterAll(async () => {
  await slack?.close();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (argv: string[]) => runCliCaptured(argv, config);
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('owners import and export', () => {
  it('imports people by Slack id or e-mail, in one go, recorded as cli; export shows them', async () => {
    const csv = file(
      'owners.csv',
      'duty_id,owners,backups\n"2:Model Monitoring",alice@example.com,UBOB0001\n4:Code Review,UBOB0001 ALICE@example.com,\n',
    );
    const r = await cli(['owners', 'import', csv]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toContain('Imported 2 duties for T0TEST01: 2 changed');
    expect(slack.callsTo('users.lookupByEmail').length).toBeGreaterThan(0);

    const out = await cli(['owners', 'export', '--csv']);
    expect(out.code).toBe(0);
    const lines = out.out.join('\n').split('\n');
    expect(lines[0]).toBe('duty_id,owners,backups,group');
    expect(lines).toContain('2:Model Monitoring,UALICE01,UBOB0001,');
    expect(lines).toContain('4:Code Review,UBOB0001 UALICE01,,');
    // Every active duty is listed, owned or not: the file is a template to fill in.
    expect(lines.length).toBeGreaterThan(100);
  });

  it('export → import is a round trip: nothing changes, and the export is the same after', async () => {
    const first = (await cli(['owners', 'export'])).out.join('\n');
    const r = await cli(['owners', 'import', file('round.csv', first)]);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/: 0 changed/);
    expect((await cli(['owners', 'export'])).out.join('\n')).toBe(first);
    const json = JSON.parse((await cli(['owners', 'export', '--json'])).out.join('\n'));
    expect(json.find((d: { dutyId: string }) => d.dutyId === '2:Model Monitoring')).toMatchObject({
      owners: ['UALICE01'],
      backups: ['UBOB0001'],
    });
  });

  it('a bad row is reported with its line number and nothing at all is applied', async () => {
    const before = (await cli(['owners', 'export'])).out.join('\n');
    const csv = file(
      'bad.csv',
      [
        'duty_id,owners,backups',
        '2:Model Monitoring,UBOB0001,', // fine, but must not be applied
        '9:No Such Duty,UALICE01,',
        '4:Code Review,nobody@example.com,',
        '4:Code Review,not-a-person,',
      ].join('\n'),
    );
    const r = await cli(['owners', 'import', csv]);
    expect(r.code).toBe(1);
    const err = r.err.join('\n');
    expect(err).toContain('Nothing was imported');
    expect(err).toContain('line 3: unknown duty "9:No Such Duty"');
    expect(err).toContain('line 4: nobody in Slack has the e-mail "nobody@example.com"');
    expect(err).toContain('line 5: duty "4:Code Review" is already on line 4');
    expect(err).toContain('line 5: "not-a-person" is neither a Slack user id');
    expect((await cli(['owners', 'export'])).out.join('\n')).toBe(before);
  });

  it('a Slack id that Slack does not know is refused; bad arguments get the usage', async () => {
    slack.script('users.info', { error: 'user_not_found' });
    const unknown = await cli(['owners', 'import', file('x.csv', '4:Code Review,UZZZZ001,\n')]);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join('\n')).toContain('line 1: Slack knows no user "UZZZZ001"');
    const r = await cli(['owners', 'import', file('y.csv', '4:Code Review,,\n'), '--team', 'bad']);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain('--team takes a Slack workspace id');
    expect((await cli(['owners', 'export', '--csv', '--json'])).code).toBe(2);
    expect((await cli(['owners'])).code).toBe(2);
  });
});
