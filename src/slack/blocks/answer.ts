import type { Answer } from '../../feedback/answers.ts';
import type { Match } from '../../search/engine.ts';
import { mentionUser } from '../text.ts';
import { type Block, type Button, button, context, fallback, type SlackMessage, section } from './common.ts';
import { safeText } from './mrkdwn.ts';

export const SHOWN = 3;

export const ACTIONS = {
  more: 'answer_more',
  share: 'answer_share',
  voteUp: 'vote_up',
  voteDown: 'vote_down',
  didYouMean: 'did_you_mean',
} as const;

export interface AnswerOptions {
  /** Offer "Share in channel" (only on the asker's private copy). */
  shareable?: boolean;
  /** The user who shared it: the public copy says who asked. */
  sharedBy?: string;
  /** First match to show (the "More" page starts at 3). */
  from?: number;
  roleName: string;
}

function matchBlocks(m: Match): Block[] {
  const breadcrumb = `${safeText(m.sectionTitle, 200)} › section ${m.section}`;
  const blocks: Block[] = [section(`*${safeText(m.title, 200)}*\n_${breadcrumb}_\n${safeText(m.description, 1500)}`)];
  if (m.why.length > 0) blocks.push(context(`Why it matched: ${safeText(m.why.join(', '), 500)}`));
  return blocks;
}

function askedLine(answer: Answer, sharedBy?: string): string {
  const q = safeText(answer.question, 500);
  return sharedBy ? `${mentionUser(sharedBy)} asked: *${q}*` : `You asked: *${q}*`;
}

/** A confident answer: up to three matches, then More / Share / 👍 / 👎. */
export function answerMessage(answer: Answer, options: AnswerOptions): SlackMessage {
  const from = Math.max(0, options.from ?? 0);
  const shown = answer.matches.slice(from, from + SHOWN);
  if (shown.length === 0) return notCoveredMessage(answer, options);
  const blocks: Block[] = [
    context(from > 0 ? `More matches for *${safeText(answer.question, 500)}*` : askedLine(answer, options.sharedBy)),
  ];
  for (const m of shown) blocks.push(...matchBlocks(m));

  const buttons: Button[] = [];
  const rest = answer.matches.length - (from + shown.length);
  if (rest > 0) buttons.push(button(ACTIONS.more, `More (${rest})`, `${answer.id}:${from + SHOWN}`));
  if (options.shareable && from === 0) buttons.push(button(ACTIONS.share, 'Share in channel', answer.id, 'primary'));
  buttons.push(button(ACTIONS.voteUp, '👍', answer.id), button(ACTIONS.voteDown, '👎', answer.id));
  blocks.push({ type: 'actions', block_id: 'answer_actions', elements: buttons });

  const top = shown[0] as Match;
  const asked = options.sharedBy ? `${mentionUser(options.sharedBy)} asked: ${safeText(answer.question, 300)}\n` : '';
  return {
    text: fallback(
      `${asked}${safeText(top.title, 200)} (${safeText(top.sectionTitle, 200)}): ${safeText(top.description, 1000)}`,
    ),
    blocks,
  };
}

/** No confident match: say so plainly, and offer near misses as buttons, never as the answer. */
export function notCoveredMessage(answer: Answer, options: Pick<AnswerOptions, 'roleName' | 'sharedBy'>): SlackMessage {
  const role = safeText(options.roleName, 200);
  const blocks: Block[] = [
    section(`${askedLine(answer, options.sharedBy)}\nThe ${role} role as written does not cover this.`),
  ];
  const near = answer.nearMisses.slice(0, 3);
  if (near.length > 0) {
    blocks.push(context('Did you mean one of these?'));
    blocks.push({
      type: 'actions',
      block_id: 'did_you_mean',
      elements: near.map((m, i) => button(`${ACTIONS.didYouMean}_${i}`, m.title, `${answer.id}|${m.id}`)),
    });
  }
  return { text: `The ${role} role as written does not cover this.`, blocks };
}

export function voteAckMessage(vote: 1 | -1, previous: 1 | -1 | undefined): SlackMessage {
  const mark = vote === 1 ? '👍' : '👎';
  const effect =
    vote === 1
      ? 'This entry will rank higher for this question.'
      : 'This entry will rank lower for this question next time.';
  const text =
    previous === vote
      ? `You had already voted ${mark} on this answer; it still counts once.`
      : previous
        ? `Vote changed to ${mark}. ${effect}`
        : `Thanks, your ${mark} is recorded. ${effect} You can change it with the other button.`;
  return { text, blocks: [context(text)] };
}
