// A run records where its steps were to go when it started: the target passed to start, else the section's
// remembered one, else this machine; and who started it, a schedule included. Real stores on a temp database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../shared/contract/schemas.js';
import { summarizeRunbook } from '../../shared/model/summary.js';
import type { Runbook } from '../../shared/model/runbook.js';
import type { ExecService } from '../../electron/services/exec/local-exec.js';
import { createRunService } from '../../electron/services/runs/run-service.js';
import { getDeviceId, openDatabase, type Database } from '../../electron/services/store/db.js';
import { createHostStore } from '../../electron/services/store/host-store.js';
import { createLibraryStore } from '../../electron/services/store/library-store.js';
import { createRunStore } from '../../electron/services/store/run-store.js';

let dir: string;
let db: Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-run-target-'));
  db = openDatabase(join(dir, 'opsdeck.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const runbook: Runbook = {
  title: 'Deploy',
  source: { path: '/r/deploy.md', sha256: 'x' },
  sections: [{ id: 's1', title: 'Deploy', level: 1, line: 1, meta: {}, steps: [], sections: [] }],
  params: [],
  scheduleHints: [],
  warnings: [],
};

function setUp() {
  const deviceId = getDeviceId(db);
  const clock = { now: () => new Date('2026-02-01T00:00:00Z') };
  const library = createLibraryStore({ db, clock, deviceId });
  const runs = createRunStore(db, deviceId, clock);
  const hosts = createHostStore(db, deviceId, clock);
  const { runbookId } = library.saveImport('/r/deploy.md', 'sha', runbook, summarizeRunbook(runbook));
  const service = createRunService({
    runs,
    library,
    // start never runs a command or parses shell: these are never called.
    exec: {} as unknown as ExecService,
    shell: { parse: () => { throw new Error('not parsed here'); } },
    clock,
    operator: () => 'ana',
    hostname: 'laptop',
    emit: () => undefined,
    hosts,
  });
  return { service, hosts, runs, runbookId };
}

describe('a run started', () => {
  it('records this machine when nothing is remembered or given, and the origin it came from', () => {
    const { service, runs, runbookId } = setUp();
    const started: RunDetail = service.start({ runbookId, sectionId: 's1', origin: 'schedule' });
    expect(started.run).toMatchObject({ target: 'local', origin: 'schedule' });
    expect(runs.getRun(started.run.id)?.target).toEqual({ kind: 'local' });
    expect(service.list({}).map((r) => [r.target, r.origin])).toEqual([['local', 'schedule']]);
  });

  it("records the section's remembered target at start, and a target passed to start before it", () => {
    const { service, hosts, runs, runbookId } = setUp();
    hosts.setTarget(runbookId, 's1', { kind: 'host', host: 'web1' });
    const remembered = service.start({ runbookId, sectionId: 's1', origin: 'ui' });
    expect(remembered.run.target).toBe('host:web1');
    const given = service.start({ runbookId, sectionId: 's1', origin: 'cli', target: { kind: 'tag', tag: 'web', concurrency: 2, canary: true } });
    expect(given.run).toMatchObject({ target: 'tag:web', origin: 'cli' });
    // The whole target is kept, fan-out options included; the remembered one is left as it was.
    expect(runs.getRun(given.run.id)?.target).toEqual({ kind: 'tag', tag: 'web', concurrency: 2, canary: true });
    expect(hosts.target(runbookId, 's1')).toEqual({ kind: 'host', host: 'web1' });
    // A change of the remembered target later does not rewrite what a run recorded.
    hosts.setTarget(runbookId, 's1', { kind: 'local' });
    expect(service.get(remembered.run.id).run.target).toBe('host:web1');
  });
});
