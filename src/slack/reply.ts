import { type Message, textMessage } from '../blocks/kit.ts';
import { dutiesInSection, findSection, listSections, randomDuty } from '../catalog/queries.ts';
import { isAppError } from '../errors.ts';
import type { Asker } from '../feedback/answers.ts';
import type { Logger } from '../log.ts';
import type { RequestOutcome } from '../ops/metrics.ts';
import { MAX_QUESTION_LENGTH } from '../search/text.ts';
import type { SummaryOutcome, SummaryRequest } from '../summarize/summarizer.ts';
import type { SlackDeps } from './deps.ts';
import { answerMessage, notCoveredMessage, SHOWN, withSummaryOutcome, withSummaryPending } from './messages/answer.ts';
import {
  helpMessage,
  randomMessage,
  sectionMessage,
  sectionNotFoundMessage,
  sectionsMessage,
} from './messages/browse.ts';
import { ownerDisplay } from './owners.ts';
import type { Intent } from './text.ts';

/** A message to post now, and, when a summary is to follow, what to ask the summarizer for it. */
export interface Reply {
  message: Message;
  /** Set only when the message carries the "summarizing…" hint; then `followWithSummary` must run. */
  summary?: SummaryRequest;
  /** For a question: whether the role covers it (the request's outcome in the metrics). */
  outcome?: Extract<RequestOutcome, 'answered' | 'not_covered'>;
}

/**
 * Everything but `digest`, answered the same way on every surface. Only the asker's private copy
 * of an answer (the slash command) offers "Share in channel": mentions and DMs are already where they belong.
 */
export async function replyTo(
  intent: Exclude<Intent, { kind: 'digest' }>,
  deps: SlackDeps,
  asker: Asker,
): Promise<Reply> {
  const { db } = deps;
  // Owners under every duty shown: "Edit owners" on private answers to those who may edit, "Ping owner" in threads.
  const owners = (dutyIds: string[]) =>
    ownerDisplay(deps, {
      teamId: asker.teamId,
      dutyIds,
      viewer: asker.userId,
      mode: asker.surface === 'mention' ? 'ping' : 'edit',
    });
  // The catalog as the database holds it now: an `import` by another process shows up here (see catalog/current.ts).
  const role = await deps.catalog.current();
  switch (intent.kind) {
    case 'help':
      return { message: helpMessage(role.name) };
    case 'sections':
      return { message: sectionsMessage(role.name, await listSections(db, role.id)) };
    case 'section': {
      const found = await findSection(db, role.id, intent.query);
      if (!found) return { message: sectionNotFoundMessage(intent.query, await listSections(db, role.id)) };
      const duties = await dutiesInSection(db, role.id, found.number);
      return { message: sectionMessage(found, duties, await owners(duties.map((d) => d.id))) };
    }
    case 'random': {
      const duty = await randomDuty(db, role.id);
      return { message: randomMessage(duty, duty ? await owners([duty.id]) : undefined) };
    }
    case 'ask': {
      try {
        const answer = await deps.answers.ask(intent.question, asker);
        if (!answer.answered) {
          return { message: notCoveredMessage(answer, { roleName: role.name }), outcome: 'not_covered' };
        }
        const shareable = asker.surface === 'command';
        const shown = await owners(answer.matches.slice(0, SHOWN).map((m) => m.id));
        const withOwners = shown ? { owners: shown } : {};
        if (!deps.summarizer?.enabled || answer.matches.length === 0) {
          return {
            message: answerMessage(answer, { roleName: role.name, shareable, ...withOwners }),
            outcome: 'answered',
          };
        }
        // The summary is written from the matches on screen only, numbered as shown, so its [n] point at them.
        return {
          message: withSummaryPending(
            answerMessage(answer, { roleName: role.name, shareable, numbered: true, ...withOwners }),
          ),
          summary: { question: answer.question, matches: answer.matches.slice(0, SHOWN), userKey: asker.userId },
          outcome: 'answered',
        };
      } catch (err) {
        if (!isAppError(err, 'question_too_long')) throw err;
        return {
          message: textMessage(`That question is too long: please keep it under ${MAX_QUESTION_LENGTH} characters.`),
        };
      }
    }
  }
}

/**
 * After the reply is posted: asks for its summary and replaces the posted message with the summary
 * in place of the hint, or with the hint removed when there is none. Never throws and shows no
 * error: the plain answer already stands, so a failure is only logged (the summarizer counts it).
 * Runs outside the work queue: the LLM call is I/O that may take seconds, and must never hold a
 * slot that the next person's plain answer needs.
 */
export async function followWithSummary(
  deps: SlackDeps,
  reply: Reply,
  replace: (message: Message) => Promise<unknown>,
  log: Logger,
): Promise<void> {
  if (!reply.summary || !deps.summarizer) return;
  let outcome: SummaryOutcome;
  try {
    outcome = await deps.summarizer.summarize(reply.summary, log);
  } catch (err) {
    // Documented never to throw; if it does anyway, the hint must still go.
    log.error('summarizer threw', { err });
    outcome = { kind: 'failed', reason: 'internal' };
  }
  try {
    await replace(withSummaryOutcome(reply.message, outcome));
  } catch (err) {
    log.warn('could not replace the answer with its summary; the hint may stay', { err, outcome: outcome.kind });
  }
}
