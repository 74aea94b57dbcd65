// Owners to and from a spreadsheet (CSV) or JSON: export every duty with its owners; import a file in one
// transaction, every row checked first, so a bad row (its line number said) means nothing is applied.
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { allOwners, isUserId, normalizeOwners, type OwnersInput, saveOwnersIn, type UserGroup } from './store.ts';

export interface DutyRef {
  id: string;
  title: string;
}

export interface ExportRow {
  dutyId: string;
  title: string;
  owners: string[];
  backups: string[];
  usergroup?: UserGroup;
}

/** Every active duty, in catalog order, with what the team wrote down (empty lists for the rest). */
export async function exportOwners(db: Db, teamId: string, duties: DutyRef[]): Promise<ExportRow[]> {
  const all = await allOwners(db, teamId);
  return duties.map((d) => {
    const o = all.get(d.id);
    return {
      dutyId: d.id,
      title: d.title,
      owners: o?.owners ?? [],
      backups: o?.backups ?? [],
      ...(o?.usergroup ? { usergroup: o.usergroup } : {}),
    };
  });
}

const CSV_HEADER = ['duty_id', 'owners', 'backups', 'group'];

/** CSV: duty id, owners, backups (people separated by spaces), and the optional group (`S123` or `backup:S123`). */
export function toCsv(rows: ExportRow[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const r of rows) {
    const group = r.usergroup ? `${r.usergroup.kind === 'backup' ? 'backup:' : ''}${r.usergroup.id}` : '';
    lines.push([r.dutyId, r.owners.join(' '), r.backups.join(' '), group].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function csvCell(v: string): string {
  // A cell starting with = + - @ is a formula to a spreadsheet: quoted and prefixed, it stays text.
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) || safe !== v ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Records of a CSV text, each with the line it starts on (1-based). Quotes and doubled quotes as RFC 4180. */
function parseCsv(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  const t = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < t.length; i++) {
    const c = t[i] as string;
    if (quoted) {
      if (c === '"' && t[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      any = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && t[i + 1] === '\n') i++;
      cells.push(cell);
      if (any || cells.some((x) => x.trim() !== '')) out.push({ line: start, cells });
      cells = [];
      cell = '';
      any = false;
      line++;
      start = line;
    } else {
      cell += c;
      any = true;
    }
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    if (cells.some((x) => x.trim() !== '')) out.push({ line: start, cells });
  }
  return out;
}

export interface ImportRow {
  line: number;
  dutyId: string;
  owners: string[];
  backups: string[];
  group?: { id: string; kind: UserGroup['kind'] };
}

/** A file's rows: CSV (a header line is skipped) or JSON (what `export --json` writes). */
export function readImportFile(text: string): ImportRow[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return readJson(trimmed);
  const records = parseCsv(text);
  const first = records[0];
  if (first && first.cells[0]?.trim().toLowerCase().replace(/\s+/g, '_') === 'duty_id') records.shift();
  return records.map(({ line, cells }) => {
    const [dutyId = '', owners = '', backups = '', group = ''] = cells.map((c) => c.trim());
    const g = /^(?:(owner|backup):)?(.+)$/i.exec(group);
    return {
      line,
      dutyId,
      owners: people(owners),
      backups: people(backups),
      ...(group && g
        ? { group: { id: g[2] as string, kind: (g[1]?.toLowerCase() ?? 'owner') as UserGroup['kind'] } }
        : {}),
    };
  });
}

function readJson(text: string): ImportRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AppError('owners_import_invalid', `The file is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new AppError('owners_import_invalid', 'The JSON file must hold a list of duties.');
  return data.map((item, i) => {
    const r = (item ?? {}) as Partial<ExportRow>;
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
    return {
      line: i + 1,
      dutyId: typeof r.dutyId === 'string' ? r.dutyId : '',
      owners: list(r.owners),
      backups: list(r.backups),
      ...(r.usergroup?.id
        ? { group: { id: String(r.usergroup.id), kind: r.usergroup.kind === 'backup' ? 'backup' : 'owner' } }
        : {}),
    } as ImportRow;
  });
}

const people = (cell: string) =>
  cell
    .split(/[\s;,]+/)
    .map((p) => p.trim())
    .filter(Boolean);

export interface ImportOptions {
  db: Db;
  teamId: string;
  /** Active duty ids of the role. */
  dutyIds: ReadonlySet<string>;
  /** An e-mail to a Slack user id (users.lookupByEmail), or undefined when nobody has it. */
  lookupEmail?: (email: string) => Promise<string | undefined>;
  /** Whether Slack knows this user id (users.info); not checked when absent. */
  userExists?: (userId: string) => Promise<boolean>;
  now: Date;
}

export interface ImportResult {
  /** Duties whose owners changed. */
  changed: number;
  rows: number;
}

/**
 * Checks every row (duty known, each person a Slack id Slack knows or an e-mail it resolves, a duty once), and only
 * then saves them all in one transaction as 'cli'. Any problem: an AppError listing each bad row by line, nothing
 * applied.
 */
export async function importOwners(rows: ImportRow[], o: ImportOptions): Promise<ImportResult> {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const emails = new Map<string, string | undefined>();
  const checked = new Map<string, boolean>();
  const resolved: { row: ImportRow; next: OwnersInput }[] = [];
  for (const row of rows) {
    const where = `line ${row.line}`;
    if (!row.dutyId) {
      problems.push(`${where}: no duty id`);
      continue;
    }
    if (!o.dutyIds.has(row.dutyId)) {
      problems.push(`${where}: unknown duty "${row.dutyId}"`);
      continue;
    }
    const before = seen.get(row.dutyId);
    if (before !== undefined) problems.push(`${where}: duty "${row.dutyId}" is already on line ${before}`);
    seen.set(row.dutyId, row.line);
    const resolve = async (who: string): Promise<string | undefined> => {
      if (who.includes('@')) {
        const email = who.toLowerCase();
        if (!o.lookupEmail) {
          problems.push(`${where}: "${who}" is an e-mail, and e-mails need SLACK_BOT_TOKEN (users.lookupByEmail)`);
          return undefined;
        }
        if (!emails.has(email)) emails.set(email, await o.lookupEmail(email));
        const id = emails.get(email);
        if (!id) problems.push(`${where}: nobody in Slack has the e-mail "${who}"`);
        return id;
      }
      if (!isUserId(who)) {
        problems.push(`${where}: "${who}" is neither a Slack user id (U…) nor an e-mail`);
        return undefined;
      }
      if (o.userExists) {
        if (!checked.has(who)) checked.set(who, await o.userExists(who));
        if (!checked.get(who)) {
          problems.push(`${where}: Slack knows no user "${who}"`);
          return undefined;
        }
      }
      return who;
    };
    const owners: string[] = [];
    const backups: string[] = [];
    for (const p of row.owners) {
      const id = await resolve(p);
      if (id) owners.push(id);
    }
    for (const p of row.backups) {
      const id = await resolve(p);
      if (id) backups.push(id);
    }
    if (row.group && !/^S[A-Z0-9]{2,}$/.test(row.group.id)) {
      problems.push(`${where}: "${row.group.id}" is not a Slack user group id (S…)`);
    }
    resolved.push({
      row,
      next: normalizeOwners({ owners, backups, ...(row.group ? { usergroup: { ...row.group } } : {}) }),
    });
  }
  if (problems.length > 0) {
    throw new AppError('owners_import_invalid', `Nothing was imported:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  const changed = await o.db.transaction(async (tx) => {
    let n = 0;
    for (const { row, next } of resolved) {
      const r = await saveOwnersIn(tx, { teamId: o.teamId, dutyId: row.dutyId, next, actor: 'cli', now: o.now });
      if (r.kind === 'saved' && r.changed) n++;
    }
    return n;
  });
  return { changed, rows: resolved.length };
}
