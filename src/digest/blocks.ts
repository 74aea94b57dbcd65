// Block Kit for the weekly digest: pure functions, every outside string escaped.
import { actions, type Block, button, context, divider, header, LIMITS, type Message, section } from '../blocks/kit.ts';
import { escapeMrkdwn, safeText } from '../blocks/mrkdwn.ts';

export const DIGEST_EVENT_TYPE = 'mle_duties_digest';
export const ASK_ACTION_ID = 'mle_duties_digest_ask';

const QUESTION_MAX = 150;

export interface DigestDuty {
  title: string;
  description: string;
  /** Who carries it on this team, as escaped mrkdwn (owners/render.ts); absent when owners are not shown. */
  owners?: string;
}

/** The team's owners in a digest: who carries this part, and how many duties of the whole role nobody does. */
export interface DigestOwnersSummary {
  /** Escaped mrkdwn: the people named under this part's duties. */
  sectionOwners: string;
  unowned: number;
  duties: number;
}

export interface DigestContent {
  period: string;
  /** 1-based part number and how many parts the role has. */
  part: number;
  parts: number;
  sectionTitle: string;
  duties: DigestDuty[];
  /** Already a single line; escaped here. */
  intro: string;
  /** Set when the digest goes out more than a day after its due time: the due date, for people. */
  lateSince?: string;
  topQuestions: string[];
  unanswered: string[];
  owners?: DigestOwnersSummary;
}

const quote = (q: string) => `“${safeText(q, QUESTION_MAX)}”`;

/** The fixed intro, used without an LLM or when it fails. */
export function fixedIntro(sectionTitle: string, dutyCount: number): string {
  return `This week: ${dutyCount} ${dutyCount === 1 ? 'duty' : 'duties'} from “${sectionTitle}”. Who does what, in the role's own words.`;
}

/**
 * The weekly digest. Long sections are fitted to Slack's limits: every duty keeps its title, descriptions share
 * what is left of the text budget, and when a section has more duties than blocks allow, several duties share a block.
 */
export function digestMessage(c: DigestContent): Message & Required<Pick<Message, 'metadata'>> {
  const blocks: Block[] = [];
  blocks.push(header(`Part ${c.part} of ${c.parts}: ${c.sectionTitle}`));
  const introLines = [safeText(c.intro, 500)];
  if (c.lateSince) introLines.push(`_This is the digest that was due ${escapeMrkdwn(c.lateSince)}; sorry it is late._`);
  blocks.push(section(introLines.join('\n'), 'digest_intro'));
  blocks.push(divider());

  const asked =
    c.topQuestions.length > 0
      ? `*Asked most this past week:* ${c.topQuestions.slice(0, 3).map(quote).join(' · ')}`
      : '*Asked most this past week:* nothing yet. Ask me anything about who does what.';
  const tail: Block[] = [divider(), section(asked, 'digest_asked')];
  if (c.unanswered.length > 0) {
    tail.push(
      section(
        `*No confident match yet:* ${c.unanswered.slice(0, 5).map(quote).join(' · ')}\nIf one of these is your job, tell the role's owners.`,
        'digest_unanswered',
      ),
    );
  }
  if (c.owners) tail.push(section(`*Who carries this part here:* ${c.owners.sectionOwners}`, 'digest_owners'));
  tail.push(actions('digest_actions', [button(ASK_ACTION_ID, 'Ask the bot a question', c.period, 'primary')]));
  tail.push(
    context(
      `Weekly digest ${escapeMrkdwn(c.period)} · ask any time with \`/mle-duties ask …\` · schedule: \`/mle-duties digest status\``,
    ),
  );
  if (c.owners) tail.push(context(unownedSentence(c.owners.unowned, c.owners.duties), 'digest_unowned'));

  const used = textLength(blocks) + textLength(tail);
  const slots = LIMITS.messageBlocks - blocks.length - tail.length;
  blocks.push(...dutyBlocks(c.duties, Math.max(1, slots), Math.max(500, LIMITS.messageTextBudget - used)));
  blocks.push(...tail);

  const titles = c.duties.map((d) => d.title).join('; ');
  const text = safeText(`Weekly role digest, part ${c.part} of ${c.parts}: ${c.sectionTitle}. ${titles}`, 2900);
  return {
    text,
    blocks,
    metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { period: c.period, part: c.part } },
  };
}

function dutyBlocks(duties: DigestDuty[], slots: number, budget: number): Block[] {
  if (duties.length === 0) return [section('_This part of the role has no duties listed right now._')];
  const perBlock = Math.ceil(duties.length / slots);
  const blockCount = Math.ceil(duties.length / perBlock);
  // Each duty's share of the text, within the section-text limit of its block; titles always fit (≤ 150).
  const share = Math.min(Math.floor(budget / duties.length), Math.floor(LIMITS.sectionText / perBlock) - 2);
  const rendered = duties.map((d) => {
    const title = `*${safeText(d.title, 150)}*`;
    const room = Math.max(40, share - title.length - 1);
    const owners = d.owners ? `\n${d.owners}` : '';
    return `${title}\n${safeText(d.description, Math.max(40, room - owners.length))}${owners}`;
  });
  const out: Block[] = [];
  for (let i = 0; i < blockCount; i++) {
    out.push(section(rendered.slice(i * perBlock, (i + 1) * perBlock).join('\n\n'), `digest_duties_${i}`));
  }
  return out;
}

/** How the digest ends when owners are shown: the whole role's unowned duties, in one sentence. */
function unownedSentence(unowned: number, duties: number): string {
  if (unowned === 0) return `Every one of the role's ${duties} duties has an owner on this team.`;
  return `${unowned} of the role's ${duties} duties ${unowned === 1 ? 'has' : 'have'} no owner on this team yet: \`/mle-duties unowned\` lists them.`;
}

function textLength(blocks: Block[]): number {
  return JSON.stringify(blocks).length; // an upper bound of the text Slack counts: cheap and safe
}
