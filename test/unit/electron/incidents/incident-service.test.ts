// The incident service over a real SQLite file and a real library holding our payments fixture (levels SEV-1..3 at
// 10/30/30 min, "or when status changes", escalation at 5 and 20 min), with a fake clock and fake timers: the
// lifecycle and its milestones, declaring from a failed run, corrections, updates through the webhook outbox, and
// the owner's reminders (update due, snoozed, repeated; escalation until acknowledged) from its one timer.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../../shared/contract/schemas.js';
import { summarizeRunbook } from '../../../../shared/model/summary.js';
import { createIncidentService } from '../../../../electron/services/incidents/incident-service.js';
import { getDeviceId, openDatabase, type Database } from '../../../../electron/services/store/db.js';
import { createIncidentStore } from '../../../../electron/services/store/incident-store.js';
import { createLibraryStore } from '../../../../electron/services/store/library-store.js';
import { root } from '../../../helpers/cli.js';
import { findSection, importText } from '../../../helpers/importer.js';

const MIN = 60_000;
const START = '2026-05-04T10:00:00.000Z';

let dir: string;
let db: Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-incidents-'));
});
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A wall clock and timers that move only when the test says. */
function fakeTime(startIso: string) {
  let now = Date.parse(startIso);
  let nextId = 1;
  const timeouts = new Map<number, { at: number; fn: () => void }>();
  const runUntil = (until: number): void => {
    for (;;) {
      const due = [...timeouts.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timeouts.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].fn();
    }
    now = until;
  };
  return {
    clock: { now: () => new Date(now) },
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        timeouts.set(nextId, { at: now + ms, fn });
        return nextId++;
      },
      clearTimeout: (h: unknown) => void timeouts.delete(h as number),
    },
    advance: (ms: number) => runUntil(now + ms),
    pending: () => timeouts.size,
  };
}

async function setup() {
  const time = fakeTime(START);
  db = openDatabase(join(dir, 'incidents.db'));
  const deviceId = getDeviceId(db);
  const library = createLibraryStore({ db, clock: time.clock, deviceId });
  const rb = await importText(readFileSync(join(root, 'test', 'fixtures', 'incidents', 'payments-oncall.md')), '/srv/payments-oncall.md');
  const saved = library.saveImport('/srv/payments-oncall.md', 'sha-payments', rb, summarizeRunbook(rb));
  const response = findSection(rb, 'Incident Response');
  const triage = findSection(rb, 'Triage');
  const runs = new Map<string, RunDetail>();
  const events: Array<{ event: string; payload: { incidentId: string; reason?: string; title?: string; body?: string } }> = [];
  const outbox: Array<{ scheduleId: string; runId: string; url: string; body: object }> = [];
  let operator = 'ana';
  const make = (withWebhooks = true) =>
    createIncidentService({
      store: createIncidentStore(db, deviceId),
      library,
      runs: { detail: (id) => runs.get(id) ?? null, actions: () => [] },
      clock: time.clock,
      timers: time.timers,
      operator: () => operator,
      emit: (event: string, payload: never) => void events.push({ event, payload }),
      ...(withWebhooks ? { webhooks: { enqueue: (e: (typeof outbox)[number]) => void outbox.push(e) } } : {}),
    });
  /** A failed run of Triage: the queue checked, the gateway step failed with exit 3. */
  const failedRun = (id: string): RunDetail => {
    const [queue, gateway] = triage.steps;
    const at = (s: string) => `2026-05-04T09:5${s}.000Z`;
    const attempt = (stepId: string, status: 'succeeded' | 'failed', exitCode: number, t: string) => ({
      id: `${id}-${stepId}`, stepId, status, startedAt: at(t), endedAt: at(t), exitCode, signal: null, durationMs: 500, timeoutSec: 600,
      params: { QUEUE: '7' }, chunks: 1, host: null, endpoint: null, fanoutId: null, error: null, shell: null, failedCommand: null,
    });
    const detail: RunDetail = {
      run: {
        id, runbookId: saved.runbookId, versionId: saved.versionId, runbookTitle: 'Payments On-Call', sectionId: triage.id, sectionTitle: 'Triage', operator: 'ana',
        target: 'local', origin: 'ui', status: 'failed', startedAt: at('0:00'), endedAt: at('1:00'), progress: { done: 1, total: 2 },
        failedStep: { id: gateway!.id, title: gateway!.title }, left: [], endReason: null,
      },
      section: triage,
      params: rb.params,
      steps: [
        { stepId: queue!.id, status: 'succeeded', skipReason: null, attempts: [attempt(queue!.id, 'succeeded', 0, '0:10')] },
        { stepId: gateway!.id, status: 'failed', skipReason: null, attempts: [attempt(gateway!.id, 'failed', 3, '0:20')] },
      ],
      notes: [],
      recordings: [],
      sessions: [],
    };
    runs.set(id, detail);
    return detail;
  };
  const reminders = () => events.filter((e) => e.event === 'incident.reminder').map((e) => [e.payload.reason, e.payload.title]);
  return { time, make, runbookId: saved.runbookId, responseId: response.id, failedRun, events, outbox, reminders, setOperator: (o: string) => void (operator = o) };
}

describe('incidents', () => {
  it("declares from the runbook's incident response section: its levels, cadence and escalation path", async () => {
    const s = await setup();
    const incidents = s.make();
    const d = incidents.declare({ title: 'Card declines', severity: 'sev 2', service: 'payments', runbookId: s.runbookId, sectionId: s.responseId });
    expect(d).toMatchObject({
      severity: 'SEV-2', status: 'investigating', service: 'payments', runbookId: s.runbookId, sectionId: s.responseId,
      roles: { commander: 'ana', communications: 'ana', scribe: 'ana' },
      nextUpdateDue: '2026-05-04T10:30:00.000Z',
      escalation: { next: { at: '2026-05-04T10:05:00.000Z', step: { contact: 'the secondary on-call' } } },
    });
    expect(d.severityLevels.map((l) => l.id)).toEqual(['SEV-1', 'SEV-2', 'SEV-3']);
    expect(d.timeline.map((e) => e.kind)).toEqual(['declared', 'status']);
    expect(() => incidents.declare({ title: 'x', severity: 'P1', runbookId: s.runbookId })).toThrow(/no severity "P1" here: choose one of SEV-1 \(Critical\), SEV-2 \(Major\), SEV-3 \(Minor\)/);
    expect(incidents.declare({ title: 'Blank' }).severityLevels.map((l) => l.id)).toEqual(['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4', 'SEV-5']);
    expect(incidents.list({ open: true }).map((i) => i.title).sort()).toEqual(['Blank', 'Card declines']);
  });

  it('keeps milestones and durations through the lifecycle, and reopens only to investigating', async () => {
    const s = await setup();
    const incidents = s.make();
    const { id } = incidents.declare({ title: 'Card declines', severity: 'SEV-1', detectedAt: '2026-05-04T09:52:00Z' });
    s.time.advance(3 * MIN);
    expect(incidents.setStatus(id, 'identified').milestones).toMatchObject({ detected: '2026-05-04T09:52:00.000Z', acknowledged: '2026-05-04T10:03:00.000Z', mitigated: null });
    const same = incidents.setStatus(id, 'identified');
    expect(same.timeline.filter((e) => e.kind === 'status')).toHaveLength(2);
    s.time.advance(7 * MIN);
    incidents.setStatus(id, 'monitoring');
    s.time.advance(10 * MIN);
    const resolved = incidents.setStatus(id, 'resolved');
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: '2026-05-04T10:20:00.000Z', nextUpdateDue: null });
    expect(resolved.durations).toEqual({ toAcknowledgeMs: 11 * MIN, toMitigateMs: 18 * MIN, toResolveMs: 28 * MIN });
    expect(() => incidents.setStatus(id, 'monitoring')).toThrow(/resolved: reopen it first/);
    const reopened = incidents.setStatus(id, 'investigating');
    expect(reopened).toMatchObject({ status: 'investigating', resolvedAt: null, milestones: { acknowledged: '2026-05-04T10:03:00.000Z', mitigated: null, resolved: null } });
    expect(reopened.timeline.filter((e) => e.kind === 'milestone').map((e) => (e.kind === 'milestone' ? e.milestone : ''))).toEqual(['detected', 'acknowledged', 'mitigated', 'resolved']);
  });

  it('declared from a failed run: the run is linked, the summary names the failed step, a second incident cannot claim it', async () => {
    const s = await setup();
    const incidents = s.make();
    const run = s.failedRun('run-7');
    const d = incidents.declare({ title: 'Gateway down', severity: 'SEV-1', fromRunId: 'run-7', fromStepId: run.run.failedStep!.id });
    expect(d.runbookId).toBe(s.runbookId);
    expect(d.runIds).toEqual(['run-7']);
    expect(d.summary).toBe('Step "Check the gateway" (failed, exit 3) in Payments On-Call › Triage, run run-7.');
    expect(d.timeline.filter((e) => e.kind === 'attempt').map((e) => (e.kind === 'attempt' ? [e.command, e.exitCode] : []))).toEqual([
      ['# Check the queue\necho "queue depth 7"', 0],
      ['# Check the gateway\necho "gateway down" >&2; exit 3', 3],
    ]);
    expect(incidents.ofRun('run-7')).toBe(d.id);
    const other = incidents.declare({ title: 'Something else', severity: 'SEV-3' });
    expect(() => incidents.linkRun(other.id, 'run-7')).toThrow(/already belongs to incident/);
    expect(() => incidents.linkRun(other.id, 'no-such-run')).toThrow(/no run no-such-run/);
    expect(incidents.linkRun(d.id, 'run-7').timeline.filter((e) => e.kind === 'run')).toHaveLength(1);
  });

  it('backdates notes but not into the future, and corrects any entry on the timeline with a new one', async () => {
    const s = await setup();
    const incidents = s.make();
    s.failedRun('run-7');
    const { id } = incidents.declare({ title: 'Gateway down', severity: 'SEV-1', fromRunId: 'run-7' });
    s.setOperator('bo');
    const noted = incidents.note(id, 'alert fired', '2026-05-04T11:40:00+02:00');
    expect(noted.timeline[0]).toMatchObject({ kind: 'note', at: '2026-05-04T09:40:00.000Z', recordedAt: START, by: 'bo' });
    expect(() => incidents.note(id, 'later', '2026-05-04T10:30:00Z')).toThrow(/in the future/);
    const attempt = noted.timeline.find((e) => e.kind === 'attempt')!;
    const corrected = incidents.correct(id, attempt.id, 'this ran against staging');
    expect(corrected.timeline.at(-1)).toMatchObject({ kind: 'correction', entryId: attempt.id, text: 'this ran against staging', by: 'bo' });
    expect(corrected.timeline).toContainEqual(attempt);
    expect(() => incidents.correct(id, 'nothing-like-it', 'x')).toThrow(/no entry nothing-like-it/);
  });

  it('records status updates; one for a webhook goes to the outbox, and none leaves without one', async () => {
    const s = await setup();
    const incidents = s.make();
    const { id } = incidents.declare({ title: 'Card declines', severity: 'SEV-2', runbookId: s.runbookId });
    s.time.advance(12 * MIN);
    const copied = incidents.sendUpdate(id, 'Investigating declines.', undefined);
    expect(copied).toMatchObject({ lastUpdateAt: '2026-05-04T10:12:00.000Z', nextUpdateDue: '2026-05-04T10:42:00.000Z' });
    expect(s.outbox).toEqual([]);
    const sent = incidents.sendUpdate(id, 'Identified: the gateway.', 'https://hooks.example.com/T000/B000/xyz');
    const entry = sent.timeline.at(-1)!;
    expect(entry).toMatchObject({ kind: 'update', sent: 'webhook', text: 'Identified: the gateway.' });
    expect(s.outbox).toEqual([
      {
        scheduleId: `incident:${id}`, runId: entry.id, url: 'https://hooks.example.com/T000/B000/xyz',
        body: { text: 'Identified: the gateway.', incident: { id, title: 'Card declines', severity: 'SEV-2', status: 'investigating', updateId: entry.id } },
      },
    ]);
    expect(() => s.make(false).sendUpdate(id, 'x', 'https://hooks.example.com/x')).toThrow(/not available/);
    const withFollowUp = incidents.followUp(id, 'Alert on declines', 'bo', '2026-05-10');
    const [followup] = withFollowUp.followups;
    expect(followup).toMatchObject({ text: 'Alert on declines', owner: 'bo', due: '2026-05-10T00:00:00.000Z', done: false });
    expect(incidents.followUpDone(id, followup!.id).followups).toMatchObject([{ done: true }]);
  });
});

describe("the owner's reminders", () => {
  it('escalates at each threshold until acknowledged, then reminds of updates: after a status change, at the cadence, after a snooze', async () => {
    const s = await setup();
    const incidents = s.make();
    incidents.start();
    const { id } = incidents.declare({ title: 'Card declines', severity: 'SEV-2', runbookId: s.runbookId });
    s.time.advance(4 * MIN);
    expect(s.reminders()).toEqual([]);
    s.time.advance(1 * MIN);
    expect(s.reminders()).toEqual([['escalation', 'Escalate: the secondary on-call']]);
    s.time.advance(15 * MIN);
    expect(s.reminders()).toEqual([['escalation', 'Escalate: the secondary on-call'], ['escalation', 'Escalate: the payments lead']]);
    expect(s.time.pending()).toBe(1);

    // 10:21 a status change: acknowledged (no more escalation), and the runbook asks for an update at once.
    s.time.advance(1 * MIN);
    incidents.setStatus(id, 'identified');
    s.time.advance(0);
    expect(s.reminders().slice(2)).toEqual([['update_due', 'Status update due: Card declines']]);
    s.time.advance(1 * MIN);
    incidents.sendUpdate(id, 'Identified.', undefined);
    s.time.advance(28 * MIN); // 10:50, due 10:52
    expect(s.reminders()).toHaveLength(3);
    incidents.snooze(id, 10);
    expect(incidents.get(id).nextUpdateDue).toBe('2026-05-04T11:00:00.000Z');
    s.time.advance(9 * MIN);
    expect(s.reminders()).toHaveLength(3);
    s.time.advance(1 * MIN);
    expect(s.reminders().slice(3)).toEqual([['update_due', 'Status update due: Card declines']]);
    // Still no update: reminded again a cadence later, and only one timer is ever set.
    s.time.advance(29 * MIN);
    expect(s.reminders()).toHaveLength(4);
    s.time.advance(1 * MIN);
    expect(s.reminders()).toHaveLength(5);
    expect(s.time.pending()).toBe(1);

    const timeline = incidents.get(id).timeline;
    expect(timeline.filter((e) => e.kind === 'reminder').map((e) => [e.at.slice(11, 16), e.kind === 'reminder' ? e.reason : '', e.by])).toEqual([
      ['10:05', 'escalation', 'opsdeck'],
      ['10:20', 'escalation', 'opsdeck'],
      ['10:21', 'update_due', 'opsdeck'],
      ['11:00', 'update_due', 'opsdeck'],
      ['11:30', 'update_due', 'opsdeck'],
    ]);
    expect(timeline.find((e) => e.kind === 'snooze')).toMatchObject({ until: '2026-05-04T11:00:00.000Z' });

    // Snoozed after a reminder: the next one (12:00) waits for the snooze's end (12:15).
    incidents.snooze(id, 45);
    s.time.advance(44 * MIN);
    expect(s.reminders()).toHaveLength(5);
    s.time.advance(1 * MIN);
    expect(s.reminders()).toHaveLength(6);

    incidents.setStatus(id, 'resolved');
    s.time.advance(0);
    const told = s.reminders().length;
    s.time.advance(120 * MIN);
    expect(s.reminders()).toHaveLength(told);
    expect(s.time.pending()).toBe(0);
    incidents.dispose();
  });

  it('does not escalate an incident acknowledged in time', async () => {
    const s = await setup();
    const incidents = s.make();
    incidents.start();
    const { id } = incidents.declare({ title: 'Card declines', severity: 'SEV-3', runbookId: s.runbookId });
    s.time.advance(2 * MIN);
    incidents.milestone(id, 'acknowledged', undefined);
    s.time.advance(25 * MIN);
    expect(s.reminders()).toEqual([]);
    s.time.advance(5 * MIN);
    expect(s.reminders()).toEqual([['update_due', 'Status update due: Card declines']]);
    incidents.dispose();
  });

  it('reminds nobody where no long-lived owner started it (a CLI command)', async () => {
    const s = await setup();
    const incidents = s.make();
    incidents.declare({ title: 'Card declines', severity: 'SEV-1', runbookId: s.runbookId });
    s.time.advance(120 * MIN);
    expect(s.reminders()).toEqual([]);
    expect(s.time.pending()).toBe(0);
  });
});
