import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { z } from 'zod';
import { AppError } from './errors.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const optionalUrl = optionalString.pipe(z.url().optional());
const intInRange = (min: number, max: number, fallback: number) =>
  optionalString
    .pipe(z.string().regex(/^\d+$/, 'must be a whole number').optional())
    .transform((v) => (v === undefined ? fallback : Number.parseInt(v, 10)))
    .pipe(z.number().min(min).max(max));

const schema = z.object({
  NODE_ENV: optionalString.transform((v) => v ?? 'development'),
  LOG_LEVEL: optionalString
    .pipe(z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional())
    .transform((v) => v ?? 'info'),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
  ),
  PGLITE_DIR: optionalString,
  DB_QUERY_TIMEOUT_MS: intInRange(100, 3_600_000, 5000),
  DB_CONNECT_TIMEOUT_MS: intInRange(100, 120_000, 5000),
  DB_PREPARED_STATEMENTS: optionalString.pipe(z.enum(['on', 'off']).optional()).transform((v) => v ?? 'on'),
  CATALOG_DIR: optionalString,
  PORT: intInRange(1, 65535, 3000),
  SLACK_BOT_TOKEN: optionalString.pipe(z.string().startsWith('xoxb-', 'must start with xoxb-').optional()),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.pipe(z.string().startsWith('xapp-', 'must start with xapp-').optional()),
  SLACK_API_URL: optionalUrl,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: optionalString.transform((v) => v ?? 'gpt-4o-mini'),
  LLM_TIMEOUT_MS: intInRange(100, 120_000, 8000),
  ANSWER_RETENTION_DAYS: intInRange(1, 36_500, 90),
  SCHEDULER: optionalString.pipe(z.enum(['on', 'off']).optional()).transform((v) => v ?? 'on'),
  ADMINS: optionalString
    .transform((v) => (v ?? '').split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be Slack user ids (U…/W…), separated by commas'))),
  DIGEST_MIN_ASKERS: intInRange(1, 1000, 3),
  VOTE_THRESHOLD: intInRange(1, 1000, 3),
  OWNERS_EDIT: optionalString.pipe(z.enum(['keepers', 'everyone']).optional()).transform((v) => v ?? 'keepers'),
});

export interface Config {
  readonly env: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly database: {
    readonly url?: string;
    readonly pgliteDir: string;
    /** Postgres: longest a statement may run (server side) and a reply may take (client side, a little longer). */
    readonly queryTimeoutMs: number;
    /** Postgres: longest wait for a connection, new or from the pool. */
    readonly connectTimeoutMs: number;
    /** Postgres: the bot's queries as named prepared statements (off for a pooler that cannot keep them). */
    readonly preparedStatements: boolean;
  };
  /** Where the role catalog's files are (catalog.json, synonyms.json). */
  readonly catalogDir: string;
  readonly port: number;
  readonly slack: {
    readonly botToken?: string;
    readonly signingSecret?: string;
    readonly appToken?: string;
    readonly apiUrl?: string;
  };
  readonly llm?: {
    readonly apiKey: string;
    readonly baseUrl?: string;
    readonly model: string;
    readonly timeoutMs: number;
  };
  readonly schedulerEnabled: boolean;
  /** Answers (questions asked, what was shown) older than this many days are deleted by housekeeping. */
  readonly answerRetentionDays: number;
  /** Catalog keepers named in ADMINS (Slack user ids); workspace admins and owners are keepers too. */
  readonly admins: readonly string[];
  /** A question appears in a digest only once this many different people asked it (in public channels). */
  readonly digestMinAskers: number;
  /**
   * Votes of people other than the asker and the keepers move an answer only once this many different people voted
   * the same way (each such group counts as one vote).
   */
  readonly voteThreshold: number;
  /** Who may edit the owners of duties: the keepers (default) or everyone. */
  readonly ownersEdit: 'keepers' | 'everyone';
}

export type Env = Record<string, string | undefined>;

/**
 * Parses the environment once. Every malformed variable is reported in one error, so a
 * deployment is fixed in one round trip rather than one variable at a time.
 */
export function loadConfig(env: Env = readProcessEnv()): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new AppError(
      'config_invalid',
      `Invalid configuration:\n${lines.join('\n')}\nSee the "Configuration" section of README.md.`,
    );
  }
  const e = parsed.data;
  const config: Config = {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    database: {
      url: e.DATABASE_URL,
      pgliteDir: path.resolve(PROJECT_ROOT, e.PGLITE_DIR ?? '.data/pglite'),
      queryTimeoutMs: e.DB_QUERY_TIMEOUT_MS,
      connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
      preparedStatements: e.DB_PREPARED_STATEMENTS === 'on',
    },
    catalogDir: path.resolve(PROJECT_ROOT, e.CATALOG_DIR ?? 'data'),
    port: e.PORT,
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
    llm: e.OPENAI_API_KEY
      ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL, timeoutMs: e.LLM_TIMEOUT_MS }
      : undefined,
    schedulerEnabled: e.SCHEDULER === 'on',
    answerRetentionDays: e.ANSWER_RETENTION_DAYS,
    admins: e.ADMINS,
    ownersEdit: e.OWNERS_EDIT,
    digestMinAskers: e.DIGEST_MIN_ASKERS,
    voteThreshold: e.VOTE_THRESHOLD,
  };
  return deepFreeze(config);
}

/**
 * The Slack settings the bot cannot start without, all reported at once: always the bot token, and
 * SLACK_SIGNING_SECRET for HTTP mode unless SLACK_APP_TOKEN selects Socket Mode (which needs no secret).
 */
export function requireSlack(config: Config): Required<Pick<Config['slack'], 'botToken'>> & Config['slack'] {
  const missing: string[] = [];
  if (!config.slack.botToken) missing.push('SLACK_BOT_TOKEN');
  if (!config.slack.signingSecret && !config.slack.appToken) {
    missing.push('SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');
  }
  if (missing.length > 0) {
    throw new AppError(
      'config_invalid',
      `Missing Slack settings: ${missing.join(', ')}.\nSee the "Connect to Slack" section of README.md.`,
    );
  }
  return config.slack as Required<Pick<Config['slack'], 'botToken'>> & Config['slack'];
}

let dotenvLoaded = false;
function readProcessEnv(): Env {
  if (!dotenvLoaded) {
    dotenv.config({ path: path.join(PROJECT_ROOT, '.env'), quiet: true });
    dotenvLoaded = true;
  }
  return process.env;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
