/**
 * Canonical JSON (the JCS rules of RFC 8785 for the values we write: strings, finite numbers, booleans, null, arrays
 * and plain objects): object keys sorted by UTF-16 code units, no whitespace, strings and numbers as
 * JSON.stringify writes them. The same value always gives the same bytes, so a hash or a signature over it can be
 * checked by anyone who parses the file and writes it again.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

/** The value with its object keys sorted (for JSON.stringify with indentation: readable, and still one form). */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareKeys)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortedKeys(v);
    }
    return out;
  }
  return value;
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`canonical JSON has no ${String(value)} (at ${path})`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => write(v ?? null, `${path}[${i}]`)).join(',')}]`;
      const entries = Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort(compareKeys)
        .map((k) => `${JSON.stringify(k)}:${write((value as Record<string, unknown>)[k], `${path}.${k}`)}`);
      return `{${entries.join(',')}}`;
    }
    default:
      throw new Error(`canonical JSON has no ${typeof value} (at ${path})`);
  }
}

/** By UTF-16 code units, as RFC 8785 says (the default sort of JavaScript strings). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
