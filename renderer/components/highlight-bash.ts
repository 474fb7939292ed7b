/**
 * A small bash tokenizer for showing runbook commands: comments, strings, variables, keywords, operators and the
 * placeholders a user has to fill in (`<run-id>`, `${{ secrets.X }}`, `CHANGEME`, `YYYY-MM-DD`). It only colours
 * text; what a command means is decided elsewhere (tree-sitter on the host). Joining the tokens gives the input back.
 */
export type TokenType = 'plain' | 'comment' | 'string' | 'variable' | 'placeholder' | 'keyword' | 'operator';

export interface Token {
  type: TokenType;
  text: string;
}

const KEYWORDS = new Set([
  'if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'in', 'function',
  'select', 'return', 'export', 'local', 'readonly', 'exit',
]);

/**
 * Same shapes the importer treats as parameters (shared/runbook/params.ts), anchored at the scan position, each
 * with the characters that may not come right before it (`x<y>` is a redirection, `backupYYYY` is a word).
 */
const PLACEHOLDER_PATTERNS: Array<{ re: RegExp; notAfter: RegExp | null }> = [
  { re: /\$\{\{\s*[A-Za-z_][\w-]*\.[A-Za-z_][\w.-]*\s*\}\}/y, notAfter: null },
  { re: /<[A-Za-z][\w.-]*(?: [\w.-]+){0,3}>(?!>)/y, notAfter: /[\w<]/ },
  {
    re: /Y{4}[-_/.]?M{2}(?:[-_/.]?D{2})?(?:[-_T ]?H{2}(?:[-_:]?M{2}(?:[-_:]?S{2})?)?)?(?![A-Za-z0-9])/y,
    notAfter: /[A-Za-z0-9]/,
  },
  { re: /(?:CHANGE_?ME|REPLACE_?ME|YOUR_[A-Z][A-Z0-9_]*)\b/y, notAfter: /\w/ },
];
const VARIABLE = /\$(?:\{[^}\n]*\}|[A-Za-z_][A-Za-z0-9_]*|[0-9@#?$!*-])/y;
const WORD = /[A-Za-z_][\w-]*/y;
const OPERATOR = /&&|\|\||;;|>>|2>&1|[|;&<>()]/y;

function matchAt(re: RegExp, text: string, index: number): string | null {
  re.lastIndex = index;
  const m = re.exec(text);
  return m ? m[0] : null;
}

function placeholderAt(text: string, index: number, extra: readonly string[]): string | null {
  const prev = index > 0 ? text[index - 1] ?? '' : '';
  for (const literal of extra) {
    if (literal.length > 0 && text.startsWith(literal, index)) return literal;
  }
  for (const { re, notAfter } of PLACEHOLDER_PATTERNS) {
    if (notAfter && notAfter.test(prev)) continue;
    const found = matchAt(re, text, index);
    if (found) return found;
  }
  return null;
}

class TokenList {
  readonly tokens: Token[] = [];
  push(type: TokenType, text: string): void {
    if (text.length === 0) return;
    const last = this.tokens[this.tokens.length - 1];
    if (last && last.type === type) last.text += text;
    else this.tokens.push({ type, text });
  }
}

/** Scans a quoted string starting at `start` (the quote); returns the index after the closing quote. */
function scanString(text: string, start: number, out: TokenList, extra: readonly string[]): number {
  const quote = text[start];
  const expands = quote === '"';
  out.push('string', quote ?? '');
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (ch === quote) {
      out.push('string', ch);
      return i + 1;
    }
    if (expands && ch === '\\' && i + 1 < text.length) {
      out.push('string', text.slice(i, i + 2));
      i += 2;
      continue;
    }
    const placeholder = placeholderAt(text, i, extra);
    if (placeholder) {
      out.push('placeholder', placeholder);
      i += placeholder.length;
      continue;
    }
    const variable = expands ? matchAt(VARIABLE, text, i) : null;
    if (variable) {
      out.push('variable', variable);
      i += variable.length;
      continue;
    }
    out.push('string', ch);
    i += 1;
  }
  return i;
}

/** `extra`: placeholder texts exactly as the importer found them in this step, highlighted wherever they occur. */
export function highlightBash(text: string, extra: readonly string[] = []): Token[] {
  const out = new TokenList();
  const longestFirst = [...extra].sort((a, b) => b.length - a.length);
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    const prev = i > 0 ? text[i - 1] ?? '' : '\n';
    if (ch === '#' && /[\s;|&(]/.test(prev)) {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out.push('comment', text.slice(i, stop));
      i = stop;
      continue;
    }
    if (ch === '\\' && i + 1 < text.length) {
      out.push('plain', text.slice(i, i + 2));
      i += 2;
      continue;
    }
    const placeholder = placeholderAt(text, i, longestFirst);
    if (placeholder) {
      out.push('placeholder', placeholder);
      i += placeholder.length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i = scanString(text, i, out, longestFirst);
      continue;
    }
    const variable = matchAt(VARIABLE, text, i);
    if (variable) {
      out.push('variable', variable);
      i += variable.length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch) && !/[\w-]/.test(prev)) {
      const word = matchAt(WORD, text, i) ?? ch;
      if (KEYWORDS.has(word)) {
        out.push('keyword', word);
        i += word.length;
        continue;
      }
    }
    const operator = matchAt(OPERATOR, text, i);
    if (operator) {
      out.push('operator', operator);
      i += operator.length;
      continue;
    }
    out.push('plain', ch);
    i += 1;
  }
  return out.tokens;
}
