/**
 * The handover service on a real database, with two devices' rows in it as a sync leaves them: the last handover is
 * the newest sign-off of any device, an acknowledgement written on another device counts here, and a signed
 * handover is never rewritten. The schedules part from the scheduler's shapes: due in the next 24 hours, missed since
 * the last handover (not before), waiting for approval, needing approval.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgendaEntry, Schedule } from '../../shared/contract/schedules.js';
import { createHandoverService, type HandoverService } from '../../electron/services/handover/handover-service.js';
import { openDatabase, type Database } from '../../electron/services/store/db.js';
import { createHandoverStore, type HandoverStore } from '../../electron/services/store/handover-store.js';

let dir: string;
let db: Database;
let here: HandoverStore;
let other: HandoverStore;
let now: Date;
let schedules: Schedule[];
let agenda: AgendaEntry[];
let service: HandoverService;
const changed: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-handover-'));
  db = openDatabase(join(dir, 'opsdeck.db'));
  here = createHandoverStore(db, 'device-here');
  other = createHandoverStore(db, 'device-other');
  now = new Date('2026-06-01T18:00:00.000Z');
  schedules = [];
  agenda = [];
  changed.length = 0;
  service = createHandoverService({
    store: here,
    runs: { list: () => [], get: () => { throw new Error('no runs here'); }, output: () => [] },
    scheduler: { list: () => schedules, agenda: () => agenda },
    incidents: null,
    library: { list: () => [], get: () => { throw new Error('no runbooks here'); } },
    clock: { now: () => now },
    operator: () => 'alice',
    deviceId: 'device-here',
    emit: (_event, payload) => changed.push(payload.handoverId),
  });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function schedule(fields: Partial<Schedule> & Pick<Schedule, 'id' | 'sectionTitle'>): Schedule {
  return {
    runbookId: 'rb-1',
    runbookTitle: 'Agent Lab',
    sectionId: 'sec-1',
    target: { kind: 'local' },
    rules: { calendar: { kind: 'cron', expr: '0 * * * *' }, timezone: 'UTC', catchUp: 'latest', catchUpWindowSec: null, overlap: 'skip', jitterSec: 0 },
    params: {},
    secrets: {},
    notify: { on: 'never', webhook: null },
    state: 'active',
    stateReason: null,
    changes: [],
    firesHere: true,
    next: [],
    recent: [],
    waiting: [],
    createdAt: '2026-05-01T00:00:00.000Z',
    createdBy: 'alice',
    updatedAt: '2026-05-01T00:00:00.000Z',
    ...fields,
  };
}

describe('the handover service', () => {
  it("reports since the newest sign-off of any device, carrying that handover's notes", async () => {
    const mine = await service.signOff('# Morning handover\n', ['check the queue']);
    expect(mine).toMatchObject({ signedBy: 'alice', signedAt: '2026-06-01T18:00:00.000Z', deviceId: 'device-here', acknowledgedBy: null });
    expect(changed).toEqual([mine.id]);
    // Synced in from the other laptop: signed off later there.
    const theirs = other.insert({ since: mine.signedAt, markdown: '# Evening handover\n', carry: ['vendor ticket #4411'], signedBy: 'bob', signedAt: '2026-06-01T20:00:00.000Z' });
    now = new Date('2026-06-01T21:00:00.000Z');
    const draft = await service.draft();
    expect(draft).toMatchObject({ since: theirs.signedAt, carry: ['vendor ticket #4411'], template: { kind: 'default', runbookId: null, sectionId: null } });
    expect(draft.markdown).toContain('_Since 2026-06-01 20:00 UTC, when bob signed off the last handover; drafted 2026-06-01 21:00 UTC by alice._');
    expect((await service.signOff(draft.markdown, [])).since).toBe(theirs.signedAt);
    expect(service.list().map((h) => [h.signedBy, h.deviceId])).toEqual([['alice', 'device-here'], ['bob', 'device-other'], ['alice', 'device-here']]);
  });

  it('counts an acknowledgement made on another device, and records no second one', async () => {
    const signed = await service.signOff('# Handover\n', []);
    other.addAck({ handoverId: signed.id, by: 'carol', at: '2026-06-01T18:05:00.000Z' });
    expect(service.list()).toMatchObject([{ id: signed.id, acknowledgedBy: 'carol', acknowledgedAt: '2026-06-01T18:05:00.000Z' }]);
    expect(service.acknowledge(signed.id.slice(0, 8))).toMatchObject({ acknowledgedBy: 'carol' });
    expect(here.acks([signed.id])).toHaveLength(1);
  });

  it('keeps a signed handover exactly as signed: the database refuses to change or remove it', async () => {
    const signed = await service.signOff('# Handover\n\n- as written  \n', ['a note']);
    expect(() => db.prepare('UPDATE handovers SET markdown = ? WHERE id = ?').run('# rewritten', signed.id)).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM handovers WHERE id = ?').run(signed.id)).toThrow(/append-only/);
    expect(here.get(signed.id)).toMatchObject({ markdown: '# Handover\n\n- as written  \n', carry: ['a note'] });
    expect(() => here.get('zzzz')).toThrow(/no handover zzzz/);
  });

  it('lists schedules due in the next 24 hours, missed since the last handover, and waiting for or needing approval', async () => {
    await service.signOff('# Handover\n', []);
    now = new Date('2026-06-02T06:00:00.000Z');
    schedules = [
      schedule({
        id: 'sch-hourly',
        sectionTitle: 'Procedures',
        recent: [
          { id: 'r2', recordedAt: '2026-06-02T05:00:00.000Z', outcome: { kind: 'missed', first: '2026-06-02T03:00:00.000Z', last: '2026-06-02T04:00:00.000Z', count: 2 }, runStatus: null },
          // Before the last handover: that one reported it.
          { id: 'r1', recordedAt: '2026-06-01T12:00:00.000Z', outcome: { kind: 'missed', first: '2026-06-01T10:00:00.000Z', last: '2026-06-01T10:00:00.000Z', count: 1 }, runStatus: null },
        ],
      }),
      schedule({ id: 'sch-backup', sectionTitle: 'Backup Verification', waiting: ['2026-06-02T02:00:00.000Z'] }),
      schedule({ id: 'sch-deploy', sectionTitle: 'Deployment Steps', state: 'needs_approval', stateReason: 'the step "Tag release" changed' }),
      schedule({ id: 'sch-quiet', sectionTitle: 'Nothing to say' }),
    ];
    agenda = [
      { scheduleId: 'sch-hourly', at: '2026-06-02T07:00:00.000Z', runbookTitle: 'Agent Lab', sectionTitle: 'Procedures' },
      { scheduleId: 'sch-hourly', at: '2026-06-02T08:00:00.000Z', runbookTitle: 'Agent Lab', sectionTitle: 'Procedures' },
    ];
    const { markdown } = await service.draft();
    expect(markdown).toContain(
      [
        '## Schedules',
        '- Missed: Agent Lab › Procedures: 2 occurrences from 2026-06-02 03:00 UTC to 2026-06-02 04:00 UTC (schedule sch-hour)',
        '- Waiting for approval: Agent Lab › Backup Verification: 1 catch-up from 2026-06-02 02:00 UTC (schedule sch-back; approve with `opsdeck schedule approve sch-backup`)',
        '- Needs approval: Agent Lab › Deployment Steps: the step "Tag release" changed (schedule sch-depl; approve with `opsdeck schedule approve sch-deploy`)',
        '- Due: Agent Lab › Procedures at 2026-06-02 07:00 UTC and 1 more until 2026-06-02 08:00 UTC (schedule sch-hour)',
        '',
      ].join('\n'),
    );
    expect(markdown).not.toContain('Nothing to say');
  });
});
