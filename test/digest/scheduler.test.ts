// startScheduler: ticks on its own from the database clock, never overlaps itself, stop() waits for the tick in flight.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { watchCatalog } from '../../src/catalog/current.ts';
import { startScheduler } from '../../src/digest/scheduler.ts';
import { createDigestClient } from '../../src/digest/slack.ts';
import { dbNow, getRun, upsertSubscription } from '../../src/digest/store.ts';
import type { TickResult } from '../../src/digest/tick.ts';
import { type DigestWorld, MINUTE, openWorld } from './helpers.ts';

let w: DigestWorld;
beforeAll(async () => {
  w = await openWorld();
});
afterAll(() => w.close());
beforeEach(() => w.reset());

it('posts what is due by the database clock, and stop() waits for the post in flight', async () => {
  const now = await dbNow(w.db);
  const due = new Date(Math.floor((now.getTime() - MINUTE) / MINUTE) * MINUTE); // a minute or two ago
  await upsertSubscription(
    w.db,
    {
      channelId: 'C1',
      teamId: null,
      weekday: due.getUTCDay() || 7,
      minuteOfDay: due.getUTCHours() * 60 + due.getUTCMinutes(),
      timeZone: 'UTC',
      subscribedBy: 'U1',
    },
    new Date(due.getTime() - MINUTE),
  );
  w.slack.script('chat.postMessage', { delayMs: 400 });
  const ticks: TickResult[] = [];
  const scheduler = startScheduler({
    db: w.db,
    catalog: watchCatalog(w.db),
    client: createDigestClient({ token: w.slack.token, apiUrl: w.slack.url }),
    logger: w.logger,
    intervalMs: 20,
    paceMs: 0,
    onTick: (r) => ticks.push(r),
  });
  await w.slack.waitFor('chat.postMessage', 1, 10_000);
  await scheduler.stop(); // the stand-in is still holding the post
  const run = (await w.db.query<{ period: string }>('select period from digest_runs'))[0];
  expect((await getRun(w.db, 'C1', run?.period ?? ''))?.status).toBe('posted');
  const count = ticks.length;
  await new Promise((r) => setTimeout(r, 100));
  expect(ticks.length).toBe(count); // no tick after stop
  expect(w.slack.messages('C1')).toHaveLength(1);
  // Ticks ran every 20 ms, but the slow one was not overlapped: one post call in total.
  expect(w.slack.callsTo('chat.postMessage')).toHaveLength(1);
});
