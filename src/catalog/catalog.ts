import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../config.ts';
import { AppError } from '../errors.ts';

export const DATA_DIR = path.join(PROJECT_ROOT, 'data');

export interface Section {
  number: number;
  title: string;
}

export interface Duty {
  /** `section:Title`, exactly as the source writes the title: stable, and what evaluations compare. */
  id: string;
  section: number;
  title: string;
  description: string;
  aliases: string[];
}

export interface Synonym {
  term: string;
  means: string;
}

/**
 * A family of phrasing from the field (tools, jargon, symptoms, situations) and the duties that
 * handle it: each term is indexed with every duty named, below the duty's own aliases.
 */
export interface Concept {
  name: string;
  duties: string[];
  terms: string[];
}

/** A topic near a team's work that the role does not cover (pay, legal, IT support…), by the terms that name it. */
export interface OutsideTopic {
  topic: string;
  terms: string[];
}

export interface Catalog {
  role: { id: string; name: string; source: string };
  sections: Section[];
  entries: Duty[];
  synonyms: Synonym[];
  concepts: Concept[];
  topics: OutsideTopic[];
  /** Hash of the data files' contents: the sync is a no-op while it is unchanged. */
  contentHash: string;
}

const text = (max: number) => z.string().trim().min(1).max(max);

const catalogSchema = z.object({
  role: z.object({ id: z.string().regex(/^[a-z0-9-]+$/), name: text(200), source: text(200) }),
  sections: z.array(z.object({ number: z.number().int().positive(), title: text(200) })).min(1),
  entries: z
    .array(
      z.object({
        id: text(300),
        section: z.number().int().positive(),
        title: text(150),
        description: text(2000),
        aliases: z.array(text(120)).max(50),
      }),
    )
    .min(1),
});

const synonymsSchema = z.object({
  synonyms: z.array(z.object({ term: text(60), means: text(200) })),
});

const conceptsSchema = z.object({
  concepts: z.array(
    z.object({ name: text(120), duties: z.array(text(300)).min(1).max(8), terms: z.array(text(120)).min(1).max(120) }),
  ),
});

const topicsSchema = z.object({
  outside: z.array(z.object({ topic: text(120), terms: z.array(text(60)).min(1).max(200) })),
});

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('catalog_file_missing', `Cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function parseJson(file: string, raw: string): { value: unknown } {
  try {
    return { value: JSON.parse(raw) };
  } catch (err) {
    throw new AppError('catalog_invalid', `${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function describeIssue(file: string, value: unknown, issue: z.core.$ZodIssue): string {
  const [top, index] = issue.path;
  let where = issue.path.join('.');
  if (top === 'entries' && typeof index === 'number') {
    const entry = (value as { entries?: { id?: unknown }[] }).entries?.[index];
    where = `entry #${index + 1}${typeof entry?.id === 'string' ? ` (${entry.id})` : ''}, field ${issue.path.slice(2).join('.') || '(entry)'}`;
  } else if (top === 'synonyms' && typeof index === 'number') {
    where = `synonym #${index + 1}, field ${issue.path.slice(2).join('.')}`;
  } else if (top === 'concepts' && typeof index === 'number') {
    const concept = (value as { concepts?: { name?: unknown }[] }).concepts?.[index];
    where = `concept #${index + 1}${typeof concept?.name === 'string' ? ` (${concept.name})` : ''}, field ${issue.path.slice(2).join('.')}`;
  }
  return `${file}: ${where}: ${issue.message}`;
}

function parse<T>(schema: z.ZodType<T>, file: string, json: { value: unknown }): T {
  const parsed = schema.safeParse(json.value);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  throw new AppError('catalog_invalid', first ? describeIssue(file, json.value, first) : `${file}: invalid`);
}

/**
 * The data files as read from disk: the hash of their bytes at once, the catalog parsed and validated only when asked
 * (a start whose database already holds these very bytes never needs it: they were valid when it synced them).
 */
export interface CatalogFiles {
  readonly contentHash: string;
  parse(): Catalog;
}

/** Reads data/catalog.json, synonyms.json, concepts.json and topics.json; a missing file fails here. */
export function readCatalogFiles(dir = DATA_DIR): CatalogFiles {
  const files = {
    catalog: path.join(dir, 'catalog.json'),
    synonyms: path.join(dir, 'synonyms.json'),
    concepts: path.join(dir, 'concepts.json'),
    topics: path.join(dir, 'topics.json'),
  };
  const raw = {
    catalog: readText(files.catalog),
    synonyms: readText(files.synonyms),
    concepts: readText(files.concepts),
    topics: readText(files.topics),
  };
  const contentHash = createHash('sha256')
    .update(raw.catalog)
    .update('\0')
    .update(raw.synonyms)
    .update('\0')
    .update(raw.concepts)
    .update('\0')
    .update(raw.topics)
    .digest('hex');
  let parsed: Catalog | undefined;
  return {
    contentHash,
    parse() {
      parsed ??= parseCatalog(files, raw, contentHash);
      return parsed;
    },
  };
}

/** Reads and validates the data files; errors name the file and the entry. */
export function loadCatalog(dir = DATA_DIR): Catalog {
  return readCatalogFiles(dir).parse();
}

type CatalogFileSet<T> = Record<'catalog' | 'synonyms' | 'concepts' | 'topics', T>;

function parseCatalog(files: CatalogFileSet<string>, raw: CatalogFileSet<string>, contentHash: string): Catalog {
  const catalogFile = files.catalog;
  const synonymsFile = files.synonyms;
  const conceptsFile = files.concepts;
  const topicsFile = files.topics;
  const c = parseJson(catalogFile, raw.catalog);
  const s = parseJson(synonymsFile, raw.synonyms);
  const k = parseJson(conceptsFile, raw.concepts);
  const o = parseJson(topicsFile, raw.topics);

  const { role, sections, entries } = parse(catalogSchema, catalogFile, c);
  const { synonyms } = parse(synonymsSchema, synonymsFile, s);
  // Terms are kept lowercased, one meaning each: a second entry would fail the sync with a database error instead.
  const terms = new Map<string, number>();
  for (const [i, syn] of synonyms.entries()) {
    const first = terms.get(syn.term.toLowerCase());
    if (first !== undefined) {
      throw new AppError(
        'catalog_invalid',
        `${synonymsFile}: synonym #${i + 1} ("${syn.term}") repeats synonym #${first + 1}: give a term one meaning`,
      );
    }
    terms.set(syn.term.toLowerCase(), i);
  }
  const sectionNumbers = new Set(sections.map((x) => x.number));
  const ids = new Set<string>();
  for (const [i, e] of entries.entries()) {
    const where = `${catalogFile}: entry #${i + 1} (${e.id})`;
    if (!sectionNumbers.has(e.section)) {
      throw new AppError('catalog_invalid', `${where}: section ${e.section} is not one of the catalog's sections`);
    }
    if (e.id !== `${e.section}:${e.title}`) {
      throw new AppError('catalog_invalid', `${where}: id must be "${e.section}:${e.title}"`);
    }
    if (ids.has(e.id)) throw new AppError('catalog_invalid', `${where}: duplicate id`);
    ids.add(e.id);
  }

  const { concepts } = parse(conceptsSchema, conceptsFile, k);
  const topics = parse(topicsSchema, topicsFile, o).outside;
  for (const [i, concept] of concepts.entries()) {
    for (const id of concept.duties) {
      if (!ids.has(id)) {
        throw new AppError(
          'catalog_invalid',
          `${conceptsFile}: concept #${i + 1} (${concept.name}): "${id}" is not a duty of the catalog`,
        );
      }
    }
  }

  return { role, sections, entries, synonyms, concepts, topics, contentHash };
}
