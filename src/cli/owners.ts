// `mle-duties owners export|import`: owners of duties for teams that keep them in a spreadsheet or in git. The CLI
// has no Slack identity and is trusted (whoever runs it holds the database); its changes are recorded as 'cli'.
import { readFileSync } from 'node:fs';
import { WebClient } from '@slack/web-api';
import { allDuties } from '../catalog/queries.ts';
import { AppError } from '../errors.ts';
import { httpFetch } from '../http-fetch.ts';
import { ownerTeams } from '../owners/store.ts';
import { exportOwners, importOwners, readImportFile, toCsv } from '../owners/transfer.ts';
import type { Runtime } from '../runtime.ts';
import { type Command, type CommandContext, parseOptions, UsageError } from './command.ts';

function slackClient(rt: Runtime): WebClient | undefined {
  const token = rt.config.slack.botToken;
  if (!token) return undefined;
  return new WebClient(token, {
    ...(rt.config.slack.apiUrl ? { slackApiUrl: rt.config.slack.apiUrl } : {}),
    timeout: 10_000,
    fetch: httpFetch,
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000, randomize: false },
  });
}

/** The workspace: --team, else the bot token's (auth.test), else the only one that has owners written down. */
async function teamOf(rt: Runtime, given: string | undefined, client: WebClient | undefined): Promise<string> {
  if (given) {
    if (!/^[TE][A-Z0-9]{2,}$/.test(given)) throw new UsageError('--team takes a Slack workspace id (T…)');
    return given;
  }
  if (client) {
    const auth = await client.auth.test();
    if (auth.team_id) return auth.team_id;
  }
  const teams = await ownerTeams(rt.db);
  if (teams.length === 1) return teams[0] as string;
  throw new UsageError(
    teams.length === 0
      ? 'which workspace? Give --team T… (or set SLACK_BOT_TOKEN)'
      : `several workspaces have owners (${teams.join(', ')}): give --team`,
  );
}

async function runExport(ctx: CommandContext, args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    csv: { type: 'boolean' },
    json: { type: 'boolean' },
    team: { type: 'string' },
  });
  if (values.csv && values.json) throw new UsageError('choose one of --csv and --json');
  const rt = await ctx.runtime();
  const team = await teamOf(rt, values.team, values.team ? undefined : slackClient(rt));
  const role = await rt.catalog.current();
  const rows = await exportOwners(rt.db, team, await allDuties(rt.db, role.id));
  if (values.json) ctx.io.out(JSON.stringify(rows, null, 2));
  else ctx.io.out(toCsv(rows).trimEnd());
  return 0;
}

async function runImport(ctx: CommandContext, args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { team: { type: 'string' } }, true);
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError('owners import takes one FILE (CSV: duty id, owners, backups)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('owners_import_invalid', `Cannot read ${file}: ${(err as Error).message}`);
  }
  const rows = readImportFile(text);
  const rt = await ctx.runtime();
  const client = slackClient(rt);
  const team = await teamOf(rt, values.team, client);
  const role = await rt.catalog.current();
  const duties = await allDuties(rt.db, role.id);
  const result = await importOwners(rows, {
    db: rt.db,
    teamId: team,
    dutyIds: new Set(duties.map((d) => d.id)),
    ...(client
      ? {
          lookupEmail: async (email: string) => {
            try {
              return (await client.users.lookupByEmail({ email })).user?.id;
            } catch (err) {
              if ((err as { data?: { error?: string } }).data?.error === 'users_not_found') return undefined;
              throw err;
            }
          },
          userExists: async (user: string) => {
            try {
              return Boolean((await client.users.info({ user })).user);
            } catch (err) {
              if ((err as { data?: { error?: string } }).data?.error === 'user_not_found') return false;
              throw err;
            }
          },
        }
      : {}),
    now: new Date(),
  });
  ctx.io.out(`Imported ${result.rows} duties for ${team}: ${result.changed} changed (recorded as cli).`);
  return 0;
}

export const owners: Command = {
  usage: 'owners export [--csv|--json] [--team T] | import FILE [--team T]   owners of duties to or from a spreadsheet',
  async run(ctx) {
    const [sub, ...args] = ctx.args;
    if (sub === 'export') return runExport(ctx, args);
    if (sub === 'import') return runImport(ctx, args);
    throw new UsageError('owners takes export or import');
  },
};
