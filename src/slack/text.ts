/**
 * What a person typed, without Slack's markup: user and channel mentions, special mentions
 * (<!here>, <!subteam^…>) and links are Slack syntax, not words of the question. A link keeps its label.
 * Slack sends the characters people typed as &amp; &lt; &gt;; they are decoded last, so a typed
 * "&lt;!here&gt;" becomes the text "<!here>" — a plain string that rendering escapes again.
 */
export function stripSlackMarkup(text: string): string {
  return text
    .replace(/<([@#!][^<>]*)>/g, ' ')
    .replace(/<([^<>|]*)\|([^<>]*)>/g, ' $2 ')
    .replace(/<[^<>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export type Intent =
  | { kind: 'help' }
  | { kind: 'sections' }
  | { kind: 'section'; query: string }
  | { kind: 'random' }
  | { kind: 'digest'; args: string[] }
  | { kind: 'ask'; question: string };

/** `/mle-duties …`, a DM or a mention, already stripped of markup, to what the person wants. */
export function parseIntent(text: string): Intent {
  const t = text.trim();
  const [first = '', ...rest] = t.split(/\s+/);
  const word = first.toLowerCase();
  if (t === '' || (rest.length === 0 && (word === 'help' || word === '?'))) return { kind: 'help' };
  if (rest.length === 0 && word === 'sections') return { kind: 'sections' };
  if (rest.length === 0 && word === 'random') return { kind: 'random' };
  if (word === 'section' && rest.length > 0) return { kind: 'section', query: rest.join(' ') };
  if (word === 'digest') return { kind: 'digest', args: rest };
  return { kind: 'ask', question: t };
}
