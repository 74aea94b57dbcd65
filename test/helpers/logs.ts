import { createLogger, type Logger, type LogLevel } from '../../src/log.ts';

export interface CapturedLogs {
  logger: Logger;
  /** Every line as written (JSON text). */
  lines: string[];
}

/** A logger as production configures it (JSON lines, secrets masked), writing into `lines`. */
export function captureLogs(level: LogLevel = 'debug', secrets: string[] = []): CapturedLogs {
  const lines: string[] = [];
  return { logger: createLogger({ level, json: true, write: (l) => lines.push(l), secrets }), lines };
}
