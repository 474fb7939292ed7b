/**
 * The `opsdeck` command as a user runs it: the built bin in a child process, against a temp data directory,
 * checking what it prints, its exit codes, and what ends up in the store.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runbook } from '../../shared/model/runbook.js';
import { getDeviceId, openDatabase } from '../../electron/services/store/db.js';
import { createLibraryStore } from '../../electron/services/store/library-store.js';
import type { RunbookListEntry } from '../../electron/services/store/library-store.js';
import { root, spawnOpsdeck as spawnIn, type Outcome } from '../helpers/cli.js';

const fixture = join(root, 'test', 'fixtures', 'cli', 'tiny-runbook.md');

let tmp: string;
let dataDir: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-cli-'));
  dataDir = join(tmp, 'data');
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function spawnOpsdeck(args: readonly string[], env: Record<string, string> = {}): Outcome {
  return spawnIn(args, tmp, env);
}

/** Runs opsdeck against this test's data directory. */
function opsdeck(...args: string[]): Outcome {
  return spawnOpsdeck(['--data-dir', dataDir, ...args]);
}

function listJson(): RunbookListEntry[] {
  const out = opsdeck('list', '--json');
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as RunbookListEntry[];
}

/** A private copy of the fixture that a test may change. */
function copyFixture(name = 'tiny-runbook.md'): string {
  const file = join(tmp, name);
  copyFileSync(fixture, file);
  return file;
}

const stderrLines = (out: Outcome): string[] => out.stderr.split('\n').filter(Boolean);

describe('opsdeck', { timeout: 20_000 }, () => {
  it('answers --help for every command and --version, exit 0', () => {
    for (const args of [[], ['import'], ['list'], ['show'], ['run'], ['remove'], ['history']]) {
      const out = spawnOpsdeck([...args, '--help']);
      expect(out.code, args.join(' ')).toBe(0);
      expect(out.stdout).toContain(`Usage: opsdeck${args.length > 0 ? ` ${args[0]}` : ''}`);
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const version = spawnOpsdeck(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('rejects an unknown command with one line and exit 2', () => {
    const out = opsdeck('frobnicate');
    expect(out.code).toBe(2);
    expect(stderrLines(out)).toEqual([expect.stringMatching(/^opsdeck: unknown command 'frobnicate'/)]);
  });

  it('imports a runbook and prints its summary; an unchanged re-import writes no new version', () => {
    const file = copyFixture();
    const first = opsdeck('import', 'tiny-runbook.md');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.split('\n');
    expect(lines[0]).toBe('✔ tiny-runbook.md → "Tiny Runbook" (new, version 1)');
    expect(first.stdout).toMatch(/^ {2}sections 1 · steps 1 check, 1 command$/m);
    expect(first.stdout).toMatch(/^ {2}parameters 0$/m);
    expect(first.stdout).toMatch(/^ {2}schedule hints: 0$/m);
    expect(first.stdout).toMatch(/^ {2}warnings: 0$/m);

    const again = opsdeck('import', file);
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')[0]).toBe(`✔ ${file} → "Tiny Runbook" (unchanged, version 1)`);

    const list = listJson();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ title: 'Tiny Runbook', path: file, versions: 1, latestVersion: 1 });
    expect(opsdeck('list').stdout).toMatch(/^ID\s+TITLE\s+VERSIONS\s+IMPORTED \(UTC\)\s+PATH\n[0-9a-f-]{8,}\s+Tiny Runbook\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\//);
  });

  it('stores a changed file as version 2 and keeps version 1 readable', () => {
    const file = copyFixture();
    expect(opsdeck('import', file).code).toBe(0);
    appendFileSync(file, '\n## Verify\n\n- [ ] The demo page loads\n');
    const second = opsdeck('import', file);
    expect(second.code).toBe(0);
    expect(second.stdout.split('\n')[0]).toBe(`✔ ${file} → "Tiny Runbook" (updated, version 2)`);
    expect(listJson()[0]).toMatchObject({ versions: 2, latestVersion: 2 });

    const db = openDatabase(join(dataDir, 'opsdeck.db'));
    try {
      const store = createLibraryStore({ db, clock: { now: () => new Date() }, deviceId: getDeviceId(db) });
      const [entry] = store.list();
      const versions = store.listVersions(entry?.id ?? '');
      expect(versions.map((v) => v.version)).toEqual([1, 2]);
      const v1 = store.getVersion(versions[0]?.id ?? '').document;
      const v2 = store.getVersion(versions[1]?.id ?? '').document;
      expect(JSON.stringify(v1)).not.toContain('The demo page loads');
      expect(JSON.stringify(v2)).toContain('The demo page loads');
      expect(v1.source.sha256).not.toBe(v2.source.sha256);
    } finally {
      db.close();
    }
  });

  it('reports a missing file in one line, still imports the others, and exits 2', () => {
    const file = copyFixture();
    const out = opsdeck('import', 'missing.md', file);
    expect(out.code).toBe(2);
    expect(stderrLines(out)).toEqual(['opsdeck: missing.md: no such file']);
    expect(out.stdout).toContain(`✔ ${file} → "Tiny Runbook" (new, version 1)`);
    expect(listJson().map((entry) => entry.path)).toEqual([file]);
  });

  it('refuses a directory, a binary file and an oversized file, each with one line and exit 2', () => {
    const folder = join(tmp, 'folder');
    mkdirSync(folder);
    const binary = join(tmp, 'image.md');
    writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x01]));
    const huge = join(tmp, 'huge.md');
    writeFileSync(huge, '');
    truncateSync(huge, 21 * 1024 * 1024); // sparse: the size is refused from stat, before any read

    const dir = opsdeck('import', folder);
    expect(dir.code).toBe(2);
    expect(stderrLines(dir)).toEqual([`opsdeck: ${folder}: is a directory, not a runbook file`]);

    const bin = opsdeck('import', binary);
    expect(bin.code).toBe(2);
    expect(stderrLines(bin)).toEqual([expect.stringMatching(new RegExp(`^opsdeck: ${binary}: .*not (a )?text`, 'i'))]);

    const big = opsdeck('import', huge);
    expect(big.code).toBe(2);
    expect(stderrLines(big)).toEqual([`opsdeck: ${huge}: is 21 MB; runbooks are limited to 20 MB`]);

    expect(listJson()).toEqual([]);
  });

  it('prints the stored documents with --json: an array for several files, an object for one', () => {
    const a = copyFixture('a.md');
    const b = copyFixture('b.md');
    appendFileSync(b, '\n## Later\n\nRun `make check` at 02:00 every night.\n');
    const out = opsdeck('import', '--json', a, b);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    const documents = JSON.parse(out.stdout) as Runbook[];
    expect(documents).toHaveLength(2);
    for (const [document, file] of [[documents[0], a], [documents[1], b]] as const) {
      expect(document).toMatchObject({ title: 'Tiny Runbook' });
      expect(document?.source.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
      expect(Array.isArray(document?.sections)).toBe(true);
      expect(Array.isArray(document?.params)).toBe(true);
      expect(Array.isArray(document?.scheduleHints)).toBe(true);
      expect(Array.isArray(document?.warnings)).toBe(true);
    }

    const single = opsdeck('import', '--json', a);
    expect(single.code).toBe(0);
    expect(JSON.parse(single.stdout)).toEqual(documents[0]);
  });

  it('shows a runbook by title prefix and by id, and refuses an unknown one', () => {
    const file = copyFixture();
    expect(opsdeck('import', file).code).toBe(0);
    const [entry] = listJson();

    const byTitle = opsdeck('show', 'tiny');
    expect(byTitle.code).toBe(0);
    expect(byTitle.stdout).toMatch(/^Tiny Runbook$/m);
    expect(byTitle.stdout).toContain(`id ${entry?.id} · version 1 of 1`);
    expect(byTitle.stdout).toMatch(/^# Tiny Runbook$/m);
    expect(byTitle.stdout).toMatch(/^ {2}\[ \] Tell the on-call channel before you start$/m);
    expect(byTitle.stdout).toMatch(/^ {2}\$ \S/m);

    const byId = opsdeck('show', entry?.id ?? '');
    expect(byId).toEqual(byTitle);
    const byPrefix = opsdeck('show', (entry?.id ?? '').slice(0, 18));
    expect(byPrefix.stdout).toBe(byTitle.stdout);

    const json = opsdeck('show', '--json', 'tiny-runbook.md');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ title: 'Tiny Runbook', source: { path: file } });

    const missing = opsdeck('show', 'nosuch');
    expect(missing.code).toBe(2);
    expect(stderrLines(missing)).toEqual(['opsdeck: no runbook matches "nosuch" (by id, path or title)']);
  });

  it('removes a runbook from the library, saying its runs stay in history, which still lists them', () => {
    const file = join(tmp, 'hello.md');
    writeFileSync(file, '# Hello Notes\n\n## Greet\n\n```bash\necho hello\n```\n');
    expect(opsdeck('import', file).code).toBe(0);
    expect(opsdeck('run', file).code).toBe(0);

    const out = opsdeck('remove', 'hello notes');
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('Archived "Hello Notes": it left the library; its run stays in history.\n');
    expect(out.code).toBe(0);
    expect(listJson()).toEqual([]);
    const history = JSON.parse(opsdeck('history', '--json').stdout) as Array<{ runbookTitle: string; status: string }>;
    expect(history).toMatchObject([{ runbookTitle: 'Hello Notes', status: 'completed' }]);

    const unknown = opsdeck('remove', 'nosuch');
    expect(unknown.code).toBe(2);
    expect(stderrLines(unknown)).toEqual(['opsdeck: no runbook matches "nosuch" (by id, path or title)']);
  });

  it('keeps its data in OPSDECK_HOME when no --data-dir is given', () => {
    const home = join(tmp, 'home');
    const file = copyFixture();
    const out = spawnOpsdeck(['import', file], { OPSDECK_HOME: home });
    expect(out.code).toBe(0);
    expect(existsSync(join(home, 'opsdeck.db'))).toBe(true);
    expect(spawnOpsdeck(['list', '--json'], { OPSDECK_HOME: home }).stdout).toContain('Tiny Runbook');
    expect(existsSync(dataDir)).toBe(false);
  });
});
