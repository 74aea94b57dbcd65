import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.ts';
import type { Db, Queryable } from './db.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// Any constant works; it only has to be the same in every process that migrates this database.
const MIGRATION_LOCK_KEY = 7_316_420_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number.parseInt(file.slice(0, 4), 10),
      name: file.replace(/\.sql$/, ''),
      sql: readFileSync(path.join(dir, file), 'utf8'),
    }));
}

/**
 * Applies pending migrations in one transaction. On Postgres a transaction-scoped advisory
 * lock makes concurrent starts of several processes wait for each other instead of racing.
 */
export async function migrate(db: Db, migrations = listMigrations()): Promise<string[]> {
  // Nearly every start finds nothing to do: two short reads say so, without the transaction, its DDL and the lock.
  const { applied, total } = await appliedMigrations(db, migrations);
  if (applied === total) return [];
  return db.transaction(async (tx) => {
    if (db.engine === 'postgres') await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`create table if not exists schema_migrations (
      version int primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
    const rows = await tx.query<{ version: number }>('select version from schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new AppError('migration_failed', `Migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
      done.push(m.name);
    }
    return done;
  });
}

/** How many of the migrations this build knows are recorded (readiness compares it with `total`). */
export async function appliedMigrations(
  db: Queryable,
  migrations = listMigrations(),
): Promise<{ applied: number; total: number }> {
  const [table] = await db.query<{ r: string | null }>(`select to_regclass('schema_migrations')::text as r`);
  if (!table?.r) return { applied: 0, total: migrations.length };
  const rows = await db.query<{ n: number }>(
    'select count(*)::int as n from schema_migrations where version = any($1::int[])',
    [migrations.map((m) => m.version)],
  );
  return { applied: rows[0]?.n ?? 0, total: migrations.length };
}
