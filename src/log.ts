import { createHash } from 'node:crypto';

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
const SECRET_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /sk-[A-Za-z0-9_-]{8,}/g,
  /(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/g,
];
const SECRET_KEYS = /token|secret|password|api[_-]?key|authorization/i;

export function redact(text: string): string {
  let out = text;
  for (const p of SECRET_PATTERNS) {
    out = out.replace(p, (_m, keep?: string) => (typeof keep === 'string' ? `${keep}***@` : '***'));
  }
  return out;
}

function clean(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: redact(value.message),
      ...(code !== undefined ? { code } : {}),
      ...(value.cause !== undefined && depth < 3 ? { cause: clean(value.cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return depth > 4 ? '[…]' : value.map((v) => clean(v, depth + 1));
  if (value && typeof value === 'object') {
    if (depth > 4) return '[…]';
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '***' : clean(v, depth + 1);
    return out;
  }
  return value;
}

/** Slack user ids identify people; logs keep a short one-way hash so one user's requests still correlate. */
export function hashId(id: string): string {
  return createHash('sha256').update(`mle-duties:${id}`).digest('hex').slice(0, 12);
}

export interface LoggerOptions {
  level: LogLevel;
  json: boolean;
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const threshold = ORDER[options.level];
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (ORDER[level] < threshold) return;
    const data = clean({ ...base, ...fields }) as LogFields;
    if (options.json) {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg: redact(msg), ...data }));
    } else {
      const extra = Object.keys(data).length > 0 ? ` ${JSON.stringify(data)}` : '';
      write(`${level.toUpperCase().padEnd(5)} ${redact(msg)}${extra}`);
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

export const silentLogger: Logger = createLogger({ level: 'silent', json: false });
