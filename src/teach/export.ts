// Taught aliases into data/'s own format: each taught phrase joins its duty's `aliases` in catalog.json, so it can be
// reviewed and committed like any alias, and `import` loads it for every workspace.
import { tokenize } from '../search/text.ts';
import type { TaughtAlias } from './store.ts';

/** data/catalog.json's limit of aliases per duty (src/catalog/catalog.ts). */
const MAX_ALIASES = 50;

export interface ExportResult {
  /** catalog.json's new text (the same as before when nothing was added). */
  text: string;
  added: { dutyId: string; phrase: string }[];
  /** Already an alias (or the title) of that duty: nothing to add. */
  present: number;
  skipped: { dutyId: string; phrase: string; why: string }[];
}

interface CatalogFile {
  entries: { id: string; title: string; aliases: string[] }[];
}

/** Adds the taught phrases to catalog.json's text, keeping everything else as it is and the file's formatting. */
export function mergeTaughtAliases(catalogText: string, taught: readonly TaughtAlias[]): ExportResult {
  const catalog = JSON.parse(catalogText) as CatalogFile;
  const key = (s: string) => tokenize(s).join(' ');
  const byId = new Map(catalog.entries.map((e) => [e.id, e]));
  const result: ExportResult = { text: catalogText, added: [], present: 0, skipped: [] };
  for (const a of taught) {
    const entry = byId.get(a.dutyId);
    if (!entry) {
      result.skipped.push({ dutyId: a.dutyId, phrase: a.phrase, why: 'the duty is no longer in the catalog' });
      continue;
    }
    const k = key(a.phrase);
    if (key(entry.title) === k || entry.aliases.some((x) => key(x) === k)) {
      result.present++;
      continue;
    }
    if (entry.aliases.length >= MAX_ALIASES) {
      result.skipped.push({ dutyId: a.dutyId, phrase: a.phrase, why: `the duty has ${MAX_ALIASES} aliases already` });
      continue;
    }
    entry.aliases.push(a.phrase);
    result.added.push({ dutyId: a.dutyId, phrase: a.phrase });
  }
  if (result.added.length > 0) result.text = `${JSON.stringify(catalog, null, 2)}\n`;
  return result;
}
