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

function readJson(file: string): { raw: string; value: unknown } {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('catalog_file_missing', `Cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return { raw, value: JSON.parse(raw) };
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

/** Reads and validates data/catalog.json, synonyms.json, concepts.json and topics.json; errors name the file and the entry. */
export function loadCatalog(dir = DATA_DIR): Catalog {
  const catalogFile = path.join(dir, 'catalog.json');
  const synonymsFile = path.join(dir, 'synonyms.json');
  const conceptsFile = path.join(dir, 'concepts.json');
  const topicsFile = path.join(dir, 'topics.json');
  const c = readJson(catalogFile);
  const s = readJson(synonymsFile);
  const k = readJson(conceptsFile);
  const o = readJson(topicsFile);

  const { role, sections, entries } = parse(catalogSchema, catalogFile, c);
  const { synonyms } = parse(synonymsSchema, synonymsFile, s);
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

  const contentHash = createHash('sha256')
    .update(c.raw)
    .update('\0')
    .update(s.raw)
    .update('\0')
    .update(k.raw)
    .update('\0')
    .update(o.raw)
    .digest('hex');
  return { role, sections, entries, synonyms, concepts, topics, contentHash };
}
