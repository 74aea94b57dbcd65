/**
 * Signs requests the way Slack does (v0: HMAC-SHA256 of `v0:{timestamp}:{raw body}`) and sends them.
 *
 *   const signer = createSigner('secret');
 *   const req = signer.command({ text: 'who monitors models?', response_url: slack.responseUrl('q1') });
 *   const res = await send(`${base}/slack/events`, req);          // { status, body }
 *   signer.event({ type: 'app_mention', … }, { eventId: 'Ev1', retryNum: 2 })
 *   signer.action(payload)                                          // interactivity (form-encoded `payload=`)
 *   signer.sign(rawBody, 'application/json', { timestamp })         // any raw body
 *
 * Every builder returns { body, headers } with the headers already signed; tests tamper with either afterwards.
 */
import { createHmac } from 'node:crypto';

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export interface SignOptions {
  /** Seconds since the epoch; default now. Text goes into the header as is (a malformed one, say). */
  timestamp?: number | string;
  /** X-Slack-Retry-Num / X-Slack-Retry-Reason (events only). */
  retryNum?: number;
  retryReason?: string;
}

export interface CommandFields {
  command?: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  response_url?: string;
  trigger_id?: string;
  [key: string]: string | undefined;
}

export interface EventOptions extends SignOptions {
  eventId?: string;
  teamId?: string;
  apiAppId?: string;
  eventTime?: number;
}

export interface Signer {
  readonly secret: string;
  signature(timestamp: number | string, body: string): string;
  sign(body: string, contentType: string, options?: SignOptions): SignedRequest;
  command(fields: CommandFields, options?: SignOptions): SignedRequest;
  event(event: Record<string, unknown>, options?: EventOptions): SignedRequest;
  action(payload: Record<string, unknown>, options?: SignOptions): SignedRequest;
}

let eventCounter = 0;

/** A slash command's fields as Slack sends them (over HTTP form-encoded, in Socket Mode as the envelope's payload). */
export function commandFields(fields: CommandFields): Record<string, string> {
  const all: Record<string, string> = {
    command: '/mle-duties',
    text: '',
    user_id: 'U0ASKER1',
    user_name: 'asker',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    team_id: 'T0TEST01',
    team_domain: 'test',
    trigger_id: `${Date.now()}.trigger`,
    api_app_id: 'A0TEST01',
    token: 'legacy-verification-token-unused',
  };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) all[k] = v;
  return all;
}

/** An Events API delivery (`event_callback`) around `event`, as Slack sends it over HTTP and in Socket Mode. */
export function eventCallback(event: Record<string, unknown>, options: EventOptions = {}): Record<string, unknown> {
  eventCounter += 1;
  return {
    token: 'legacy-verification-token-unused',
    team_id: options.teamId ?? 'T0TEST01',
    api_app_id: options.apiAppId ?? 'A0TEST01',
    event,
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${Date.now()}${eventCounter}`,
    event_time: options.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0TEST01', user_id: 'UBOT0001', is_bot: true }],
  };
}

export function createSigner(secret: string): Signer {
  const signature = (timestamp: number | string, body: string) =>
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const sign = (body: string, contentType: string, options: SignOptions = {}): SignedRequest => {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature(timestamp, body),
    };
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
    }
    return { body, headers };
  };
  return {
    secret,
    signature,
    sign,
    command: (fields, options) =>
      sign(new URLSearchParams(commandFields(fields)).toString(), 'application/x-www-form-urlencoded', options),
    event: (event, options = {}) => sign(JSON.stringify(eventCallback(event, options)), 'application/json', options),
    action(payload, options) {
      return sign(
        new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        'application/x-www-form-urlencoded',
        options,
      );
    },
  };
}

export interface SentResponse {
  status: number;
  body: string;
}

/**
 * POSTs a signed (or deliberately broken) request and returns the status and body text; with `timeoutMs`, fails when
 * no response comes by then (a request nobody acked).
 */
export async function send(
  url: string,
  req: SignedRequest,
  options: { timeoutMs?: number } = {},
): Promise<SentResponse> {
  const signal = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
  const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.body, signal });
  return { status: res.status, body: await res.text() };
}
