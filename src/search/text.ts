export const MAX_QUESTION_LENGTH = 2000;

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
      // "artefacts'" and "team's": a possessive is not a word of its own
      .replace(/['’]s\b/g, '')
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

/** Content words of a question, in order, stop words removed. */
export function contentWords(text: string): string[] {
  return tokenize(text).filter((w) => !QUESTION_STOPWORDS.has(w) && w.length <= 40);
}
