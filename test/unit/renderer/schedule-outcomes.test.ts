// What the Schedules page shows of occurrences and outcomes: wall-clock times in the schedule's zone with the zone's
// name and offset (EST in winter, EDT in summer), and one distinct, labelled cell per outcome kind.
import { describe, expect, it } from 'vitest';
import type { ScheduleRecord } from '../../../shared/contract/schedules.js';
import { occurrenceText, untilText } from '../../../renderer/features/schedules/occurrence-text.js';
import { outcomeView } from '../../../renderer/features/schedules/outcome-view.js';

const NY = 'America/New_York';

describe('occurrenceText', () => {
  it('shows 09:00 in New York as EST in January and EDT in July, with the offset', () => {
    expect(occurrenceText('2026-01-05T14:00:00.000Z', NY)).toEqual({
      local: 'Mon 2026-01-05 09:00',
      abbreviation: 'EST',
      offset: 'UTC-05:00',
      full: 'Mon 2026-01-05 09:00 EST (UTC-05:00)',
      short: 'Mon 2026-01-05 09:00 EST',
    });
    expect(occurrenceText('2026-07-06T13:00:00.000Z', NY).full).toBe('Mon 2026-07-06 09:00 EDT (UTC-04:00)');
  });

  it('tells the two 01:30s of a fall-back night apart', () => {
    const first = occurrenceText('2026-11-01T05:30:00.000Z', NY);
    const second = occurrenceText('2026-11-01T06:30:00.000Z', NY);
    expect(first.local).toBe(second.local);
    expect([first.offset, second.offset]).toEqual(['UTC-04:00', 'UTC-05:00']);
  });

  it('keeps seconds when there are some, and leaves out names that only repeat the offset', () => {
    expect(occurrenceText('2026-03-02T10:00:15.000Z', 'Europe/Berlin').local).toBe('Mon 2026-03-02 11:00:15');
    expect(occurrenceText('2026-03-02T10:00:00.000Z', 'Asia/Kolkata')).toMatchObject({ abbreviation: null, offset: 'UTC+05:30', short: 'Mon 2026-03-02 15:30 UTC+05:30' });
    expect(occurrenceText('2026-03-02T10:00:00.000Z', 'UTC')).toMatchObject({ abbreviation: null, offset: 'UTC+00:00' });
  });

  it('falls back to the instant for a zone it cannot read', () => {
    expect(occurrenceText('2026-03-02T10:00:00.000Z', 'Mars/Olympus').full).toBe('2026-03-02T10:00:00.000Z');
  });

  it('says how far away the agenda’s entries are', () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    expect(untilText('2026-03-02T10:05:00Z', now)).toBe('in 5 min');
    expect(untilText('2026-03-02T13:20:00Z', now)).toBe('in 3 h 20 min');
    expect(untilText('2026-03-02T12:00:00Z', now)).toBe('in 2 h');
    expect(untilText('2026-03-02T09:00:00Z', now)).toBe('now');
  });
});

const at = '2026-01-05T14:00:00.000Z';
const record = (outcome: ScheduleRecord['outcome'], runStatus: string | null = null): ScheduleRecord => ({ id: 'r1', recordedAt: at, outcome, runStatus });

describe('outcomeView', () => {
  it('links a started run and colours it by how the run went', () => {
    const started = (status: string | null) => outcomeView(record({ kind: 'started', occurrence: at, runId: 'run-1', catchUp: false }, status), NY);
    expect(started('completed')).toMatchObject({ tone: 'ok', runId: 'run-1', label: 'run completed' });
    expect(started('failed')).toMatchObject({ tone: 'bad', label: 'run failed' });
    expect(started('running')).toMatchObject({ tone: 'info', runStatus: 'running' });
    expect(started(null)).toMatchObject({ tone: 'info', label: 'run started' });
    expect(started('failed').title).toBe('Run failed: the occurrence of Mon 2026-01-05 09:00 EST (UTC-05:00)');
  });

  it('says a catch-up was a catch-up, and a run started by hand was', () => {
    const view = outcomeView(record({ kind: 'started', occurrence: at, runId: 'run-1', catchUp: true }, 'completed'), NY);
    expect(view.title).toContain('catch-up');
    const manual = outcomeView(record({ kind: 'started', occurrence: at, runId: 'run-1', catchUp: false, manual: true }, 'completed'), NY);
    expect(manual.title).toBe('Run completed: started by hand (Run now) at Mon 2026-01-05 09:00 EST (UTC-05:00)');
  });

  it('gives every other kind its own glyph and a sentence with the reason or the span', () => {
    const views = [
      outcomeView(record({ kind: 'skipped_overlap', occurrence: at, reason: 'previous_running' }), NY),
      outcomeView(record({ kind: 'missed', first: at, last: '2026-01-07T14:00:00.000Z', count: 3 }), NY),
      outcomeView(record({ kind: 'missed_beyond_window', first: at, last: at, count: 1 }), NY),
      outcomeView(record({ kind: 'waiting_approval', occurrence: at }), NY),
      outcomeView(record({ kind: 'failed_to_start', occurrence: at, reason: 'host web-1 is not in the inventory' }), NY),
    ];
    expect(new Set(views.map((v) => v.glyph)).size).toBe(views.length);
    expect(views.every((v) => v.runId === null && v.glyph !== '')).toBe(true);
    expect(views[0]?.title).toContain('the previous run was still running');
    expect(views[1]).toMatchObject({ label: 'missed ×3', tone: 'warn' });
    expect(views[1]?.title).toBe('Missed 3 occurrences while the machine was off or asleep: Mon 2026-01-05 09:00 EST (UTC-05:00) – Wed 2026-01-07 09:00 EST (UTC-05:00)');
    expect(views[2]?.title).toContain('beyond the catch-up window');
    expect(views[3]).toMatchObject({ label: 'waiting for approval' });
    expect(views[4]).toMatchObject({ tone: 'bad', title: 'Failed to start Mon 2026-01-05 09:00 EST (UTC-05:00): host web-1 is not in the inventory' });
  });
});
