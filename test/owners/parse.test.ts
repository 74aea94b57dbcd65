import { expect, it } from 'vitest';
import { parseOwnersIntent } from '../../src/slack/owners.ts';

it('reads the owner subcommands from the raw command text, and leaves questions alone', () => {
  expect(parseOwnersIntent('owners')).toEqual({ kind: 'owners', target: '' });
  expect(parseOwnersIntent('owners section 3')).toEqual({ kind: 'owners', target: 'section 3' });
  expect(parseOwnersIntent('mine')).toEqual({ kind: 'mine' });
  expect(parseOwnersIntent('unowned')).toEqual({ kind: 'unowned' });
  expect(parseOwnersIntent('who <@U0BOB001|bob>?')).toEqual({ kind: 'who', userId: 'U0BOB001' });
  expect(parseOwnersIntent('who monitors models in production?')).toBeUndefined();
  expect(parseOwnersIntent('who reviews <@U0BOB001> code')).toBeUndefined();
  expect(parseOwnersIntent('mine is a question')).toBeUndefined();
  expect(parseOwnersIntent('assign 2:Model Monitoring <@U0ALICE1|alice> <@U0CAROL1> backup <@U0BOB001|bob>')).toEqual({
    kind: 'assign',
    duty: '2:Model Monitoring',
    owners: ['U0ALICE1', 'U0CAROL1'],
    backups: ['U0BOB001'],
  });
  expect(parseOwnersIntent('assign model monitoring')?.kind).toBe('owners_usage');
  expect(parseOwnersIntent('history')?.kind).toBe('owners_usage');
  expect(parseOwnersIntent('history model\u0000 monitoring')).toEqual({ kind: 'history', duty: 'model monitoring' });
  expect(parseOwnersIntent('what is the history of model monitoring?')).toBeUndefined();
});
