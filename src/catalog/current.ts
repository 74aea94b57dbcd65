import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { catalogVersion } from './sync.ts';

/** The role every answer, listing and digest is about: the one in the database, not this process's data files. */
export interface CurrentRole {
  id: string;
  name: string;
}

/**
 * The catalog as the database holds it now. An `import` run by another process (or a newer deploy's start) changes
 * it under running processes: each notices within `checkMs`, at its next question, and tells its caches.
 */
export interface CatalogWatch {
  /** The current role; reads the catalog's version at most once per `checkMs` (one short query). */
  current(): Promise<CurrentRole>;
  /** Called once per change this process notices (search caches drop what they hold). */
  onChange(listener: () => void): void;
}

/** How stale a process's view of the catalog may be: a change shows up within this, at the next question. */
const DEFAULT_CHECK_MS = 1000;

export function watchCatalog(db: Queryable, options: { checkMs?: number; now?: () => number } = {}): CatalogWatch {
  const checkMs = options.checkMs ?? DEFAULT_CHECK_MS;
  const now = options.now ?? (() => performance.now());
  const listeners: (() => void)[] = [];
  let known: { role: CurrentRole; version: string; checkedAt: number } | undefined;
  let checking: Promise<CurrentRole> | undefined;

  const check = async (): Promise<CurrentRole> => {
    let state: Awaited<ReturnType<typeof catalogVersion>>;
    try {
      state = await catalogVersion(db);
    } catch (err) {
      // The database hiccuped: the last known role is still the best answer; the next question checks again.
      if (known) return known.role;
      throw err;
    }
    if (!state) {
      throw new AppError('catalog_missing', 'The role catalog is not in the database yet: run `mle-duties import`.');
    }
    const changed = known !== undefined && known.version !== state.version;
    known = { role: { id: state.roleId, name: state.roleName }, version: state.version, checkedAt: now() };
    if (changed) for (const listener of listeners) listener();
    return known.role;
  };

  return {
    current() {
      if (known && now() - known.checkedAt < checkMs) return Promise.resolve(known.role);
      checking ??= check().finally(() => {
        checking = undefined;
      });
      return checking;
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
