import {
  actions,
  type Block,
  type Button,
  button,
  context,
  fallback,
  type Message,
  section,
} from '../../blocks/kit.ts';
import { mentionUser, safeText } from '../../blocks/mrkdwn.ts';
import type { Answer } from '../../feedback/answers.ts';
import type { Match } from '../../search/engine.ts';
import { applySummary, withSummaryHint } from '../../summarize/blocks.ts';
import type { SummaryOutcome } from '../../summarize/summarizer.ts';
import { type OwnerDisplay, ownerButton, ownersContext, withButton } from './owners.ts';

export const SHOWN = 3;

export const ACTIONS = {
  more: 'answer_more',
  share: 'answer_share',
  voteUp: 'vote_up',
  voteDown: 'vote_down',
  didYouMean: 'did_you_mean',
} as const;

/** The buttons' block: a summary goes just above it, under the matches it cites. */
const ANSWER_ACTIONS_BLOCK_ID = 'answer_actions';

export interface AnswerOptions {
  /** Offer "Share in channel" (only on the asker's private copy). */
  shareable?: boolean;
  /** The user who shared it: the public copy says who asked. */
  sharedBy?: string;
  /** First match to show (the "More" page starts at 3). */
  from?: number;
  roleName: string;
  /**
   * Number the shown matches "[1] Title", "[2] …": set when a summary goes with the answer, since the
   * summary cites the shown matches by these numbers.
   */
  numbered?: boolean;
  /** Who carries each shown duty on this team, and the button beside it (see messages/owners.ts). */
  owners?: OwnerDisplay;
}

function matchBlocks(m: Match, n?: number, owners?: OwnerDisplay, i = 0): Block[] {
  const breadcrumb = `${safeText(m.sectionTitle, 200)} › section ${m.section}`;
  const title = `${n === undefined ? '' : `[${n}] `}${safeText(m.title, 200)}`;
  const main = section(`*${title}*\n_${breadcrumb}_\n${safeText(m.description, 1500)}`);
  const accessory = ownerButton(owners, m.id, i);
  const blocks: Block[] = [withButton(main, accessory)];
  const ownersLine = ownersContext(owners, m.id);
  if (ownersLine) blocks.push(ownersLine);
  if (m.why.length > 0) blocks.push(context(`Why it matched: ${safeText(m.why.join(', '), 500)}`));
  return blocks;
}

function askedLine(answer: Answer, sharedBy?: string): string {
  const q = safeText(answer.question, 500);
  return sharedBy ? `${mentionUser(sharedBy)} asked: *${q}*` : `You asked: *${q}*`;
}

/** A confident answer: up to three matches, then More / Share / 👍 / 👎. */
export function answerMessage(answer: Answer, options: AnswerOptions): Message {
  const from = Math.max(0, options.from ?? 0);
  const shown = answer.matches.slice(from, from + SHOWN);
  if (shown.length === 0) return notCoveredMessage(answer, options);
  const blocks: Block[] = [
    context(from > 0 ? `More matches for *${safeText(answer.question, 500)}*` : askedLine(answer, options.sharedBy)),
  ];
  shown.forEach((m, i) => {
    blocks.push(...matchBlocks(m, options.numbered ? i + 1 : undefined, options.owners, i));
  });

  const buttons: Button[] = [];
  const rest = answer.matches.length - (from + shown.length);
  if (rest > 0) buttons.push(button(ACTIONS.more, `More (${rest})`, `${answer.id}:${from + SHOWN}`));
  if (options.shareable && from === 0) buttons.push(button(ACTIONS.share, 'Share in channel', answer.id, 'primary'));
  buttons.push(button(ACTIONS.voteUp, '👍', answer.id), button(ACTIONS.voteDown, '👎', answer.id));
  blocks.push(actions(ANSWER_ACTIONS_BLOCK_ID, buttons));

  const top = shown[0] as Match;
  const asked = options.sharedBy ? `${mentionUser(options.sharedBy)} asked: ${safeText(answer.question, 300)}\n` : '';
  return {
    text: fallback(
      `${asked}${safeText(top.title, 200)} (${safeText(top.sectionTitle, 200)}): ${safeText(top.description, 1000)}`,
    ),
    blocks,
  };
}

/** The answer with a "summarizing…" hint above its buttons, where the summary will appear. */
export function withSummaryPending(message: Message): Message {
  return { text: message.text, blocks: withSummaryHint(message.blocks, ANSWER_ACTIONS_BLOCK_ID) };
}

/**
 * The answer (pending or not) with its summary above the buttons, or without hint nor summary when
 * the outcome is a failure or a skip: the plain answer stands, with no error shown.
 */
export function withSummaryOutcome(message: Message, outcome: SummaryOutcome): Message {
  return { text: message.text, blocks: applySummary(withSummaryPending(message).blocks, outcome) };
}

/** No confident match: say so plainly, and offer near misses as buttons, never as the answer. */
export function notCoveredMessage(answer: Answer, options: Pick<AnswerOptions, 'roleName' | 'sharedBy'>): Message {
  const role = safeText(options.roleName, 200);
  const blocks: Block[] = [
    section(`${askedLine(answer, options.sharedBy)}\nThe ${role} role as written does not cover this.`),
  ];
  const near = answer.nearMisses.slice(0, 3);
  if (near.length > 0) {
    blocks.push(context('Did you mean one of these?'));
    blocks.push(
      actions(
        'did_you_mean',
        near.map((m, i) => button(`${ACTIONS.didYouMean}_${i}`, m.title, `${answer.id}|${m.id}`)),
      ),
    );
  }
  return { text: `The ${role} role as written does not cover this.`, blocks };
}

export function voteAckMessage(
  vote: 1 | -1,
  previous: 1 | -1 | undefined,
  weight: { trusted: boolean; threshold: number },
): Message {
  const mark = vote === 1 ? '👍' : '👎';
  const direction = vote === 1 ? 'higher' : 'lower';
  // Votes reorder an answer's entries; none is ever dropped (at worst it moves behind "More").
  const effect = weight.trusted
    ? `This entry will rank ${direction} for this question, for everyone, from the next time it is asked.`
    : `Votes from people other than the asker move an entry once ${weight.threshold} people agree; yours counts toward that.`;
  const text =
    previous === vote
      ? `You had already voted ${mark} on this answer; it still counts once.`
      : previous
        ? `Vote changed to ${mark}. ${effect}`
        : `Thanks, your ${mark} is recorded. ${effect} You can change it with the other button.`;
  return { text, blocks: [context(text)] };
}
