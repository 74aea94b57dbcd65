// The fetch of every Slack call, against a real local server: what Slack's clients send arrives as sent, what comes
// back reads as fetch's Response, and time limits, failures and redirects reject as fetch rejects them.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpFetch } from '../src/http-fetch.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
      if (req.url === '/moved') return void res.writeHead(302, { location: '/elsewhere' }).end();
      if (req.url === '/empty') return void res.writeHead(204).end();
      if (req.url === '/gone') return void res.writeHead(410, 'Gone', { 'content-type': 'text/plain' }).end('expired');
      res.writeHead(200, { 'content-type': 'application/json', 'x-slack-req-id': 'r1', 'set-cookie': ['a=1', 'b=2'] });
      res.end(JSON.stringify({ ok: true, echo: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

it('posts a form body as the Web API client sends it, and reads the JSON reply', async () => {
  const res = await httpFetch(`${base}/api/chat.postMessage`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer xoxb-test' },
    body: 'channel=C1&text=h%C3%A9llo',
    redirect: 'error',
  });
  expect(res.status).toBe(200);
  expect(res.ok).toBe(true);
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(res.headers.get('x-slack-req-id')).toBe('r1');
  expect(await res.json()).toEqual({ ok: true, echo: 'channel=C1&text=h%C3%A9llo' });
  const last = seen.at(-1) as Seen;
  expect(last).toMatchObject({ method: 'POST', url: '/api/chat.postMessage' });
  expect(last.headers.authorization).toBe('Bearer xoxb-test');
  expect(last.headers['content-length']).toBe(String(Buffer.byteLength('channel=C1&text=h%C3%A9llo')));
});

it('sends bytes and URLSearchParams bodies whole, multi-byte text counted in bytes', async () => {
  const text = JSON.stringify({ text: 'déjà vu — 学習' });
  await httpFetch(`${base}/r`, { method: 'POST', body: new TextEncoder().encode(text) });
  expect(seen.at(-1)?.body).toBe(text);
  await httpFetch(`${base}/r`, { method: 'POST', body: new URLSearchParams({ a: '1 2', b: 'ü' }) });
  expect(seen.at(-1)?.body).toBe('a=1+2&b=%C3%BC');
  expect(seen.at(-1)?.headers['content-type']).toContain('application/x-www-form-urlencoded');
});

it('returns error statuses as responses (respond() checks ok), and empty ones without a body', async () => {
  const gone = await httpFetch(`${base}/gone`, { method: 'POST', body: '{}' });
  expect([gone.status, gone.ok, gone.statusText, await gone.text()]).toEqual([410, false, 'Gone', 'expired']);
  const empty = await httpFetch(`${base}/empty`);
  expect(empty.status).toBe(204);
  expect(await empty.text()).toBe('');
});

it('rejects with the signal’s reason when its time runs out, and at once when it already has', async () => {
  const started = performance.now();
  const err = await httpFetch(`${base}/slow`, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
  expect((err as Error).name).toBe('TimeoutError');
  expect(performance.now() - started).toBeLessThan(1500);
  const controller = new AbortController();
  controller.abort();
  const early = await httpFetch(`${base}/r`, { signal: controller.signal }).catch((e: unknown) => e);
  expect((early as Error).name).toBe('AbortError');
});

it('rejects as fetch does on a refused connection and on a redirect when redirects are errors', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const refused = await httpFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(TypeError);
  expect((refused as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  const moved = await httpFetch(`${base}/moved`, { redirect: 'error' }).catch((e: unknown) => e);
  expect(moved).toBeInstanceOf(TypeError);
  const manual = await httpFetch(`${base}/moved`, { redirect: 'manual' });
  expect([manual.status, manual.headers.get('location')]).toEqual([302, '/elsewhere']);
});

it('hands what it does not send itself (a FormData upload) to the built-in fetch', async () => {
  const form = new FormData();
  form.append('file', new Blob(['bytes']), 'a.txt');
  const res = await httpFetch(`${base}/upload`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  expect(seen.at(-1)?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  expect(seen.at(-1)?.body).toContain('bytes');
});
