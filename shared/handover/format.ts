/**
 * Small Markdown and time helpers for the handover draft: times in UTC (a handover is read on other machines, in
 * other zones, as the post-mortem's timeline is), ids shortened to what is unique in the document, code spans and
 * fences that survive backticks in what they quote.
 */

/** `2026-06-01T18:04:09.123Z` -> `2026-06-01 18:04 UTC`. */
export function utc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Shortest id prefixes, of at least `min` characters, that tell the given ids apart. */
export function shortIds(ids: readonly string[], min = 8): Map<string, string> {
  const unique = [...new Set(ids)];
  const out = new Map<string, string>();
  for (const id of unique) {
    let length = Math.min(min, id.length);
    while (length < id.length && unique.some((other) => other !== id && other.startsWith(id.slice(0, length)))) length += 1;
    out.set(id, id.slice(0, length));
  }
  return out;
}

/** Inline code that holds `text` whatever backticks it contains. */
export function code(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced block of `lines`, indented by `indent`, with a fence longer than any backtick run inside. */
export function fenced(lines: readonly string[], indent: string): string[] {
  const longest = Math.max(0, ...lines.flatMap((l) => [...l.matchAll(/`{3,}/g)].map((m) => m[0].length)));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${indent}${fence}`, ...lines.map((l) => (l === '' ? '' : `${indent}${l}`)), `${indent}${fence}`];
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A list item whose text may span lines: the lines after the first are indented under it. */
export function item(text: string, indent = ''): string[] {
  const [first = '', ...rest] = text.split('\n');
  return [`${indent}- ${first}`, ...rest.map((l) => (l.trim() === '' ? '' : `${indent}  ${l}`))];
}
