/**
 * Markdown to mdast with GFM (task lists, tables) and front matter, so a YAML header is never misread as a
 * thematic break plus a setext heading. micromark's time grows with the square of a document's size (200 KB of
 * lists take seconds), so a document is parsed in pieces cut where CommonMark guarantees a block boundary: before
 * an ATX heading at the start of a line, outside code fences and HTML comments. Positions are shifted back to
 * the whole file's lines and offsets, so the result is the tree of the whole document.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import type { Root, RootContent } from 'mdast';

/**
 * Pieces are merged up to this size: smaller pieces parse faster (the cost is quadratic in piece size) but each
 * parse has a fixed overhead; 16 KB keeps both small.
 */
const PIECE_CHARS = 16 * 1024;

interface Piece {
  text: string;
  offset: number;
  line: number;
}

/** Cuts before top-level ATX headings that are outside fenced code and HTML comments. */
export function splitAtHeadings(text: string, pieceChars = PIECE_CHARS): Piece[] {
  const pieces: Piece[] = [];
  let fence: { char: string; length: number } | null = null;
  let inComment = false;
  let start = 0;
  let startLine = 1;
  let offset = 0;
  let line = 1;
  for (const raw of text.split('\n')) {
    if (fence === null && !inComment && /^#{1,6}(?:[ \t]|$)/.test(raw) && offset - start >= pieceChars) {
      pieces.push({ text: text.slice(start, offset), offset: start, line: startLine });
      start = offset;
      startLine = line;
    }
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence === null && marker && !(marker[0] === '`' && raw.slice(raw.indexOf(marker) + marker.length).includes('`'))) {
      fence = { char: marker[0] ?? '`', length: marker.length };
    } else if (fence !== null && marker && marker[0] === fence.char && marker.length >= fence.length && raw.trim() === marker) {
      fence = null;
    } else if (fence === null) {
      if (!inComment && raw.includes('<!--') && !raw.slice(raw.indexOf('<!--')).includes('-->')) inComment = true;
      else if (inComment && raw.includes('-->')) inComment = false;
    }
    offset += raw.length + 1;
    line++;
  }
  pieces.push({ text: text.slice(start), offset: start, line: startLine });
  return pieces;
}

interface Positioned {
  position?: { start: { line: number; offset?: number | undefined }; end: { line: number; offset?: number | undefined } } | undefined;
  children?: Positioned[];
}

function shift(node: Positioned, lines: number, offset: number): void {
  if (node.position) {
    node.position.start.line += lines;
    node.position.end.line += lines;
    if (node.position.start.offset !== undefined) node.position.start.offset += offset;
    if (node.position.end.offset !== undefined) node.position.end.offset += offset;
  }
  node.children?.forEach((c) => shift(c, lines, offset));
}

/** `onPiece` hears how many characters of `text` are parsed after each piece, for an importer's progress. */
export function parseMarkdown(text: string, pieceChars = PIECE_CHARS, onPiece?: (parsedChars: number) => void): Root {
  const children: RootContent[] = [];
  for (const [i, piece] of splitAtHeadings(text, pieceChars).entries()) {
    // Front matter exists only at the very start of the file.
    const tree = fromMarkdown(piece.text, {
      extensions: i === 0 ? [gfm(), frontmatter(['yaml', 'toml'])] : [gfm()],
      mdastExtensions: i === 0 ? [gfmFromMarkdown(), frontmatterFromMarkdown(['yaml', 'toml'])] : [gfmFromMarkdown()],
    });
    if (i > 0) tree.children.forEach((c) => shift(c as Positioned, piece.line - 1, piece.offset));
    children.push(...tree.children);
    onPiece?.(piece.offset + piece.text.length);
  }
  const lines = text.split('\n').length;
  return {
    type: 'root',
    children,
    position: { start: { line: 1, column: 1, offset: 0 }, end: { line: lines, column: (text.split('\n').at(-1)?.length ?? 0) + 1, offset: text.length } },
  };
}
