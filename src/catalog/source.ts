/**
 * Parses the role document as published: numbered section headings, then one
 * `- Title: description` line per duty. Parsing stops at the FAQ, which is not duties.
 */
export interface SourceRole {
  sections: { number: number; title: string }[];
  entries: { section: number; title: string; description: string }[];
}

export function parseRoleDocument(text: string): SourceRole {
  const sections: SourceRole['sections'] = [];
  const entries: SourceRole['entries'] = [];
  let current: number | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (/^Job Role FAQs\b/.test(line)) break;
    const heading = /^(\d+)\.\s+(.+)$/.exec(line);
    if (heading?.[1] && heading[2]) {
      current = Number.parseInt(heading[1], 10);
      sections.push({ number: current, title: heading[2].trim() });
      continue;
    }
    const bullet = /^-\s+([^:]+):\s+(.+)$/.exec(line);
    if (bullet?.[1] && bullet[2] && current !== undefined) {
      entries.push({ section: current, title: bullet[1].trim(), description: bullet[2].trim() });
    }
  }
  return { sections, entries };
}
