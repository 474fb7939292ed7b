/**
 * `opsdeck incident ...` and `opsdeck run --incident` as a user runs them: the built bin in a child process against
 * a temp data directory holding our payments fixture. Open an incident, run its Triage section as part of it, note
 * (backdated), change the status, resolve: the timeline holds the run, each attempt's command and exit code, the
 * note and the changes, in order. Also through a running daemon, and the one-line refusals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncidentDetail, IncidentSummary, TimelineEntry } from '../../shared/contract/incidents.js';
import { root, spawnOpsdeck, startOpsdeck, type Outcome } from '../helpers/cli.js';

const FIXTURE = join(root, 'test', 'fixtures', 'incidents', 'payments-oncall.md');

let tmp: string;
let dataDir: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-cli-incident-'));
  dataDir = join(tmp, 'data');
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function opsdeck(args: readonly string[]): Outcome {
  return spawnOpsdeck(['--data-dir', dataDir, ...args], tmp);
}

/** One line on stderr starting `opsdeck:`, nothing on stdout, exit 2. */
function expectRefusal(out: Outcome, pattern: RegExp): void {
  expect(out.stdout).toBe('');
  expect(out.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^opsdeck: /)]);
  expect(out.stderr).toMatch(pattern);
  expect(out.code).toBe(2);
}

function open(args: readonly string[]): string {
  const out = opsdeck(['incident', 'open', ...args]);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  expect(out.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
  return out.stdout.trim();
}

function timeline(id: string): TimelineEntry[] {
  const out = opsdeck(['incident', 'timeline', id, '--json']);
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as TimelineEntry[];
}

/** What the whole story should read like, whoever owns the data directory. */
function respond(): { id: string; entries: TimelineEntry[]; runId: string } {
  const id = open(['--title', 'Card declines', '--severity', 'sev2', '--service', 'payments', '--runbook', FIXTURE]);
  const prefix = id.slice(0, 13);
  const ran = opsdeck(['run', FIXTURE, '--section', 'Triage', '--param', 'QUEUE=5', '--incident', prefix]);
  // The gateway check fails (exit 3): the run fails, and the incident has it all the same.
  expect(ran.code).toBe(1);
  expect(ran.stderr).toContain(`Part of incident ${id} · SEV-2 · Card declines`);
  const alert = new Date(Date.now() - 10 * 60_000).toISOString();
  expect(opsdeck(['incident', 'note', prefix, 'alert fired: declines above 5%', '--at', alert])).toMatchObject({ code: 0, stdout: `Noted on ${id}.\n` });
  expect(opsdeck(['incident', 'status', prefix, 'identified'])).toMatchObject({ code: 0, stdout: `${id}: investigating → identified.\n` });
  expect(opsdeck(['incident', 'status', prefix, 'resolved'])).toMatchObject({ code: 0, stdout: `${id}: identified → resolved.\n` });
  const entries = timeline(prefix);
  const run = entries.find((e) => e.kind === 'run');
  return { id, entries, runId: run?.kind === 'run' ? run.runId : '' };
}

/** The story without the owner's reminders (a long-lived owner adds them: see the daemon test). */
function expectTheStory(entries: readonly TimelineEntry[], runId: string): void {
  const told = entries.filter((e) => e.kind !== 'reminder').map((e) => {
    switch (e.kind) {
      case 'note':
        return ['note', e.text];
      case 'declared':
        return ['declared', e.title, e.severity];
      case 'status':
        return ['status', e.from, e.to];
      case 'run':
        return ['run', e.runId, e.sectionTitle, e.status];
      case 'attempt':
        return ['attempt', e.stepTitle, e.command, e.exitCode];
      case 'milestone':
        return ['milestone', e.milestone];
      default:
        return [e.kind];
    }
  });
  expect(told).toEqual([
    ['note', 'alert fired: declines above 5%'],
    ['declared', 'Card declines', 'SEV-2'],
    ['status', null, 'investigating'],
    ['run', runId, 'Triage', 'failed'],
    ['attempt', 'Check the queue', '# Check the queue\necho "queue depth 5"', 0],
    ['attempt', 'Check the gateway', '# Check the gateway\necho "gateway down" >&2; exit 3', 3],
    ['status', 'investigating', 'identified'],
    ['milestone', 'acknowledged'],
    ['status', 'identified', 'resolved'],
    ['milestone', 'mitigated'],
    ['milestone', 'resolved'],
  ]);
  const times = entries.map((e) => Date.parse(e.at));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
}

describe('opsdeck incident', () => {
  it('open, run a section with --incident, note, change status, resolve: the timeline holds it all in order', () => {
    expect(opsdeck(['import', FIXTURE]).code).toBe(0);
    const { id, entries, runId } = respond();
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expectTheStory(entries, runId);

    const show = opsdeck(['incident', 'show', id, '--json']);
    const detail = JSON.parse(show.stdout) as IncidentDetail;
    expect(detail).toMatchObject({ status: 'resolved', severity: 'SEV-2', service: 'payments', runIds: [runId], nextUpdateDue: null });
    expect(detail.durations.toResolveMs).toBeGreaterThanOrEqual(0);
    const text = opsdeck(['incident', 'show', id.slice(0, 13)]).stdout;
    expect(text).toContain('Card declines');
    expect(text).toMatch(/severity {4}SEV-2 Major \(respond: 15 minutes\)/);
    const list = JSON.parse(opsdeck(['incident', 'list', '--json']).stdout) as IncidentSummary[];
    expect(list).toMatchObject([{ id, status: 'resolved', resolvedAt: expect.any(String) }]);
    expect(JSON.parse(opsdeck(['incident', 'list', '--open', '--json']).stdout)).toEqual([]);
    // The text timeline: the backdated note says when it was written; each command as it ran with its exit code.
    const lines = opsdeck(['incident', 'timeline', id]).stdout;
    expect(lines).toMatch(/note: alert fired: declines above 5% \(written .*Z\)/);
    expect(lines).toContain('Check the gateway: exit 3');
    expect(lines).toContain('      $ echo "gateway down" >&2; exit 3');
  });

  it('changes severity, links a run afterwards, adds follow-ups, reopens', () => {
    expect(opsdeck(['import', FIXTURE]).code).toBe(0);
    const id = open(['--title', 'Slow payouts', '--severity', 'SEV-3', '--runbook', FIXTURE]);
    expect(opsdeck(['incident', 'severity', id, 'critical'])).toMatchObject({ code: 0, stdout: `${id}: SEV-3 → SEV-1.\n` });
    const ran = opsdeck(['run', FIXTURE, '--section', 'Triage', '--param', 'QUEUE=1', '--json']);
    const runId = (JSON.parse(ran.stdout) as { run: { id: string } }).run.id;
    expect(opsdeck(['incident', 'link', id, runId.slice(0, 13)])).toMatchObject({ code: 0, stdout: `Run ${runId} belongs to incident ${id}.\n` });
    const other = open(['--title', 'Another', '--severity', 'SEV-3']);
    expectRefusal(opsdeck(['incident', 'link', other, runId]), /already belongs to incident/);
    const fu = opsdeck(['incident', 'follow-up', id, 'Alert on slow payouts', '--owner', 'bo', '--due', '2030-01-15']);
    expect(fu.code).toBe(0);
    const detail = JSON.parse(opsdeck(['incident', 'show', id, '--json']).stdout) as IncidentDetail;
    expect(detail.followups).toEqual([{ id: fu.stdout.trim(), text: 'Alert on slow payouts', owner: 'bo', due: '2030-01-15T00:00:00.000Z', done: false, createdAt: expect.any(String) }]);
    expect(detail.runIds).toEqual([runId]);
    expect(opsdeck(['incident', 'status', id, 'resolved']).code).toBe(0);
    expectRefusal(opsdeck(['incident', 'status', id, 'monitoring']), /resolved: reopen it first/);
    expect(opsdeck(['incident', 'status', id, 'investigating'])).toMatchObject({ code: 0, stdout: `${id}: resolved → investigating.\n` });
  });

  it('refuses in one line: an unknown incident (and runs nothing), an unknown severity, a bad status or time', () => {
    expect(opsdeck(['import', FIXTURE]).code).toBe(0);
    expectRefusal(opsdeck(['run', FIXTURE, '--section', 'Triage', '--param', 'QUEUE=1', '--incident', 'ffffffff']), /no incident "ffffffff"/);
    expect(JSON.parse(opsdeck(['history', '--json']).stdout)).toEqual([]);
    expectRefusal(opsdeck(['incident', 'open', '--title', 'x', '--severity', 'P1', '--runbook', FIXTURE]), /no severity "P1" here: choose one of SEV-1 \(Critical\)/);
    const id = open(['--title', 'x', '--severity', 'SEV-4']);
    expectRefusal(opsdeck(['incident', 'status', id, 'fixed']), /status is one of investigating, identified, monitoring, resolved/);
    expectRefusal(opsdeck(['incident', 'note', id, 'soon', '--at', new Date(Date.now() + 3_600_000).toISOString()]), /in the future/);
    expectRefusal(opsdeck(['incident', 'note', id, 'when?', '--at', 'yesterday-ish']), /is not a time/);
    expectRefusal(opsdeck(['incident', 'show', 'ab']), /no incident "ab" \(give at least 4 characters/);
  });

  it('works the same through a running daemon', async () => {
    expect(opsdeck(['import', FIXTURE]).code).toBe(0);
    const daemon = startOpsdeck(['--data-dir', dataDir, 'daemon'], tmp);
    try {
      await new Promise<void>((resolve, reject) => {
        let said = '';
        daemon.stdout?.on('data', (d: Buffer) => {
          said += d.toString();
          if (said.includes('CLI commands reach it')) resolve();
        });
        daemon.once('exit', () => reject(new Error(`the daemon stopped: ${said}`)));
      });
      const { id, entries, runId } = respond();
      expectTheStory(entries, runId);
      // The owner reminds: the runbook asks for an update "when status changes" (the reminder fires on its own turn).
      let reminders: TimelineEntry[] = [];
      for (let i = 0; i < 100 && reminders.length === 0; i++) {
        reminders = timeline(id).filter((e) => e.kind === 'reminder');
        if (reminders.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(reminders).toEqual([expect.objectContaining({ reason: 'update_due', by: 'opsdeck', text: 'Status update due: the status changed to identified; none has gone out yet.' })]);
    } finally {
      const stopped = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGTERM');
      await stopped;
    }
  });
});
