// Parsing in pieces must give exactly the tree of the whole document, positions included.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { parseMarkdown, splitAtHeadings } from '../../../../shared/runbook/markdown.js';

const whole = (text: string) =>
  fromMarkdown(text, { extensions: [gfm(), frontmatter(['yaml'])], mdastExtensions: [gfmFromMarkdown(), frontmatterFromMarkdown(['yaml'])] });

const dir = join(import.meta.dirname, '../../../fixtures/seeds');
const tricky = [
  '---\ntitle: x\n---\n# A\n\n- [ ] one\n',
  '# A\n\n```bash\n# not a heading\necho\n```\n\n# B\n\ntext\n',
  '# A\n\n~~~\n# inside tilde fence\n```\n# still inside\n~~~\n# B\n',
  '# A\n\n<!-- comment\n# hidden heading\n-->\n# B\n',
  '# A\n\n1. item\n   ```bash\n   # comment\n   ```\n# B\n- x\n',
  '# A\n\n```bash\nunclosed\n# B\n# C\n',
  '# A\n\nPara line\n# B directly after a paragraph\n',
  '#NotAHeading\n# A\n',
];

describe('parsing in pieces', () => {
  it.each([...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')), ...tricky].map((t, i) => [i, t]))(
    'document %i: the same tree as one parse, however small the pieces',
    (_i, text) => {
      expect(parseMarkdown(text as string, 1)).toEqual(whole(text as string));
      expect(parseMarkdown(text as string)).toEqual(whole(text as string));
    },
  );

  it('never cuts inside a fence or an HTML comment', () => {
    const cuts = splitAtHeadings(tricky[2]!, 1).map((p) => p.line);
    expect(cuts).toEqual([1, 8]);
    expect(splitAtHeadings(tricky[3]!, 1).map((p) => p.line)).toEqual([1, 6]);
  });
});
