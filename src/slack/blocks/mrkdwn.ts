import { normalizeText } from '../../search/text.ts';

/**
 * Escapes text for Slack mrkdwn. Every string that came from a user, the database or an LLM
 * goes through here: with `&`, `<`, `>` escaped, `<!channel>`, `<@U…>` and `<url|label>` are
 * shown as typed and ping or link nobody.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped, invisible and control characters removed, and cut to `max` characters with an ellipsis. */
export function safeText(text: string, max = 3000): string {
  const escaped = escapeMrkdwn(normalizeText(text));
  if (escaped.length <= max) return escaped;
  // Never cut inside an entity such as "&amp;".
  let cut = escaped.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && amp > cut.length - 6 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** For plain_text fields (headers, buttons): no escaping needed, but limits apply. */
export function plainText(text: string, max: number): string {
  const t = normalizeText(text);
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}
