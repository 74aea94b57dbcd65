import { createHmac, randomBytes } from 'node:crypto';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

// Values that look like credentials are masked wherever they appear, so a stray token in an
// error message or a URL never reaches the log sink.
const SECRET_PATTERNS: [RegExp, string][] = [
  [/xox[abposr]-[A-Za-z0-9-]+/g, '***'],
  [/xapp-[A-Za-z0-9-]+/g, '***'],
  [/sk-[A-Za-z0-9_-]{8,}/g, '***'],
  [/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@'],
  // A credential inside serialised text (a request body in a library's debug line): "token":"…", token=…
  [/((?:"|\b)(?:token|secret|password|api[_-]?key|authorization)"?\s*[:=]\s*"?)[^"&\s,}]+/gi, '$1***'],
];
const SECRET_KEYS = /token|secret|password|api[_-]?key|authorization/i;
/**
 * Slack user ids (U… or W…, upper-case letters and digits, at least one digit) in free text, such as a
 * library's debug line or an error message: replaced by their hash so one user's lines still correlate.
 */
const USER_ID = /\b[UW](?=[A-Z0-9]*\d)[A-Z0-9]{6,}\b/g;
/** What a person typed: kept out of every line above debug (only its length is logged). */
const QUESTION_KEYS = new Set(['question', 'text', 'questionText', 'query']);

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join('***');
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out.replace(USER_ID, (id) => `user:${hashId(id)}`);
}

interface CleanOptions {
  secrets: readonly string[];
  /** Above debug, what a person typed is replaced by its length. */
  keepText: boolean;
}

function clean(value: unknown, o: CleanOptions, depth = 0): unknown {
  if (typeof value === 'string') return redact(value, o.secrets);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: redact(value.message, o.secrets),
      ...(code !== undefined ? { code } : {}),
      ...(value.cause !== undefined && depth < 3 ? { cause: clean(value.cause, o, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return depth > 4 ? '[…]' : value.map((v) => clean(v, o, depth + 1));
  if (value && typeof value === 'object') {
    if (depth > 4) return '[…]';
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEYS.test(k)) out[k] = '***';
      else if (!o.keepText && QUESTION_KEYS.has(k) && typeof v === 'string') out[k] = `[${v.length} chars]`;
      else out[k] = clean(v, o, depth + 1);
    }
    return out;
  }
  return value;
}

/**
 * The key of `hashId`: the installation's own secret once the runtime has read it from the database (src/db/secrets.ts),
 * and until then a random one of this process, so even the first lines cannot be mapped back to a person.
 */
let userHashKey: Buffer = randomBytes(32);

/** Keys `hashId` with the installation's secret (the runtime calls this at start). */
export function useUserHashKey(secret: string): void {
  userHashKey = Buffer.from(secret, 'utf8');
}

/**
 * Slack user ids identify people; logs and stored rows keep a short keyed hash (HMAC-SHA256 with the installation's
 * secret) so one user's requests still correlate, while nobody without the secret can map a hash back to a person by
 * hashing the workspace's user list.
 */
export function hashId(id: string): string {
  return createHmac('sha256', userHashKey).update(id).digest('hex').slice(0, 12);
}

/** The same logger, calling `onError` for each error line it or any of its children writes. */
export function countingErrors(logger: Logger, onError: () => void): Logger {
  return {
    debug: (msg, fields) => logger.debug(msg, fields),
    info: (msg, fields) => logger.info(msg, fields),
    warn: (msg, fields) => logger.warn(msg, fields),
    error: (msg, fields) => {
      onError();
      logger.error(msg, fields);
    },
    child: (fields) => countingErrors(logger.child(fields), onError),
  };
}

export interface LoggerOptions {
  level: LogLevel;
  /** One JSON object per line (production); otherwise a line meant for people. */
  json: boolean;
  write?: (line: string) => void;
  /** Exact values never to write (the configured tokens, keys and passwords), masked wherever they appear. */
  secrets?: readonly (string | undefined)[];
}

export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const threshold = ORDER[options.level];
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 6);
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (ORDER[level] < threshold) return;
    const o = { secrets, keepText: level === 'debug' };
    const data = clean({ ...base, ...fields }, o) as LogFields;
    const text = redact(msg, secrets);
    if (options.json) {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg: text, ...data }));
    } else {
      write(`${new Date().toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${text}${readable(data)}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** ` key=value …` for the development format: plain values bare, anything else as JSON. */
function readable(data: LogFields): string {
  const parts = Object.entries(data).map(([k, v]) => {
    const plain = typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && /^[^\s"=]+$/.test(v));
    return `${k}=${plain ? String(v) : JSON.stringify(v)}`;
  });
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

export const silentLogger: Logger = createLogger({ level: 'silent', json: false });
