import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ASK_ACTION_ID } from '../../src/digest/blocks.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import { blockAction, responseFor, uniqueId } from '../helpers/payloads.ts';
import { createSigner, type SignedRequest, send } from '../helpers/signer.ts';

let env: BotEnv;
beforeAll(async () => {
  env = await openBotEnv();
});
afterAll(() => env?.close());
beforeEach(() => env.slack.reset());

async function rowCounts() {
  const [a] = await env.tdb.db.query<{ n: number }>('select count(*)::int as n from answers');
  const [r] = await env.tdb.db.query<{ n: number }>('select count(*)::int as n from slack_event_receipts');
  return { answers: a?.n ?? 0, receipts: r?.n ?? 0 };
}

const question = () =>
  env.bot.signer.command({
    text: 'who deploys models to production?',
    response_url: env.slack.responseUrl(uniqueId('f')),
  });
const mentionEvent = () =>
  env.bot.signer.event({ type: 'app_mention', user: 'U0ASKER1', text: '<@UBOT0001> random', ts: '1.1', channel: 'C1' });

const forged: [string, () => SignedRequest][] = [
  [
    'unsigned',
    () => {
      const r = question();
      const { 'x-slack-signature': _s, 'x-slack-request-timestamp': _t, ...headers } = r.headers;
      return { body: r.body, headers };
    },
  ],
  [
    'signed with another secret',
    () => createSigner('not-the-secret').command({ text: 'random', response_url: env.slack.responseUrl('x') }),
  ],
  [
    'stale (6 minutes old)',
    () =>
      env.bot.signer.command(
        { text: 'random', response_url: env.slack.responseUrl('x') },
        { timestamp: Math.floor(Date.now() / 1000) - 360 },
      ),
  ],
  [
    'from the future (6 minutes ahead)',
    () =>
      env.bot.signer.command(
        { text: 'random', response_url: env.slack.responseUrl('x') },
        { timestamp: Math.floor(Date.now() / 1000) + 360 },
      ),
  ],
  [
    'tampered body',
    () => {
      const r = question();
      return { ...r, body: r.body.replace('deploys', 'removes') };
    },
  ],
  [
    'tampered timestamp',
    () => {
      const r = question();
      return {
        ...r,
        headers: {
          ...r.headers,
          'x-slack-request-timestamp': String(Number(r.headers['x-slack-request-timestamp']) - 1),
        },
      };
    },
  ],
  [
    'malformed signature',
    () => {
      const r = question();
      return { ...r, headers: { ...r.headers, 'x-slack-signature': 'v0=zz' } };
    },
  ],
  [
    'event with a tampered body',
    () => {
      const r = mentionEvent();
      return { ...r, body: r.body.replace('random', 'sections') };
    },
  ],
  [
    'interactivity payload signed with another secret',
    () => createSigner('nope').action({ type: 'block_actions', user: { id: 'U1' }, actions: [] }),
  ],
];

describe('request verification', () => {
  it.each(forged)('%s → 401, no call to Slack, nothing stored', async (_name, build) => {
    const before = await rowCounts();
    const res = await send(env.bot.url, build());
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(env.slack.calls).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it('a correctly signed request still works (the forged cases fail for the right reason)', async () => {
    const id = uniqueId('ok');
    const res = await send(
      env.bot.url,
      env.bot.signer.command({ text: 'random', response_url: env.slack.responseUrl(id) }),
    );
    expect(res.status).toBe(200);
    expect((await responseFor(env.slack, id)).status).toBe(200);
  });

  it('a body over 64 KB → 413 before it is read, nothing called', async () => {
    const big = env.bot.signer.command({
      text: `who ${'x'.repeat(70 * 1024)}`,
      response_url: env.slack.responseUrl('big'),
    });
    expect((await send(env.bot.url, big)).status).toBe(413);
    // Without a content-length (chunked), the cap applies to the bytes streamed.
    const res = await fetch(env.bot.url, {
      method: 'POST',
      headers: big.headers,
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(big.body));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(env.slack.calls).toEqual([]);
  });

  it('a replayed command (same signed request twice) is answered once', async () => {
    const id = uniqueId('replay');
    const req = env.bot.signer.command({ text: 'random', response_url: env.slack.responseUrl(id) });
    expect((await send(env.bot.url, req)).status).toBe(200);
    expect((await send(env.bot.url, req)).status).toBe(200);
    await responseFor(env.slack, id);
    await new Promise((r) => setTimeout(r, 200));
    expect(env.slack.callsTo('response_url')).toHaveLength(1);
  });

  it.each([
    ['the section picker', { type: 'static_select', action_id: 'section_select' }],
    ["the digest's Ask button", { type: 'button', action_id: ASK_ACTION_ID, value: '2026-W48' }],
  ])('a replayed click on %s (same signed request twice) is answered once', async (_name, element) => {
    // Replay protection is the request middleware's, for every listener: it used to be opt-in, and these had none.
    const id = uniqueId('replay-click');
    const req = env.bot.signer.action(
      blockAction(element, { user: 'U0ASKER1', responseUrl: env.slack.responseUrl(id), selected: '2' }),
    );
    expect((await send(env.bot.url, req)).status).toBe(200);
    expect((await send(env.bot.url, req)).status).toBe(200);
    await responseFor(env.slack, id);
    await new Promise((r) => setTimeout(r, 300));
    expect(env.slack.calls.filter((c) => c.responseUrlId === id)).toHaveLength(1);
  });

  it('GET /healthz answers without a signature; other paths 404', async () => {
    expect((await fetch(`${env.bot.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${env.bot.base}/nope`)).status).toBe(404);
  });
});
