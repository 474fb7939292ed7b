/**
 * What every export format shares: refusals of what `opsdeck run` cannot be given (secrets it cannot read, a
 * relative command), notes on what it cannot be told, comments that stay comments, and the DST days named.
 */
import { describe, expect, it } from 'vitest';
import { exportSchedule } from '../../../../shared/schedule/export.js';
import { context, NAME, schedule, exported, refusal } from '../../../helpers/schedule-export.js';


describe('every format', () => {
  it.each(['systemd', 'cron', 'k8s'] as const)('%s: refuses a secret opsdeck run cannot read from the environment', (format) => {
    expect(refusal(schedule({}, { secretParams: ['api-key'] }), format)).toMatch(/^secret "api-key" is not a variable name opsdeck run reads from the environment/);
    expect(refusal(schedule({}, { secretParams: ['OPSDECK_TOKEN'] }), format)).toMatch(/^secret "OPSDECK_TOKEN"/);
    expect(refusal(schedule({}, { params: { API_KEY: 'x' }, secretParams: ['API_KEY'] }), format)).toBe('"API_KEY" is both a saved value and a secret');
  });

  it.each(['systemd', 'cron', 'k8s'] as const)('%s: refuses a relative opsdeck command and a runbook starting with a dash', (format) => {
    expect(exportSchedule(schedule(), format, { ...context, opsdeckCommand: ['opsdeck'] })).toEqual({ ok: false, reason: 'the opsdeck command must start with an absolute path to the executable' });
    expect(refusal(schedule({}, { runbook: { path: null, title: '-x' } }), format)).toMatch(/starts with a dash/);
  });

  it.each(['systemd', 'cron', 'k8s'] as const)('%s: says a tag\'s fan-out settings are not passed, and names a pathless runbook by title', (format) => {
    const result = exportSchedule(schedule({}, { target: { kind: 'tag', tag: 'web', concurrency: 2, canary: true }, runbook: { path: null, title: 'Deploy' } }), format, context);
    if (!result.ok) throw new Error(result.reason);
    const text = result.files.map((f) => f.content).join('\n');
    expect(text).toMatch(/^# opsdeck run --tag runs with its defaults: this schedule's fan-out settings .* are not passed$/m);
    expect(text).toMatch(/^# the runbook has no path here and is named by its title/m);
    expect(result.notes).toContain("--yes confirms destructive steps without asking, as a headless run must; unlike Opsdeck's scheduler it does not pause when a new version of the runbook changes a step: re-export after reviewing changes");
  });

  it.each(['systemd', 'cron', 'k8s'] as const)('%s: a title with a line break stays inside its comment', (format) => {
    const result = exportSchedule(schedule({}, { runbook: { path: '/r.md', title: 'T\n[Service]\nExecStartPre=/bin/false\n* * * * * evil' } }), format, context);
    if (!result.ok) throw new Error(result.reason);
    for (const file of result.files) {
      expect(file.content.split('\n').filter((l) => /ExecStartPre|evil/.test(l)).every((l) => l.startsWith('#') || l.startsWith('Description=') || l.includes('"opsdeck/runbook"') || l.includes('opsdeck/runbook:'))).toBe(true);
    }
  });

  it('notes the DST days of the next year on which the engines differ from Opsdeck', () => {
    const s = schedule({ calendar: { kind: 'cron', expr: '30 2 * * *' }, timezone: 'Europe/Berlin' });
    const ctx = { ...context, now: new Date('2026-01-01T00:00:00Z') };
    const timer = exported(s, 'systemd', ctx)[`${NAME}.timer`] ?? '';
    expect(timer).toMatch(/^# DST: on 2026-03-29 Europe\/Berlin skips 02:30: systemd does not run that day's occurrence/m);
    // Fall-back repeats 02:30 too, but a fixed hour runs once there, as systemd does: nothing to say.
    expect(timer).not.toMatch(/2026-10-25/);
    expect(exported(s, 'cron', ctx)[`${NAME}.crontab`]).toMatch(/^# DST: on 2026-03-29 Europe\/Berlin skips 02:30: crons differ/m);
    expect(exported(schedule({ calendar: { kind: 'cron', expr: '0 12 * * *' } }), 'systemd', ctx)[`${NAME}.timer`]).not.toMatch(/DST/);
    // A step hour skips the gap as systemd does, and runs the repeated hour twice where systemd runs it once.
    const steps = exported(schedule({ calendar: { kind: 'cron', expr: '15 */1 * * *' } }), 'systemd', ctx)[`${NAME}.timer`] ?? '';
    expect(steps).not.toMatch(/2026-03-29/);
    expect(steps).toMatch(/^# DST: on 2026-10-25 Europe\/Berlin repeats 02:15: systemd runs them once; Opsdeck runs this wildcard or step hour on elapsed time, in both passes$/m);
  });

  it('reads an OnCalendar expression with seconds as the planner does to find its DST days; with a year, says it in general', () => {
    const ctx = { ...context, now: new Date('2026-01-01T00:00:00Z') };
    const seconds = exported(schedule({ calendar: { kind: 'oncalendar', expr: '*-*-* 02:30:15 America/New_York' } }), 'systemd', ctx)[`${NAME}.timer`] ?? '';
    expect(seconds).toMatch(/^# DST: on 2026-03-08 America\/New_York skips 02:30: systemd does not run/m);
    const year = exported(schedule({ calendar: { kind: 'oncalendar', expr: '2027-*-* 02:30:00' } }), 'systemd', ctx)[`${NAME}.timer`] ?? '';
    expect(year).toMatch(/^# DST: systemd skips a time the clocks jump over and runs a repeated time once;/m);
  });

  it('says whose data the run uses unless a data directory pins it', () => {
    for (const format of ['systemd', 'cron', 'k8s'] as const) {
      const note = 'the run uses the Opsdeck data (library, hosts, history) of the user it runs as: export with a data directory to pin it';
      expect(exportSchedule(schedule(), format, context)).toMatchObject({ ok: true, notes: expect.arrayContaining([note]) });
      const pinned = exportSchedule(schedule(), format, { ...context, dataDir: '/var/lib/opsdeck' });
      expect(pinned.ok && pinned.notes.includes(note)).toBe(false);
      expect(pinned.ok && pinned.files.some((f) => f.content.includes('/var/lib/opsdeck'))).toBe(true);
    }
  });
});
