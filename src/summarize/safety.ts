import { safeText } from '../blocks/mrkdwn.ts';
import { normalizeText } from '../search/text.ts';
import { MAX_SUMMARY_CHARS } from './prompt.ts';

export type Checked = { ok: true; plain: string } | { ok: false; reason: 'prompt_echo' | 'empty' };

/** Lowercase letters and digits only: spaces, dashes or zero-width tricks cannot hide a copied marker. */
function compact(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

const NGRAM = 6;
/** Three shared 6-word runs ≈ eight or more consecutive words of the instructions: that is an echo, not a coincidence. */
const ECHO_NGRAM_HITS = 3;

function ngrams(ws: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + NGRAM <= ws.length; i++) out.push(ws.slice(i, i + NGRAM).join(' '));
  return out;
}

/**
 * True when the output repeats the instructions: the canary (in any spacing or case) or large
 * parts of the system prompt. The example sentence the prompt offers for "no answer" is
 * excluded, since the model is invited to use it.
 */
export function isPromptEcho(output: string, canary: string, system: string): boolean {
  const flat = compact(output);
  if (flat.includes(compact(canary)) || flat.includes('cnry')) return true;
  const instructions = system.replace(/"[^"]*"/g, ' ').replace(canary, ' ');
  const known = new Set(ngrams(words(instructions)));
  let hits = 0;
  for (const g of new Set(ngrams(words(output)))) if (known.has(g) && ++hits >= ECHO_NGRAM_HITS) return true;
  return false;
}

const CITATION = /\[\s*(\d{1,3}(?:\s*(?:[,;]|and|-|–)\s*\d{1,3})*)\s*\]/gi;

/**
 * Keeps citations [n] only for entries that were given (1..count); "[1, 7]" with three entries
 * becomes "[1]", "[9]" disappears. Ranges "[1-3]" are expanded so each number is checked.
 */
export function validateCitations(text: string, count: number): string {
  const replaced = text.replace(CITATION, (_m, inner: string) => {
    const nums: number[] = [];
    for (const part of inner.split(/\s*(?:[,;]|and)\s*/i)) {
      const range = part.split(/\s*[-–]\s*/).map((n) => Number.parseInt(n, 10));
      const [a, b] = range;
      if (a === undefined || Number.isNaN(a)) continue;
      if (b !== undefined && !Number.isNaN(b) && b >= a && b - a < 10) for (let n = a; n <= b; n++) nums.push(n);
      else nums.push(a);
    }
    const valid = [...new Set(nums.filter((n) => n >= 1 && n <= count))];
    return valid.map((n) => `[${n}]`).join('');
  });
  // A removed citation leaves " ." or double spaces behind.
  return replaced
    .replace(/\s+([.,;:!?)])/g, '$1')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

const URL = /\b(?:https?|ftp):\/\/\S+|\bwww\.\S+/gi;

/** Cut at a sentence end when one is near, otherwise at a word boundary, with an ellipsis. */
export function capLength(text: string, max = MAX_SUMMARY_CHARS): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  const sentence = Math.max(head.lastIndexOf('. '), head.lastIndexOf('! '), head.lastIndexOf('? '));
  if (sentence > max * 0.6) return head.slice(0, sentence + 1);
  const space = head.lastIndexOf(' ');
  return `${(space > max * 0.6 ? head.slice(0, space) : head).trimEnd()}…`;
}

/**
 * From raw model output to plain text fit to show: invisible and control characters gone,
 * prompt echoes refused, links removed (nothing in the entries is a link, so any link is
 * invented and could be a lure in a channel), citations validated, length capped.
 * Not yet escaped: `toMrkdwn` does that at the edge, so the CLI can print the plain text.
 */
export function checkOutput(raw: string, opts: { entryCount: number; canary: string; system: string }): Checked {
  const text = normalizeText(raw);
  if (isPromptEcho(text, opts.canary, opts.system)) return { ok: false, reason: 'prompt_echo' };
  const plain = capLength(validateCitations(text.replace(URL, '(link removed)'), opts.entryCount));
  if (plain.replace(/\[\d+\]/g, '').trim().length === 0) return { ok: false, reason: 'empty' };
  return { ok: true, plain };
}

/** Escaped for Slack mrkdwn: `<!channel>`, `<@U…>` and `<url|label>` become inert text. */
export function toMrkdwn(plain: string): string {
  return safeText(plain, 2800);
}
