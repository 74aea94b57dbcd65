import type { Db } from '../db/db.ts';
import type { AnswerService } from '../feedback/answers.ts';
import type { Logger } from '../log.ts';

/** What listeners need: services, never Slack clients (Bolt hands those to each listener). */
export interface SlackDeps {
  db: Db;
  role: { id: string; name: string };
  answers: AnswerService;
  logger: Logger;
  now: () => Date;
}
