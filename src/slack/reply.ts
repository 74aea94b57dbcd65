import { dutiesInSection, findSection, listSections, randomDuty } from '../catalog/queries.ts';
import { isAppError } from '../errors.ts';
import type { Surface } from '../feedback/answers.ts';
import { MAX_QUESTION_LENGTH } from '../search/text.ts';
import { answerMessage, notCoveredMessage } from './blocks/answer.ts';
import {
  helpMessage,
  randomMessage,
  sectionMessage,
  sectionNotFoundMessage,
  sectionsMessage,
  textMessage,
} from './blocks/browse.ts';
import type { SlackMessage } from './blocks/common.ts';
import type { SlackDeps } from './deps.ts';
import type { Intent } from './text.ts';

/**
 * Everything but `digest`, answered the same way on every surface. Only the asker's private copy
 * of an answer (the slash command) offers "Share in channel": mentions and DMs are already where they belong.
 */
export async function replyTo(
  intent: Exclude<Intent, { kind: 'digest' }>,
  deps: SlackDeps,
  asker: { userId: string; surface: Exclude<Surface, 'choice'> },
): Promise<SlackMessage> {
  const { db, role } = deps;
  switch (intent.kind) {
    case 'help':
      return helpMessage(role.name);
    case 'sections':
      return sectionsMessage(role.name, await listSections(db, role.id));
    case 'section': {
      const found = await findSection(db, role.id, intent.query);
      if (!found) return sectionNotFoundMessage(intent.query, await listSections(db, role.id));
      return sectionMessage(found, await dutiesInSection(db, role.id, found.number));
    }
    case 'random':
      return randomMessage(await randomDuty(db, role.id));
    case 'ask': {
      try {
        const answer = await deps.answers.ask(intent.question, asker);
        return answer.answered
          ? answerMessage(answer, { roleName: role.name, shareable: asker.surface === 'command' })
          : notCoveredMessage(answer, { roleName: role.name });
      } catch (err) {
        if (!isAppError(err, 'question_too_long')) throw err;
        return textMessage(`That question is too long: please keep it under ${MAX_QUESTION_LENGTH} characters.`);
      }
    }
  }
}

export const TRY_AGAIN = textMessage('Sorry, something went wrong while answering. Please try again in a moment.');
