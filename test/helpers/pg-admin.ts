import pg from 'pg';

/** The Postgres server tests and benches use; `.ci/run` and developers point it elsewhere with DATABASE_URL. */
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of another database on the same server. */
function databaseUrl(name: string, adminUrl = ADMIN_URL): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** One statement on its own connection (CREATE/DROP DATABASE cannot run in a transaction or a pool's session). */
export async function adminQuery(sql: string, url = ADMIN_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`Needs a Postgres server at ${new URL(url).host} (set DATABASE_URL): ${(err as Error).message}`);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty database (replacing one of the same name); `drop()` removes it. */
export async function freshDatabase(
  name: string,
  options: { template?: string; adminUrl?: string } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = options.adminUrl ?? ADMIN_URL;
  await adminQuery(`drop database if exists ${name} with (force)`, adminUrl);
  await adminQuery(`create database ${name}${options.template ? ` template ${options.template}` : ''}`, adminUrl);
  return {
    url: databaseUrl(name, adminUrl),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`, adminUrl),
  };
}
