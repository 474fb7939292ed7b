/**
 * A schedule as a systemd `.service` (Type=oneshot, running `opsdeck run ... --json`) and `.timer` pair. systemd
 * has its own command-line syntax: every argument is double-quoted with C escapes, `%` doubled (specifiers) and `$`
 * doubled (variable expansion), so no value can split, expand or end its argument.
 */
import type { ScheduleRules } from '../model/schedule.js';
import { calendarFields, calendarZone, fieldsToOnCalendar, onCalendarZone, plannerFields, Untranslatable } from './export-calendar.js';
import { commonNotes, exportName, oneLine, runArguments } from './export-command.js';
import type { ExportableSchedule, ExportContext, ExportResult } from './export-command.js';
import { dstConflicts, timesList } from './export-dst.js';
import { jitterMs } from './jitter.js';

/** One argument of ExecStart=, as systemd.service(5) "Command lines" reads it back. */
export function systemdQuote(arg: string): string {
  let out = '"';
  for (const ch of arg) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '%') out += '%%';
    else if (ch === '$') out += '$$';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) {
      if (code === 0) throw new Untranslatable('a value holds a NUL character, which no command line can carry');
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** A unit-file value that is not a command line: specifiers escaped, one line, never ending in a continuation. */
function unitValue(text: string): string {
  return oneLine(text).replace(/%/g, '%%').replace(/\\+$/, '');
}

/** A path in a directive that takes one path (EnvironmentFile=, Environment=): kept to characters needing no quoting. */
function unitPath(path: string, what: string): string {
  if (!/^\/[A-Za-z0-9._/@+-]*$/.test(path)) throw new Untranslatable(`${what} "${path}" must be an absolute path of letters, digits and ._/@+-`);
  return path;
}

/** Comment lines: no specifiers are read there, but a trailing backslash is still kept off (a line continuation elsewhere). */
const comment = (lines: readonly string[]): string => lines.map((l) => `# ${oneLine(l).replace(/\\+$/, '')}`).join('\n');

/** The OnCalendar= values: an OnCalendar expression as written (systemd's own syntax), a cron translated. */
function onCalendarLines(rules: ScheduleRules): string[] {
  const { calendar, timezone } = rules;
  if (calendar.kind === 'cron') return fieldsToOnCalendar(calendarFields(calendar), timezone);
  const expr = calendar.expr.trim().replace(/\s+/g, ' ');
  // Written into the unit as is: only characters of the OnCalendar grammar, so it cannot carry another directive.
  if (!/^[A-Za-z0-9 *.,:/~_+-]+$/.test(expr)) throw new Untranslatable(`"${calendar.expr}" holds characters an OnCalendar= expression does not`);
  return [onCalendarZone(expr) === null ? `${expr} ${timezone}` : expr];
}

/** What the timer does differently from Opsdeck: written into the timer, never dropped. */
function timerNotes(schedule: ExportableSchedule, context: ExportContext): string[] {
  const { rules } = schedule;
  const notes: string[] = [];
  switch (rules.catchUp) {
    case 'latest':
      notes.push('catch-up latest: Persistent=true runs one missed occurrence after downtime or sleep, as Opsdeck does');
      break;
    case 'skip':
      notes.push('catch-up skip: without Persistent=, occurrences missed while off are not run (nor recorded anywhere)');
      break;
    case 'all':
      notes.push('catch-up all cannot be expressed: systemd runs one missed occurrence (Persistent=true), not every one');
      break;
  }
  if (rules.catchUp !== 'skip') {
    notes.push(rules.catchUpWindowSec === null
      ? 'catch-up window (one period, at most 7 days) cannot be expressed: systemd catches up the newest miss however old'
      : `catch-up window (${rules.catchUpWindowSec} s) cannot be expressed: systemd catches up the newest miss however old`);
  }
  switch (rules.overlap) {
    case 'skip':
      notes.push('overlap skip: systemd never starts a service that is still running, so an occurrence during a run is skipped');
      break;
    case 'queue':
      notes.push('overlap queue cannot be expressed: systemd never runs a service twice at once, and an occurrence during a run is skipped, not queued');
      break;
    case 'allow':
      notes.push('overlap allow cannot be expressed: systemd never runs a service twice at once, so an occurrence during a run is skipped');
      break;
  }
  if (rules.jitterSec > 0) {
    const opsdeck = Math.floor(jitterMs(schedule.id, rules.jitterSec) / 1000);
    notes.push(`jitter: up to ${rules.jitterSec} s, fixed per timer and machine (FixedRandomDelay=true), though not the ${opsdeck} s Opsdeck delays this schedule by`);
  }
  notes.push(...dstNotes(schedule, context));
  return notes;
}

function dstNotes(schedule: ExportableSchedule, context: ExportContext): string[] {
  const fields = plannerFields(schedule.rules.calendar);
  if (fields === null) {
    // A calendar with a year: its DST days are not looked for here, so the difference is said in general.
    return ['DST: systemd skips a time the clocks jump over and runs a repeated time once; Opsdeck runs a skipped fixed time at the first valid instant after, and a wildcard or step hour on elapsed time'];
  }
  const zone = calendarZone(schedule.rules.calendar, schedule.rules.timezone);
  return dstConflicts(fields, zone, context.now).map((c) => c.kind === 'gap'
    ? `DST: on ${c.date} ${zone} skips ${timesList(c.times)}: systemd does not run that day's occurrence; Opsdeck runs it at the first valid instant after`
    : `DST: on ${c.date} ${zone} repeats ${timesList(c.times)}: systemd runs them once; Opsdeck runs this wildcard or step hour on elapsed time, in both passes`);
}

export function exportSystemd(schedule: ExportableSchedule, context: ExportContext): ExportResult {
  const name = exportName(schedule);
  const argv = [...context.opsdeckCommand, ...runArguments(schedule)];
  const title = `"${schedule.section}" of "${schedule.runbook.title}"`;
  const header = `Exported by Opsdeck from schedule ${schedule.id}: ${title}`;
  const install = `Install: copy ${name}.service and ${name}.timer to /etc/systemd/system/ (or ~/.config/systemd/user/ and add --user), then systemctl enable --now ${name}.timer`;

  const serviceNotes = [...commonNotes(schedule, context)];
  const service: string[] = [comment([header, install, ...serviceNotes]), '', '[Unit]', `Description=${unitValue(`Opsdeck: ${title}`)}`, '', '[Service]', 'Type=oneshot'];
  if (context.dataDir !== undefined) service.push(`Environment=OPSDECK_HOME=${unitPath(context.dataDir, 'the data directory')}`);
  if (schedule.secretParams.length > 0) {
    const file = unitPath(context.environmentFile ?? `/etc/opsdeck/${name}.env`, 'the environment file');
    const secretNote = `Secrets: opsdeck run reads ${schedule.secretParams.join(', ')} from its environment. Put NAME=value lines in ${file} (owner root, mode 0600); this unit never holds them, and the run fails while the file is missing.`;
    serviceNotes.push(secretNote);
    service.push(comment([secretNote]), `EnvironmentFile=${file}`);
  }
  service.push(`ExecStart=${argv.map(systemdQuote).join(' ')}`, '');

  const notes = timerNotes(schedule, context);
  const timer: string[] = [comment([header, install, ...notes]), '', '[Unit]', `Description=${unitValue(`Opsdeck timer: ${title}`)}`, '', '[Timer]'];
  for (const line of onCalendarLines(schedule.rules)) timer.push(`OnCalendar=${line}`);
  // systemd's default accuracy is a minute; Opsdeck starts runs within a second of their time.
  timer.push('AccuracySec=1s');
  if (schedule.rules.catchUp !== 'skip') timer.push('Persistent=true');
  if (schedule.rules.jitterSec > 0) timer.push(`RandomizedDelaySec=${schedule.rules.jitterSec}s`, 'FixedRandomDelay=true');
  timer.push(`Unit=${name}.service`, '', '[Install]', 'WantedBy=timers.target', '');

  return {
    ok: true,
    files: [
      { name: `${name}.service`, content: service.join('\n') },
      { name: `${name}.timer`, content: timer.join('\n') },
    ],
    notes: [...serviceNotes, ...notes],
  };
}
