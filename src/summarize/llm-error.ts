// What the summarizer and a provider share, without the OpenAI SDK: provider.ts (which loads the SDK) is imported
// only by a process that has summaries on.
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { ChatMessage } from './prompt.ts';

export type LlmConfig = NonNullable<Config['llm']>;

/** Why a call produced no summary; logged, counted, and never shown to the user. */
export type FailureReason =
  | 'timeout'
  | 'connection'
  | 'server_error'
  | 'rate_limited'
  | 'quota'
  | 'auth'
  | 'bad_request'
  | 'bad_response'
  | 'prompt_echo'
  | 'empty'
  | 'db'
  | 'internal';

/** A failed provider call: code `llm_failed`, the classified reason, and the original error as cause. */
export class LlmError extends AppError {
  readonly reason: FailureReason;
  readonly status?: number;
  /** From `retry-after(-ms)` on a 429: how long the provider asked us to stay away. */
  readonly retryAfterMs?: number;

  constructor(
    reason: FailureReason,
    message: string,
    options: { cause?: unknown; status?: number; retryAfterMs?: number } = {},
  ) {
    super('llm_failed', message, { cause: options.cause });
    this.name = 'LlmError';
    this.reason = reason;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** What the summarizer needs of a model: messages in, text out, within a deadline. */
export interface Provider {
  readonly model: string;
  /** Identifies the account/server for the circuit breaker (a refused key is refused for every model). */
  readonly id: string;
  complete(messages: ChatMessage[], opts: { signal: AbortSignal; deadlineAt: number }): Promise<string>;
}
