import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../log.ts';

/** Bolt's and the Web API client's logs go through our logger, so they get the same redaction. */
export function boltLogger(logger: Logger, level: LogLevel = LogLevel.INFO): BoltLogger {
  let current = level;
  let name = 'bolt';
  const line = (msgs: unknown[]) =>
    msgs.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...msgs) => logger.debug(line(msgs), { from: name }),
    info: (...msgs) => logger.info(line(msgs), { from: name }),
    warn: (...msgs) => logger.warn(line(msgs), { from: name }),
    error: (...msgs) => logger.error(line(msgs), { from: name }),
    setLevel: (l) => {
      current = l;
    },
    getLevel: () => current,
    setName: (n) => {
      name = n;
    },
  };
}

export function toBoltLevel(level: string): LogLevel {
  switch (level) {
    case 'debug':
      return LogLevel.DEBUG;
    case 'warn':
      return LogLevel.WARN;
    case 'error':
    case 'silent':
      return LogLevel.ERROR;
    default:
      return LogLevel.INFO;
  }
}
