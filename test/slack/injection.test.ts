import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/feedback/answers.ts';
import type { Match } from '../../src/search/engine.ts';
import { answerMessage, notCoveredMessage } from '../../src/slack/messages/answer.ts';
import {
  homeView,
  randomMessage,
  sectionMessage,
  sectionNotFoundMessage,
  sectionsMessage,
} from '../../src/slack/messages/browse.ts';
import { parseIntent, stripSlackMarkup } from '../../src/slack/text.ts';
import { type BotEnv, openBotEnv } from '../helpers/bot.ts';
import { button, buttons, click, command, unescapedMarkup, uniqueId } from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';
import { validateBlocks } from '../helpers/slack-api/block-kit.ts';
import type { RecordedCall } from '../helpers/slack-api/server.ts';

const HOSTILE = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U123>',
  '<@U123|boss>',
  '<!subteam^X>',
  '<!subteam^S0123|@team>',
  '&lt;!here&gt;',
  '<#C123|general>',
  '<https://evil.example|click me>',
  '<mailto:x@y.z>',
  '&amp;lt;!channel&amp;gt;',
  '<<!channel>>',
  '<!channel',
  '>',
];

const asCall = (body: unknown): RecordedCall =>
  ({ method: 'x', body, raw: '', headers: {}, status: 200, response: {}, at: 0 }) as RecordedCall;

/** Deterministic junk: Slack markup, entities, control and bidi characters, emoji, words that match. */
function fuzz(count: number, seed: number): string[] {
  const pieces = [
    ...HOSTILE,
    'who',
    'deploys',
    'models',
    'section',
    'help',
    '&',
    '<',
    '>',
    '|',
    '*',
    '_',
    '`',
    '\u202e',
    '\u0000',
    '\u200b',
    '"',
    "'",
    '%',
    'é',
    '🙂',
    ' ',
    '\n',
    'x'.repeat(300),
  ];
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(rand() * 10) }, () => pieces[Math.floor(rand() * pieces.length)]).join(
      rand() < 0.5 ? ' ' : '',
    ),
  );
}

function chunks<T>(xs: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));
}

let env: BotEnv;
beforeAll(async () => {
  env = await openBotEnv();
});
afterAll(() => env?.close());

describe('mention injection through every surface', () => {
  it('questions with mentions and links ping nobody: command, share, did-you-mean, section, mention, DM', async () => {
    env.slack.reset();
    await Promise.all(
      HOSTILE.map(async (h) => {
        const answered = await command(env, `who deploys models to production ${h}?`);
        await click(env, button(answered, 'answer_share'));
        const notCovered = await command(env, `who fixes the coffee machine ${h}`);
        const choice = buttons(notCovered).find((b) => b.action_id?.startsWith('did_you_mean_'));
        if (choice) await click(env, choice);
        await command(env, `section ${h}`);
        await command(env, h);
      }),
    );
    let ts = 1_700_000_000;
    for (const h of HOSTILE) {
      for (const event of [
        {
          type: 'app_mention',
          user: 'U0ASKER1',
          text: `<@UBOT0001> who deploys models ${h}`,
          ts: `${++ts}.1`,
          channel: 'C1',
        },
        {
          type: 'message',
          channel_type: 'im',
          user: 'U0ASKER1',
          text: `who deploys ${h}`,
          ts: `${++ts}.1`,
          channel: 'D1',
        },
      ]) {
        expect((await send(env.bot.url, env.bot.signer.event(event, { eventId: uniqueId('EvInj') }))).status).toBe(200);
      }
    }
    await env.slack.waitFor('chat.postMessage', HOSTILE.length * 2);
    const calls = env.slack.calls;
    expect(calls.length).toBeGreaterThan(HOSTILE.length * 5);
    expect(calls.every((c) => c.status === 200)).toBe(true);
    // The only markup allowed anywhere: the "who asked" mention our code builds from the clicker's id.
    expect(unescapedMarkup(calls, ['U0ASKER1'])).toEqual([]);
    for (const c of calls) expect(c.raw).not.toMatch(/link_names/);
  });

  it('fuzzed questions through the endpoint: no crash, always an answer, never unescaped markup', async () => {
    env.slack.reset();
    const ids: string[] = [];
    for (const batch of chunks(fuzz(120, 7), 40)) {
      await Promise.all(
        batch.map((text) => {
          const id = uniqueId('fz');
          ids.push(id);
          return send(env.bot.url, env.bot.signer.command({ text, response_url: env.slack.responseUrl(id) }));
        }),
      );
    }
    const answers = await env.slack.waitFor('response_url', ids.length, 20_000);
    expect(new Set(answers.map((a) => a.responseUrlId))).toEqual(new Set(ids));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.some((a) => JSON.stringify(a.body).includes('something went wrong'))).toBe(false);
    expect(unescapedMarkup(answers)).toEqual([]);
  });

  it('1000 fuzzed texts through parsing and every message builder: never unescaped markup', () => {
    for (const text of fuzz(1000, 99)) {
      const intent = parseIntent(stripSlackMarkup(text));
      const question = intent.kind === 'ask' ? intent.question : text;
      const m: Match = {
        id: 'x',
        roleId: 'mle',
        section: 1,
        sectionTitle: text,
        title: text,
        description: text,
        score: 1,
        why: [text],
      };
      const a: Answer = {
        id: 'a',
        question,
        questionNorm: '',
        matches: [m, m, m, m],
        nearMisses: [m],
        answered: true,
        asked: { by: 'h', surface: 'command', channelId: null },
      };
      const messages = [
        answerMessage(a, { roleName: text, shareable: true }),
        answerMessage(a, { roleName: text, sharedBy: 'U0ASKER1' }),
        notCoveredMessage(a, { roleName: text }),
        sectionMessage({ number: 1, title: text, duties: 1 }, [m]),
        sectionNotFoundMessage(text, [{ number: 1, title: text, duties: 1 }]),
      ];
      for (const message of messages) {
        expect(unescapedMarkup([asCall(message)], ['U0ASKER1'])).toEqual([]);
        expect(validateBlocks(message.blocks, 50)).toBeUndefined();
      }
    }
  });
});

describe('strings from the database are escaped and kept within Block Kit limits', () => {
  const evil = (i: number): Match => ({
    id: `x:${i}`,
    roleId: 'mle',
    section: 1,
    sectionTitle: `<!channel> section & ${'s'.repeat(400)}`,
    title: `<@U123> title ${HOSTILE.join(' ')} ${'t'.repeat(300)}`,
    description: `<!here> ${HOSTILE.join(' ')} ${'d'.repeat(5000)}`,
    score: 0.5,
    why: [...HOSTILE, 'w'.repeat(3000)],
  });
  const answer: Answer = {
    id: '00000000-0000-4000-8000-000000000000',
    question: `${HOSTILE.join(' ')} ${'q'.repeat(3000)}`,
    questionNorm: 'q',
    matches: Array.from({ length: 10 }, (_, i) => evil(i)),
    nearMisses: Array.from({ length: 5 }, (_, i) => evil(i)),
    asked: { by: 'h', surface: 'command', channelId: null },
    answered: true,
  };

  it.each([
    ['answer', answerMessage(answer, { roleName: '<!channel> role', shareable: true })],
    ['shared answer', answerMessage(answer, { roleName: 'r', sharedBy: 'U0ASKER1' })],
    ['more', answerMessage(answer, { roleName: 'r', from: 3 })],
    ['not covered', notCoveredMessage({ ...answer, answered: false, matches: [] }, { roleName: '<!here>' })],
    ['random', randomMessage({ ...evil(1), sectionTitle: '<!channel>' })],
    [
      'section',
      sectionMessage(
        { number: 1, title: '<!channel>'.repeat(30), duties: 200 },
        Array.from({ length: 200 }, (_, i) => ({ ...evil(i) })),
      ),
    ],
    [
      'sections',
      sectionsMessage(
        '<!everyone>',
        Array.from({ length: 120 }, (_, i) => ({ number: i + 1, title: `<@U1> ${'x'.repeat(200)}`, duties: 3 })),
      ),
    ],
  ])('%s', (_name, message) => {
    expect(validateBlocks(message.blocks, 50)).toBeUndefined();
    expect(message.text.length).toBeGreaterThan(0);
    expect(message.text.length).toBeLessThanOrEqual(3000);
    expect(unescapedMarkup([asCall(message)], ['U0ASKER1'])).toEqual([]);
  });

  it('home view: pages of a long section within 100 blocks', () => {
    const duties = Array.from({ length: 95 }, (_, i) => ({ ...evil(i) }));
    const sections = Array.from({ length: 120 }, (_, i) => ({ number: i + 1, title: `<!here> ${i}`, duties: 95 }));
    for (const page of [0, 1, 2, 7]) {
      const view = homeView('<!channel>', sections, { section: sections[0] as never, duties, page });
      expect(validateBlocks(view.blocks, 100, false)).toBeUndefined();
      expect(unescapedMarkup([asCall(view)])).toEqual([]);
    }
    const last = homeView('r', sections, { section: sections[0] as never, duties, page: 2 });
    expect(JSON.stringify(last)).toContain('Page 3 of 3');
    expect(JSON.stringify(last)).toContain('home_page_prev');
    expect(JSON.stringify(last)).not.toContain('home_page_next');
  });
});
