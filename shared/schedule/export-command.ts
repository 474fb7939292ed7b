/**
 * What an export is made of: the schedule as a headless run sees it, the machine's context, and the `opsdeck run`
 * command line every engine runs. Shared by the systemd, cron and Kubernetes writers.
 */
import type { Target } from '../contract/hosts.js';
import type { ScheduleRules } from '../model/schedule.js';
import { Untranslatable } from './export-calendar.js';
import { calendarProblem } from './calendar.js';

/** What a headless run of a schedule needs; the scheduler's store maps its records onto this. */
export interface ExportableSchedule {
  /** The schedule's id (a UUIDv7): names the units, the lock file, the CronJob. */
  id: string;
  rules: ScheduleRules;
  /** `path` is what `opsdeck run` is given (the title when there is none, e.g. an upload). */
  runbook: { path: string | null; title: string };
  section: string;
  target: Target;
  /** Saved values of the non-secret parameters, passed as `--param NAME=VALUE`. */
  params: Readonly<Record<string, string>>;
  /**
   * Secret parameters, by name: `opsdeck run` reads each from the environment variable of that name, which the
   * engine must provide (systemd EnvironmentFile=, the crontab's environment, a Kubernetes Secret).
   */
  secretParams: readonly string[];
}

export type ExportFormat = 'systemd' | 'cron' | 'k8s';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['systemd', 'cron', 'k8s'];

export interface ExportContext {
  /**
   * How the machine that runs the schedule starts opsdeck, as argv: an absolute executable first (systemd needs
   * one), e.g. ['/usr/local/bin/opsdeck'] or [process.execPath, '/opt/opsdeck/bin/opsdeck.js'].
   */
  opsdeckCommand: readonly string[];
  /** Where the DST changes of the next year are looked for, to name the dates the engine differs on. */
  now: Date;
  /** systemd: the EnvironmentFile= holding the secrets (NAME=value lines); default /etc/opsdeck/UNIT.env. */
  environmentFile?: string;
  /** systemd and cron: OPSDECK_HOME for the run (whose library and inventory it uses); default the user's own. */
  dataDir?: string;
  /** Kubernetes: the container image with opsdeck and the runbook; default a placeholder the operator must replace. */
  image?: string;
  /** Kubernetes: how the image starts opsdeck; default ['opsdeck']. */
  containerCommand?: readonly string[];
  /** Kubernetes: the Secret the secret parameters are keys of; default the CronJob's name. */
  secretName?: string;
  namespace?: string;
}

export interface ExportFile {
  /** A file name for the content: `opsdeck-ID.service`, `.timer`, `.crontab`, `.yaml`. */
  name: string;
  content: string;
}

/** `notes` repeat, for a caller to print, the comments written into the files about what the engine does not do. */
export type ExportResult = { ok: true; files: ExportFile[]; notes: string[] } | { ok: false; reason: string };

/** The placeholder image: not a pullable name, so a CronJob exported without --image fails visibly, not silently. */
export const IMAGE_PLACEHOLDER = 'REPLACE-WITH-YOUR-OPSDECK-IMAGE';

/** A variable name `opsdeck run` reads a parameter from (its own OPSDECK_* excepted), as cli-run's fromEnvironment. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkSchedule(schedule: ExportableSchedule, context: ExportContext): void {
  // What the planner cannot plan is not exported either: an OnCalendar expression reaches a timer as written.
  const problem = calendarProblem(schedule.rules.calendar, schedule.rules.timezone);
  if (problem !== null) throw new Untranslatable(problem);
  for (const name of Object.keys(schedule.params)) {
    if (name === '' || name.includes('=')) throw new Untranslatable(`parameter name "${name}" cannot be passed as --param NAME=VALUE`);
  }
  for (const name of schedule.secretParams) {
    if (!ENV_NAME.test(name) || name.startsWith('OPSDECK_')) {
      throw new Untranslatable(`secret "${name}" is not a variable name opsdeck run reads from the environment; a secret is never written into an export`);
    }
    if (Object.hasOwn(schedule.params, name)) throw new Untranslatable(`"${name}" is both a saved value and a secret`);
  }
  const [executable] = context.opsdeckCommand;
  if (executable === undefined || !executable.startsWith('/')) throw new Untranslatable('the opsdeck command must start with an absolute path to the executable');
}

/** A stable, file- and unit-name-safe name for the schedule. */
export function exportName(schedule: ExportableSchedule): string {
  return `opsdeck-${schedule.id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'schedule'}`;
}

/**
 * `opsdeck run` argv after the opsdeck command: options in their `--name=value` form, so a value that starts
 * with a dash can never be read as an option of its own.
 */
export function runArguments(schedule: ExportableSchedule): string[] {
  const runbook = schedule.runbook.path ?? schedule.runbook.title;
  if (runbook.startsWith('-')) throw new Untranslatable(`runbook "${runbook}" starts with a dash: give its path as an absolute path`);
  const target = schedule.target;
  const targetArgs = target.kind === 'local' ? [] : target.kind === 'host' ? [`--host=${target.host}`] : [`--tag=${target.tag}`];
  const params = Object.entries(schedule.params)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `--param=${name}=${value}`);
  return ['run', runbook, `--section=${schedule.section}`, ...targetArgs, ...params, '--yes', '--json'];
}

/** Notes every engine shares: what `opsdeck run` itself cannot be told, and whose data it uses. */
export function commonNotes(schedule: ExportableSchedule, context: ExportContext): string[] {
  const notes: string[] = [];
  if (context.dataDir === undefined) {
    notes.push('the run uses the Opsdeck data (library, hosts, history) of the user it runs as: export with a data directory to pin it');
  }
  const target = schedule.target;
  if (target.kind === 'tag' && (target.concurrency !== undefined || target.stopOnFailure !== undefined || target.canary !== undefined)) {
    notes.push("opsdeck run --tag runs with its defaults: this schedule's fan-out settings (concurrency, stop on failure, canary) are not passed");
  }
  if (schedule.runbook.path === null) notes.push(`the runbook has no path here and is named by its title: import it on the machine that runs this`);
  // opsdeck run cannot yet be bound to an approved version of the steps, so the export says what --yes gives away.
  notes.push("--yes confirms destructive steps without asking, as a headless run must; unlike Opsdeck's scheduler it does not pause when a new version of the runbook changes a step: re-export after reviewing changes");
  return notes;
}

/** Text safe inside a one-line comment: control characters (line breaks included) become spaces. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a comment line
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

