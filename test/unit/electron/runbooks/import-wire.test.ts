// The document's trip from the import worker: cut into batches of bounded size and put back together, it is the
// same document, key for key, whatever its shape (deep sections, many steps in one section, shared parameters).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DocumentPart } from '../../../../electron/services/runbooks/import-wire.js';
import { createDocumentAssembler, splitDocument } from '../../../../electron/services/runbooks/import-wire.js';
import type { Runbook } from '../../../../shared/model/runbook.js';
import { importText } from '../../../helpers/importer.js';

const seedsDir = join(import.meta.dirname, '../../../fixtures/seeds');

function roundTrip(runbook: Runbook, batchItems?: number): { back: Runbook; batches: DocumentPart[][] } {
  const batches = splitDocument(runbook, batchItems);
  const assembler = createDocumentAssembler();
  // Through structured clone, as postMessage carries them.
  for (const batch of batches) assembler.add(structuredClone(batch));
  return { back: assembler.finish(), batches };
}

/** Items a batch carries, counted as splitDocument counts them. */
function items(batch: DocumentPart[]): number {
  return batch.reduce((n, part) => {
    switch (part.kind) {
      case 'steps':
        return n + part.steps.length;
      case 'occurrences':
        return n + part.occurrences.length;
      case 'hints':
        return n + part.hints.length;
      case 'warnings':
        return n + part.warnings.length;
      default:
        return n + 1;
    }
  }, 0);
}

describe('import worker batches', () => {
  it('give back each seed runbook exactly', async () => {
    for (const file of readdirSync(seedsDir).filter((f) => f.endsWith('.md'))) {
      const runbook = await importText(new Uint8Array(readFileSync(join(seedsDir, file))), file);
      for (const batchItems of [1, 7, 1000]) {
        expect(JSON.stringify(roundTrip(runbook, batchItems).back), `${file} in batches of ${batchItems}`).toBe(JSON.stringify(runbook));
      }
    }
  });

  it('keep every batch near its size, even for one section of many steps and one parameter used everywhere', async () => {
    const blocks = Array.from({ length: 60 }, (_, i) => `\`\`\`bash\ncurl https://<host>/check/${i}\n\`\`\`\n\n### Deeper ${i}\n\n- [ ] tick ${i}\n\n`);
    const runbook = await importText(`# One\n\n## Many steps\n\n${blocks.join('')}`);
    expect(runbook.params.find((p) => p.name === 'host')?.occurrences).toHaveLength(60);
    const { back, batches } = roundTrip(runbook, 10);
    expect(JSON.stringify(back)).toBe(JSON.stringify(runbook));
    expect(batches.length).toBeGreaterThan(10);
    for (const batch of batches) expect(items(batch)).toBeLessThan(20);
  });

  it('refuse a document whose head never came', () => {
    expect(() => createDocumentAssembler().finish()).toThrow(/without sending the document/);
  });
});
