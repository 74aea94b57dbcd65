import { describe, expect, it } from 'vitest';
import { type Listener, routeBy } from '../../../src/slack/middleware/route.ts';

describe('routeBy', () => {
  const named =
    (name: string): Listener<string[]> =>
    async (seen) => {
      seen.push(name);
    };
  const more = named('more');
  const pick = named('pick');
  const anyPick = named('any-pick');
  const route = routeBy<string[]>([
    ['answer_more', more],
    [/^did_you_mean_\d+$/, anyPick],
    ['did_you_mean_1', pick],
  ]);

  it('finds a listener by its exact key', () => {
    expect(route('answer_more')).toBe(more);
  });

  it('prefers an exact key over a pattern that also matches', () => {
    expect(route('did_you_mean_1')).toBe(pick);
    expect(route('did_you_mean_2')).toBe(anyPick);
  });

  it('finds nothing for an unknown key or a partial match', () => {
    expect(route('answer_mor')).toBeUndefined();
    expect(route('did_you_mean_x')).toBeUndefined();
    expect(route('')).toBeUndefined();
  });
});
