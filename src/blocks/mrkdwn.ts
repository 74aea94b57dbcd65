// Text for Slack: every string that came from a user, the database or an LLM goes through here before it is sent.

// Zero-width, bidi and other format characters: invisible, so a message must not carry them.
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/**
 * What is shown: Unicode-normalised, invisible and control characters removed, whitespace collapsed. Kept apart from
 * the search engine's normalisation on purpose: how questions are matched may change without changing what is safe
 * to show.
 */
function displayText(raw: string): string {
  return raw.normalize('NFKC').replace(INVISIBLE, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Escapes text for Slack mrkdwn. With `&`, `<`, `>` escaped, `<!channel>`, `<@U…>` and `<url|label>` are shown as
 * typed and ping or link nobody.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped, invisible and control characters removed, and cut to `max` characters with an ellipsis. */
export function safeText(text: string, max = 3000): string {
  const escaped = escapeMrkdwn(displayText(text));
  if (escaped.length <= max) return escaped;
  // Never cut inside an entity such as "&amp;".
  let cut = escaped.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && amp > cut.length - 6 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/**
 * For plain_text fields (headers, buttons, options). Slack does not parse mentions there, but angle brackets are
 * swapped for look-alikes anyway, so no text we send ever holds anything shaped like markup, whichever field it lands
 * in and whatever a client does with it. Never empty: Slack refuses an empty text object.
 */
export function plainLabel(text: string, max: number): string {
  const t = displayText(text);
  const cut = t.length <= max ? t : `${t.slice(0, max - 1)}…`;
  return cut.replace(/</g, '‹').replace(/>/g, '›') || ' ';
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** The only way a mention gets into our messages: built here, from an id Slack gave us, never from text. */
export function mentionUser(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : 'someone';
}
