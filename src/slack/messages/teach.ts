// Teaching the bot from Slack: what `teach`, `untaught`, `taught` and `report` answer, as pure Block Kit. Every
// phrase, question, title and name here came from a person or the database, so all of it is escaped; nobody is
// mentioned (keepers are named, not pinged).
import {
  actions,
  type Block,
  button,
  context,
  fallback,
  type Message,
  section,
  textMessage,
} from '../../blocks/kit.ts';
import { escapeMrkdwn, safeText } from '../../blocks/mrkdwn.ts';
import type { AskedQuestion } from '../../feedback/answers.ts';
import type { Match } from '../../search/engine.ts';
import type { ConfirmedPair, DutyRef, TaughtAlias } from '../../teach/store.ts';
import { MAX_PHRASE_LENGTH, type Outcome } from '../../teach/teach.ts';

export const TEACH_ACTION = 'teach_this';

const TEACH_USAGE = [
  '*Teaching me phrases* (catalog keepers):',
  '• `/mle-duties teach <duty title or id> <phrase>`, e.g. `/mle-duties teach Model Monitoring babysit the scoring job` (quote a title that could run into the phrase: `teach "Model Monitoring" …`)',
  '• `/mle-duties untaught <duty title or id> <phrase>`, or `untaught <phrase>`',
  '• `/mle-duties taught`: the phrases taught in this workspace',
  '• `/mle-duties report`: questions people confirmed or nobody could answer, each with *Teach this*',
]
  .map(escapeMrkdwn)
  .join('\n');

const duty = (d: DutyRef) => `*${safeText(d.title, 150)}* (\`${safeText(d.id, 200)}\`)`;
const quote = (phrase: string) => `“${safeText(phrase, MAX_PHRASE_LENGTH + 10)}”`;

/** Who may teach, by name: the workspace's admins and owners, and the people of the ADMINS setting. */
function keepersLine(adminNames: readonly string[]): string {
  const named = adminNames.map((n) => safeText(n, 80));
  return named.length > 0
    ? `this workspace's admins and owners, and ${named.join(', ')}`
    : "this workspace's admins and owners";
}

export function teachOutcomeMessage(outcome: Outcome, adminNames: readonly string[] = []): Message {
  switch (outcome.kind) {
    case 'taught':
      return textMessage(
        `Taught: ${quote(outcome.phrase)} now finds ${duty(outcome.duty)} for everyone in this workspace, from the next question on. Undo with \`/mle-duties untaught ${escapeMrkdwn(outcome.duty.title)} ${escapeMrkdwn(outcome.phrase)}\`.`,
      );
    case 'already':
      return textMessage(`${quote(outcome.phrase)} was already taught to ${duty(outcome.duty)}; nothing changed.`);
    case 'untaught':
      return textMessage(`Removed: ${quote(outcome.phrase)} no longer finds ${duty(outcome.duty)} in this workspace.`);
    case 'not_taught':
      return textMessage(
        `${quote(outcome.phrase)} is not a taught phrase${outcome.duty ? ` of ${duty(outcome.duty)}` : ''} in this workspace; nothing changed. \`/mle-duties taught\` lists them.`,
      );
    case 'which_duty':
      return textMessage(
        `${quote(outcome.phrase)} is taught to ${outcome.duties.length} duties: ${outcome.duties.map(duty).join(', ')}. Please name the duty: \`/mle-duties untaught &lt;duty&gt; &lt;phrase&gt;\`.`,
      );
    case 'refused':
      return textMessage(
        outcome.reason === 'unknown'
          ? 'I could not check your Slack profile just now, so I cannot let you change what I answer. Please try again in a minute.'
          : `Sorry, only the catalog keepers can change what I answer: ${keepersLine(adminNames)}. You can still help: pick the right entry under “did you mean”, or vote 👍 on a good answer; the keepers see those in their report.`,
      );
    case 'bad_phrase':
      return textMessage(
        outcome.problem === 'too_long'
          ? `That phrase is too long: please keep it under ${MAX_PHRASE_LENGTH} characters (a few words people would type).`
          : outcome.problem === 'no_words'
            ? 'That phrase has no words I could search for. Please give the words people use, e.g. `babysit the scoring job`.'
            : `Please give the phrase after the duty.\n${TEACH_USAGE}`,
      );
    case 'unknown_duty':
      return textMessage(
        `I found no duty named ${quote(outcome.ref.slice(0, 100))}. Use a duty's title as \`/mle-duties section &lt;number&gt;\` shows it, or its id (section number, colon, title, e.g. \`2:Model Monitoring\`).`,
      );
    case 'ambiguous_duty':
      return textMessage(
        `Several sections have a duty titled ${quote(outcome.ref)}: ${outcome.duties.map(duty).join(', ')}. Please use the id of the one you mean.`,
      );
    case 'usage':
      return textMessage(TEACH_USAGE);
  }
}

/** The phrases taught in this workspace, by duty. */
export function taughtListMessage(taught: readonly TaughtAlias[]): Message {
  if (taught.length === 0) {
    return textMessage(`No phrases are taught in this workspace yet.\n${TEACH_USAGE}`);
  }
  const lines = taught
    .slice(0, 100)
    .map((a) => `• ${quote(a.phrase)} → *${safeText(a.title, 150)}* (\`${safeText(a.dutyId, 200)}\`)`);
  const more = taught.length > 100 ? `\n…and ${taught.length - 100} more (\`npm run report\` lists them all).` : '';
  const text = `*Phrases taught in this workspace* (${taught.length}):\n${lines.join('\n')}${more}`;
  return {
    text: fallback(`Phrases taught in this workspace: ${taught.length}`),
    blocks: [section(text.slice(0, 2990))],
  };
}

export interface ReportData {
  pairs: readonly ConfirmedPair[];
  unanswered: readonly (AskedQuestion & { answerId: string; nearMisses: Match[] })[];
  taughtCount: number;
  days: number;
}

const MAX_PAIRS = 10;
const MAX_UNANSWERED = 8;

/**
 * The keepers' report in Slack: pairs people confirmed (not taught yet) and questions nobody could answer, each with
 * "Teach this" for the duty in question. Button value: `<answer id>|<duty id>`, the question taken from that answer.
 */
export function reportMessage(data: ReportData): Message {
  const blocks: Block[] = [
    section(
      `*What people asked here* (last ${data.days} days). *Teach this* makes the question a phrase of that duty in this workspace. ${data.taughtCount} phrase${data.taughtCount === 1 ? '' : 's'} taught so far (\`/mle-duties taught\`).`,
    ),
    context(
      'Only questions asked by @mention in public channels are listed: what was asked in a DM, with the slash command or in a private channel stays with its asker.',
    ),
  ];
  let n = 0;
  const open = data.pairs.filter((p) => !p.taught).slice(0, MAX_PAIRS);
  blocks.push(context(`*Confirmed by people* (a “did you mean” pick or a 👍): ${open.length === 0 ? 'none yet' : ''}`));
  for (const p of open) {
    blocks.push({
      type: 'section',
      block_id: `teach_pair_${n}`,
      text: {
        type: 'mrkdwn',
        text: `*${safeText(p.question, 300)}*\n→ ${safeText(p.title, 150)} (\`${safeText(p.dutyId, 200)}\`) · ${p.people} ${p.people === 1 ? 'person' : 'people'}`,
      },
      accessory: button(`${TEACH_ACTION}_${n++}`, 'Teach this', `${p.answerId}|${p.dutyId}`),
    });
  }
  const questions = data.unanswered.slice(0, MAX_UNANSWERED);
  blocks.push(context(`*No confident match*: ${questions.length === 0 ? 'none' : ''}`));
  questions.forEach((q, i) => {
    blocks.push(section(`*${safeText(q.question, 300)}* · asked ${q.times}×`));
    const near = q.nearMisses.slice(0, 3);
    if (near.length > 0) {
      blocks.push(
        actions(
          `teach_unanswered_${i}`,
          near.map((m) => button(`${TEACH_ACTION}_${n++}`, `Teach this → ${m.title}`, `${q.answerId}|${m.id}`)),
        ),
      );
    } else {
      blocks.push(context('No near duty: teach it with `/mle-duties teach &lt;duty&gt; &lt;phrase&gt;`.'));
    }
  });
  return {
    text: fallback(`Report: ${open.length} confirmed pairs, ${questions.length} unanswered questions.`),
    blocks,
  };
}

export const REPORT_REFUSED = (adminNames: readonly string[]): Message =>
  textMessage(
    `Sorry, the report shows what people asked, so only the catalog keepers can see it: ${keepersLine(adminNames)}.`,
  );
