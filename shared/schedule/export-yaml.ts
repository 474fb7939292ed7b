/**
 * The YAML subset a Kubernetes manifest of ours needs, emitted by hand (there is no YAML library here): block maps
 * and sequences, integers, booleans, and every string double-quoted with escapes for anything YAML 1.1 or 1.2
 * could read as a line break, a control character or a byte-order mark, so no value can change the document's shape.
 */
import { Untranslatable } from './export-calendar.js';

export type YamlValue = string | number | boolean | YamlValue[] | { [key: string]: YamlValue };

/** A double-quoted YAML scalar: readable by YAML 1.1 and 1.2 parsers alike. */
export function yamlString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    // C0 and C1 controls, DEL, NEL, the Unicode line and paragraph separators, the BOM: escaped, never raw.
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || code === 0xfeff) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      throw new Untranslatable('a value holds a lone UTF-16 surrogate, which UTF-8 YAML cannot carry');
    } else out += ch;
  }
  return `${out}"`;
}

/** Keys are ours (field names, label keys), never a user's: a plain scalar of safe characters is enough. */
function yamlKey(key: string): string {
  if (!/^[A-Za-z][A-Za-z0-9._/-]*$/.test(key)) throw new Error(`not a plain YAML key: ${key}`);
  return key;
}

function scalar(value: string | number | boolean): string {
  if (typeof value === 'string') return yamlString(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`only integers are emitted, got ${value}`);
    return String(value);
  }
  return value ? 'true' : 'false';
}

const isScalar = (v: YamlValue): v is string | number | boolean => typeof v !== 'object';

function lines(value: YamlValue, indent: string): string[] {
  if (isScalar(value)) throw new Error('a document is a map or a sequence');
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (isScalar(item)) return [`${indent}- ${scalar(item)}`];
      if (Array.isArray(item) ? item.length === 0 : Object.keys(item).length === 0) return [`${indent}- ${Array.isArray(item) ? '[]' : '{}'}`];
      const inner = lines(item, `${indent}  `);
      const first = inner[0] ?? '';
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...inner.slice(1)];
    });
  }
  return Object.entries(value).flatMap(([key, item]) => {
    if (isScalar(item)) return [`${indent}${yamlKey(key)}: ${scalar(item)}`];
    const empty = Array.isArray(item) ? item.length === 0 : Object.keys(item).length === 0;
    if (empty) return [`${indent}${yamlKey(key)}: ${Array.isArray(item) ? '[]' : '{}'}`];
    return [`${indent}${yamlKey(key)}:`, ...lines(item, `${indent}  `)];
  });
}

/** A YAML document: comment lines (already one line each), then the value. */
export function yamlDocument(comments: readonly string[], value: YamlValue): string {
  return [...comments.map((c) => `# ${c}`), ...lines(value, ''), ''].join('\n');
}
