// Block Kit for owners of duties, as pure functions: the line and button under a duty, listings (paged), history,
// the edit modal and its outcomes, refusals. Every name is inert (owners/render.ts); no mention but the one a person
// asks for with "Ping owner".
import type { types } from '@slack/bolt';
import {
  actions,
  type Block,
  type Button,
  button,
  context,
  fallback,
  header,
  LIMITS,
  type Message,
  section,
  textMessage,
} from '../../blocks/kit.ts';
import { mentionUser, plainLabel, safeText } from '../../blocks/mrkdwn.ts';
import type { DutyRow } from '../../catalog/queries.ts';
import { inertName } from '../../owners/render.ts';
import type { Ownership, OwnersInput, UserGroup } from '../../owners/store.ts';

export const OWNER_ACTIONS = {
  /** Buttons beside duties carry an index suffix (unique action_id within a message). */
  edit: 'owners_edit',
  ping: 'owners_ping',
  /** The "Edit owners of…" picker under a listing. */
  pick: 'owners_pick',
  page: 'owners_page',
} as const;

export const OWNERS_MODAL = 'owners_modal';

/** The owners of the duties in one message, and which button goes beside each. */
export interface OwnerDisplay {
  /** Duty id → escaped mrkdwn line. */
  lines: ReadonlyMap<string, string>;
  /** "Edit owners" (a private message to someone who may edit) or "Ping owner" (a thread answer). */
  action?: 'edit' | 'ping';
  /** For "ping": the duties that have someone to ping. */
  pingable?: ReadonlySet<string>;
}

/** The owners line under one duty, as a context block. */
export function ownersContext(display: OwnerDisplay | undefined, dutyId: string): Block | undefined {
  const line = display?.lines.get(dutyId);
  return line ? context(`:bust_in_silhouette: ${line}`) : undefined;
}

/** The button beside one duty (the i-th of its message), if any. */
export function ownerButton(display: OwnerDisplay | undefined, dutyId: string, i: number): Button | undefined {
  if (!display?.action || dutyId.length > 1900) return undefined;
  if (display.action === 'edit') return button(`${OWNER_ACTIONS.edit}_${i}`, 'Edit owners', dutyId);
  if (display.pingable?.has(dutyId)) return button(`${OWNER_ACTIONS.ping}_${i}`, 'Ping owner', dutyId);
  return undefined;
}

/** A duty's section block, with the owner button beside it when there is one. */
export function withButton(block: Block, accessory: Button | undefined): Block {
  return accessory && block.type === 'section' ? { ...block, accessory } : block;
}

/** A picker of duties that opens the edit modal (listings, App Home): one element, up to 100 duties. */
export function editPicker(duties: Pick<DutyRow, 'id' | 'title'>[], blockId = 'owners_pick_block'): Block | undefined {
  const options = duties
    .filter((d) => d.id.length <= 150)
    .slice(0, 100)
    .map((d) => ({ text: { type: 'plain_text' as const, text: plainLabel(d.title, LIMITS.optionText) }, value: d.id }));
  if (options.length === 0) return undefined;
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      {
        type: 'static_select',
        action_id: OWNER_ACTIONS.pick,
        placeholder: { type: 'plain_text', text: 'Edit owners of…' },
        options,
      },
    ],
  };
}

export interface ListedDuty {
  id: string;
  title: string;
  section: number;
  line: string;
}

/** What a listing shows, and the words that list it again (for paging). */
export interface Listing {
  title: string;
  /** Said when the list is empty (escaped mrkdwn). */
  empty: string;
  items: ListedDuty[];
  /** The listing's query, carried by the paging buttons: `owners|section|3`, `unowned`, `who|U123`. */
  query: string;
  page: number;
  /** Show the "Edit owners of…" picker (to someone who may edit). */
  editable?: boolean;
  /** A last line under the list (e.g. the unowned count). */
  footer?: string;
}

/** Duties per page: each takes one section block of at most ~900 characters, well inside Slack's limits. */
const PAGE_SIZE = 10;

export function listingMessage(l: Listing): Message {
  const pages = Math.max(1, Math.ceil(l.items.length / PAGE_SIZE));
  const page = Math.min(Math.max(0, l.page), pages - 1);
  const shown = l.items.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const blocks: Block[] = [header(l.title)];
  if (shown.length === 0) blocks.push(section(l.empty));
  for (const d of shown) {
    blocks.push(section(`*${safeText(d.title, 200)}* _(section ${d.section})_\n:bust_in_silhouette: ${d.line}`));
  }
  if (pages > 1) {
    blocks.push(context(`Page ${page + 1} of ${pages} · ${l.items.length} duties`));
    const nav: Button[] = [];
    if (page > 0) nav.push(button(`${OWNER_ACTIONS.page}_prev`, 'Previous', `${l.query}|${page - 1}`));
    if (page < pages - 1) nav.push(button(`${OWNER_ACTIONS.page}_next`, 'Next', `${l.query}|${page + 1}`));
    blocks.push(actions('owners_pages', nav));
  }
  if (l.editable) {
    const picker = editPicker(shown.map((d) => ({ id: d.id, title: d.title })));
    if (picker) blocks.push(picker);
  }
  if (l.footer) blocks.push(context(l.footer));
  return { text: fallback(`${safeText(l.title, 150)}: ${l.items.length} duties`), blocks };
}

/** "3 of the role's 111 duties have no owner on this team yet." */
export function unownedCountText(unowned: number, total: number): string {
  return unowned === 0
    ? `Every one of the role's ${total} duties has an owner on this team.`
    : `${unowned} of the role's ${total} duties ${unowned === 1 ? 'has' : 'have'} no owner on this team yet (\`/mle-duties unowned\`).`;
}

/** Who may edit, said politely; `admins` are display names of the ADMINS setting. */
export function refusalText(admins: string[], reason: 'not_keeper' | 'unknown'): string {
  const named = admins.length > 0 ? `, and ${admins.map((n) => inertName(n)).join(', ')}` : '';
  const who = `the catalog keepers: the workspace's admins and owners${named}`;
  return reason === 'unknown'
    ? `Sorry, I could not check with Slack who you are just now. Owners can be changed by ${who}. Please try again in a moment.`
    : `Sorry, only ${who} can change who owns a duty. Ask one of them, or ask them to assign you.`;
}

/** After a save from the command line or the modal. */
export function savedText(duty: Pick<DutyRow, 'title'>, line: string, changed: boolean): string {
  return changed
    ? `Saved. *${safeText(duty.title, 200)}*\n:bust_in_silhouette: ${line}`
    : `Nothing changed: *${safeText(duty.title, 200)}* already has these owners.\n:bust_in_silhouette: ${line}`;
}

/** The later of two saves at once: told, and shown what is there now. */
export function conflictText(duty: Pick<DutyRow, 'title'>, line: string): string {
  return `:warning: Someone changed the owners of *${safeText(duty.title, 200)}* while you were editing, so your change was not saved. Now: ${line}`;
}

export interface HistoryEntry {
  at: Date;
  actor: string;
  before: string;
  after: string;
}

export function historyMessage(duty: Pick<DutyRow, 'title'>, entries: HistoryEntry[]): Message {
  const title = `Owners of ${duty.title}: history`;
  if (entries.length === 0) return textMessage(`No change to the owners of *${safeText(duty.title, 200)}* yet.`);
  const lines = entries.map(
    (e) => `\`${e.at.toISOString().slice(0, 16).replace('T', ' ')} UTC\` ${e.actor}: ${e.before} → ${e.after}`,
  );
  const blocks: Block[] = [header(title)];
  let current = '';
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length > 2900) {
      blocks.push(section(current));
      current = line;
    } else current = next;
  }
  if (current) blocks.push(section(current));
  return { text: fallback(safeText(title, 200)), blocks: blocks.slice(0, 20) };
}

/** An owners list as words for the history: "Alice, Bob; backups Carol". Names must already be inert. */
export function ownersWords(o: OwnersInput | null | undefined, name: (userId: string) => string): string {
  if (!o || (o.owners.length === 0 && o.backups.length === 0 && !o.usergroup)) return 'nobody';
  const parts: string[] = [];
  if (o.owners.length > 0) parts.push(o.owners.map(name).join(', '));
  if (o.backups.length > 0) parts.push(`backups ${o.backups.map(name).join(', ')}`);
  if (o.usergroup)
    parts.push(
      `${o.usergroup.kind === 'backup' ? 'backup ' : ''}group ${inertName(o.usergroup.name ?? 'of this team')}`,
    );
  return parts.join('; ');
}

/** The one deliberate mention: posted in the thread when someone clicks "Ping owner". */
export function pingMessage(duty: Pick<DutyRow, 'title'>, o: Ownership, by: string, aroundFirst: string[]): Message {
  const people = aroundFirst.map(mentionUser);
  const group = o.usergroup ? [`<!subteam^${o.usergroup.id}>`] : [];
  const who = [...people, ...group].join(' ');
  return {
    text: fallback(`${who} ${mentionUser(by)} is asking about ${safeText(duty.title, 200)} in this thread.`),
    blocks: [section(`${who}: ${mentionUser(by)} is asking about *${safeText(duty.title, 200)}* in this thread.`)],
  };
}

// ----- the modal -----

export interface ModalState {
  teamId: string;
  duty: Pick<DutyRow, 'id' | 'title' | 'section' | 'sectionTitle'>;
  current: Ownership;
  /** The workspace's user groups, for the optional picker (empty: no picker). */
  groups: { id: string; name: string }[];
  /** Shown above the form: why it is shown again (a conflict). */
  notice?: string;
}

interface ModalMetadata {
  t: string;
  d: string;
  v: number;
}

export function modalMetadata(view: { private_metadata?: string }): ModalMetadata | undefined {
  try {
    const m = JSON.parse(view.private_metadata ?? '') as Partial<ModalMetadata>;
    return typeof m.t === 'string' && typeof m.d === 'string' && typeof m.v === 'number'
      ? { t: m.t, d: m.d, v: m.v }
      : undefined;
  } catch {
    return undefined;
  }
}

const option = (text: string, value: string) => ({
  text: { type: 'plain_text' as const, text: plainLabel(text, LIMITS.optionText) },
  value,
});

const KIND_OPTIONS = [option('as an owner', 'owner'), option('as a backup', 'backup')];

function modalShell(blocks: Block[], submit: boolean, metadata?: ModalMetadata): types.ModalView {
  return {
    type: 'modal',
    callback_id: OWNERS_MODAL,
    title: { type: 'plain_text', text: 'Owners of a duty' },
    close: { type: 'plain_text', text: submit ? 'Cancel' : 'Close' },
    ...(submit ? { submit: { type: 'plain_text', text: 'Save' } } : {}),
    ...(metadata ? { private_metadata: JSON.stringify(metadata) } : {}),
    blocks: blocks as types.ModalView['blocks'],
  };
}

/** The edit form: Slack's own user pickers for owners and backups, and an optional user group. */
export function ownersModal(s: ModalState): types.ModalView {
  const { duty, current } = s;
  const blocks: Block[] = [
    section(`*${safeText(duty.title, 200)}*\n_${safeText(duty.sectionTitle, 200)} › section ${duty.section}_`),
  ];
  if (s.notice) blocks.push(section(s.notice));
  const users = (blockId: string, label: string, initial: string[]): Block => ({
    type: 'input',
    block_id: blockId,
    optional: true,
    label: { type: 'plain_text', text: label },
    element: {
      type: 'multi_users_select',
      action_id: `${blockId}_users`,
      placeholder: { type: 'plain_text', text: 'Pick people' },
      max_selected_items: 20,
      ...(initial.length > 0 ? { initial_users: initial } : {}),
    },
  });
  blocks.push(users('owners', 'Owners', current.owners), users('backups', 'Backups', current.backups));
  const groups = s.groups.slice(0, 99);
  if (groups.length > 0) {
    const none = option('No group', '-');
    const groupOptions = [none, ...groups.map((g) => option(`@${g.name}`, g.id))];
    const initialGroup = groupOptions.find((o) => o.value === current.usergroup?.id);
    blocks.push({
      type: 'input',
      block_id: 'group',
      optional: true,
      label: { type: 'plain_text', text: 'User group (optional)' },
      element: {
        type: 'static_select',
        action_id: 'group',
        placeholder: { type: 'plain_text', text: 'Pick a user group' },
        options: groupOptions,
        ...(initialGroup ? { initial_option: initialGroup } : {}),
      },
    });
    const kind = KIND_OPTIONS.find((o) => o.value === (current.usergroup?.kind ?? 'owner'));
    blocks.push({
      type: 'input',
      block_id: 'group_kind',
      optional: true,
      label: { type: 'plain_text', text: 'The group carries it' },
      element: {
        type: 'radio_buttons',
        action_id: 'kind',
        options: KIND_OPTIONS,
        ...(kind ? { initial_option: kind } : {}),
      },
    });
  }
  blocks.push(context('People are shown by name in answers and digests; nobody is notified.'));
  return modalShell(blocks, true, { t: s.teamId, d: duty.id, v: current.version });
}

/** What the modal shows while the save runs, and after it. */
export function modalNotice(text: string): types.ModalView {
  return modalShell([section(text)], false);
}

/** The form's values: owners, backups, the group (names looked up by the caller). */
export function submittedOwners(
  values: Record<string, Record<string, { selected_users?: string[]; selected_option?: { value: string } | null }>>,
): { owners: string[]; backups: string[]; groupId?: string; groupKind: UserGroup['kind'] } {
  const group = values.group?.group?.selected_option?.value;
  const kind = values.group_kind?.kind?.selected_option?.value === 'backup' ? 'backup' : 'owner';
  return {
    owners: values.owners?.owners_users?.selected_users ?? [],
    backups: values.backups?.backups_users?.selected_users ?? [],
    ...(group && group !== '-' ? { groupId: group } : {}),
    groupKind: kind,
  };
}
