// What the digest says: the rotation through the role, Block Kit limits, escaping, the asked lines, the intro.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { safeText } from '../../src/blocks/mrkdwn.ts';
import { watchCatalog } from '../../src/catalog/current.ts';
import { countActiveDuties, dutiesInSection } from '../../src/catalog/queries.ts';
import { createAskedStats, noAskedStats } from '../../src/digest/asked-stats.ts';
import { type DigestContent, digestMessage } from '../../src/digest/blocks.ts';
import { buildDigest, rotation } from '../../src/digest/content.ts';
import { validateBlocks } from '../helpers/slack-api/block-kit.ts';
import { addMs, at, DAY, type DigestWorld, HOUR, openWorld, WEEK } from './helpers.ts';

const DUE = at('2026-01-05T09:00:00Z');

let w: DigestWorld;
beforeAll(async () => {
  w = await openWorld();
});
afterAll(() => w.close());
beforeEach(() => w.reset());

/** The duty titles of a posted digest, read back from its blocks. */
function titlesIn(blocks: unknown[]): string[] {
  const out: string[] = [];
  for (const b of blocks as { block_id?: string; text?: { text: string } }[]) {
    if (!b.block_id?.startsWith('digest_duties_')) continue;
    for (const m of b.text?.text.matchAll(/^\*(.+)\*$/gm) ?? []) out.push(m[1] as string);
  }
  return out;
}

describe('rotation', () => {
  it('ten consecutive weeks cover every duty exactly once, in section order, then wrap', async () => {
    await w.subscribe('C1', ['monday', '09:00', 'UTC'], at('2026-01-01T00:00:00Z'));
    const a = await w.instance('a');
    for (let week = 0; week < 11; week++) await a.tick(addMs(DUE, week * WEEK + HOUR));
    const posts = w.posts('C1');
    expect(posts).toHaveLength(11);

    const { id: roleId } = await watchCatalog(w.db).current();
    const sections = await rotation(w.db, roleId);
    expect(sections).toHaveLength(10);
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const section = sections[i] as (typeof sections)[number];
      const blocks = posts[i]?.blocks as unknown[];
      expect(validateBlocks(blocks, 50)).toBeUndefined();
      expect(JSON.stringify(blocks)).toContain(`Part ${i + 1} of 10`);
      const expected = (await dutiesInSection(w.db, roleId, section.number)).map((d) => safeText(d.title, 150));
      const titles = titlesIn(blocks);
      expect(titles).toEqual(expected);
      seen.push(...titles.map((t) => `${section.number}:${t}`));
    }
    expect(seen).toHaveLength(await countActiveDuties(w.db, roleId));
    expect(seen).toHaveLength(111);
    expect(new Set(seen).size).toBe(111);
    // Week eleven starts again at part 1.
    expect(JSON.stringify(posts[10]?.blocks)).toContain('Part 1 of 10');
  });
});

describe('Block Kit', () => {
  const base: DigestContent = {
    period: '2026-W02',
    part: 1,
    parts: 10,
    sectionTitle: 'Section',
    duties: [],
    intro: 'Hello team.',
    topQuestions: [],
    unanswered: [],
  };

  it.each([
    ['14 duties of 2000 characters', 14, 2000],
    ['60 duties (more than blocks allow)', 60, 300],
    ['120 duties of 2000 characters', 120, 2000],
    ['1 duty', 1, 50],
  ])('%s stay within Slack limits and keep every title', (_name, count, length) => {
    const duties = Array.from({ length: count }, (_, i) => ({
      title: `Duty ${i} & <more>`,
      description: `${'word '.repeat(Math.ceil(length / 5))}`.slice(0, length),
    }));
    const m = digestMessage({
      ...base,
      duties,
      topQuestions: ['q'.repeat(400), 'who deploys?', 'x'],
      unanswered: Array.from({ length: 9 }, (_, i) => `question ${i} ${'z'.repeat(300)}`),
    });
    expect(validateBlocks(m.blocks, 50)).toBeUndefined();
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    expect(titlesIn(m.blocks)).toHaveLength(count);
    expect(m.text.length).toBeGreaterThan(0);
    expect(m.text.length).toBeLessThanOrEqual(3000);
  });

  it('escapes every database, user and LLM string: no mention, no link', () => {
    const m = digestMessage({
      ...base,
      sectionTitle: 'Ops <!channel>',
      duties: [{ title: '<@U123> owns it', description: 'see <https://evil.example|here> & <!here>' }],
      intro: 'LLM says <!everyone>',
      topQuestions: ['who is <@U999>?'],
      unanswered: ['<!subteam^S1> help'],
    });
    // mrkdwn is where Slack parses mentions and links (plain_text headers show text as typed).
    const mrkdwn: string[] = [m.text];
    JSON.stringify(m.blocks, (_k, v) => {
      if (v && typeof v === 'object' && v.type === 'mrkdwn') mrkdwn.push(v.text);
      return v;
    });
    const all = mrkdwn.join('\n');
    expect(all).toContain('Ops &lt;!channel&gt;');
    for (const raw of ['<!channel>', '<@U123>', '<https://evil', '<!here>', '<!everyone>', '<@U999>', '<!subteam']) {
      expect(all).not.toContain(raw);
    }
    expect(all).toContain('&lt;@U123&gt;');
    expect(m.metadata).toEqual({ event_type: 'mle_duties_digest', event_payload: { period: '2026-W02', part: 1 } });
  });
});

describe('asked this week', () => {
  // By default an @mention in a public channel, by three different people.
  async function ask(
    question: string,
    answered: boolean,
    when: Date,
    o: { surface?: string; askers?: number; inPublic?: boolean } = {},
  ) {
    for (let i = 0; i < (o.askers ?? 3); i++) {
      await w.db.query(
        `insert into answers (id, question, question_norm, matches, near_misses, answered, surface, user_hash,
           created_at, channel_id, in_public)
         values ($1, $2, $3, '[]'::jsonb, '[]'::jsonb, $4, $5, $6, $7, 'C1', $8)`,
        [
          randomUUID(),
          question,
          question.toLowerCase().replace(/[^a-z ]/g, ''),
          answered,
          o.surface ?? 'mention',
          `hash-of-someone-${i}`,
          when,
          o.inPublic ?? true,
        ],
      );
    }
  }
  beforeEach(() => w.db.exec('delete from answers'));

  it('most asked and unanswered questions of the week before the due time, no names', async () => {
    const inWeek = addMs(DUE, -2 * DAY);
    await ask('Who deploys models?', true, addMs(inWeek, HOUR), { askers: 5 });
    await ask('who reviews code', true, inWeek, { askers: 4 });
    await ask('What is the wifi password?', false, inWeek);
    await ask('What is the wifi password?', false, inWeek, { surface: 'choice' });
    await ask('Too old to count', false, addMs(DUE, -8 * DAY));
    await ask('After the due time', false, addMs(DUE, HOUR));
    await ask('Asked by two', false, inWeek, { askers: 2 });
    await ask('Asked in a DM', false, inWeek, { surface: 'dm', inPublic: false });
    await ask('Asked in a private channel', false, inWeek, { inPublic: false });
    const stats = createAskedStats(w.db);
    const since = addMs(DUE, -WEEK);
    expect(await stats.topQuestions(since, DUE)).toEqual([
      'Who deploys models?',
      'who reviews code',
      'What is the wifi password?',
    ]);
    expect(await stats.unanswered(since, DUE)).toEqual(['What is the wifi password?']);

    const m = await buildDigest({
      db: w.db,
      catalog: watchCatalog(w.db),
      seq: 0,
      period: '2026-W02',
      dueAt: DUE,
      askedStats: stats,
      logger: w.logger,
    });
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('“Who deploys models?”');
    expect(text).toContain('No confident match yet:* “What is the wifi password?”');
    expect(text).not.toContain('Too old');
    expect(text).not.toMatch(/Asked by two|Asked in a DM|Asked in a private channel/);
    expect(text).not.toContain('hash-of-someone');
    expect(text).toContain('mle_duties_digest_ask');
  });
});

describe('the role', () => {
  it("is the catalog's (the one synced last), not whichever role sorts first", async () => {
    // An older role still in the database, as an earlier catalog or a renamed role id leaves behind.
    await w.db.exec(`
      insert into roles (id, name) values ('a-retired-role', 'Retired role');
      insert into sections (role_id, number, title) values ('a-retired-role', 1, 'Retired section');
      insert into duties (id, role_id, section, position, title, description)
        values ('1:Retired duty', 'a-retired-role', 1, 0, 'Retired duty', 'Nobody does this any more');
      insert into catalog_state (role_id, content_hash, synced_at) values ('a-retired-role', 'old', '2020-01-01');
    `);
    try {
      const m = await buildDigest({
        db: w.db,
        catalog: watchCatalog(w.db),
        askedStats: noAskedStats,
        seq: 0,
        period: '2026-W02',
        dueAt: DUE,
        logger: w.logger,
      });
      expect(JSON.stringify(m.blocks)).toContain('Part 1 of 10: Machine Learning Engineer Duties');
      expect(JSON.stringify(m.blocks)).not.toContain('Retired');
    } finally {
      await w.db.exec(`
        delete from catalog_state where role_id = 'a-retired-role';
        delete from duties where role_id = 'a-retired-role';
        delete from sections where role_id = 'a-retired-role';
        delete from roles where id = 'a-retired-role';
      `);
    }
  });
});

describe('intro', () => {
  const build = (intro?: () => Promise<string | undefined>) =>
    buildDigest({
      db: w.db,
      catalog: watchCatalog(w.db),
      seq: 2,
      period: '2026-W02',
      dueAt: DUE,
      askedStats: noAskedStats,
      logger: w.logger,
      intro,
    });
  const introText = (m: Awaited<ReturnType<typeof build>>) =>
    (m.blocks.find((b) => b.block_id === 'digest_intro') as { text: { text: string } }).text.text;

  it('uses the LLM line when there is one, escaped', async () => {
    expect(introText(await build(async () => 'Meet the people who own <!here> responsibilities!'))).toBe(
      'Meet the people who own &lt;!here&gt; responsibilities!',
    );
  });

  it.each([
    ['no LLM', undefined],
    ['an error', async () => Promise.reject(new Error('500'))],
    ['an empty answer', async () => '   '],
    ['an essay', async () => 'x'.repeat(2000)],
  ])('falls back to the fixed intro on %s', async (_name, intro) => {
    expect(introText(await build(intro))).toMatch(
      /^This week: 13 duties from “Machine Learning Engineer Responsibilities”/,
    );
  });
});
