import { AppError } from '../errors.ts';
import type { Queryable } from './db.ts';

/** A secret of this installation, made by a migration (0008); read at start, never logged. */
export async function installationSecret(db: Queryable, name: 'user_hash'): Promise<string> {
  const rows = await db.query<{ secret: string }>('select secret from installation_secrets where name = $1', [name]);
  const secret = rows[0]?.secret;
  if (!secret) throw new AppError('migration_failed', `The installation secret "${name}" is missing (migration 0008)`);
  return secret;
}
