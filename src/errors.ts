/** Error codes the app reacts to; the message is for people, the code is for code. */
export type ErrorCode =
  | 'config_invalid'
  | 'db_unreachable'
  | 'db_locked'
  | 'db_query_failed'
  | 'migration_failed'
  | 'catalog_invalid'
  | 'catalog_file_missing'
  | 'catalog_missing'
  | 'question_too_long'
  | 'llm_failed'
  | 'owners_import_invalid'
  | 'busy';

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/**
 * Slack Web API errors that mean the bot token is dead: retrying cannot help. The bot refuses to start with one, and
 * the digest scheduler stops every digest and alerts.
 */
export const SLACK_TOKEN_ERRORS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
]);
