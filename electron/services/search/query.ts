/**
 * A user's search text to FTS5 queries, with no way for the text to become FTS5 syntax: every term is sent as an
 * FTS5 string (quoted, quotes doubled), so `AND`, `NEAR(`, `col:` or a stray quote are only words to look for.
 * What a user can write:
 * - words: all must occur in one record (an output chunk, a command, a note...), in any order: `restart agent`;
 * - "a phrase": its words in that order, next to each other; `deploy-20261202` is such a phrase too (deploy, 20261202);
 * - a trailing `*`: a prefix (`restar*` finds restart, restarted); explicit rather than every term a prefix, so a
 *   plain word finds that word (and ranks well), and a search-as-you-type box appends the `*` itself.
 * Each term is also looked for as a substring of commands, hosts and paths (the trigram index) when every term has
 * at least 3 characters, as trigrams need.
 */
import { ContractError } from '../../../shared/contract/errors.js';

export interface Term {
  text: string;
  prefix: boolean;
}

export interface ParsedQuery {
  terms: readonly Term[];
  /** For the word indexes; null when no term has a letter or digit (nothing a word index holds). */
  words: string | null;
  /** For the trigram index; null when a term is shorter than 3 characters. */
  substrings: string | null;
}

/** More terms cost more doclists to intersect per query; 16 is more than anyone types. */
export const MAX_TERMS = 16;
/**
 * A prefix's last word needs this many characters: `a*` would merge the doclists of every term starting with a
 * (a large share of a big index) for one query.
 */
export const MIN_PREFIX = 2;
const TRIGRAM = 3;

const WORD_CHAR = /[\p{L}\p{N}]/u;
const CONTROLS = /[\p{Cc}\p{Cf}]/gu;

export function parseQuery(input: string): ParsedQuery {
  const terms = splitTerms(input.replace(CONTROLS, ' '));
  if (terms.length === 0) throw new ContractError('invalid_input', 'nothing to search for: type a word');
  if (terms.length > MAX_TERMS) throw new ContractError('invalid_input', `a search takes at most ${MAX_TERMS} terms; this one has ${terms.length}`);
  for (const term of terms) {
    if (!term.prefix) continue;
    const last = term.text.split(/[^\p{L}\p{N}]+/u).filter(Boolean).at(-1) ?? '';
    if ([...last].length < MIN_PREFIX) {
      throw new ContractError('invalid_input', `"${term.text}*": a prefix needs at least ${MIN_PREFIX} letters or digits before the *`);
    }
  }
  const wordTerms = terms.filter((t) => WORD_CHAR.test(t.text));
  const words = wordTerms.length > 0 ? wordTerms.map((t) => `${ftsString(t.text)}${t.prefix ? ' *' : ''}`).join(' AND ') : null;
  const substrings = terms.every((t) => [...t.text].length >= TRIGRAM) ? terms.map((t) => ftsString(t.text)).join(' AND ') : null;
  if (words === null && substrings === null) {
    throw new ContractError('invalid_input', 'nothing to search for: type a word, or 3 or more characters of a command');
  }
  return { terms, words, substrings };
}

/** An FTS5 string: inside double quotes, where only a doubled quote means anything. */
function ftsString(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** Whitespace separates terms; "..." keeps one together (an unclosed quote runs to the end); a `*` right after one ends a prefix. */
function splitTerms(input: string): Term[] {
  const terms: Term[] = [];
  let i = 0;
  const push = (text: string, prefix: boolean): void => {
    const trimmed = text.trim();
    if (trimmed !== '') terms.push({ text: trimmed.replace(/\s+/g, ' '), prefix });
  };
  while (i < input.length) {
    const ch = input[i] ?? '';
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '"') {
      const close = input.indexOf('"', i + 1);
      const end = close === -1 ? input.length : close;
      const text = input.slice(i + 1, end);
      i = end + 1;
      const prefix = input[i] === '*';
      if (prefix) i += 1;
      push(text, prefix);
    } else {
      let end = i;
      while (end < input.length && !/\s/.test(input[end] ?? '') && input[end] !== '"') end += 1;
      const word = input.slice(i, end);
      i = end;
      const stars = /\*+$/.exec(word)?.[0].length ?? 0;
      push(word.slice(0, word.length - stars), stars > 0);
    }
  }
  return terms;
}
