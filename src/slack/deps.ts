import type { Db } from '../db/db.ts';
import type { AnswerService } from '../feedback/answers.ts';
import type { Logger } from '../log.ts';
import type { Summarizer } from '../summarize/summarizer.ts';
import type { Work } from './work-queue.ts';

/** What listeners need: services, never Slack clients (Bolt hands those to each listener). */
export interface SlackDeps {
  db: Db;
  role: { id: string; name: string };
  answers: AnswerService;
  logger: Logger;
  now: () => Date;
  /**
   * Optional LLM summaries of answers (see reply.ts). Absent or disabled (no OPENAI_API_KEY):
   * answers are exactly as without it.
   */
  summarizer?: Summarizer;
  /** Where answer work runs (see work-queue.ts); createSlackBot provides one when absent. */
  work?: Work;
}

/** Runs answer work through the bot's queue (directly when there is none, as in unit tests). */
export function runWork<T>(deps: SlackDeps, fn: () => Promise<T>): Promise<T> {
  return deps.work ? deps.work(fn) : fn();
}
