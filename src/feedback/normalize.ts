import { tokenize } from '../search/text.ts';

/**
 * The key feedback is filed under: case, punctuation and spacing do not make a different question,
 * so "Who monitors models?" and "who monitors models" share their votes.
 */
export function normalizeQuestion(question: string): string {
  return tokenize(question).join(' ');
}
