// Taught phrases in the search engine: per workspace, seen by every engine on the database at its next question.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChanges } from '../../src/people/changes.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { addTaughtAlias, listTaughtAliases, removeTaughtAlias } from '../../src/teach/store.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t.close();
});

const who = (teamId: string) => ({ teamId, actor: 'UKEEPER1', at: new Date() });
const top = (r: { matches: { id: string }[] }) => r.matches[0]?.id;

describe('taught phrases', () => {
  it('answer the phrase with its duty at the next question of every engine, in that workspace only', async () => {
    // Two engines over one database, as two processes hold them; both have answered (and cached) before the teach.
    const a = createSearchEngine(t.db);
    const b = createSearchEngine(t.db);
    const question = 'who babysits the zorblax cluster?';
    for (const e of [a, b]) expect((await e.search(question, { teamId: 'TA' })).matches).toEqual([]);

    expect(await addTaughtAlias(t.db, who('TA'), '2:Model Monitoring', 'babysit the Zorblax cluster')).toBe(true);
    for (const e of [a, b]) {
      const r = await e.search(question, { teamId: 'TA' });
      expect(top(r)).toBe('2:Model Monitoring');
      expect(r.matches[0]?.why).toContain('“babysit the Zorblax cluster” (taught here)');
      // Another workspace, and the command line (no workspace), are not touched.
      expect((await e.search(question, { teamId: 'TB' })).matches).toEqual([]);
      expect((await e.search(question)).matches).toEqual([]);
    }

    // Taught again in other words of the same phrase: nothing new.
    expect(await addTaughtAlias(t.db, who('TA'), '2:Model Monitoring', 'Babysit the zorblax cluster!')).toBe(false);

    expect(await removeTaughtAlias(t.db, who('TA'), '2:Model Monitoring', 'babysit the zorblax CLUSTER')).toBe(
      'babysit the Zorblax cluster',
    );
    for (const e of [a, b]) expect((await e.search(question, { teamId: 'TA' })).matches).toEqual([]);
    expect(await removeTaughtAlias(t.db, who('TA'), '2:Model Monitoring', 'babysit the zorblax cluster')).toBe(
      undefined,
    );

    // Every change is in the change log, with who and when, before → after.
    const changes = await listChanges(t.db, { area: 'aliases', subject: '2:Model Monitoring', teamId: 'TA' });
    expect(changes.map((c) => [c.actor, c.before, c.after])).toEqual([
      ['UKEEPER1', { aliases: ['babysit the Zorblax cluster'] }, { aliases: [] }],
      ['UKEEPER1', { aliases: [] }, { aliases: ['babysit the Zorblax cluster'] }],
    ]);
  });

  it('are seen by an engine holding an older copy even when no word of the question is in the catalog', async () => {
    const e = createSearchEngine(t.db);
    await addTaughtAlias(t.db, who('TH'), '4:Code Review', 'wombat diff');
    expect(top(await e.search('who reviews the wombat diff?', { teamId: 'TH' }))).toBe('4:Code Review');
    // No scoring query runs for a question of unknown words only: the version is read on its own.
    expect((await e.search('quokkaflux', { teamId: 'TH' })).matches).toEqual([]);
    await addTaughtAlias(t.db, who('TH'), '2:Model Monitoring', 'quokkaflux');
    expect(top(await e.search('quokkaflux', { teamId: 'TH' }))).toBe('2:Model Monitoring');
  });

  it('win over the duty the words would otherwise find, for the workspace that taught them', async () => {
    const e = createSearchEngine(t.db);
    const question = 'who handles data quality dashboards';
    const before = top(await e.search(question, { teamId: 'TC' }));
    expect(before).not.toBe('4:Code Review');
    await addTaughtAlias(t.db, who('TC'), '4:Code Review', 'data quality dashboards');
    expect(top(await e.search(question, { teamId: 'TC' }))).toBe('4:Code Review');
    expect(top(await e.search(question, { teamId: 'TD' }))).toBe(before);
  });

  it('make a topic outside the role part of it when a keeper says so', async () => {
    const e = createSearchEngine(t.db);
    const question = 'who runs our linkedin account?';
    const r = await e.search(question, { teamId: 'TE' });
    expect(r.matches).toEqual([]);
    expect(r.outsideTopic).toBeDefined();
    await addTaughtAlias(t.db, who('TE'), '4:Code Review', 'LinkedIn account');
    expect(top(await e.search(question, { teamId: 'TE' }))).toBe('4:Code Review');
    expect((await e.search(question, { teamId: 'TF' })).outsideTopic).toBeDefined();
  });

  it('survive a reload of the catalog caches, and are listed per workspace', async () => {
    const e = createSearchEngine(t.db);
    await addTaughtAlias(t.db, who('TG'), '2:Model Monitoring', 'quarterly hackathon');
    expect(top(await e.search('who runs the quarterly hackathon?', { teamId: 'TG' }))).toBe('2:Model Monitoring');
    e.reload();
    expect(top(await e.search('who runs the quarterly hackathon?', { teamId: 'TG' }))).toBe('2:Model Monitoring');
    expect((await listTaughtAliases(t.db, 'TG')).map((x) => [x.dutyId, x.title, x.phrase, x.taughtBy])).toEqual([
      ['2:Model Monitoring', 'Model Monitoring', 'quarterly hackathon', 'UKEEPER1'],
    ]);
  });
});
