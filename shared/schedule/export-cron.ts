/**
 * A schedule as a crontab entry: a CRON_TZ= line, then one line running `opsdeck run ... --json` through /bin/sh
 * (wrapped in `flock -n` for overlap skip, after a `sleep` for the schedule's jitter). Arguments are single-quoted for sh, and every `%` is written `\%`
 * outside the quotes, because cron turns a bare `%` into a line break before the shell sees the command.
 */
import { calendarFields, calendarZone, fieldsToGuardedCron, Untranslatable } from './export-calendar.js';
import { commonNotes, exportName, oneLine, runArguments } from './export-command.js';
import type { ExportableSchedule, ExportContext, ExportResult } from './export-command.js';
import { dstConflicts, timesList } from './export-dst.js';
import { jitterMs } from './jitter.js';

/**
 * One sh word, as cron then sh read it. A `%` closes the quote and is written `\%` (cron drops the backslash),
 * so no backslash of the value ever stands before a `%` where cron would read it as an escape.
 */
export function crontabQuote(arg: string): string {
  // eslint-disable-next-line no-control-regex -- a crontab entry is one line: no control character may reach it
  if (/[\u0000-\u001f\u007f]/.test(arg)) throw new Untranslatable('a crontab line cannot hold a line break or other control character; a value here has one');
  return `'${arg.replace(/'/g, `'\\''`).replace(/%/g, `'\\%'`)}'`;
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export function exportCron(schedule: ExportableSchedule, context: ExportContext): ExportResult {
  const { rules } = schedule;
  const fields = calendarFields(rules.calendar);
  const { cron, weekdayGuard } = fieldsToGuardedCron(fields);
  const zone = calendarZone(rules.calendar, rules.timezone);
  if (!/^[A-Za-z0-9_+/-]+$/.test(zone)) throw new Untranslatable(`zone "${zone}" cannot be written in a CRON_TZ= line`);
  const name = exportName(schedule);

  const notes = [...commonNotes(schedule, context)];
  notes.push("CRON_TZ= needs a cron that reads it (cronie does; one that does not reads the times in the system's zone); it applies to every line after it in this crontab");
  notes.push(rules.catchUp === 'skip'
    ? 'catch-up skip: cron runs nothing missed while the machine was off, as asked (and records no misses)'
    : `catch-up ${rules.catchUp} cannot be expressed: cron has no catch-up, occurrences missed while the machine was off or asleep are lost (anacron catches up daily jobs)`);
  const lock = `/tmp/${name}.lock`;
  let wrapper: string[] = [];
  switch (rules.overlap) {
    case 'skip':
      notes.push(`overlap skip: flock -n ${lock} skips an occurrence while the previous run holds the lock`);
      wrapper = ['flock', '-n', lock];
      break;
    case 'queue':
      notes.push(`overlap queue: flock ${lock} makes an occurrence wait for the previous run; cron may have more than one waiting, Opsdeck at most one`);
      wrapper = ['flock', lock];
      break;
    case 'allow':
      notes.push('overlap allow: cron starts every occurrence, running or not');
      break;
  }
  // Opsdeck's jitter is one fixed delay per schedule, so a fixed sleep is all of it (cron starts on the minute).
  const delaySec = Math.floor(jitterMs(schedule.id, rules.jitterSec) / 1000);
  if (rules.jitterSec > 0) notes.push(`jitter: the line sleeps ${delaySec} s first, the delay Opsdeck gives this schedule (of up to ${rules.jitterSec} s), to the second`);
  for (const c of dstConflicts(fields, zone, context.now)) {
    notes.push(c.kind === 'gap'
      ? `DST: on ${c.date} ${zone} skips ${timesList(c.times)}: crons differ on whether and when they run that day's occurrence; Opsdeck runs it at the first valid instant after`
      : `DST: on ${c.date} ${zone} repeats ${timesList(c.times)}: crons differ on whether they run those twice; Opsdeck runs this wildcard or step hour on elapsed time`);
  }
  for (const secret of schedule.secretParams) {
    notes.push(`${secret} must be set in this crontab's environment (a line ${secret}=... above this one, in a crontab only its owner reads) or cron's: opsdeck run reads it from there; it is not written here`);
  }

  // cron runs on either a day of the month or a weekday; a calendar needing both has the line check the weekday.
  let guard = '';
  if (weekdayGuard !== null) {
    const names = weekdayGuard.map((d) => WEEKDAY_NAMES[d] ?? String(d)).join(', ');
    notes.push(`weekday AND day of the month: cron runs on the days of the month, and the line checks the weekday (${names}) in ${zone} itself before running`);
    const weekdayThere = `TZ=${crontabQuote(zone)} date +\\%w`;
    guard = weekdayGuard.length === 1 ? `[ "$(${weekdayThere})" = ${weekdayGuard[0]} ] && ` : `${weekdayThere} | grep -qx '[${weekdayGuard.join('')}]' && `;
  }
  const env = context.dataDir === undefined ? [] : [`OPSDECK_HOME=${crontabQuote(context.dataDir)}`];
  const command = [...env, ...wrapper.map(crontabQuote), ...[...context.opsdeckCommand, ...runArguments(schedule)].map(crontabQuote)].join(' ');
  const lines = [
    `# Exported by Opsdeck from schedule ${schedule.id}: "${schedule.section}" of "${schedule.runbook.title}"`,
    `# Install: add these lines with crontab -e (as the user the run should be made as)`,
    ...notes.map((n) => `# ${n}`),
  ].map(oneLine);
  const sleep = delaySec > 0 ? `sleep ${delaySec} && ` : '';
  lines.push(`CRON_TZ=${zone}`, `${cron} ${guard}${sleep}${command}`, '');
  return { ok: true, files: [{ name: `${name}.crontab`, content: lines.join('\n') }], notes };
}
