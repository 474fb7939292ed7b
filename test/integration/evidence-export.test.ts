/**
 * Evidence export on a real database: runs made by running real steps through the contract (a secret parameter
 * whose value the step prints, a destructive step confirmed, a note, a ticked check), exported, then verified; a
 * changed byte in any file, a removed line and two swapped events each fail verification, named; the secret is in no
 * exported byte; an existing bundle is never written over, and a failed export leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportSummary } from '../../shared/contract/evidence.js';
import type { RunDetail } from '../../shared/contract/schemas.js';
import { callerFor, type Call } from '../../electron/host/cli-run.js';
import { createHost, DATABASE_FILE, type Host } from '../../electron/host/host.js';
import { createEvidenceService } from '../../electron/services/evidence/evidence-service.js';
import { loadOrCreateDeviceKey } from '../../electron/services/evidence/device-key.js';
import { verifyBundle } from '../../electron/services/evidence/verify.js';
import { openDatabase, type Database } from '../../electron/services/store/db.js';
import { createEvidenceReads } from '../../electron/services/store/evidence-reads.js';
import { createLibraryStore } from '../../electron/services/store/library-store.js';
import { createRunStore } from '../../electron/services/store/run-store.js';

const SECRET = 'sk-live-7f3a9c21d4e8b6';
const RUNBOOK = `# Rotate Keys

## Rotate

\`\`\`bash
# 1. Show the token
echo "using token \${{ secrets.API_TOKEN }} for <env>"; printf '\\033[1mbold\\033[0m\\n'

# 2. Remove old keys
rm -rf "$KEY_DIR/old"
\`\`\`

## Check

- [ ] Look at the dashboard
`;

let dir: string;
let host: Host;
let call: Call;
let runbookId: string;
let rotated: RunDetail;
let checked: RunDetail;
const file = (): string => join(dir, 'rotate.md');
const out = (name: string): string => join(dir, 'out', name);

async function ended(runId: string): Promise<RunDetail> {
  for (let i = 0; i < 400; i++) {
    const detail = await call('runs.get', { runId });
    if (detail.run.status !== 'running') return detail;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the run never ended');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-evidence-'));
  writeFileSync(file(), RUNBOOK);
  mkdirSync(join(dir, 'keys', 'old'), { recursive: true });
  host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
  call = callerFor(host);
  await call('settings.update', { operator: 'ana' });
  ({ runbookId } = await call('runbooks.import', { path: file() }));
  const sections = (await call('runbooks.get', { id: runbookId })).document.sections[0]!.sections;
  const [rotate, check] = sections;
  const started = await call('runs.runSection', {
    runbookId,
    sectionId: rotate!.id,
    params: { API_TOKEN: SECRET, env: 'prod', KEY_DIR: join(dir, 'keys') },
    confirmation: hostname(),
  });
  await ended(started.run.id);
  rotated = await call('runs.note', { runId: started.run.id, stepId: null, text: 'rotated after the incident review' });
  const second = await call('runs.start', { runbookId, sectionId: check!.id });
  await call('runs.tick', { runId: second.run.id, stepId: check!.steps[0]!.id, done: true });
  checked = await call('runs.finish', { runId: second.run.id });
  mkdirSync(join(dir, 'out'));
}, 60_000);

afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

const exportRun = (name: string, format?: 'jsonl' | 'md' | 'both'): Promise<ExportSummary> =>
  call('evidence.export', { selector: { kind: 'run', runId: rotated.run.id }, output: out(name), ...(format ? { format } : {}) });
const lines = (path: string): string[] => readFileSync(path, 'utf8').trimEnd().split('\n');
const events = (name: string): Array<Record<string, unknown>> => lines(join(out(name), 'events.jsonl')).map((l) => JSON.parse(l) as Record<string, unknown>);
const copy = (from: string, to: string): string => {
  mkdirSync(out(to));
  for (const f of readdirSync(out(from))) writeFileSync(join(out(to), f), readFileSync(join(out(from), f)));
  return out(to);
};
/** Changes one byte: the character `offset` after the first `needle` found after `from` in the file. */
const flip = (path: string, needle: string, from = 0, offset = 0): void => {
  const bytes = readFileSync(path);
  const found = bytes.indexOf(needle, from);
  expect(found).toBeGreaterThanOrEqual(0);
  const at = found + offset;
  bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
  writeFileSync(path, bytes);
};

describe('an exported run', () => {
  it('verifies, and holds who, what, where, when, the output and the confirmation', async () => {
    expect(rotated.run.status).toBe('completed');
    const summary = await exportRun('run');
    expect(summary).toMatchObject({ runs: 1, dir: out('run') });
    expect(readdirSync(out('run')).sort()).toEqual(['events.jsonl', 'manifest.json', 'report.md']);
    expect(await verifyBundle(out('run'))).toMatchObject({ ok: true, problems: [], events: summary.events, files: 2, key: summary.key });

    const ev = events('run');
    expect(ev.map((e) => e.seq)).toEqual(ev.map((_, i) => i + 1));
    expect(ev.map((e) => e.type)).toEqual(['run.started', 'step.started', 'step.output', 'step.ended', 'step.started', 'step.ended', 'run.finished', 'note.added']);
    const sourceSha = createHash('sha256').update(readFileSync(file())).digest('hex');
    const [start, show, printed, showEnd, remove] = ev;
    expect(start).toMatchObject({ who: { operator: 'ana', deviceId: (await call('app.info', {})).deviceId }, origin: 'cli', where: { target: 'local' } });
    expect(start!.what).toMatchObject({ runbook: { title: 'Rotate Keys', versionId: rotated.run.versionId, version: 1, sourceSha256: sourceSha, sourcePath: file() }, section: { title: 'Rotate' } });
    expect(show).toMatchObject({ params: { API_TOKEN: '••••', env: 'prod' }, command: { asRun: expect.stringContaining('echo "using token •••• for prod"') }, confirmation: null, what: { step: { title: 'Show the token' } } });
    // Output as recorded: redacted, its terminal escapes kept.
    expect(printed).toMatchObject({ stream: 'stdout', data: 'using token •••• for prod\n\u001b[1mbold\u001b[0m\n' });
    expect(showEnd).toMatchObject({ result: { status: 'succeeded', exitCode: 0 } });
    expect(remove).toMatchObject({ what: { step: { title: 'Remove old keys', danger: { level: 'destructive' } } }, confirmation: { required: true, given: 'typed target name or --yes' } });
    expect(ev.at(-1)).toMatchObject({ text: 'rotated after the incident review', who: { operator: 'ana' } });

    const report = readFileSync(join(out('run'), 'report.md'), 'utf8');
    expect(report).toContain('## 1. Rotate Keys › Rotate');
    expect(report).toContain(`SHA-256 \`${sourceSha}\``);
    expect(report).toContain(`version 1 (\`${rotated.run.versionId}\`)`);
    expect(report).toMatch(/#### Remove old keys — succeeded\n\n- Danger: destructive .*\n- Attempt 1 .* by ana on local: .*exit code 0, succeeded/);
    expect(report).toContain('Confirmation of a destructive step: typed target name or --yes');
    expect(report).toContain('using token •••• for prod\n  bold\n');
    expect(report).toContain('rotated after the incident review');

    const manifest = JSON.parse(readFileSync(join(out('run'), 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const db = openDatabase(join(dir, 'data', DATABASE_FILE));
    const schema = db.pragma('user_version', { simple: true });
    db.close();
    expect(manifest).toMatchObject({ schemaVersion: schema, app: { version: 'test' }, selector: { kind: 'run', runId: rotated.run.id }, runs: [rotated.run.id], counts: { runs: 1, events: 8, attempts: 2, notes: 1 } });
    for (const f of manifest.files as Array<{ name: string; sha256: string; bytes: number }>) {
      const bytes = readFileSync(join(out('run'), f.name));
      expect(f).toEqual({ name: f.name, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
  });

  it('has the secret in no exported byte (nor in the database)', async () => {
    await exportRun('secret');
    await call('evidence.export', { selector: { kind: 'range', since: '2000-01-01T00:00:00Z' }, output: out('secret-range') });
    for (const bundle of ['secret', 'secret-range']) {
      for (const f of readdirSync(out(bundle))) expect(readFileSync(join(out(bundle), f)).includes(SECRET), `${bundle}/${f}`).toBe(false);
    }
    for (const f of readdirSync(join(dir, 'data'))) expect(readFileSync(join(dir, 'data', f)).includes(SECRET), f).toBe(false);
  });

  it('fails verification on a changed byte in any file, naming the file (and the line in events.jsonl)', async () => {
    await exportRun('tamper');
    const events2 = copy('tamper', 'changed-event');
    flip(join(events2, 'events.jsonl'), 'prod', readFileSync(join(events2, 'events.jsonl'), 'utf8').indexOf('\n'));
    const e = await verifyBundle(events2);
    expect(e.ok).toBe(false);
    expect(e.problems[0]).toEqual({ file: 'events.jsonl', line: 2, message: 'changed: its hash no longer matches the prev of line 3' });

    const last = copy('tamper', 'changed-last');
    const text = readFileSync(join(last, 'events.jsonl'), 'utf8');
    flip(join(last, 'events.jsonl'), 'incident', text.lastIndexOf('\n', text.length - 2));
    expect((await verifyBundle(last)).problems[0]).toMatchObject({ file: 'events.jsonl', line: 8, message: expect.stringContaining("not the manifest's last hash") });

    const report = copy('tamper', 'changed-report');
    flip(join(report, 'report.md'), 'bold');
    expect((await verifyBundle(report)).problems).toEqual([{ file: 'report.md', line: null, message: expect.stringMatching(/^the file was changed: its SHA-256/) }]);

    const manifest = copy('tamper', 'changed-manifest');
    flip(join(manifest, 'manifest.json'), '"sha256": "', 0, '"sha256": "'.length);
    expect((await verifyBundle(manifest)).problems[0]).toEqual({ file: 'manifest.json', line: null, message: expect.stringMatching(/^the signature does not match the manifest/) });
  });

  it('fails verification on a removed line and on two swapped events, naming the lines', async () => {
    await exportRun('order');
    const removed = copy('order', 'removed');
    const all = lines(join(removed, 'events.jsonl'));
    writeFileSync(join(removed, 'events.jsonl'), `${[...all.slice(0, 3), ...all.slice(4)].join('\n')}\n`);
    expect((await verifyBundle(removed)).problems[0]).toEqual({ file: 'events.jsonl', line: 4, message: 'removed: this line holds event 5 where 4 was expected: event 4 is missing (removed)' });

    const swapped = copy('order', 'swapped');
    writeFileSync(join(swapped, 'events.jsonl'), `${[...all.slice(0, 4), all[5], all[4], ...all.slice(6)].join('\n')}\n`);
    expect((await verifyBundle(swapped)).problems[0]).toEqual({ file: 'events.jsonl', line: 5, message: 'swapped: lines 5 and 6 hold events 6 and 5' });

    const cut = copy('order', 'cut');
    writeFileSync(join(cut, 'events.jsonl'), `${all.slice(0, -1).join('\n')}\n`);
    expect((await verifyBundle(cut)).problems[0]).toMatchObject({ file: 'events.jsonl', line: 8, message: expect.stringMatching(/^removed: the manifest counts 8 events/) });

    const added = copy('order', 'added');
    writeFileSync(join(added, 'notes.txt'), 'hello');
    expect((await verifyBundle(added)).problems).toEqual([{ file: 'notes.txt', line: null, message: 'added: the manifest does not list this file' }]);
  });
});

describe('selecting and writing', () => {
  it('exports a time range of a runbook, or the runs of a host; an empty selection is a bundle too', async () => {
    const all = await call('evidence.export', { selector: { kind: 'range', since: '2000-01-01T00:00:00Z', runbookId }, output: out('range') });
    expect(all.runs).toBe(2);
    const manifest = JSON.parse(readFileSync(join(out('range'), 'manifest.json'), 'utf8')) as { runs: string[] };
    expect(manifest.runs).toEqual([rotated.run.id, checked.run.id]);
    expect(events('range').filter((e) => e.type === 'check.ticked')).toMatchObject([{ done: true, who: { operator: 'ana' }, what: { step: { title: 'Look at the dashboard' } } }]);
    const none = await call('evidence.export', { selector: { kind: 'range', since: '2000-01-01T00:00:00Z', host: 'web1' }, output: out('host') });
    expect(none).toMatchObject({ runs: 0, events: 0 });
    expect(readFileSync(join(out('host'), 'report.md'), 'utf8')).toContain('No runs matched the selection.');
    expect((await verifyBundle(out('host'))).ok).toBe(true);
  });

  it('writes only what the format asks for; each verifies', async () => {
    await exportRun('md', 'md');
    expect(readdirSync(out('md')).sort()).toEqual(['manifest.json', 'report.md']);
    expect(JSON.parse(readFileSync(join(out('md'), 'manifest.json'), 'utf8'))).toMatchObject({ chain: null });
    expect((await verifyBundle(out('md'))).ok).toBe(true);
    await exportRun('jsonl', 'jsonl');
    expect(readdirSync(out('jsonl')).sort()).toEqual(['events.jsonl', 'manifest.json']);
    expect((await verifyBundle(out('jsonl'))).ok).toBe(true);
  });

  it('never writes over an existing bundle; fills an empty directory', async () => {
    await exportRun('again');
    const before = readFileSync(join(out('again'), 'manifest.json'));
    await expect(exportRun('again')).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('exists and is not empty') });
    expect(readFileSync(join(out('again'), 'manifest.json')).equals(before)).toBe(true);
    mkdirSync(out('empty'));
    await exportRun('empty');
    expect((await verifyBundle(out('empty'))).ok).toBe(true);
  });

  it('signs with one device key, kept private in the data directory and shown by evidence.publicKey', async () => {
    const key = await call('evidence.publicKey', {});
    const manifest = JSON.parse(readFileSync(join(out('run'), 'manifest.json'), 'utf8')) as { device: { key: unknown } };
    expect(manifest.device.key).toEqual(key);
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(statSync(join(dir, 'data', 'evidence-key.pem')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateDeviceKey(join(dir, 'data')).publicKey).toEqual(key);
  });
});

describe('an export that fails', () => {
  it('leaves no half bundle behind', async () => {
    const db: Database = openDatabase(join(dir, 'data', DATABASE_FILE));
    try {
      const runs = createRunStore(db, 'reader');
      const library = createLibraryStore({ db, clock: { now: () => new Date() }, deviceId: 'reader' });
      let read = 0;
      const service = createEvidenceService({
        reads: createEvidenceReads(db),
        events: (runId) => {
          if (++read === 2) throw new Error('disk went away');
          return runs.events(runId);
        },
        version: (id) => library.getVersion(id),
        sourcePath: (id) => library.get(id).path,
        key: () => loadOrCreateDeviceKey(join(dir, 'data')),
        deviceId: 'reader',
        appVersion: 'test',
        clock: { now: () => new Date() },
        yieldTurn: () => new Promise((r) => setImmediate(r)),
        newId: () => 'export-1',
      });
      const before = readdirSync(join(dir, 'out'));
      await expect(service.export({ selector: { kind: 'range', since: '2000-01-01T00:00:00Z' }, output: out('failed') })).rejects.toThrow('disk went away');
      expect(existsSync(out('failed'))).toBe(false);
      expect(readdirSync(join(dir, 'out'))).toEqual(before);
    } finally {
      db.close();
    }
  });
});

describe('a long export', () => {
  it('gives the event loop a turn between runs, and tells its progress to the end', async () => {
    const check = (await call('runbooks.get', { id: runbookId })).document.sections[0]!.sections[1]!;
    for (let i = 0; i < 40; i++) {
      const r = await call('runs.start', { runbookId, sectionId: check.id });
      await call('runs.abort', { runId: r.run.id, reason: `batch ${i}` });
    }
    const progress: Array<{ done: number; total: number }> = [];
    const stop = host.subscribe((event, payload) => {
      if (event === 'evidence.progress') progress.push(payload as { done: number; total: number });
    });
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      if (!spinning) return;
      turns += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    const summary = await call('evidence.export', { selector: { kind: 'range', since: '2000-01-01T00:00:00Z' }, output: out('many') });
    spinning = false;
    stop();
    expect(summary.runs).toBe(42);
    expect(turns).toBeGreaterThanOrEqual(42);
    expect(progress.at(-1)).toMatchObject({ done: 42, total: 42 });
    expect((await verifyBundle(out('many'))).ok).toBe(true);
  });
});
