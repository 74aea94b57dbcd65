import { createRequire } from 'node:module';

export const MAX_QUESTION_LENGTH = 2000;

/**
 * A comprehensive list of English function and filler words ("something", "whole", "three",
 * "ago"). A question word the catalog does not know is ignored when it is one of these, and
 * counted as an unanswered part of the question otherwise ("fridge", "vpn").
 */
export const GENERIC_WORDS: ReadonlySet<string> = new Set(
  (createRequire(import.meta.url)('stopwords-iso') as { en: string[] }).en,
);

// Zero-width, bidi and other format characters: invisible, so they must not split or glue words.
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Unicode-normalised, invisible and control characters removed, whitespace collapsed. */
export function normalizeText(raw: string): string {
  return raw.normalize('NFKC').replace(INVISIBLE, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Lowercased word tokens. Letters and digits only, so `&|!:*()`, quotes and backslashes
 * never reach SQL as syntax. "A/B" becomes "a", "b", which the synonym table knows as a phrase.
 */
export function tokenize(text: string): string[] {
  return (
    normalizeText(text)
      .toLowerCase()
      // "artefacts'" and "team's": a possessive is not a word of its own; nor are "we're", "I've", "don't"
      .replace(/['’]s\b/g, '')
      .replace(/\bcan['’]t\b/g, 'cannot')
      .replace(/\bwon['’]t\b/g, 'will not')
      .replace(/n['’]t\b/g, ' not')
      .replace(/['’](re|ve|ll|d|m)\b/g, '')
      // "end2end", "speech2text": the 2 reads "to"
      .replace(/(\p{L}{2,})2(\p{L}{2,})/gu, '$1 to $2')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/**
 * Words of question phrasing ("who handles…", "is it my job to…", "are MLEs supposed to…").
 * Postgres' English stop words already drop the grammatical ones; these are the ones that
 * carry meaning in general but not about which duty is asked for.
 */
export const QUESTION_STOPWORDS = new Set(
  `who whose whom what which where when why how whoever
  job jobs role roles duty duties responsible responsibility responsibilities accountable
  supposed expected expect expecting meant required require obliged allowed
  mle mles engineer engineers person people someone somebody anyone anybody everyone
  handle handles handled handling own owns owning charge task tasks thing things stuff
  should would could can may might must shall will need needs needed want wants
  do does did doing done get gets getting got make makes making
  i me my mine we us our ours you your yours they them their
  really actually basically just also like kind sort bit lot lots please hey hi hello thanks
  question ask asking wondering wonder know tell sure exactly
  is are was were be been being am it its this that these those there here
  a an the and or but if then so of to in on at by for with from into about as
  mean means part area`
    .split(/\s+/)
    .filter(Boolean),
);

// Numbers and versions ("2021", "v2" of "v2.1") say nothing about whose job something is.
const NUMBER_OR_VERSION = /^v?\d+$/;

/** Content words of a question, in order, stop words, numbers and versions removed. */
export function contentWords(text: string): string[] {
  return tokenize(text).filter(
    (w) => !QUESTION_STOPWORDS.has(w) && !NUMBER_OR_VERSION.test(w) && w.length >= 2 && w.length <= 40,
  );
}

// Cues that a question is about who does what: the questions this bot exists for.
const DUTY_CUES =
  /\b(who|whose|whom|job|jobs|role|roles|responsib\w*|supposed|expected|expect|expectations?|on me|on us|mles?|our side|my part|duty|duties|should (i|we)|am i|are we|do we|do i have to|is it on|is that (on|part|my|our|something)|part of|allowed|meant to|charge of|owns?|ownership|handles?|in scope)\b/i;
// Openers of questions after a fact, a time, a place or a how-to ("when is…", "how do I…",
// "what's the URL…"): a role document does not answer those, even when they share its words.
const FACT_OPENERS =
  /^\s*(when|where|what'?s|what is|what are|how do i|how can i|how many|how much|is the|was the|can (you|someone|anyone)|does|anyone know|any(one)? idea|why is|why does|is there an?|what time)\b/i;

export type QuestionIntent = 'duty' | 'fact' | 'neutral';

export function questionIntent(text: string): QuestionIntent {
  const t = normalizeText(text).replace(/[’‘]/g, "'");
  if (DUTY_CUES.test(t)) return 'duty';
  if (FACT_OPENERS.test(t)) return 'fact';
  return 'neutral';
}
