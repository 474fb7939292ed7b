/**
 * A schedule to export and the calls around exportSchedule, for the export tests: one daily 09:00 backup, changed
 * per test through `rules` and `over`.
 */
import type { ScheduleRules } from '../../shared/model/schedule.js';
import { exportSchedule } from '../../shared/schedule/export.js';
import type { ExportableSchedule, ExportContext, ExportFormat } from '../../shared/schedule/export.js';

export const NOW = new Date('2026-01-10T12:00:00Z');
export const context: ExportContext = { opsdeckCommand: ['/usr/local/bin/opsdeck'], now: NOW };
export const ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
export const NAME = `opsdeck-${ID}`;

export function schedule(rules: Partial<ScheduleRules> = {}, over: Partial<ExportableSchedule> = {}, timezone = 'Europe/Berlin'): ExportableSchedule {
  return {
    id: ID,
    rules: { calendar: { kind: 'cron', expr: '0 9 * * *' }, timezone, catchUp: 'latest', catchUpWindowSec: null, overlap: 'skip', jitterSec: 0, ...rules },
    runbook: { path: '/srv/runbooks/backup.md', title: 'Backup' },
    section: 'Nightly',
    target: { kind: 'local' },
    params: {},
    secretParams: [],
    ...over,
  };
}

/** The exported files by name; throws if the export was refused. */
export function exported(s: ExportableSchedule, format: ExportFormat, ctx: ExportContext = context): Record<string, string> {
  const result = exportSchedule(s, format, ctx);
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return Object.fromEntries(result.files.map((f) => [f.name, f.content]));
}

/** Why the export was refused; throws if it was not. */
export function refusal(s: ExportableSchedule, format: ExportFormat, ctx: ExportContext = context): string {
  const result = exportSchedule(s, format, ctx);
  if (result.ok) throw new Error('exported, expected a refusal');
  return result.reason;
}
