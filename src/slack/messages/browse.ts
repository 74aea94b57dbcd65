import {
  actions,
  type Block,
  button,
  context,
  divider,
  fallback,
  type HomeView,
  header,
  LIMITS,
  type Message,
  packLines,
  section,
} from '../../blocks/kit.ts';
import { escapeMrkdwn, plainLabel, safeText } from '../../blocks/mrkdwn.ts';
import type { DutyRow, SectionSummary } from '../../catalog/queries.ts';
import { editPicker, type OwnerDisplay, ownerButton, ownersContext, unownedCountText, withButton } from './owners.ts';

export const BROWSE_ACTIONS = {
  sectionSelect: 'section_select',
  homeSection: 'home_section',
  homePage: 'home_page',
} as const;

// Written as people type them; escaped where used, since `<question>` would otherwise be read as a link.
const COMMAND_HELP = [
  '`/mle-duties <question>`: whose job is it? e.g. `/mle-duties who monitors models in production?`',
  '`/mle-duties sections`: the sections of the role',
  '`/mle-duties section <number or name>`: every duty in a section',
  '`/mle-duties random`: one duty, picked at random',
  '`/mle-duties digest …`: a weekly digest of the role in this channel',
  '`/mle-duties teach <duty> <phrase>`, `untaught …`, `taught`, `report`: catalog keepers teach me the words people use',
  '`/mle-duties owners [section <n> | <duty>]`, `mine`, `who @someone`, `unowned`: who on this team carries each duty',
  '`/mle-duties assign <duty> @alice [backup @bob]`, `history <duty>`: set and review owners (catalog keepers)',
  'You can also mention me with a question, or ask me in a direct message.',
];

export function helpMessage(roleName: string): Message {
  const role = safeText(roleName, 200);
  return {
    text: `Ask me whose job something is, according to the ${role} role.`,
    blocks: [
      section(`Ask me whose job something is, according to the *${role}* role.`),
      section(COMMAND_HELP.map((l) => `• ${escapeMrkdwn(l)}`).join('\n')),
    ],
  };
}

function sectionOptions(sections: SectionSummary[]) {
  return sections.slice(0, 100).map((s) => ({
    text: { type: 'plain_text' as const, text: plainLabel(`${s.number}. ${s.title}`, LIMITS.optionText) },
    value: String(s.number),
  }));
}

/** What a list may use when a section picker (up to 100 options of 75 characters) shares the message. */
const LIST_BUDGET = 3500;

function sectionSelect(actionId: string, sections: SectionSummary[], selected?: number): Block {
  const options = sectionOptions(sections);
  const initial = options.find((o) => o.value === String(selected));
  return {
    type: 'actions',
    block_id: `${actionId}_block`,
    elements: [
      {
        type: 'static_select',
        action_id: actionId,
        placeholder: { type: 'plain_text', text: 'Pick a section' },
        options,
        ...(initial ? { initial_option: initial } : {}),
      },
    ],
  };
}

export function sectionsMessage(roleName: string, sections: SectionSummary[]): Message {
  const lines = sections.map((s) => `*${s.number}.* ${safeText(s.title, 200)} (${s.duties} duties)`);
  const packed = packLines(lines, { budget: LIST_BUDGET });
  const blocks: Block[] = [section(`The *${safeText(roleName, 200)}* role, section by section:`), ...packed.blocks];
  if (packed.omitted > 0) blocks.push(context(`…and ${packed.omitted} more: pick one below.`));
  if (sections.length > 0) blocks.push(sectionSelect(BROWSE_ACTIONS.sectionSelect, sections));
  return { text: fallback(`The ${safeText(roleName, 200)} role has ${sections.length} sections.`), blocks };
}

function dutyLine(d: DutyRow, owners?: OwnerDisplay): string {
  const line = owners?.lines.get(d.id);
  return `• *${safeText(d.title, 200)}*: ${safeText(d.description, 1500)}${line ? `\n      :bust_in_silhouette: ${line}` : ''}`;
}

export function sectionMessage(s: SectionSummary, duties: DutyRow[], owners?: OwnerDisplay): Message {
  const picker = owners?.action === 'edit' ? editPicker(duties) : undefined;
  const packed = packLines(
    duties.map((d) => dutyLine(d, owners)),
    { maxBlocks: LIMITS.messageBlocks - 3 },
  );
  const blocks: Block[] = [header(`${s.number}. ${s.title}`), ...packed.blocks];
  if (packed.omitted > 0) {
    blocks.push(context(`…and ${packed.omitted} more duties than fit in one message: see the App Home tab.`));
  }
  if (picker) blocks.push(picker);
  return { text: fallback(`Section ${s.number}: ${safeText(s.title, 200)} (${duties.length} duties)`), blocks };
}

export function sectionNotFoundMessage(query: string, sections: SectionSummary[]): Message {
  const text = `There is no section "${safeText(query, 200)}". The sections are:`;
  return {
    text,
    blocks: [
      section(text),
      ...packLines(
        sections.map((s) => `*${s.number}.* ${safeText(s.title, 200)}`),
        { budget: LIST_BUDGET },
      ).blocks,
      ...(sections.length > 0 ? [sectionSelect(BROWSE_ACTIONS.sectionSelect, sections)] : []),
    ],
  };
}

export function randomMessage(d: DutyRow | undefined, owners?: OwnerDisplay): Message {
  if (!d) return { text: 'The role has no duties yet.', blocks: [section('The role has no duties yet.')] };
  const text = `*${safeText(d.title, 200)}*\n_${safeText(d.sectionTitle, 200)} › section ${d.section}_\n${safeText(d.description, 2400)}`;
  const main = section(text);
  const accessory = ownerButton(owners, d.id, 0);
  const ownersLine = ownersContext(owners, d.id);
  return {
    text: fallback(`${safeText(d.title, 200)}: ${safeText(d.description, 1000)}`),
    blocks: [context('A duty picked at random:'), withButton(main, accessory), ...(ownersLine ? [ownersLine] : [])],
  };
}

const HOME_PAGE_SIZE = 40;

/** The Home tab: how to use the bot, a section picker, and one section's duties a page at a time (≤ 100 blocks). */
export function homeView(
  roleName: string,
  sections: SectionSummary[],
  current: { section: SectionSummary; duties: DutyRow[]; page: number } | undefined,
  owners?: { display: OwnerDisplay; unowned: number; total: number },
): HomeView {
  const blocks: Block[] = [
    header(`${roleName}: whose job is it?`),
    section(COMMAND_HELP.map((l) => `• ${escapeMrkdwn(l)}`).join('\n')),
    divider(),
  ];
  if (sections.length === 0 || !current) {
    blocks.push(section('The role catalog is empty.'));
    return { type: 'home', blocks };
  }
  if (owners) blocks.push(context(unownedCountText(owners.unowned, owners.total)));
  blocks.push(sectionSelect(BROWSE_ACTIONS.homeSection, sections, current.section.number));
  blocks.push(header(`${current.section.number}. ${current.section.title}`));
  const pages = Math.max(1, Math.ceil(current.duties.length / HOME_PAGE_SIZE));
  const page = Math.min(Math.max(0, current.page), pages - 1);
  const onPage = current.duties.slice(page * HOME_PAGE_SIZE, (page + 1) * HOME_PAGE_SIZE);
  for (const d of onPage) blocks.push(section(dutyLine(d, owners?.display)));
  const picker = owners?.display.action === 'edit' ? editPicker(onPage, 'home_owners_pick') : undefined;
  if (picker) blocks.push(picker);
  if (pages > 1) {
    const nav = [];
    const n = current.section.number;
    if (page > 0) nav.push(button(`${BROWSE_ACTIONS.homePage}_prev`, 'Previous', `${n}:${page - 1}`));
    if (page < pages - 1) nav.push(button(`${BROWSE_ACTIONS.homePage}_next`, 'Next', `${n}:${page + 1}`));
    blocks.push(context(`Page ${page + 1} of ${pages}`));
    blocks.push(actions('home_pages', nav));
  }
  return { type: 'home', blocks };
}
