import { request } from 'node:http';
import { SocketModeReceiver } from '@slack/bolt';
import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';
import { type SocketModeStandIn, startSocketMode } from '../helpers/socket-mode.ts';

// The Socket Mode tests prove something only if the stand-in talks to Slack's own client as Slack does.
describe('Socket Mode stand-in', () => {
  let slack: SlackApiStandIn;
  let socket: SocketModeStandIn;
  beforeAll(async () => {
    slack = await startSlackApi();
    socket = await startSocketMode(slack);
  });
  afterAll(async () => {
    await socket.close();
    await slack.close();
  });
  beforeEach(() => {
    slack.reset();
    socket.reset();
  });

  const open = (token: string) =>
    new WebClient(token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR })
      .apiCall('apps.connections.open')
      .catch((err: { data?: unknown }) => err.data);

  /** The status of a WebSocket upgrade request to `url` (101 when accepted). */
  const upgrade = (url: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(url.replace(/^ws:/, 'http:'), {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'sec-websocket-version': '13',
        },
      });
      req.on('upgrade', (res, s) => {
        expect(res.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
        s.destroy();
        resolve(101);
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });

  it('apps.connections.open takes only the app-level token and answers a ws:// URL with a one-time ticket', async () => {
    expect(await open(slack.token)).toMatchObject({ ok: false, error: 'not_allowed_token_type' });
    expect(await open('xapp-1-wrong')).toMatchObject({ ok: false, error: 'invalid_auth' });
    const answer = (await open(slack.appToken)) as { ok: boolean; url: string };
    expect(answer.ok).toBe(true);
    expect(answer.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]+/);
    // Slack's debugging parameter changes nothing here.
    expect(await upgrade(`${answer.url}&debug_reconnects=true`)).toBe(101);
    expect(await upgrade(answer.url)).toBe(400);
    expect(await upgrade(`${socket.url}?ticket=made-up`)).toBe(400);
    // The one accepted went away at once: it no longer counts.
    for (let waited = 0; socket.connections > 0; waited += 10) {
      if (waited > 2000) throw new Error('a connection whose client went away still counts as open');
      await new Promise((r) => setTimeout(r, 10));
    }
  });

  describe("with Slack's own client", () => {
    let receiver: SocketModeReceiver;
    const received: { type: string; body: Record<string, unknown>; ack: (r?: unknown) => Promise<void> }[] = [];
    beforeEach(async () => {
      receiver = new SocketModeReceiver({
        appToken: slack.appToken,
        logLevel: LogLevel.ERROR,
        installerOptions: { clientOptions: { slackApiUrl: slack.url } },
      });
      receiver.client.on('slack_event', (e: (typeof received)[number]) => received.push(e));
      await receiver.client.start();
    });
    afterEach(async () => {
      received.length = 0;
      await receiver.client.disconnect();
    });

    const delivered = async (count: number) => {
      for (let waited = 0; received.length < count; waited += 10) {
        if (waited > 5000) throw new Error(`${received.length} of ${count} envelopes delivered`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };

    it('says hello, delivers envelopes of every size intact and records the acks with their payloads', async () => {
      expect(socket.connections).toBe(1);
      const long = 'x'.repeat(70_000);
      const small = socket.command({ text: 'hi' });
      const large = socket.event({ type: 'app_mention', text: long, user: 'U1', ts: '1.1', channel: 'C1' });
      await delivered(2);
      expect(received.map((e) => e.type)).toEqual(['slash_commands', 'events_api']);
      expect(received[0]?.body.text).toBe('hi');
      expect((received[1]?.body.event as { text?: string } | undefined)?.text).toBe(long);
      await received[0]?.ack();
      const reply = { text: 'y'.repeat(300) };
      await received[1]?.ack(reply);
      expect((await socket.waitForAck(small)).payload).toEqual({});
      const ack = await socket.waitForAck(large);
      expect(ack.payload).toEqual(reply);
      expect(ack.ms).toBeGreaterThanOrEqual(0);
    });

    it('closes cleanly when the client disconnects', async () => {
      await receiver.client.disconnect();
      for (let waited = 0; socket.connections > 0; waited += 10) {
        if (waited > 2000) throw new Error('the connection stayed open');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(() => socket.command({ text: 'nobody hears this' })).toThrow('no connection is open');
      await receiver.client.start();
    });
  });
});
