// The timeline fold on a known incident: its own entries (a backdated note, status and severity changes, a
// milestone, a correction) and a linked run of our payments fixture's Triage section (two attempts, a skip, a note,
// a terminal recording), plus a link to a run this device does not have. What comes out is in the order things
// happened, each attempt with the command as it ran.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Attempt, RunDetail } from '../../../../shared/contract/schemas.js';
import type { Section } from '../../../../shared/model/runbook.js';
import { foldIncident } from '../../../../electron/services/incidents/incident-state.js';
import { buildTimeline, type LinkedRun } from '../../../../electron/services/incidents/timeline.js';
import type { EntryRow } from '../../../../electron/services/store/incident-store.js';
import { root } from '../../../helpers/cli.js';
import { findSection, importText } from '../../../helpers/importer.js';

const INCIDENT = { id: 'inc-1', deviceId: 'dev-1', declaredAt: '2026-05-04T10:00:00.000Z', declaredBy: 'ana' };
let n = 0;
/** An own entry as the store holds it; ids sort in the order they are made, as UUIDv7s do. */
const row = (kind: string, at: string, data: Record<string, unknown> = {}, extra: { recordedAt?: string; runId?: string } = {}): EntryRow => ({
  id: `e${String(++n).padStart(3, '0')}`,
  deviceId: 'dev-1',
  incidentId: 'inc-1',
  at: `2026-05-04T${at}.000Z`,
  recordedAt: `2026-05-04T${extra.recordedAt ?? at}.000Z`,
  by: 'ana',
  kind,
  runId: extra.runId ?? null,
  data,
});

const attempt = (id: string, stepId: string, at: string, status: Attempt['status'], exitCode: number, params: Record<string, string>): Attempt => ({
  id, stepId, status, startedAt: `2026-05-04T${at}.000Z`, endedAt: `2026-05-04T${at}.900Z`, exitCode, signal: null, durationMs: 900, timeoutSec: 600,
  params, chunks: 1, host: null, endpoint: null, fanoutId: null, error: null, shell: null, failedCommand: null,
});

let triage: Section;
let run: LinkedRun;
beforeAll(async () => {
  const rb = await importText(readFileSync(join(root, 'test', 'fixtures', 'incidents', 'payments-oncall.md')), 'payments-oncall.md');
  triage = findSection(rb, 'Triage');
  const [queue, gateway] = triage.steps;
  const detail: RunDetail = {
    run: {
      id: 'run-1', runbookId: 'rb-1', versionId: 'v-1', runbookTitle: 'Payments On-Call', sectionId: triage.id, sectionTitle: 'Triage', operator: 'bo',
      target: 'local', origin: 'cli', status: 'failed', startedAt: '2026-05-04T10:02:30.000Z', endedAt: '2026-05-04T10:02:34.000Z',
      progress: { done: 1, total: 2 }, failedStep: { id: gateway!.id, title: gateway!.title }, left: [], endReason: null,
    },
    section: triage,
    params: rb.params,
    steps: [
      { stepId: queue!.id, status: 'succeeded', skipReason: null, attempts: [attempt('att-1', queue!.id, '10:02:31', 'succeeded', 0, { QUEUE: '42' })] },
      { stepId: gateway!.id, status: 'skipped', skipReason: 'vendor owns it', attempts: [attempt('att-2', gateway!.id, '10:02:33', 'failed', 3, { QUEUE: '42' })] },
    ],
    notes: [{ id: 'note-1', kind: 'note', stepId: null, text: 'vendor paged', at: '2026-05-04T10:05:00.000Z', operator: 'bo' }],
    recordings: [{ id: 'rec-1', title: 'bash', startedAt: '2026-05-04T10:06:00.000Z' }],
    sessions: [],
  };
  run = { detail, actions: [{ id: 'ev-9', at: '2026-05-04T10:04:00.000Z', stepId: gateway!.id, action: 'skipped', reason: 'vendor owns it', by: '' }] };
});

describe('the timeline fold', () => {
  it('puts own entries and the linked run in the order they happened, with each command as it ran', () => {
    const declared = row('declared', '10:00:00', { title: 'Declines', severity: 'SEV-2', summary: 'cards declined', service: 'payments' });
    const note = row('note', '09:52:00', { text: 'alert fired' }, { recordedAt: '10:01:00' });
    const rows = [
      declared,
      row('status', '10:00:00', { from: null, to: 'investigating' }),
      note,
      row('run', '10:03:00', {}, { runId: 'run-1' }),
      row('status', '10:07:00', { from: 'investigating', to: 'identified' }),
      row('milestone', '10:07:00', { milestone: 'acknowledged' }),
      row('correction', '10:08:00', { entryId: note.id, text: 'it fired at 09:51' }),
      row('severity', '10:09:00', { from: 'SEV-2', to: 'SEV-1' }),
      row('run', '10:10:00', {}, { runId: 'run-elsewhere' }),
      // Linked twice, shown once; a kind from a newer version, left out.
      row('run', '10:11:00', {}, { runId: 'run-1' }),
      row('hologram', '10:12:00', { text: 'from the future' }),
    ];
    const timeline = buildTimeline(rows, (id) => (id === 'run-1' ? run : null));
    expect(timeline.map((e) => [e.at.slice(11, 19), e.kind, e.by])).toEqual([
      ['09:52:00', 'note', 'ana'],
      ['10:00:00', 'declared', 'ana'],
      ['10:00:00', 'status', 'ana'],
      ['10:02:30', 'run', 'bo'],
      ['10:02:31', 'attempt', 'bo'],
      ['10:02:33', 'attempt', 'bo'],
      ['10:04:00', 'step', 'bo'],
      ['10:05:00', 'run-note', 'bo'],
      ['10:06:00', 'recording', 'bo'],
      ['10:07:00', 'status', 'ana'],
      ['10:07:00', 'milestone', 'ana'],
      ['10:08:00', 'correction', 'ana'],
      ['10:09:00', 'severity', 'ana'],
      ['10:10:00', 'run', 'ana'],
    ]);
    expect(timeline[0]).toMatchObject({ id: note.id, text: 'alert fired', recordedAt: '2026-05-04T10:01:00.000Z' });
    expect(timeline.filter((e) => e.kind === 'attempt')).toEqual([
      expect.objectContaining({ attemptId: 'att-1', stepTitle: 'Check the queue', command: '# Check the queue\necho "queue depth 42"', status: 'succeeded', exitCode: 0, durationMs: 900, host: null }),
      expect.objectContaining({ attemptId: 'att-2', stepTitle: 'Check the gateway', command: '# Check the gateway\necho "gateway down" >&2; exit 3', status: 'failed', exitCode: 3 }),
    ]);
    expect(timeline.find((e) => e.kind === 'run')).toMatchObject({ runId: 'run-1', runbookTitle: 'Payments On-Call', sectionTitle: 'Triage', target: 'local', status: 'failed' });
    expect(timeline.find((e) => e.kind === 'step')).toMatchObject({ stepTitle: 'Check the gateway', action: 'skipped', reason: 'vendor owns it' });
    expect(timeline.find((e) => e.kind === 'correction')).toMatchObject({ entryId: note.id, text: 'it fired at 09:51' });
    // The run this device does not have: the link alone, at the time it was linked.
    expect(timeline.at(-1)).toMatchObject({ kind: 'run', runId: 'run-elsewhere', status: 'unknown' });
  });

  it('folds the state: milestones, reopen, roles, updates and snoozes, follow-ups, linked runs', () => {
    const rows = [
      row('declared', '10:00:00', { title: 'Declines', severity: 'SEV-2', roles: { commander: 'ana', communications: 'bo', scribe: 'ana' } }),
      row('status', '10:00:00', { from: null, to: 'investigating' }),
      row('milestone', '09:50:00', { milestone: 'detected' }),
      row('status', '10:05:00', { from: 'investigating', to: 'monitoring' }),
      row('milestone', '10:05:00', { milestone: 'acknowledged' }),
      row('milestone', '10:05:00', { milestone: 'mitigated' }),
      row('update', '10:06:00', { text: 'mitigated', sent: 'copied' }),
      row('snooze', '10:07:00', { until: '2026-05-04T10:30:00.000Z' }),
      row('status', '10:20:00', { from: 'monitoring', to: 'resolved' }),
      row('milestone', '10:20:00', { milestone: 'resolved' }),
      row('status', '10:25:00', { from: 'resolved', to: 'investigating' }),
      row('role', '10:26:00', { role: 'scribe', name: 'cy' }),
      row('followup', '10:27:00', { followupId: 'f1', text: 'alert on declines', owner: 'bo', due: null }),
      row('followup-done', '10:28:00', { followupId: 'f1' }),
      row('run', '10:29:00', {}, { runId: 'run-1' }),
    ];
    const s = foldIncident(INCIDENT, rows);
    expect(s).toMatchObject({
      title: 'Declines',
      status: 'investigating',
      lastStatusChangeAt: '2026-05-04T10:25:00.000Z',
      roles: { commander: 'ana', communications: 'bo', scribe: 'cy' },
      // Reopened: no longer mitigated nor resolved; detected and acknowledged stay.
      milestones: { detected: '2026-05-04T09:50:00.000Z', acknowledged: '2026-05-04T10:05:00.000Z', mitigated: null, resolved: null },
      lastUpdateAt: '2026-05-04T10:06:00.000Z',
      snoozedUntil: '2026-05-04T10:30:00.000Z',
      followups: [{ id: 'f1', done: true, owner: 'bo' }],
    });
    expect(s.runLinks.map((l) => l.runId)).toEqual(['run-1']);
  });
});
