// Malformed input imports with warnings and never crashes; what is not a runbook is refused with a clear message.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Runbook } from '../../../../shared/model/runbook.js';
import { importRunbook, MAX_RUNBOOK_BYTES } from '../../../../shared/runbook/import.js';
import { allSteps, importText, shellParser } from '../../../helpers/importer.js';

describe('malformed documents', () => {
  it('warns about an unclosed fence and still imports what it can', async () => {
    const rb = await importText('# T\n\n- [ ] before\n\n```bash\necho hi\n\n## Not a heading now\n');
    expect(rb.warnings).toMatchObject([{ line: 5, message: expect.stringMatching(/never closed/) }]);
    // The rest of the file is read as code: the heading line is a comment of the block, a manual step of its own.
    expect(allSteps(rb).map((s) => [s.kind, s.script])).toEqual([
      ['check', 'before'],
      ['command', 'echo hi'],
      ['check', '## Not a heading now'],
    ]);
  });

  it('survives stray backticks, HTML blocks, template tags and CRLF', async () => {
    const md = '# T\r\n\r\nsome `` stray ``` ticks\r\n\r\n<details>\r\n<summary>x</summary>\r\n\r\n```bash\r\necho in-details\r\n```\r\n</details>\r\n\r\n{% if prod %}\r\n- [ ] Check {{ service }}\r\n\r\n{% endif %}\r\n';
    const rb = await importText(md);
    expect(allSteps(rb).map((s) => [s.kind, s.script])).toEqual([
      ['command', 'echo in-details'],
      ['check', 'Check {{ service }}'],
    ]);
    expect(rb.warnings.some((w) => /template tag/.test(w.message))).toBe(true);
    expect(allSteps(rb).every((s) => !s.script.includes('\r'))).toBe(true);
  });

  it('warns when a file has no steps at all', async () => {
    const rb = await importText('Just a note.\n');
    expect(rb.warnings).toMatchObject([{ line: 1, message: expect.stringMatching(/no steps found/) }]);
  });

  it('imports a very long file', async () => {
    const section = '## Step\n\n- [ ] Check it\n\n```bash\n# 1. Do\necho $X\n```\n\n';
    const rb = await importText(`# Long\n\n${section.repeat(3000)}`);
    expect(allSteps(rb)).toHaveLength(6000);
  });

  it('refuses binary files and files over 20 MB with a clear message', async () => {
    const parser = await shellParser();
    expect(importRunbook({ path: 'x.png', bytes: new Uint8Array([0x89, 0x50, 0, 0, 1, 2]) }, parser)).toEqual({
      ok: false,
      error: { code: 'not_text', message: expect.stringMatching(/not a text file/) },
    });
    const big = new Uint8Array(MAX_RUNBOOK_BYTES + 1).fill(0x61);
    expect(importRunbook({ path: 'big.md', bytes: big }, parser)).toEqual({
      ok: false,
      error: { code: 'too_large', message: expect.stringMatching(/over 20 MB/) },
    });
  });
});

/** Markdown-ish fragments: the constructs the importer cares about, in broken and valid forms. */
const fragment = fc.oneof(
  fc.constantFrom(
    '# ', '## ', '### Runbook', '- [ ] ', '- [x] ', '1. ', '  - ', '```bash\n', '```\n', '```', '~~~\n', '```console\n$ ls\n',
    '**Frequency**: Daily, 9:00 AM EST\n', '**Owner**: ', '<details>', '</details>\n', '---\ntitle: x\n---\n', '{% if %}',
    '`', '``', 'rm -rf /', 'ssh user@server "pkill -9 x"', '# 1. Step\n', '<run-id>', '${{ secrets.X }}', '$VAR', '[Name]',
    '15 0 * * * cmd\n', 'OnCalendar=*-*-* 00:15:00 UTC\n', '\\\n', '"', "'", '$(', ')', '\n', '\n\n', '\r\n', '\t', '‚úÖ', '\u0000',
  ),
  fc.string({ maxLength: 20 }),
);

describe('property: any Markdown', () => {
  it('never throws and always yields a model that passes its schema', async () => {
    const parser = await shellParser();
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 60 }), (parts) => {
        const bytes = new TextEncoder().encode(parts.join(''));
        const outcome = importRunbook({ path: 'random.md', bytes }, parser);
        if (outcome.ok) expect(Runbook.safeParse(outcome.runbook).success).toBe(true);
        else expect(outcome.error.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated real runbooks', async () => {
    const parser = await shellParser();
    const base = new TextEncoder().encode(
      '# Ops\n\n## Deploy Runbook\n\n**Frequency**: Weekly, Sunday 2:00 AM EST\n\n- [ ] Check\n\n```bash\n# 1. Go\nssh user@server "systemctl stop x"\nfor i in 1 2; do\n  curl -f https://x.your-domain.com\ndone\n```\n\n```cron\n15 0 * * * run\n```\n',
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), op: fc.constantFrom('set', 'insert', 'delete') }), { maxLength: 20 }),
        (mutations) => {
          let bytes = Array.from(base);
          for (const m of mutations) {
            const at = m.at % (bytes.length + 1);
            if (m.op === 'set') bytes[at] = m.byte;
            else if (m.op === 'insert') bytes.splice(at, 0, m.byte);
            else bytes.splice(at, 1);
          }
          bytes = bytes.filter((b) => b !== undefined);
          const outcome = importRunbook({ path: 'mutated.md', bytes: new Uint8Array(bytes) }, parser);
          if (outcome.ok) expect(Runbook.safeParse(outcome.runbook).success).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
