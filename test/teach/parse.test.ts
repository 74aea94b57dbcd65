import { describe, expect, it } from 'vitest';
import type { DutyRef } from '../../src/teach/store.ts';
import { cleanPhrase, findDuty, phraseProblem, splitDutyAndPhrase } from '../../src/teach/teach.ts';

const duties: DutyRef[] = [
  { id: '2:Model Monitoring', section: 2, title: 'Model Monitoring' },
  { id: '3:Model Deployment', section: 3, title: 'Model Deployment' },
  { id: '5:Model Deployment', section: 5, title: 'Model Deployment' },
  { id: '4:Code Review', section: 4, title: 'Code Review' },
  { id: '4:Code', section: 4, title: 'Code' },
];

describe('which duty a keeper means', () => {
  it('by id or title, case and spacing ignored; a title of several sections is ambiguous', () => {
    expect(findDuty(duties, 'model  MONITORING')).toEqual({ kind: 'found', duty: duties[0] });
    expect(findDuty(duties, '3 : model deployment')).toEqual({ kind: 'found', duty: duties[1] });
    expect(findDuty(duties, 'Model Deployment')).toEqual({ kind: 'ambiguous', duties: [duties[1], duties[2]] });
    expect(findDuty(duties, 'Wombat Feeding')).toEqual({ kind: 'none' });
    expect(findDuty(duties, '   ')).toEqual({ kind: 'none' });
  });

  it('the longest run of leading words naming a duty, or a quoted duty, then the phrase', () => {
    expect(splitDutyAndPhrase(duties, 'Code Review nitpicks on PRs')).toMatchObject({
      ref: 'Code Review',
      lookup: { kind: 'found', duty: duties[3] },
      phrase: 'nitpicks on PRs',
    });
    expect(splitDutyAndPhrase(duties, '“Code” review the style guide')).toMatchObject({
      lookup: { kind: 'found', duty: duties[4] },
      phrase: 'review the style guide',
    });
    expect(splitDutyAndPhrase(duties, '2:Model Monitoring babysit the job')).toMatchObject({
      lookup: { kind: 'found', duty: duties[0] },
      phrase: 'babysit the job',
    });
    expect(splitDutyAndPhrase(duties, 'Wombat Feeding feed them')).toEqual({ kind: 'no_duty' });
  });
});

describe('what makes a phrase', () => {
  it('is kept without its question mark, quotes or extra spaces, and needs a word to search for', () => {
    expect(cleanPhrase('  "babysit   the job?"  ')).toBe('babysit the job');
    expect(cleanPhrase('who cleans up old branches?!')).toBe('who cleans up old branches');
    expect(phraseProblem('')).toBe('empty');
    expect(phraseProblem('who is it')).toBe('no_words');
    expect(phraseProblem('x'.repeat(121))).toBe('too_long');
    expect(phraseProblem('babysit the job')).toBeUndefined();
  });
});
