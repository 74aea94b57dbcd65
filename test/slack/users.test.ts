import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';

// The composed bot's profile cache and keepers, asking the Web API stand-in's users.info.
let env: BotEnv;
beforeAll(async () => {
  env = await openBotEnv({ env: { ADMINS: 'UKEEPER1' } });
  env.slack.users.set('UADMIN', { id: 'UADMIN', is_admin: true, tz: 'Asia/Tokyo', profile: { display_name: 'Aiko' } });
  env.slack.users.set('UMEMBER', { id: 'UMEMBER', profile: { display_name: 'Mo' } });
});
afterAll(async () => {
  await env?.close();
});
beforeEach(() => env.slack.reset());

describe('people through users.info', () => {
  it('keepers: ADMINS without a call, workspace admins by their profile, members refused', async () => {
    const { keepers } = env.bot.deps;
    expect(await keepers.check('T1', 'UKEEPER1')).toMatchObject({ keeper: true });
    expect(env.slack.callsTo('users.info')).toHaveLength(0);
    expect(await keepers.check('T1', 'UADMIN')).toEqual({ keeper: true, reason: 'workspace_admin' });
    expect(await keepers.check('T1', 'UMEMBER')).toEqual({ keeper: false, reason: 'not_keeper' });
    expect(env.slack.callsTo('users.info').map((c) => c.body.user)).toEqual(['UADMIN', 'UMEMBER']);
  });

  it('a profile is asked once and then read from the database', async () => {
    const { profiles } = env.bot.deps;
    const many = await profiles.getMany('T2', ['UADMIN', 'UMEMBER', 'UADMIN']);
    expect(many.get('UADMIN')).toMatchObject({ name: 'Aiko', tz: 'Asia/Tokyo', isAdmin: true });
    await profiles.getMany('T2', ['UADMIN', 'UMEMBER']);
    expect(env.slack.callsTo('users.info')).toHaveLength(2);
  });

  it('user_not_found is a former member; a 429 stops users.info calls until Retry-After', async () => {
    const { profiles } = env.bot.deps;
    env.slack.script('users.info', { error: 'user_not_found' });
    expect(await profiles.get('T3', 'UGONE')).toMatchObject({ deleted: true });
    env.slack.script('users.info', { status: 429, retryAfter: 30 });
    expect(await profiles.get('T3', 'UNEW1')).toBeUndefined();
    expect(await profiles.get('T3', 'UNEW2')).toBeUndefined();
    expect(env.slack.callsTo('users.info').map((c) => c.body.user)).toEqual(['UGONE', 'UNEW1']);
  });
});
