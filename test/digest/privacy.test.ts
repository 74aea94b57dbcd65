// What a digest may quote, through the bot's signed endpoint: only questions asked by @mention in public channels,
// once at least DIGEST_MIN_ASKERS different people asked them. DMs, the slash command and private channels never
// leave their asker; one person asking the same text again and again counts once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askByCommand, askInChannel, askInDm } from '../helpers/asking.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import { allText, command } from '../helpers/payloads.ts';

let env: BotEnv;
beforeAll(async () => {
  env = await openBotEnv();
  env.slack.conversations.set('C0SECRET1', { id: 'C0SECRET1', is_channel: true, is_private: true, is_member: true });
});
afterAll(() => env?.close());

const PEOPLE = ['U0P00001', 'U0P00002', 'U0P00003'];
// Made-up questions, each only ever asked one way, so whichever shows up says which way leaks.
const IN_DMS = 'who approves the secret reorg of the model team?';
const BY_COMMAND = 'who deploys models for the confidential merger?';
const IN_PRIVATE_CHANNEL = 'who monitors models for the layoff list?';
const ONE_PERSON = 'who reviews the purple unicorn pipeline?';
const PUBLIC = 'who deploys models to production?';
const PUBLIC_UNANSWERED = 'who cleans up old branches?';
const TOO_FEW = 'who labels training data?';

describe('digest privacy', () => {
  it('quotes only public questions that enough different people asked', async () => {
    for (const user of PEOPLE) {
      await askInDm(env, IN_DMS, user);
      await askByCommand(env, BY_COMMAND, user);
      await askInChannel(env, IN_PRIVATE_CHANNEL, user, 'C0SECRET1');
      await askInChannel(env, PUBLIC, user);
      await askInChannel(env, PUBLIC_UNANSWERED, user);
    }
    for (let i = 0; i < 6; i++) await askInChannel(env, ONE_PERSON, 'U0P00001');
    for (const user of PEOPLE.slice(0, 2)) await askInChannel(env, TOO_FEW, user);

    const preview = allText(await command(env, 'digest preview', 'U0READER1'));
    for (const hidden of [IN_DMS, BY_COMMAND, IN_PRIVATE_CHANNEL, ONE_PERSON, TOO_FEW]) {
      expect(preview).not.toContain(hidden);
    }
    expect(preview).toContain(`“${PUBLIC}”`);
    expect(preview).toMatch(/No confident match yet:\* “who cleans up old branches\?”/);
  });
});
