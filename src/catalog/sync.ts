import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../db/db.ts';
import type { Catalog, CatalogFiles } from './catalog.ts';

const SYNC_LOCK_KEY = 7_316_420_002;

/**
 * Field weights of the inverted index. Aliases are written by people to widen recall, so they
 * count below the source's own words and never outweigh the title.
 */
const FIELD_WEIGHTS = { title: 3, description: 1, aliases: 0.8, expansions: 0.5 } as const;

export interface SyncResult {
  changed: boolean;
  upserted: number;
  retired: number;
}

const UNCHANGED: SyncResult = { changed: false, upserted: 0, retired: 0 };

/**
 * Makes the database hold exactly the catalog's active duties: idempotent upserts by id,
 * duties that left data/ are retired (never deleted: votes and digests point at them), and a
 * no-op costing one query when the data files have not changed. Given the data files as read, it parses and validates
 * them only when the database does not hold them (a broken catalog fails here, before anything is written).
 */
export async function syncCatalog(db: Db, source: Catalog | CatalogFiles): Promise<SyncResult> {
  if (await isSynced(db, source.contentHash)) return UNCHANGED;
  const catalog = 'parse' in source ? source.parse() : source;

  const result = await db.transaction(async (tx) => {
    if (db.engine === 'postgres') await tx.query('select pg_advisory_xact_lock($1)', [SYNC_LOCK_KEY]);
    // Another process may have synced while this one waited for the lock.
    if (await isSynced(tx, catalog.contentHash)) return UNCHANGED;

    const { role } = catalog;
    await tx.query(
      `insert into roles (id, name) values ($1, $2)
       on conflict (id) do update set name = excluded.name`,
      [role.id, role.name],
    );
    await tx.query(
      `insert into sections (role_id, number, title)
       select $1, s.number, s.title from jsonb_to_recordset($2::jsonb) as s(number int, title text)
       on conflict (role_id, number) do update set title = excluded.title`,
      [role.id, JSON.stringify(catalog.sections)],
    );
    const entries = catalog.entries.map((e, position) => ({ ...e, position }));
    const upserted = await tx.query(
      `insert into duties (id, role_id, section, position, title, description, aliases)
       select e.id, $1, e.section, e.position, e.title, e.description,
              array(select jsonb_array_elements_text(e.aliases))
       from jsonb_to_recordset($2::jsonb) as e(id text, section int, position int, title text, description text, aliases jsonb)
       on conflict (id) do update set
         role_id = excluded.role_id, section = excluded.section, position = excluded.position,
         title = excluded.title, description = excluded.description, aliases = excluded.aliases,
         retired_at = null, updated_at = now()
       returning id`,
      [role.id, JSON.stringify(entries)],
    );
    const retired = await tx.query(
      `update duties set retired_at = now(), updated_at = now()
       where role_id = $1 and retired_at is null and not (id = any($2::text[]))
       returning id`,
      [role.id, catalog.entries.map((e) => e.id)],
    );
    await tx.query('delete from synonyms');
    await tx.query(
      `insert into synonyms (term, means)
       select lower(s.term), lower(s.means) from jsonb_to_recordset($1::jsonb) as s(term text, means text)
       on conflict (term) do update set means = excluded.means`,
      [JSON.stringify(catalog.synonyms)],
    );
    await tx.query(
      `delete from duty_expansions where source = 'concept' and duty_id in (select id from duties where role_id = $1)`,
      [role.id],
    );
    await tx.query(
      `insert into duty_expansions (duty_id, phrase, source)
       select distinct d.id, lower(t.term), 'concept'
       from jsonb_to_recordset($1::jsonb) as c(duties text[], terms text[]), unnest(c.duties) d(id), unnest(c.terms) t(term)
       on conflict do nothing`,
      [JSON.stringify(catalog.concepts.map((c) => ({ duties: c.duties, terms: c.terms })))],
    );
    await tx.query('delete from outside_topics');
    await tx.query(
      `insert into outside_topics (term, topic)
       select distinct on (lower(t.term)) lower(t.term), o.topic
       from jsonb_to_recordset($1::jsonb) as o(topic text, terms text[]), unnest(o.terms) t(term)
       order by lower(t.term), o.topic`,
      [JSON.stringify(catalog.topics)],
    );
    await rebuildIndex(tx, role.id);
    await tx.query(
      `insert into catalog_state (role_id, content_hash) values ($1, $2)
       on conflict (role_id) do update set content_hash = excluded.content_hash, synced_at = now()`,
      [role.id, stateHash(catalog.contentHash)],
    );
    return { changed: true, upserted: upserted.length, retired: retired.length };
  });
  // A freshly filled index has no planner statistics until autovacuum comes by; without them the
  // first answers on a new database plan badly (measured: 184 ms instead of 8 ms per answer).
  if (result.changed) await db.exec('analyze duties, duty_terms, duty_phrases, term_stats, lexicon');
  return result;
}

/** A sync's version, over catalog_state `s`: changes with every sync that changed something. */
const VERSION_OF = `s.content_hash || '@' || extract(epoch from s.synced_at)::text`;

/** The catalog version the database holds now, as a scalar subquery (null before the first sync). */
export const CATALOG_VERSION_SQL = `(select ${VERSION_OF} from catalog_state s order by s.synced_at desc limit 1)`;

/**
 * The catalog in the database now: the role synced last, and a version that changes with every sync that changed
 * something, whichever process ran it (so every running process can notice an `import`).
 */
export async function catalogVersion(
  q: Queryable,
): Promise<{ roleId: string; roleName: string; version: string } | undefined> {
  const rows = await q.query<{ roleId: string; roleName: string; version: string }>(
    `select s.role_id as "roleId", r.name as "roleName", ${VERSION_OF} as version
     from catalog_state s join roles r on r.id = s.role_id
     order by s.synced_at desc limit 1`,
  );
  return rows[0];
}

/** The data files and the way they are indexed: changing either makes the next start re-sync. */
function stateHash(contentHash: string): string {
  return createHash('sha256').update(contentHash).update(JSON.stringify(FIELD_WEIGHTS)).digest('hex');
}

/**
 * Whether the database holds data files of this content hash, synced the way this build indexes them (the hash covers
 * the role's id, so no role needs naming).
 */
export async function isSynced(q: Queryable, contentHash: string): Promise<boolean> {
  const rows = await q.query('select 1 from catalog_state where content_hash = $1', [stateHash(contentHash)]);
  return rows.length > 0;
}

/**
 * Rebuilds the inverted index of one role's active duties, then the corpus-wide statistics
 * BM25 needs (document frequencies, average length) and the typo-repair lexicon.
 */
export async function rebuildIndex(
  q: Queryable,
  roleId: string,
  weights: { title: number; description: number; aliases: number; expansions: number } = FIELD_WEIGHTS,
): Promise<void> {
  await q.query('delete from duty_terms where duty_id in (select id from duties where role_id = $1)', [roleId]);
  await q.query(
    `insert into duty_terms (lexeme, duty_id, tf, doc_len)
     with parts as (
       select d.id, u.lexeme, $2::real * coalesce(array_length(u.positions, 1), 1) as w
       from duties d, unnest(to_tsvector('english', d.title)) u
       where d.role_id = $1 and d.retired_at is null
       union all
       select d.id, u.lexeme, $3::real * coalesce(array_length(u.positions, 1), 1)
       from duties d, unnest(to_tsvector('english', d.description)) u
       where d.role_id = $1 and d.retired_at is null
       union all
       -- Each alias adds a lexeme at most once, and a lexeme counts at most three aliases:
       -- ten aliases saying "model" must not make a duty look ten times about models.
       select d.id, u.lexeme, $4::real * least(count(*), 3)
       from duties d, unnest(d.aliases) a(alias), unnest(to_tsvector('english', a.alias)) u
       where d.role_id = $1 and d.retired_at is null
       group by d.id, u.lexeme
       union all
       -- Phrasings of the field (concepts) widen recall below the aliases, each lexeme at most twice.
       select d.id, u.lexeme, $5::real * least(count(*), 2)
       from duties d join duty_expansions x on x.duty_id = d.id, unnest(to_tsvector('english', x.phrase)) u
       where d.role_id = $1 and d.retired_at is null
       group by d.id, u.lexeme
     ), terms as (
       select id, lexeme, sum(w) as tf from parts group by id, lexeme
     )
     select lexeme, id, tf, sum(tf) over (partition by id) from terms`,
    [roleId, weights.title, weights.description, weights.aliases, weights.expansions],
  );
  await q.query('delete from duty_phrases where duty_id in (select id from duties where role_id = $1)', [roleId]);
  await q.query(
    `insert into duty_phrases (duty_id, kind, phrase, lexemes)
     select id, kind, phrase, lexemes from (
       select d.id, 'title' as kind, d.title as phrase, tsvector_to_array(to_tsvector('english', d.title)) as lexemes
       from duties d where d.role_id = $1 and d.retired_at is null
       union all
       select d.id, 'alias', a.alias, tsvector_to_array(to_tsvector('english', a.alias))
       from duties d, unnest(d.aliases) a(alias) where d.role_id = $1 and d.retired_at is null
       union all
       select d.id, 'concept', x.phrase, tsvector_to_array(to_tsvector('english', x.phrase))
       from duties d join duty_expansions x on x.duty_id = d.id where d.role_id = $1 and d.retired_at is null
     ) p
     where cardinality(lexemes) > 0`,
    [roleId],
  );
  await refreshStatistics(q);
}

async function refreshStatistics(q: Queryable): Promise<void> {
  await q.query('delete from corpus_stats');
  await q.query(
    `insert into corpus_stats (id, docs, avg_len)
     select 1, count(*), coalesce(avg(doc_len), 1)
     from (select duty_id, max(doc_len) as doc_len from duty_terms group by duty_id) d`,
  );
  await q.query('delete from term_stats');
  // BM25's idf, with the +1 inside the log so a word in most duties still scores a little above zero.
  await q.query(
    `insert into term_stats (lexeme, df, idf)
     select t.lexeme, count(*), ln(1 + (c.docs - count(*) + 0.5) / (count(*) + 0.5))
     from duty_terms t cross join corpus_stats c
     group by t.lexeme, c.docs`,
  );
  await q.query(
    `update term_stats set core = true
     where lexeme in (
       select distinct u.lexeme
       from duties d, unnest(to_tsvector('english', d.title || ' ' || d.description)) u
       where d.retired_at is null
     )`,
  );
  await q.query('delete from lexicon');
  await q.query(
    `insert into lexicon (word)
     select distinct w from (
       select regexp_split_to_table(lower(d.title || ' ' || d.description || ' ' || array_to_string(d.aliases, ' ')), '[^a-z0-9]+') as w
       from duties d where d.retired_at is null
       union all
       select regexp_split_to_table(lower(s.term || ' ' || s.means), '[^a-z0-9]+') from synonyms s
       union all
       select regexp_split_to_table(x.phrase, '[^a-z0-9]+')
       from duty_expansions x join duties d on d.id = x.duty_id where d.retired_at is null
     ) words
     where length(w) >= 3`,
  );
}
