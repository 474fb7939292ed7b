/**
 * A schedule as a Kubernetes `batch/v1` CronJob running `opsdeck run ... --json` in a container, its secrets as
 * `secretKeyRef` environment variables. Kubernetes expands `$(NAME)` in command, args and env values, so every `$`
 * is written `$$`: a value can never pull another variable (a secret) into the command line.
 */
import { MAX_CATCH_UP_WINDOW_SEC } from '../model/schedule.js';
import { ON_TIME_TOLERANCE_MS } from './catch-up.js';
import { calendarFields, calendarZone, fieldsToCron } from './export-calendar.js';
import { commonNotes, exportName, IMAGE_PLACEHOLDER, oneLine, runArguments } from './export-command.js';
import type { ExportableSchedule, ExportContext, ExportResult } from './export-command.js';
import { dstConflicts, timesList } from './export-dst.js';
import { yamlDocument } from './export-yaml.js';
import type { YamlValue } from './export-yaml.js';

/**
 * startingDeadlineSeconds for catch-up skip: a job not started within this long of its time is not started, as the
 * planner runs an occurrence under `skip` only within its on-time tolerance.
 */
const SKIP_DEADLINE_SEC = Math.round(ON_TIME_TOLERANCE_MS / 1000);
/** The controller refuses to count a deadline under 10 s reliably (its sync period). */
const MIN_DEADLINE_SEC = 10;
/** A CronJob's name is at most 52 characters: its Jobs append 11. */
const MAX_NAME = 52;

/** Kubernetes' `$(VAR)` expansion in command, args and env values: `$$` is a literal `$`. */
const noExpansion = (text: string): string => text.replace(/\$/g, '$$$$');

export function exportKubernetes(schedule: ExportableSchedule, context: ExportContext): ExportResult {
  const { rules } = schedule;
  const fields = calendarFields(rules.calendar);
  const cron = fieldsToCron(fields);
  const zone = calendarZone(rules.calendar, rules.timezone);
  const name = exportName(schedule).slice(0, MAX_NAME).replace(/-+$/, '');

  const notes = [...commonNotes(schedule, context)];
  notes.push('spec.timeZone needs Kubernetes 1.27 or later');
  const image = context.image ?? IMAGE_PLACEHOLDER;
  if (context.image === undefined) {
    notes.push(`image: replace ${IMAGE_PLACEHOLDER} with an image that has opsdeck, the runbook at the path below and a data directory with its hosts`);
  }

  // Opsdeck's default window, one period (from the newest miss to the next occurrence, at most 7 days), always
  // holds the newest miss unless it is over 7 days old: a 7-day deadline starts exactly those newest misses.
  const window = rules.catchUpWindowSec ?? MAX_CATCH_UP_WINDOW_SEC;
  let deadline: number;
  switch (rules.catchUp) {
    case 'latest':
      deadline = window;
      notes.push(`catch-up latest: Kubernetes starts the newest missed job when it is at most startingDeadlineSeconds (${deadline}) late${rules.catchUpWindowSec === null ? ", as Opsdeck's default window of one period does" : ''}`);
      break;
    case 'skip':
      deadline = Math.min(window, SKIP_DEADLINE_SEC);
      notes.push(`catch-up skip: a job that could not start within ${deadline} s of its time is not started`);
      break;
    case 'all':
      deadline = window;
      notes.push('catch-up all cannot be expressed: Kubernetes starts only the newest missed job, not every one');
      break;
  }
  deadline = Math.max(deadline, MIN_DEADLINE_SEC);

  let concurrencyPolicy: 'Forbid' | 'Allow';
  switch (rules.overlap) {
    case 'skip':
      concurrencyPolicy = 'Forbid';
      break;
    case 'queue':
      concurrencyPolicy = 'Forbid';
      notes.push('overlap queue cannot be expressed: with concurrencyPolicy Forbid an occurrence during a run is skipped, not queued');
      break;
    case 'allow':
      concurrencyPolicy = 'Allow';
      break;
  }
  if (rules.jitterSec > 0) notes.push(`jitter (up to ${rules.jitterSec} s) cannot be expressed: a CronJob starts on the minute`);
  for (const c of dstConflicts(fields, zone, context.now)) {
    notes.push(c.kind === 'gap'
      ? `DST: on ${c.date} ${zone} skips ${timesList(c.times)}: check how your Kubernetes version treats that day's occurrence; Opsdeck runs it at the first valid instant after`
      : `DST: on ${c.date} ${zone} repeats ${timesList(c.times)}: check whether your Kubernetes version runs those twice; Opsdeck runs this wildcard or step hour on elapsed time`);
  }
  const secretName = context.secretName ?? name;
  if (schedule.secretParams.length > 0) {
    notes.push(`secrets: create Secret ${secretName} with the keys ${schedule.secretParams.join(', ')}; they reach opsdeck run as environment variables and are not written here`);
  }

  const env: YamlValue[] = [
    ...(context.dataDir === undefined ? [] : [{ name: 'OPSDECK_HOME', value: noExpansion(context.dataDir) }]),
    ...schedule.secretParams.map((secret) => ({ name: secret, valueFrom: { secretKeyRef: { name: secretName, key: secret } } })),
  ];
  const container: Record<string, YamlValue> = {
    name: 'opsdeck',
    image,
    command: [...(context.containerCommand ?? ['opsdeck'])].map(noExpansion),
    args: runArguments(schedule).map(noExpansion),
  };
  if (env.length > 0) container.env = env;

  const metadata: Record<string, YamlValue> = {
    name,
    labels: { 'app.kubernetes.io/managed-by': 'opsdeck-export' },
    annotations: { 'opsdeck/schedule-id': schedule.id, 'opsdeck/runbook': schedule.runbook.title, 'opsdeck/section': schedule.section },
  };
  if (context.namespace !== undefined) metadata.namespace = context.namespace;
  const cronJob: YamlValue = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata,
    spec: {
      schedule: cron,
      timeZone: zone,
      concurrencyPolicy,
      startingDeadlineSeconds: deadline,
      jobTemplate: {
        spec: {
          // A failed run is not retried: re-running a runbook's steps unasked could repeat what already happened.
          backoffLimit: 0,
          template: { spec: { restartPolicy: 'Never', containers: [container] } },
        },
      },
    },
  };
  const header = [`Exported by Opsdeck from schedule ${schedule.id}: "${schedule.section}" of "${schedule.runbook.title}"`, `Install: kubectl apply -f ${name}.yaml`];
  return { ok: true, files: [{ name: `${name}.yaml`, content: yamlDocument([...header, ...notes].map(oneLine), cronJob) }], notes };
}
