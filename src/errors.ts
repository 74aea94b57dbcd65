/** Error codes the app reacts to; the message is for people, the code is for code. */
export type ErrorCode =
  | 'config_invalid'
  | 'db_unreachable'
  | 'db_query_failed'
  | 'migration_failed'
  | 'catalog_invalid'
  | 'catalog_file_missing'
  | 'question_too_long'
  | 'question_empty'
  | 'slack_api_failed'
  | 'llm_failed'
  | 'digest_failed';

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
