import { createRequire } from 'node:module';

let words: ReadonlySet<string> | undefined;

/**
 * True for a correctly spelt English word (~275k forms). Typo repair leaves those alone:
 * "dock" is not a misspelt "doc", nor "delayed" a misspelt "deployed". Loaded on first use
 * (~200 ms), since most questions have no unknown word to repair.
 */
export function isEnglishWord(word: string): boolean {
  words ??= new Set(createRequire(import.meta.url)('an-array-of-english-words') as string[]);
  return words.has(word);
}
