/**
 * Durations as a schedule form types them and the Schedules page shows them: `90s`, `15m`, `2h`, `1d`, `1h30m`, or
 * a bare number of seconds. Pure, so the parsing rules are unit-tested.
 */

const UNIT_SEC: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds for a typed duration; null when it is not one (an empty text is not a duration either). */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase().replace(/\s+/g, '');
  if (trimmed === '') return null;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^(\d+[smhd])+$/.test(trimmed)) return null;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+)([smhd])/g)) {
    const [, amount, unit] = match;
    total += Number(amount) * (UNIT_SEC[unit ?? 's'] ?? 1);
  }
  return total;
}

/** The shortest exact way to write a number of seconds: `0s`, `45s`, `15m`, `1h30m`, `7d`. */
export function formatSeconds(seconds: number): string {
  if (seconds <= 0) return '0s';
  let rest = Math.floor(seconds);
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const amount = Math.floor(rest / size);
    if (amount > 0) out += `${amount}${unit}`;
    rest -= amount * size;
  }
  return out;
}
