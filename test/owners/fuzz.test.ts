// Hostile display names, statuses, group handles and duty texts through every owners builder (duty ids, which only
// travel in button values and the modal's metadata, come from the reviewed catalog): never a mention, link or broken
// block, and never a formatting mark taken from a name.
import { expect, it } from 'vitest';
import { inertName, ownersLine, peopleLine } from '../../src/owners/render.ts';
import type { Ownership } from '../../src/owners/store.ts';
import type { Profile } from '../../src/people/profiles.ts';
import {
  conflictText,
  historyMessage,
  listingMessage,
  ownersModal,
  ownersWords,
  pingMessage,
  savedText,
} from '../../src/slack/messages/owners.ts';
import { unescapedMarkup } from '../helpers/payloads.ts';
import { validateBlocks } from '../helpers/slack-api/block-kit.ts';
import type { RecordedCall } from '../helpers/slack-api/server.ts';

const PIECES = [
  '<!channel>',
  '<!here>',
  '<@U0ALICE1>',
  '<!subteam^S0123|@team>',
  '<https://evil.example|click me>',
  '&lt;!here&gt;',
  '*bold*',
  '_it_',
  '~s~',
  '`c`',
  '&',
  '<',
  '>',
  '\u202e',
  '\u0000',
  '\u200b',
  'Ana',
  '🙂',
  ' ',
  'x'.repeat(120),
];

function fuzz(count: number, seed: number): string[] {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(rand() * 8) }, () => PIECES[Math.floor(rand() * PIECES.length)]).join(''),
  );
}

const asCall = (body: unknown): RecordedCall =>
  ({ method: 'x', body, raw: '', headers: {}, status: 200, response: {}, at: 0 }) as RecordedCall;

const NOW = new Date('2026-12-03T22:00:00Z');

it('500 hostile names through every owners builder: inert, valid Block Kit', () => {
  const names = fuzz(500, 7);
  for (const [i, name] of names.entries()) {
    const ids = ['UA0000001', 'UB0000001', 'UC0000001', 'UD0000001', 'UE0000001', 'UF0000001', 'UG0000001'];
    const profiles = new Map<string, Profile>(
      ids.map((id, j) => [
        id,
        {
          teamId: 'T1',
          userId: id,
          name: j % 2 ? name : `${name} ${j}`,
          tz: j % 3 ? 'Asia/Tokyo' : 'Nowhere/Invalid',
          isAdmin: false,
          isOwner: false,
          isBot: false,
          deleted: j === 4,
          ...(j === 1 ? { status: { text: name, emoji: ':palm_tree:' } } : {}),
          fetchedAt: NOW,
        },
      ]),
    );
    const o: Ownership = {
      dutyId: `1:Duty ${i}`,
      owners: ids.slice(0, 4),
      backups: ids.slice(4),
      usergroup: { id: 'S0GROUP1', name, kind: i % 2 ? 'owner' : 'backup' },
      version: 1,
    };
    const line = ownersLine(o, profiles, NOW);
    expect(line).not.toMatch(/[<>*`~]/);
    const nameOf = (u: string) => inertName(profiles.get(u)?.name ?? 'x');
    const duty = { id: o.dutyId, title: name || 'x', section: 1, sectionTitle: name || 'x' };
    const messages = [
      {
        text: line,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${line} ${peopleLine([o], profiles)}` } }],
      },
      listingMessage({
        title: name || 'x',
        empty: 'none',
        items: Array.from({ length: 12 }, (_, k) => ({
          id: `${k}:Duty ${i}`,
          title: name,
          section: 1,
          line,
        })),
        query: 'owners|section 1',
        page: i % 2,
        editable: true,
        footer: 'f',
      }),
      historyMessage(duty, [{ at: NOW, actor: line, before: ownersWords(o, nameOf), after: 'nobody' }]),
      { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: savedText(duty, line, true) } }] },
      { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: conflictText(duty, line) } }] },
    ];
    for (const m of messages) {
      expect(unescapedMarkup([asCall(m)])).toEqual([]);
      expect(validateBlocks(m.blocks, 50)).toBeUndefined();
    }
    // The modal: valid as a view; its only markup-shaped text is none.
    const modal = ownersModal({ teamId: 'T1', duty, current: o, groups: [{ id: 'S0GROUP1', name }] });
    expect(validateBlocks(modal.blocks, 100, false)).toBeUndefined();
    expect(unescapedMarkup([asCall(modal)])).toEqual([]);
    // The ping: the deliberate mentions only (people chosen by id, the group by id), nothing from a name.
    const ping = pingMessage(duty, o, 'UASKER01', ['UA0000001']);
    expect(
      unescapedMarkup([asCall(ping)], ['UA0000001', 'UASKER01']).filter((m) => m !== '<!subteam^S0GROUP1>'),
    ).toEqual([]);
  }
});
