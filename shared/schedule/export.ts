/**
 * `opsdeck schedule export`: a schedule moved to an engine that already runs fleets (a systemd timer, a crontab line,
 * a Kubernetes CronJob), each running the same `opsdeck run ... --json` headlessly. Whatever the engine cannot do
 * the way Opsdeck would is written as a comment in the output; what cannot be expressed at all is refused with why.
 * Secrets are named, never written: the engine's own secret mechanism supplies them as environment variables.
 */
import { Untranslatable } from './export-calendar.js';
import { checkSchedule } from './export-command.js';
import type { ExportableSchedule, ExportContext, ExportFormat, ExportResult } from './export-command.js';
import { exportCron } from './export-cron.js';
import { exportKubernetes } from './export-k8s.js';
import { exportSystemd } from './export-systemd.js';

export type { ExportableSchedule, ExportContext, ExportFile, ExportFormat, ExportResult } from './export-command.js';
export { EXPORT_FORMATS, IMAGE_PLACEHOLDER } from './export-command.js';

export function exportSchedule(schedule: ExportableSchedule, format: ExportFormat, context: ExportContext): ExportResult {
  try {
    checkSchedule(schedule, context);
    switch (format) {
      case 'systemd':
        return exportSystemd(schedule, context);
      case 'cron':
        return exportCron(schedule, context);
      case 'k8s':
        return exportKubernetes(schedule, context);
      default:
        return assertNever(format);
    }
  } catch (error) {
    if (error instanceof Untranslatable) return { ok: false, reason: error.message };
    throw error;
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected export format: ${String(value)}`);
}
