import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';

// The stand-in must behave like Slack where our code depends on it, or the other tests prove nothing.
describe('Slack Web API stand-in', () => {
  let slack: SlackApiStandIn;
  let client: WebClient;
  beforeAll(async () => {
    slack = await startSlackApi();
    client = new WebClient(slack.token, {
      slackApiUrl: slack.url,
      retryConfig: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10 },
      logLevel: LogLevel.ERROR,
    });
  });
  afterAll(() => slack.close());
  beforeEach(() => slack.reset());

  it('answers auth.test and records calls with the parsed body', async () => {
    const auth = await client.auth.test();
    expect(auth.user_id).toBe(slack.botUserId);
    await client.chat.postMessage({
      channel: 'C1',
      text: 'hi',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }],
    });
    const [call] = slack.callsTo('chat.postMessage');
    expect(call?.body.channel).toBe('C1');
    expect(call?.body.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }]);
    expect(call?.headers.authorization).toBe(`Bearer ${slack.token}`);
  });

  it('refuses a wrong token', async () => {
    const bad = new WebClient('xoxb-wrong', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    await expect(bad.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });

  it.each([
    ['51 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' }))],
    ['empty section text', [{ type: 'section', text: { type: 'mrkdwn', text: '' } }]],
    ['section text over 3000', [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }]],
    ['header over 150', [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }]],
    [
      'button text over 75',
      [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'x'.repeat(76) } }],
        },
      ],
    ],
    [
      'duplicate action_id',
      [
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'one' } },
            { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'two' } },
          ],
        },
      ],
    ],
    [
      'duplicate block_id',
      [
        { type: 'divider', block_id: 'b' },
        { type: 'divider', block_id: 'b' },
      ],
    ],
  ])('refuses invalid blocks: %s', async (_name, blocks) => {
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x', blocks })).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
    expect(slack.messages('C1')).toHaveLength(0);
  });

  it('plays scripted errors, 429 with Retry-After, and delays', async () => {
    slack.script('chat.postMessage', { error: 'channel_not_found' });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    slack.script('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    await client.chat.postMessage({ channel: 'C1', text: 'after 429' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const statuses = slack.callsTo('chat.postMessage').map((c) => c.status);
    expect(statuses).toEqual([200, 429, 200]);
    slack.script('users.info', { delayMs: 200 });
    const t0 = Date.now();
    await client.users.info({ user: 'U1' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it('stores posted messages with metadata for conversations.history', async () => {
    await client.chat.postMessage({
      channel: 'C2',
      text: 'digest',
      metadata: { event_type: 'mle_digest', event_payload: { week: '2024-W01' } },
    });
    await client.chat.postMessage({ channel: 'C2', text: 'second' });
    const plain = await client.conversations.history({ channel: 'C2' });
    expect(plain.messages?.map((m) => m.text)).toEqual(['second', 'digest']);
    expect(plain.messages?.[1]?.metadata).toBeUndefined();
    const meta = await client.conversations.history({ channel: 'C2', include_all_metadata: true });
    expect(meta.messages?.[1]?.metadata).toEqual({ event_type: 'mle_digest', event_payload: { week: '2024-W01' } });
  });

  it('records response_url posts and refuses invalid ones with a 4xx', async () => {
    const ok = await fetch(slack.responseUrl('abc'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello', response_type: 'ephemeral' }),
    });
    expect(ok.status).toBe(200);
    const bad = await fetch(slack.responseUrl('abc'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: '' } }] }),
    });
    expect(bad.status).toBe(400);
    const calls = slack.callsTo('response_url');
    expect(calls.map((c) => c.responseUrlId)).toEqual(['abc', 'abc']);
    expect(calls[0]?.body.text).toBe('hello');
  });

  it('checks Home views against the 100-block limit', async () => {
    const blocks = Array.from({ length: 100 }, () => ({ type: 'divider' }));
    await client.views.publish({ user_id: 'U1', view: { type: 'home', blocks } as never });
    await expect(
      client.views.publish({
        user_id: 'U1',
        view: { type: 'home', blocks: [...blocks, { type: 'divider' }] } as never,
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
  });
});
