/**
 * A local stand-in for Slack's side of Socket Mode: a WebSocket server on 127.0.0.1 (random port) whose URLs the Web
 * API stand-in's apps.connections.open hands out, so the bot's real SocketModeReceiver connects to it as to Slack.
 *
 *   const slack = await startSlackApi();
 *   const socket = await startSocketMode(slack);     // apps.connections.open (Bearer slack.appToken) answers its URLs
 *   … the bot with SLACK_APP_TOKEN = slack.appToken, SLACK_API_URL = slack.url …
 *   await socket.connected();                        // a client connected and was sent its hello
 *   const id = socket.command({ text: 'who reviews code?', response_url: slack.responseUrl('q1') });
 *   const ack = await socket.waitForAck(id);         // { envelopeId, payload, at, ms }
 *   socket.event({ type: 'app_mention', … }, { eventId: 'Ev1', retryAttempt: 1 })   // events_api
 *   socket.action({ type: 'block_actions', … })      // interactive
 *   socket.send(envelope)                            // any envelope as is; the same one again is a redelivery
 *   socket.acks                                      // every ack, in order of arrival
 *   socket.disconnect('refresh_requested')           // what Slack sends before it recycles a connection
 *   await socket.close()
 *
 * As Slack does (docs.slack.dev/apis/events-api/using-socket-mode): each URL's ticket is good for one connection
 * (a `debug_reconnects` parameter is accepted and ignored), a connection gets {type:'hello', …} first, envelopes are
 * {envelope_id, type, payload, accepts_response_payload} (events_api also retry_attempt, retry_reason), the client
 * acks with {envelope_id, payload?}. With several connections open, each envelope goes to one of them (in turn).
 * The server pings every `pingEveryMs` and answers the client's pings (the client drops a connection whose pongs stop).
 *
 * The WebSocket protocol (RFC 6455) is implemented here only as far as this needs: the opening handshake, masked
 * client frames (fragmented or not), unmasked server frames, ping/pong and the closing handshake; no extensions.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type CommandFields, commandFields, type EventOptions, eventCallback } from './signer.ts';
import type { SlackApiStandIn } from './slack-api/server.ts';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface RecordedAck {
  envelopeId: string;
  /** What the client sent with its ack (Bolt sends {} when the listener acked without a response). */
  payload: unknown;
  /** Epoch ms, as the Web API stand-in records its calls. */
  at: number;
  /** Since the envelope was (last) sent, ms. */
  ms: number;
}

export interface SocketEventOptions extends EventOptions {
  envelopeId?: string;
  retryAttempt?: number;
  retryReason?: string;
}

export interface SocketModeStandIn {
  /** ws://127.0.0.1:<port>/link/ (each connection needs a ticket from apps.connections.open). */
  readonly url: string;
  readonly acks: RecordedAck[];
  /** Connections open now (sent their hello). */
  readonly connections: number;
  /** Resolves once `count` connections are open. */
  connected(count?: number, timeoutMs?: number): Promise<void>;
  /** Sends an envelope to one open connection; throws when none is. */
  send(envelope: Envelope): void;
  /** A slash command (fields as signer.command takes them); returns its envelope id. */
  command(fields: CommandFields, options?: { envelopeId?: string }): string;
  /** An Events API delivery around `event`; returns its envelope id. */
  event(event: Record<string, unknown>, options?: SocketEventOptions): string;
  /** An interactive payload (block_actions, view_submission…); returns its envelope id. */
  action(payload: Record<string, unknown>, options?: { envelopeId?: string }): string;
  /** Resolves with the (first) ack of this envelope. */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<RecordedAck>;
  /** Sends {type:'disconnect', reason} to every open connection (the client closes, then reconnects). */
  disconnect(reason?: 'warning' | 'refresh_requested' | 'link_disabled'): void;
  /** Forgets acks and what was sent. */
  reset(): void;
  close(): Promise<void>;
}

export interface SocketModeOptions {
  /** How often the server pings each connection (Slack pings; the client watches for them once they start). */
  pingEveryMs?: number;
}

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export async function startSocketMode(
  slack: SlackApiStandIn,
  options: SocketModeOptions = {},
): Promise<SocketModeStandIn> {
  const tickets = new Set<string>();
  const open: Connection[] = [];
  const acks: RecordedAck[] = [];
  const sentAt = new Map<string, number>();
  const waiters = new Set<() => void>();
  let turn = 0;
  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const server = createServer((_req, res) => res.writeHead(426, { connection: 'close' }).end());
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ticket = url.searchParams.get('ticket') ?? '';
    const key = req.headers['sec-websocket-key'];
    const upgrade = req.headers.upgrade?.toLowerCase() === 'websocket';
    if (url.pathname !== '/link/' || !tickets.delete(ticket) || typeof key !== 'string' || !upgrade) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(`${key}${ACCEPT_GUID}`).digest('base64');
    socket.setNoDelay(true);
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`,
    );
    const connection = new Connection(socket, {
      text: (text) => {
        let message: { envelope_id?: unknown; payload?: unknown };
        try {
          message = JSON.parse(text) as typeof message;
        } catch {
          return;
        }
        if (typeof message.envelope_id !== 'string') return;
        const sent = sentAt.get(message.envelope_id);
        acks.push({
          envelopeId: message.envelope_id,
          payload: message.payload,
          at: Date.now(),
          ms: sent === undefined ? Number.NaN : performance.now() - sent,
        });
        notify();
      },
      closed: () => {
        const i = open.indexOf(connection);
        if (i >= 0) open.splice(i, 1);
        notify();
      },
    });
    connection.sendText(
      JSON.stringify({
        type: 'hello',
        num_connections: open.length + 1,
        debug_info: { host: 'applink-stand-in', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0TEST01' },
      }),
    );
    open.push(connection);
    notify();
  });
  const pinger = setInterval(() => {
    for (const c of open) c.ping();
  }, options.pingEveryMs ?? 5000);
  pinger.unref();

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link/`;
  slack.socketModeUrl = () => {
    const ticket = randomUUID();
    tickets.add(ticket);
    return `${url}?ticket=${ticket}&app_id=A0TEST01`;
  };

  const until = <T>(found: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value === undefined) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`waited ${timeoutMs} ms for ${what()}`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });

  const send = (envelope: Envelope) => {
    const connection = open[turn++ % Math.max(1, open.length)];
    if (!connection) throw new Error('Socket Mode stand-in: no connection is open');
    sentAt.set(envelope.envelope_id, performance.now());
    connection.sendText(JSON.stringify(envelope));
  };

  return {
    url,
    acks,
    get connections() {
      return open.length;
    },
    connected: (count = 1, timeoutMs = 10_000) =>
      until(
        () => (open.length >= count ? true : undefined),
        timeoutMs,
        () => `${count} Socket Mode connection(s); open: ${open.length}`,
      ).then(() => undefined),
    send,
    command(fields, o = {}) {
      const envelopeId = o.envelopeId ?? randomUUID();
      send({
        envelope_id: envelopeId,
        type: 'slash_commands',
        payload: commandFields(fields),
        accepts_response_payload: true,
      });
      return envelopeId;
    },
    event(event, o = {}) {
      const envelopeId = o.envelopeId ?? randomUUID();
      send({
        envelope_id: envelopeId,
        type: 'events_api',
        payload: eventCallback(event, o),
        accepts_response_payload: false,
        retry_attempt: o.retryAttempt ?? 0,
        retry_reason: o.retryReason ?? '',
      });
      return envelopeId;
    },
    action(payload, o = {}) {
      const envelopeId = o.envelopeId ?? randomUUID();
      send({ envelope_id: envelopeId, type: 'interactive', payload, accepts_response_payload: true });
      return envelopeId;
    },
    waitForAck: (envelopeId, timeoutMs = 5000) =>
      until(
        () => acks.find((a) => a.envelopeId === envelopeId),
        timeoutMs,
        () => `the ack of envelope ${envelopeId}; acks seen: ${acks.length}`,
      ),
    disconnect(reason = 'refresh_requested') {
      for (const c of open) {
        c.sendText(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-stand-in' } }));
      }
    },
    reset() {
      acks.length = 0;
      sentAt.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(pinger);
        delete slack.socketModeUrl;
        for (const c of [...open]) c.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One client connection: reads its frames, writes ours. */
class Connection {
  /** Bytes received and not yet a whole frame. */
  private pending = Buffer.alloc(0);
  /** The fragments of a message still coming, and its opcode. */
  private fragments: Buffer[] = [];
  private fragmentsOp = 0;
  private closing = false;
  private readonly socket: Socket;
  private readonly on: { text(text: string): void; closed(): void };

  constructor(socket: Socket, on: Connection['on']) {
    this.socket = socket;
    this.on = on;
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.once('close', () => on.closed());
    // The HTTP server made the socket half-open capable: a client that just goes away would stay counted as open.
    socket.once('end', () => socket.end());
    socket.on('error', () => socket.destroy());
  }

  sendText(text: string): void {
    this.write(OP.text, Buffer.from(text));
  }

  ping(): void {
    this.write(OP.ping, Buffer.from(`stand-in ${Date.now()}`));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private write(op: number, payload: Buffer): void {
    if (this.socket.destroyed || this.closing) return;
    const n = payload.length;
    // Server frames are never masked; the length takes 7 bits, or 16, or 64 after a marker.
    const head = Buffer.alloc(n < 126 ? 2 : n < 65_536 ? 4 : 10);
    head[0] = 0x80 | op;
    if (n < 126) head[1] = n;
    else if (n < 65_536) {
      head[1] = 126;
      head.writeUInt16BE(n, 2);
    } else {
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(n), 2);
    }
    this.socket.write(Buffer.concat([head, payload]));
  }

  private read(chunk: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      if (buf.length < 2) break;
      const b0 = buf[0] as number;
      const b1 = buf[1] as number;
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buf.length < 4) break;
        length = buf.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buf.length < 10) break;
        length = Number(buf.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      if (!masked) {
        // A client must mask every frame (RFC 6455 §5.1): protocol error.
        this.close(1002);
        return;
      }
      if (buf.length < offset + 4 + length) break;
      const mask = buf.subarray(offset, offset + 4);
      const payload = Buffer.from(buf.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i & 3] as number);
      buf = buf.subarray(offset + 4 + length);
      this.frame((b0 & 0x80) !== 0, b0 & 0x0f, payload);
    }
    this.pending = Buffer.from(buf);
  }

  private frame(fin: boolean, op: number, payload: Buffer): void {
    if (op === OP.ping) {
      this.write(OP.pong, payload);
      return;
    }
    if (op === OP.pong) return;
    if (op === OP.close) {
      this.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
      return;
    }
    if (op !== OP.continuation) this.fragmentsOp = op;
    this.fragments.push(payload);
    if (!fin) return;
    const message = Buffer.concat(this.fragments);
    this.fragments = [];
    if (this.fragmentsOp === OP.text) this.on.text(message.toString('utf8'));
  }

  /** Answers (or starts) the closing handshake, then ends the TCP connection. */
  private close(code: number): void {
    if (this.closing) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code, 0);
    this.write(OP.close, payload);
    this.closing = true;
    this.socket.end();
  }
}
