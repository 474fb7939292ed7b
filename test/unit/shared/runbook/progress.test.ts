// The importer's progress: it grows to its total while parsing and building, and listening changes nothing.
import { describe, expect, it } from 'vitest';
import { importRunbook } from '../../../../shared/runbook/import.js';
import { shellParser } from '../../../helpers/importer.js';

/** Enough sections for several pieces of shared/runbook/markdown.ts (16 KB each). */
const text = ['# Progress\n\n', ...Array.from({ length: 1500 }, (_, i) => `## Part ${i}\n\nCheck part ${i}.\n\n\`\`\`bash\necho ${i}\n\`\`\`\n\n`)].join('');
const bytes = new TextEncoder().encode(text);

describe('import progress', () => {
  it('grows to its total, never past it, with the total fixed', async () => {
    const shell = await shellParser();
    const seen: Array<[number, number]> = [];
    const outcome = importRunbook({ path: 'p.md', bytes }, shell, { onProgress: (done, total) => seen.push([done, total]) });
    expect(outcome.ok).toBe(true);
    expect(seen.length).toBeGreaterThan(10);
    const total = seen[0]![1];
    expect(seen.every(([, t]) => t === total)).toBe(true);
    expect(seen.every(([done], i) => done >= (seen[i - 1]?.[0] ?? 0) && done <= total)).toBe(true);
    expect(seen.at(-1)![0]).toBe(total);
    // Parsing (in pieces) reports before building (node by node) does.
    expect(seen.filter(([done]) => done < (2 / 3) * total).length).toBeGreaterThan(1);
  });

  it('makes the same document as an import without a listener', async () => {
    const shell = await shellParser();
    const quiet = importRunbook({ path: 'p.md', bytes }, shell);
    const heard = importRunbook({ path: 'p.md', bytes }, shell, { onProgress: () => undefined });
    expect(JSON.stringify(heard)).toBe(JSON.stringify(quiet));
  });
});
