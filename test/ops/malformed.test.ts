// One request must never take the process down: malformed bodies that pass the signature check get 400, timestamps
// must be whole numbers, and a promise rejection nobody handled is logged and counted, not fatal. On the real
// process (node --import tsx src/main.ts), since what kills a process only shows in one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_SECRET, sample } from '../helpers/bot.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { handOver, type MainProcess, startMain } from '../helpers/main-process.ts';
import { responseFor, uniqueId } from '../helpers/payloads.ts';
import { createSigner, send } from '../helpers/signer.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';

const signer = createSigner(SIGNING_SECRET);
const JSON_TYPE = 'application/json';
const FORM = 'application/x-www-form-urlencoded';

let tdb: TestDb;
let slack: SlackApiStandIn;
let proc: MainProcess;
beforeAll(async () => {
  tdb = await openTestDb();
  slack = await startSlackApi();
  proc = await startMain(slack, await handOver(tdb));
}, 60_000);
afterAll(async () => {
  if (proc && proc.child.exitCode === null) {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
  await slack?.close();
  await tdb?.close();
});

/** A real question, answered: the process is alive and serving. */
async function stillAnswers(): Promise<void> {
  const id = uniqueId('alive');
  const res = await send(
    proc.url,
    signer.command({ text: 'who deploys models?', response_url: slack.responseUrl(id) }),
  );
  expect(res.status).toBe(200);
  expect((await responseFor(slack, id, 10_000)).status).toBe(200);
}

describe('the real process and one bad request', () => {
  it.each([
    ['JSON null', 'null', JSON_TYPE],
    ['a JSON array', '[{"type":"event_callback"}]', JSON_TYPE],
    ['a JSON string', '"hello"', JSON_TYPE],
    ['a JSON number', '42', JSON_TYPE],
    ['invalid JSON', '{"type":', JSON_TYPE],
    ['an object of no kind Slack sends', '{"hello":"world"}', JSON_TYPE],
    ['an event callback without its event', '{"type":"event_callback","event_id":"Ev1"}', JSON_TYPE],
    ['a form whose payload is null', 'payload=null', FORM],
    ['a form whose payload is an array', `payload=${encodeURIComponent('[1,2]')}`, FORM],
    ['a form whose payload is not JSON', 'payload=%7Bnope', FORM],
    ['a garbage form', '%%%&&==&x', FORM],
  ])('signed %s → 400, and the process lives on', async (_name, body, type) => {
    const res = await send(proc.url, signer.sign(body, type), { timeoutMs: 5000 });
    expect(res.status).toBe(400);
    expect(proc.child.exitCode).toBeNull();
  });

  it.each([
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['1e999', '1e999'],
    ['a fraction', `${Math.floor(Date.now() / 1000)}.5`],
    ['negative', '-1'],
    ['empty', ''],
  ])('a timestamp that is not a whole number (%s) → 401, even signed over it', async (_name, timestamp) => {
    const req = signer.command({ text: 'random', response_url: slack.responseUrl(uniqueId('ts')) }, { timestamp });
    expect((await send(proc.url, req, { timeoutMs: 5000 })).status).toBe(401);
  });

  it.each([
    ['a click with nothing in it', `payload=${encodeURIComponent('{"type":"block_actions"}')}`, FORM],
    ['a command with no text, user or response_url', 'command=%2Fmle-duties', FORM],
    ['an event of no kind the bot knows', '{"type":"event_callback","event":{"type":"nothing"}}', JSON_TYPE],
  ])('signed %s: answered without a server error, and the process lives on', async (_name, body, type) => {
    const res = await send(proc.url, signer.sign(body, type), { timeoutMs: 5000 });
    expect([200, 400, 404]).toContain(res.status);
    expect(proc.child.exitCode).toBeNull();
  });

  it('after all of them it still answers, and /metrics counts unhandled rejections (none here)', async () => {
    await stillAnswers();
    expect(proc.child.exitCode).toBeNull();
    const text = await (await fetch(`${proc.base}/metrics`)).text();
    expect(text).toContain('mle_duties_unhandled_rejections_total');
    expect(sample(text, 'mle_duties_unhandled_rejections_total')).toBe(0);
  });
});
