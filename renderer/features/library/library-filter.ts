/**
 * The library's search: every word typed must appear in the runbook's title or in one of its section titles,
 * ignoring case and accents, so "backup restore" finds the runbook with a "Restore from backup" section.
 */
export interface Searchable {
  title: string;
  sections: readonly string[];
}

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function matchesQuery(item: Searchable, query: string): boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystacks = [item.title, ...item.sections].map(fold);
  return words.every((word) => haystacks.some((text) => text.includes(word)));
}

/** Which section titles matched, to show under a result found through its sections. */
export function matchingSections(item: Searchable, query: string, limit = 3): string[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return item.sections.filter((title) => words.some((word) => fold(title).includes(word))).slice(0, limit);
}
