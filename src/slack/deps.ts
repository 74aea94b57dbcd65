import type { CatalogWatch } from '../catalog/current.ts';
import type { Db } from '../db/db.ts';
import type { DigestSources } from '../digest/content.ts';
import type { AnswerService } from '../feedback/answers.ts';
import type { Logger } from '../log.ts';
import type { OwnersService } from '../owners/service.ts';
import type { Keepers } from '../people/keepers.ts';
import type { Profiles } from '../people/profiles.ts';
import type { Summarizer } from '../summarize/summarizer.ts';
import type { Work } from './work-queue.ts';

/** What handlers need: services, never Slack clients (Bolt hands those to each request). Built by compose.ts. */
export interface SlackDeps {
  db: Db;
  /** The role as the database holds it now, checked for changes at most once a second. */
  catalog: CatalogWatch;
  answers: AnswerService;
  logger: Logger;
  now: () => Date;
  /** Optional LLM summaries of answers (see reply.ts); disabled without OPENAI_API_KEY. */
  summarizer: Summarizer;
  /** What the digest preview (`/mle-duties digest preview`) is built from, as the scheduler builds it. */
  digests: DigestSources;
  /** Where answer work runs: bounded, interleaved with the acks, 'busy' past its bound (see work-queue.ts). */
  work: Work;
  /** Slack profiles (users.info), cached in Postgres for every process: names, time zones, admins. */
  profiles: Profiles;
  /** The one permission model: who may change what others see (ADMINS + workspace admins/owners). */
  keepers: Keepers;
  /** Who on this team carries each duty: lines under duties, who may edit, saves. */
  owners: OwnersService;
}
