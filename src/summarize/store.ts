import type { Db, Queryable } from '../db/db.ts';

/** The summarizer's SQL, `$n`-parameterised; times come from the caller's clock so tests can move it. */

export async function readCache(db: Queryable, key: string, now: number): Promise<string | undefined> {
  const rows = await db.query<{ summary: string }>(
    'select summary from summary_cache where cache_key = $1 and expires_at > $2::timestamptz',
    [key, new Date(now).toISOString()],
  );
  return rows[0]?.summary;
}

export interface CacheRow {
  key: string;
  question: string;
  entryIds: readonly string[];
  model: string;
  promptVersion: number;
  summary: string;
}

export async function writeCache(db: Queryable, row: CacheRow, now: number, ttlMs: number): Promise<void> {
  await db.query(
    `insert into summary_cache (cache_key, question, entry_ids, model, prompt_version, summary, created_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz)
     on conflict (cache_key) do update
       set summary = excluded.summary, created_at = excluded.created_at, expires_at = excluded.expires_at`,
    [
      row.key,
      row.question,
      row.entryIds,
      row.model,
      row.promptVersion,
      row.summary,
      new Date(now).toISOString(),
      new Date(now + ttlMs).toISOString(),
    ],
  );
  // Expired rows are never read again; dropping them here keeps the table at the size of one TTL.
  await db.query('delete from summary_cache where expires_at <= $1::timestamptz', [new Date(now).toISOString()]);
}

/** Deletes the cached summaries expired at `now` (a cache that nobody writes to is not swept by writeCache). */
export async function pruneSummaryCache(db: Queryable, now: Date): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `with d as (delete from summary_cache where expires_at <= $1::timestamptz returning 1)
     select count(*)::int as n from d`,
    [now.toISOString()],
  );
  return rows[0]?.n ?? 0;
}

// Adds one call to a window unless the window is full; no row back means "full".
const TAKE = `insert into llm_call_windows (scope, window_minute, calls) values ($1, $2, 1)
  on conflict (scope, window_minute) do update set calls = llm_call_windows.calls + 1
  where llm_call_windows.calls < $3
  returning calls`;

class WindowFull extends Error {}

/**
 * Takes one call from the user's and the global window of this minute, or neither: when the
 * global window is full the user's increment is rolled back, so a refused call costs nothing.
 */
export async function takeCall(
  db: Db,
  userScope: string,
  limits: { perUser: number; global: number },
  now: number,
): Promise<'ok' | 'user' | 'global'> {
  const minute = Math.floor(now / 60_000);
  try {
    return await db.transaction(async (tx) => {
      const user = await tx.query<{ calls: number }>(TAKE, [userScope, minute, limits.perUser]);
      if (user.length === 0) return 'user';
      const global = await tx.query<{ calls: number }>(TAKE, ['global', minute, limits.global]);
      if (global.length === 0) throw new WindowFull();
      // The first call of a minute sweeps old windows, so the table stays a few rows long.
      if (Number(global[0]?.calls) === 1) {
        await tx.query('delete from llm_call_windows where window_minute < $1', [minute - 5]);
      }
      return 'ok';
    });
  } catch (err) {
    if (err instanceof WindowFull) return 'global';
    throw err;
  }
}

export async function readCircuit(
  db: Queryable,
  provider: string,
  now: number,
): Promise<{ openUntil: number; reason: string } | undefined> {
  const rows = await db.query<{ open_until: Date | string; reason: string }>(
    'select open_until, reason from llm_circuit where provider = $1 and open_until > $2::timestamptz',
    [provider, new Date(now).toISOString()],
  );
  const row = rows[0];
  return row ? { openUntil: new Date(row.open_until).getTime(), reason: row.reason } : undefined;
}

/** Opens (or extends) the circuit; never shortens one another process opened for longer. */
export async function openCircuit(
  db: Queryable,
  provider: string,
  until: number,
  reason: string,
  now: number,
): Promise<void> {
  await db.query(
    `insert into llm_circuit (provider, open_until, reason, opened_at) values ($1, $2::timestamptz, $3, $4::timestamptz)
     on conflict (provider) do update set open_until = excluded.open_until, reason = excluded.reason,
       opened_at = excluded.opened_at
     where llm_circuit.open_until < excluded.open_until`,
    [provider, new Date(until).toISOString(), reason, new Date(now).toISOString()],
  );
}
