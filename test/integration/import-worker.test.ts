/**
 * The import worker, for real (import-worker.ts through tsx, as when running from source): the same documents as
 * the importer in this thread, progress while a big runbook imports, this thread free meanwhile, a crash that
 * fails the import clearly and leaves the next one to a fresh worker, and an idle worker that lets a process exit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportParser, type ImportParser } from '../../electron/services/runbooks/import-parser.js';
import { createRunbookService, ImportError, type ImportProgress } from '../../electron/services/runbooks/runbook-service.js';
import { getDeviceId, openDatabase } from '../../electron/services/store/db.js';
import { createLibraryStore } from '../../electron/services/store/library-store.js';
import { importRunbook } from '../../shared/runbook/import.js';
import { shellParser } from '../helpers/importer.js';

const root = join(import.meta.dirname, '../..');
const seedsDir = join(root, 'test/fixtures/seeds');
const seeds = readdirSync(seedsDir).filter((f) => f.endsWith('.md')).sort();

/** `count` small sections: a heading, a sentence, a one-line bash block (~95 bytes each). */
function manySections(count: number): string {
  const parts = ['# Many sections\n\n'];
  for (let i = 0; i < count; i++) parts.push(`## Section ${i}\n\nSome text about section ${i}, what it checks and why.\n\n\`\`\`bash\necho ${i}\n\`\`\`\n\n`);
  return parts.join('');
}

let parser: ImportParser;
let tmp: string;

beforeAll(() => {
  parser = createImportParser();
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-import-worker-'));
});

afterAll(async () => {
  await parser.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the import worker', () => {
  it('makes the same document of each seed as the importer in this thread', async () => {
    const shell = await shellParser();
    for (const name of seeds) {
      const bytes = new Uint8Array(readFileSync(join(seedsDir, name)));
      const inThread = importRunbook({ path: name, bytes }, shell);
      const viaWorker = await parser.parse({ path: name, bytes });
      expect(viaWorker.ok, name).toBe(true);
      expect(JSON.stringify(viaWorker), name).toBe(JSON.stringify(inThread));
    }
  });

  it('refuses what the importer refuses, with the same reason', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
    const outcome = await parser.parse({ path: 'logo.png', bytes });
    expect(outcome).toEqual(importRunbook({ path: 'logo.png', bytes }, await shellParser()));
    expect(outcome.ok).toBe(false);
  });

  it('imports a big runbook through the service, reporting progress while this thread keeps running', async () => {
    const file = join(tmp, 'many.md');
    writeFileSync(file, manySections(6000));
    const db = openDatabase(join(tmp, 'library.db'));
    try {
      const progress: ImportProgress[] = [];
      let ticks = 0;
      const ticksAtProgress: number[] = [];
      const service = createRunbookService({
        store: createLibraryStore({ db, clock: { now: () => new Date() }, deviceId: getDeviceId(db) }),
        shell: await shellParser(),
        parse: (input, onProgress) => parser.parse(input, onProgress),
        progressAfterMs: 0,
        onProgress: (p) => {
          progress.push(p);
          ticksAtProgress.push(ticks);
        },
      });
      const timer = setInterval(() => ticks++, 1);
      let result;
      try {
        result = await service.importFile(file);
      } finally {
        clearInterval(timer);
      }
      expect(result.status).toBe('new');
      expect(result.summary.sections).toBe(6001);
      expect(result.summary.steps.command).toBe(6000);
      expect(progress.length).toBeGreaterThan(1);
      expect(progress.every((p) => p.path === file && p.total === progress[0]?.total && p.done <= p.total)).toBe(true);
      expect(progress.every((p, i) => p.done >= (progress[i - 1]?.done ?? 0))).toBe(true);
      expect(progress.at(-1)?.done).toBe(progress.at(-1)?.total);
      // The timer ran between the first and the last report: the parse did not hold this thread.
      expect(ticksAtProgress.at(-1)! - ticksAtProgress[0]!).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('fails an import clearly when the worker crashes, and starts a fresh worker for the next', async () => {
    // A heap this small holds the worker and a seed, not the tree of 60,000 sections: it runs out of memory.
    const small = createImportParser({ resourceLimits: { maxOldGenerationSizeMb: 24 } });
    try {
      const huge = new TextEncoder().encode(manySections(60_000));
      const failure = await small.parse({ path: 'huge.md', bytes: huge }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ImportError);
      expect(failure).toMatchObject({ code: 'parse_failed', message: 'could not be parsed: the importer ran out of memory' });
      const seed = new Uint8Array(readFileSync(join(seedsDir, seeds[0]!)));
      const again = await small.parse({ path: seeds[0]!, bytes: seed });
      expect(again.ok).toBe(true);
    } finally {
      await small.dispose();
    }
  });

  it('rejects imports after dispose', async () => {
    const short = createImportParser();
    await short.dispose();
    await expect(short.parse({ path: 'a.md', bytes: new TextEncoder().encode('# A\n') })).rejects.toMatchObject({ code: 'parse_failed' });
  });

  it('does not keep a process alive once idle', () => {
    // Imports a seed and never disposes the parser: the process must still end by itself.
    const script = `
      import { readFileSync } from 'node:fs';
      import { createImportParser } from ${JSON.stringify(join(root, 'electron/services/runbooks/import-parser.ts'))};
      const outcome = await createImportParser().parse({ path: 'seed.md', bytes: readFileSync(${JSON.stringify(join(seedsDir, seeds[0]!))}) });
      console.log(outcome.ok ? 'imported' : 'refused');
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 25_000 });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('imported');
    expect(child.status).toBe(0);
  });
});
