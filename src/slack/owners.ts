// Owners of duties in Slack: the lines and buttons under duties, the owner subcommands, the edit modal and its
// submission, and "Ping owner". Handlers call these; the owners service does the work.
import type { WebClient } from '@slack/web-api';
import { type Message, textMessage } from '../blocks/kit.ts';
import { safeText } from '../blocks/mrkdwn.ts';
import { allDuties, type DutyRow, dutyById, findSection, listSections } from '../catalog/queries.ts';
import type { Logger } from '../log.ts';
import { availability, inertName, isOwned } from '../owners/render.ts';
import { dutiesOfPerson, isEmpty, isUserId, type Ownership, ownersOfDuty } from '../owners/store.ts';
import { listChanges } from '../people/changes.ts';
import type { SlackDeps } from './deps.ts';
import {
  conflictText,
  historyMessage,
  type ListedDuty,
  type Listing,
  listingMessage,
  modalMetadata,
  modalNotice,
  type OwnerDisplay,
  ownersModal,
  ownersWords,
  pingMessage,
  refusalText,
  savedText,
  submittedOwners,
  unownedCountText,
} from './messages/owners.ts';
import type { ViewRequest } from './middleware/listen.ts';

/**
 * The owners of the duties a message shows, with the button that goes beside them: "Edit owners" on a private
 * message to someone who may edit, "Ping owner" on a thread answer. One ownership query and one profile batch; the
 * permission check runs beside them. Never fails the message: without owners it goes out as before.
 */
export async function ownerDisplay(
  deps: SlackDeps,
  o: { teamId: string | undefined; dutyIds: string[]; viewer?: string; mode: 'edit' | 'ping' | 'none'; log?: Logger },
): Promise<OwnerDisplay | undefined> {
  if (!o.teamId || o.dutyIds.length === 0) return undefined;
  const teamId = o.teamId;
  try {
    const viewer = o.mode === 'edit' ? o.viewer : undefined;
    const shown = await deps.owners.linesFor(teamId, o.dutyIds, deps.now(), viewer);
    if (o.mode === 'ping') {
      const pingable = new Set(o.dutyIds.filter((id) => isOwned(shown.ownerships.get(id), shown.profiles)));
      return { lines: shown.lines, action: 'ping', pingable };
    }
    // Showing the button is a hint; the click and the save ask the permission again.
    return { lines: shown.lines, ...(shown.mayEdit ? { action: 'edit' as const } : {}) };
  } catch (err) {
    (o.log ?? deps.logger).warn('owners could not be read; the message goes out without them', { err });
    return undefined;
  }
}

// ----- the subcommands -----

export type OwnersIntent =
  | { kind: 'owners'; target: string }
  | { kind: 'mine' }
  | { kind: 'who'; userId: string }
  | { kind: 'unowned' }
  | { kind: 'assign'; duty: string; owners: string[]; backups: string[] }
  | { kind: 'history'; duty: string }
  | { kind: 'owners_usage'; text: string };

const MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;

/**
 * The owner subcommands, from the command's raw text (user mentions arrive as `<@U…|name>` with the manifest's
 * should_escape). Anything else is undefined: a question or another command. `who` is a subcommand only with a
 * mention ("who monitors models?" stays a question).
 */
export function parseOwnersIntent(raw: string): OwnersIntent | undefined {
  const text = raw.trim();
  const [first = '', ...restWords] = text.split(/\s+/);
  const word = first.toLowerCase();
  const rest = restWords.join(' ').trim();
  const mentions = [...text.matchAll(MENTION)].map((m) => m[1] as string);
  switch (word) {
    case 'owners':
      return { kind: 'owners', target: rest };
    case 'mine':
      return rest === '' ? { kind: 'mine' } : undefined;
    case 'unowned':
      return rest === '' ? { kind: 'unowned' } : undefined;
    case 'who':
      return mentions.length === 1 && rest.replace(MENTION, '').trim() === ''
        ? { kind: 'who', userId: mentions[0] as string }
        : undefined;
    case 'history':
      return rest
        ? { kind: 'history', duty: rest }
        : { kind: 'owners_usage', text: 'Which duty? `/mle-duties history <duty>`' };
    case 'assign': {
      const at = rest.search(/<@/);
      const duty = (at < 0 ? rest : rest.slice(0, at)).trim();
      if (!duty || mentions.length === 0) {
        return { kind: 'owners_usage', text: 'Usage: `/mle-duties assign <duty> @alice [backup @bob]`' };
      }
      const tail = rest.slice(at);
      const split = tail.search(/\bbackups?\b/i);
      const ids = (s: string) => [...s.matchAll(MENTION)].map((m) => m[1] as string);
      return {
        kind: 'assign',
        duty,
        owners: ids(split < 0 ? tail : tail.slice(0, split)),
        backups: split < 0 ? [] : ids(tail.slice(split)),
      };
    }
    default:
      return undefined;
  }
}

/** A duty by its id, its exact title, or the one title that holds every word given. */
async function resolveDuty(deps: SlackDeps, query: string): Promise<{ duty: DutyRow } | { candidates: DutyRow[] }> {
  const role = await deps.catalog.current();
  const q = query.trim().replace(/^["“']|["”']$/g, '');
  const byId = await dutyById(deps.db, role.id, q);
  if (byId) return { duty: byId };
  const all = await allDuties(deps.db, role.id);
  const lower = q.toLowerCase();
  const exact = all.filter((d) => d.title.toLowerCase() === lower);
  if (exact.length === 1) return { duty: exact[0] as DutyRow };
  const words = lower.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 1);
  const hits = words.length === 0 ? [] : all.filter((d) => words.every((w) => d.title.toLowerCase().includes(w)));
  if (hits.length === 1) return { duty: hits[0] as DutyRow };
  return { candidates: (exact.length > 1 ? exact : hits).slice(0, 8) };
}

function notFound(query: string, candidates: DutyRow[]): Message {
  if (candidates.length === 0) {
    return textMessage(
      `I found no duty called "${safeText(query, 200)}". Use a duty's title or its id (as \`/mle-duties owners\` lists them).`,
    );
  }
  const list = candidates.map((d) => `• ${safeText(d.title, 200)}: \`${safeText(d.id, 300)}\``).join('\n');
  return textMessage(`"${safeText(query, 200)}" matches several duties; which one?\n${list}`);
}

export interface OwnersAsker {
  teamId: string;
  userId: string;
  log: Logger;
}

/** Answers an owner subcommand (privately). */
export async function ownersCommand(
  deps: SlackDeps,
  intent: OwnersIntent,
  asker: OwnersAsker,
  page = 0,
): Promise<Message> {
  switch (intent.kind) {
    case 'owners_usage':
      return textMessage(intent.text);
    case 'owners':
      return ownersListing(deps, intent.target, asker, page);
    case 'mine':
      return personListing(deps, asker, asker.userId, page, true);
    case 'who':
      return personListing(deps, asker, intent.userId, page, false);
    case 'unowned':
      return unownedListing(deps, asker, page);
    case 'history':
      return history(deps, asker, intent.duty);
    case 'assign':
      return assign(deps, asker, intent);
  }
}

/** Paging: a listing's query (button value `query|page`) back to its intent. */
export function pageIntent(value: string): { intent: OwnersIntent; page: number } | undefined {
  const bar = value.lastIndexOf('|');
  const page = Number.parseInt(value.slice(bar + 1), 10);
  if (bar < 0 || !Number.isInteger(page) || page < 0) return undefined;
  const [kind = '', arg = ''] = value.slice(0, bar).split('|');
  if (kind === 'owners') return { intent: { kind: 'owners', target: arg }, page };
  if (kind === 'unowned') return { intent: { kind: 'unowned' }, page };
  if (kind === 'who' && isUserId(arg)) return { intent: { kind: 'who', userId: arg }, page };
  if (kind === 'mine') return { intent: { kind: 'mine' }, page };
  return undefined;
}

async function listed(deps: SlackDeps, teamId: string, duties: DutyRow[]) {
  const all = await deps.owners.overview(
    teamId,
    duties.map((d) => d.id),
    deps.now(),
  );
  const items: ListedDuty[] = duties.map((d) => ({
    id: d.id,
    title: d.title,
    section: d.section,
    line: all.lines.get(d.id) ?? '',
  }));
  return { items, unowned: new Set(all.unowned) };
}

async function editable(deps: SlackDeps, asker: OwnersAsker): Promise<boolean> {
  return (await deps.owners.mayEdit(asker.teamId, asker.userId)).allowed;
}

async function ownersListing(deps: SlackDeps, target: string, asker: OwnersAsker, page: number): Promise<Message> {
  const role = await deps.catalog.current();
  const all = await allDuties(deps.db, role.id);
  let duties = all;
  let title = `Owners: the ${role.name} role`;
  let query = 'owners|';
  const sectionArg = /^section\s+(.+)$/i.exec(target)?.[1];
  if (sectionArg) {
    const s = await findSection(deps.db, role.id, sectionArg);
    if (!s) {
      const sections = await listSections(deps.db, role.id);
      return textMessage(
        `There is no section "${safeText(sectionArg, 100)}". Sections: ${sections.map((x) => x.number).join(', ')}.`,
      );
    }
    duties = all.filter((d) => d.section === s.number);
    title = `Owners: ${s.number}. ${s.title}`;
    query = `owners|section ${s.number}`;
  } else if (target) {
    const found = await resolveDuty(deps, target);
    if (!('duty' in found)) return notFound(target, found.candidates);
    duties = [found.duty];
    title = `Owners: ${found.duty.title}`;
    query = `owners|${found.duty.id}`.slice(0, 1900);
  }
  const [{ items }, overall, canEdit] = await Promise.all([
    listed(deps, asker.teamId, duties),
    deps.owners.overview(
      asker.teamId,
      all.map((d) => d.id),
      deps.now(),
    ),
    editable(deps, asker),
  ]);
  const listing: Listing = {
    title,
    empty: 'This section has no duties.',
    items,
    query,
    page,
    editable: canEdit,
    footer: unownedCountText(overall.unowned.length, all.length),
  };
  return listingMessage(listing);
}

async function personListing(
  deps: SlackDeps,
  asker: OwnersAsker,
  userId: string,
  page: number,
  self: boolean,
): Promise<Message> {
  const role = await deps.catalog.current();
  const [rows, all, profile] = await Promise.all([
    dutiesOfPerson(deps.db, asker.teamId, userId),
    allDuties(deps.db, role.id),
    deps.profiles.get(asker.teamId, userId),
  ]);
  const ids = new Set(rows.map((r) => r.dutyId));
  const duties = all.filter((d) => ids.has(d.id));
  const { items } = await listed(deps, asker.teamId, duties);
  const name = profile ? profile.name : 'this person';
  return listingMessage({
    // The title is plain text (a header) and the empty line is escaped by the builder: the name goes in as is.
    title: self ? 'The duties you carry here' : `The duties ${name} carries here`,
    empty: `No duty lists ${self ? 'you' : inertName(name)} as owner or backup yet.`,
    items,
    query: self ? 'mine|' : `who|${userId}`,
    page,
    editable: await editable(deps, asker),
  });
}

async function unownedListing(deps: SlackDeps, asker: OwnersAsker, page: number): Promise<Message> {
  const role = await deps.catalog.current();
  const all = await allDuties(deps.db, role.id);
  const { items, unowned } = await listed(deps, asker.teamId, all);
  return listingMessage({
    title: `Duties with no owner on this team (${unowned.size} of ${all.length})`,
    empty: 'Every duty of the role has an owner on this team.',
    items: items.filter((i) => unowned.has(i.id)),
    query: 'unowned|',
    page,
    editable: await editable(deps, asker),
  });
}

async function history(deps: SlackDeps, asker: OwnersAsker, query: string): Promise<Message> {
  const found = await resolveDuty(deps, query);
  if (!('duty' in found)) return notFound(query, found.candidates);
  const changes = await listChanges(deps.db, {
    area: 'owners',
    subject: found.duty.id,
    teamId: asker.teamId,
    limit: 20,
  });
  const people = new Set<string>();
  for (const c of changes) {
    if (isUserId(c.actor)) people.add(c.actor);
    for (const o of [c.before, c.after] as (Ownership | null)[])
      for (const u of [...(o?.owners ?? []), ...(o?.backups ?? [])]) people.add(u);
  }
  const profiles = await deps.profiles.getMany(asker.teamId, [...people]);
  const name = (u: string) => (u === 'cli' ? 'the command line' : inertName(profiles.get(u)?.name ?? 'a teammate'));
  return historyMessage(
    found.duty,
    changes.map((c) => ({
      at: c.at,
      actor: name(c.actor),
      before: ownersWords(c.before as Ownership | null, name),
      after: ownersWords(c.after as Ownership | null, name),
    })),
  );
}

async function refuse(deps: SlackDeps, teamId: string, reason: 'not_keeper' | 'unknown'): Promise<string> {
  const admins = deps.keepers.admins;
  const profiles = admins.length > 0 ? await deps.profiles.getMany(teamId, admins).catch(() => new Map()) : new Map();
  return refusalText(
    admins.map((u) => profiles.get(u)?.name ?? 'a keeper named in ADMINS'),
    reason,
  );
}

async function assign(
  deps: SlackDeps,
  asker: OwnersAsker,
  intent: Extract<OwnersIntent, { kind: 'assign' }>,
): Promise<Message> {
  const check = await deps.owners.mayEdit(asker.teamId, asker.userId);
  if (!check.allowed) return textMessage(await refuse(deps, asker.teamId, check.reason));
  const found = await resolveDuty(deps, intent.duty);
  if (!('duty' in found)) return notFound(intent.duty, found.candidates);
  const current = await ownersOfDuty(deps.db, asker.teamId, found.duty.id);
  // The command's words are the whole intent for owners (and backups when given); a group stays as it was.
  const result = await deps.owners.save({
    teamId: asker.teamId,
    dutyId: found.duty.id,
    next: {
      owners: intent.owners,
      backups: intent.backups.length > 0 ? intent.backups : current.backups.filter((u) => !intent.owners.includes(u)),
      ...(current.usergroup ? { usergroup: current.usergroup } : {}),
    },
    expectedVersion: current.version,
    actor: asker.userId,
    now: deps.now(),
  });
  const shown = await deps.owners.linesFor(asker.teamId, [found.duty.id], deps.now());
  const line = shown.lines.get(found.duty.id) ?? '';
  if (result.kind === 'conflict') return textMessage(conflictText(found.duty, line));
  return textMessage(savedText(found.duty, line, result.changed));
}

// ----- the modal -----

/** Opens the edit modal for one duty, or tells the clicker privately why not. */
export async function openOwnersModal(
  deps: SlackDeps,
  client: WebClient,
  o: { teamId?: string; userId: string; dutyId: string; triggerId?: string; tell: (m: Message) => Promise<unknown> },
): Promise<void> {
  if (!o.teamId || !o.triggerId) {
    await o.tell(textMessage('Sorry, Slack did not say enough to open the editor. Please try again.'));
    return;
  }
  const check = await deps.owners.mayEdit(o.teamId, o.userId);
  if (!check.allowed) {
    await o.tell(textMessage(await refuse(deps, o.teamId, check.reason)));
    return;
  }
  const role = await deps.catalog.current();
  const duty = await dutyById(deps.db, role.id, o.dutyId);
  if (!duty) {
    await o.tell(textMessage('That duty is no longer in the role.'));
    return;
  }
  const [current, groups] = await Promise.all([ownersOfDuty(deps.db, o.teamId, duty.id), userGroups(client)]);
  await client.views.open({ trigger_id: o.triggerId, view: ownersModal({ teamId: o.teamId, duty, current, groups }) });
}

/** The workspace's user groups (usergroups:read); none when Slack will not say. */
async function userGroups(client: WebClient): Promise<{ id: string; name: string }[]> {
  try {
    const res = await client.usergroups.list({ include_disabled: false });
    return (res.usergroups ?? []).flatMap((g) =>
      g.id && (g.handle || g.name) ? [{ id: g.id, name: (g.handle || g.name) as string }] : [],
    );
  } catch {
    return [];
  }
}

/** The ack of a submission: the modal says "Saving…" until the save is done. */
export const savingView = () => ({ response_action: 'update' as const, view: modalNotice('Saving…') });

/** A submission, after its ack: permission, the versioned save, and the outcome shown in the same modal. */
export async function submitOwnersModal(deps: SlackDeps, req: ViewRequest): Promise<void> {
  const { view, client } = req;
  const show = (v: ReturnType<typeof modalNotice>) => client.views.update({ view_id: view.id, view: v });
  const meta = modalMetadata(view);
  if (!meta) {
    await show(modalNotice('Sorry, this form is out of date. Please open it again.'));
    return;
  }
  const check = await deps.owners.mayEdit(meta.t, req.userId);
  if (!check.allowed) {
    await show(modalNotice(await refuse(deps, meta.t, check.reason)));
    return;
  }
  const role = await deps.catalog.current();
  const duty = await dutyById(deps.db, role.id, meta.d);
  if (!duty) {
    await show(modalNotice('That duty is no longer in the role; nothing was saved.'));
    return;
  }
  const form = submittedOwners(view.state.values as Parameters<typeof submittedOwners>[0]);
  const groups = form.groupId ? await userGroups(client) : [];
  const group = form.groupId ? groups.find((g) => g.id === form.groupId) : undefined;
  const result = await deps.owners.save({
    teamId: meta.t,
    dutyId: duty.id,
    next: {
      owners: form.owners,
      backups: form.backups,
      ...(form.groupId
        ? { usergroup: { id: form.groupId, ...(group ? { name: group.name } : {}), kind: form.groupKind } }
        : {}),
    },
    expectedVersion: meta.v,
    actor: req.userId,
    now: deps.now(),
  });
  const shown = await deps.owners.linesFor(meta.t, [duty.id], deps.now());
  const line = shown.lines.get(duty.id) ?? '';
  if (result.kind === 'conflict') {
    const allGroups = groups.length > 0 ? groups : await userGroups(client);
    await show(
      ownersModal({
        teamId: meta.t,
        duty,
        current: result.current,
        groups: allGroups,
        notice: conflictText(duty, line),
      }),
    );
    return;
  }
  await show(modalNotice(savedText(duty, line, result.changed)));
}

// ----- ping -----

/** "Ping owner": one message in the thread that mentions whoever is around (owners first, else backups). */
export async function pingOwners(
  deps: SlackDeps,
  client: WebClient,
  o: {
    teamId?: string;
    userId: string;
    dutyId: string;
    channelId?: string;
    threadTs?: string;
    tell: (m: Message) => Promise<unknown>;
  },
): Promise<void> {
  if (!o.teamId || !o.channelId || !o.threadTs) {
    await o.tell(textMessage('"Ping owner" works in a thread: ask me there with a mention.'));
    return;
  }
  const role = await deps.catalog.current();
  const duty = await dutyById(deps.db, role.id, o.dutyId);
  const ownership = duty ? await ownersOfDuty(deps.db, o.teamId, duty.id) : undefined;
  if (!duty || !ownership || isEmpty(ownership)) {
    await o.tell(textMessage('This duty has no owner on this team yet, so there is nobody to ping.'));
    return;
  }
  const people = [...ownership.owners, ...ownership.backups];
  const profiles = await deps.profiles.getMany(o.teamId, people);
  const current = people.filter((u) => profiles.get(u)?.deleted !== true);
  const around = current.filter((u) => !availability(profiles.get(u), deps.now()).off);
  const owners = ownership.owners.filter((u) => current.includes(u));
  // Whoever is around, owners first; when nobody is, the owners (they will see it when they are back).
  const chosen = around.length > 0 ? around.slice(0, 5) : (owners.length > 0 ? owners : current).slice(0, 5);
  if (chosen.length === 0 && !ownership.usergroup) {
    await o.tell(textMessage('Everyone listed for this duty has left the workspace, so there is nobody to ping.'));
    return;
  }
  await client.chat.postMessage({
    channel: o.channelId,
    thread_ts: o.threadTs,
    ...pingMessage(duty, ownership, o.userId, chosen),
    unfurl_links: false,
    unfurl_media: false,
  });
}
