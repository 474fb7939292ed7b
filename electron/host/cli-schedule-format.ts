/**
 * What `opsdeck schedule ...` prints: instants in the schedule's own zone with their UTC offset (a schedule's zone is
 * always explicit, so "local" means the schedule's zone, not this machine's), the schedule table, one schedule in full,
 * and its records. Pure functions from contract results to text.
 */
import type { Target } from '../../shared/contract/hosts.js';
import type { Schedule, ScheduleRecord } from '../../shared/contract/schedules.js';
import type { Calendar, ScheduleRules } from '../../shared/model/schedule.js';
import { readOnCalendar } from '../../shared/schedule/oncalendar.js';
import type { ScheduleOutcome } from '../../shared/schedule/outcome.js';
import { isValidZone, offsetAt } from '../../shared/schedule/zone.js';
import { shortIds } from './cli-format.js';

/** Records listed by `schedule show`; the rest are counted, and `show --json` has them all (the owner keeps 30). */
const MAX_RECORDS_SHOWN = 10;
/** Table cells longer than this are cut so that a row stays on one line. */
const MAX_CELL_WIDTH = 40;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** `-05:00` for an offset of -5 h (ms). */
function offsetText(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const sign = offsetMs < 0 ? '-' : '+';
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export interface InstantFormat {
  /** Prefix the weekday (`Thu 2026-12-03 09:00 EST (-05:00)`): for lists of occurrences. */
  weekday?: boolean;
  /** Show seconds even when they are zero (so a list with a seconds field lines up). */
  seconds?: boolean;
}

/** `2026-12-03 09:00 EST (-05:00)`: the instant on the zone's wall clock, its abbreviation when it has one, its offset. */
export function formatInstant(at: Date | string, zone: string, how: InstantFormat = {}): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (!Number.isFinite(date.getTime())) return String(at);
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatter(zone).formatToParts(date)) parts[part.type] = part.value;
  const seconds = how.seconds === true || (parts.second ?? '00') !== '00';
  const time = `${parts.hour ?? '??'}:${parts.minute ?? '??'}${seconds ? `:${parts.second ?? '??'}` : ''}`;
  // Zones without an abbreviation in en-US answer "GMT+1": the offset beside it already says that.
  const name = parts.timeZoneName && !/^(GMT|UTC)[+-]/.test(parts.timeZoneName) ? ` ${parts.timeZoneName}` : '';
  const day = `${parts.year ?? '????'}-${parts.month ?? '??'}-${parts.day ?? '??'}`;
  return `${how.weekday ? `${parts.weekday ?? ''} ` : ''}${day} ${time}${name} (${offsetText(offsetAt(zone, date.getTime()))})`;
}

/** One line per occurrence, weekday first; seconds shown on every line when any has them. */
export function formatOccurrences(instants: readonly Date[], zone: string): string {
  if (instants.length === 0) return 'No more occurrences: the calendar has none after this time.';
  const seconds = instants.some((d) => d.getUTCSeconds() !== 0);
  return instants.map((d) => formatInstant(d, zone, { weekday: true, seconds })).join('\n');
}

/** The zone occurrences are read in: one written in an OnCalendar expression wins, as systemd would use it. */
export function calendarZone(rules: Pick<ScheduleRules, 'calendar' | 'timezone'>): string {
  if (rules.calendar.kind !== 'oncalendar') return rules.timezone;
  const read = readOnCalendar(rules.calendar.expr, isValidZone);
  return read.ok && read.value.timezone ? read.value.timezone : rules.timezone;
}

export function describeCalendar(calendar: Calendar): string {
  switch (calendar.kind) {
    case 'cron':
      return `cron ${calendar.expr}`;
    case 'oncalendar':
      return `OnCalendar=${calendar.expr}`;
    default:
      return assertNever(calendar);
  }
}

export function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'local':
      return "the owner's machine";
    case 'host':
      return `host ${target.host}`;
    case 'tag':
      return `every host tagged ${target.tag}`;
    default:
      return assertNever(target);
  }
}

/** `1h30m` for 5400 seconds; `0s` for none. */
export function formatDuration(totalSeconds: number): string {
  if (totalSeconds <= 0) return '0s';
  const units: Array<[string, number]> = [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]];
  let rest = totalSeconds;
  let text = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * size;
  }
  return text;
}

function describeRules(rules: ScheduleRules): string {
  const window = rules.catchUpWindowSec === null ? 'one period' : formatDuration(rules.catchUpWindowSec);
  const jitter = rules.jitterSec > 0 ? `up to ${formatDuration(rules.jitterSec)}` : 'none';
  return `catch-up ${rules.catchUp} (window ${window}) · overlap ${rules.overlap} · jitter ${jitter}`;
}

/** What a record says, in the schedule's zone: `started Thu 2026-12-03 09:00 EST (-05:00) → completed (run …)`. */
export function describeOutcome(outcome: ScheduleOutcome, runStatus: string | null, zone: string): string {
  const at = (iso: string): string => formatInstant(iso, zone);
  switch (outcome.kind) {
    case 'started':
      return `${outcome.catchUp ? 'caught up' : 'started'} ${at(outcome.occurrence)} → ${runStatus ?? 'running'} (run ${outcome.runId})`;
    case 'skipped_overlap':
      return `skipped ${at(outcome.occurrence)}: ${outcome.reason === 'previous_running' ? 'the previous run was still running' : 'one run was already queued'}`;
    case 'missed':
      return `missed ${outcome.count} while off or asleep: ${summarySpan(outcome, at)}`;
    case 'missed_beyond_window':
      return `missed ${outcome.count} beyond the catch-up window (not run): ${summarySpan(outcome, at)}`;
    case 'waiting_approval':
      return `${at(outcome.occurrence)} waits for approval (opsdeck schedule approve)`;
    case 'failed_to_start':
      return `failed to start ${at(outcome.occurrence)}: ${oneLine(outcome.reason)}`;
    default:
      return assertNever(outcome);
  }
}

function summarySpan(o: { first: string; last: string; count: number }, at: (iso: string) => string): string {
  return o.count === 1 || o.first === o.last ? at(o.first) : `${at(o.first)} … ${at(o.last)}`;
}

/** The table's LAST cell: the newest record, briefly. */
function lastOutcome(record: ScheduleRecord | undefined): string {
  if (!record) return '—';
  const o = record.outcome;
  switch (o.kind) {
    case 'started':
      return `${record.runStatus ?? 'running'}${o.catchUp ? ' (catch-up)' : ''}`;
    case 'skipped_overlap':
      return 'skipped (overlap)';
    case 'missed':
      return `missed ×${o.count}`;
    case 'missed_beyond_window':
      return `missed ×${o.count} (beyond window)`;
    case 'waiting_approval':
      return 'waiting for approval';
    case 'failed_to_start':
      return 'failed to start';
    default:
      return assertNever(o);
  }
}

function describeState(s: Schedule): string {
  const reason = s.stateReason ? `: ${oneLine(s.stateReason)}` : '';
  switch (s.state) {
    case 'active':
      return s.firesHere ? 'active' : 'active on the device that made it (it does not fire here)';
    case 'paused':
      return `paused${reason}`;
    case 'needs_approval':
      return `needs approval${reason} (review with opsdeck show, then opsdeck schedule approve ${s.id})`;
    case 'broken':
      return `broken${reason}`;
    default:
      return assertNever(s.state);
  }
}

export function formatScheduleList(schedules: readonly Schedule[]): string {
  if (schedules.length === 0) return 'No schedules yet: add one with `opsdeck schedule add RUNBOOK --section TITLE --from-hint` (or --cron EXPR --tz ZONE).';
  const ids = shortIds(schedules.map((s) => s.id));
  const rows = schedules.map((s) => {
    const zone = calendarZone(s.rules);
    const next = s.next[0];
    return [
      ids.get(s.id) ?? s.id,
      truncate(`${s.runbookTitle} › ${s.sectionTitle}`, MAX_CELL_WIDTH + 20),
      truncate(`${describeCalendar(s.rules.calendar)} (${s.rules.timezone})`, MAX_CELL_WIDTH + 10),
      s.state === 'active' && !s.firesHere ? 'elsewhere' : s.state.replace('_', ' '),
      s.state === 'active' && next ? formatInstant(next, zone) : '—',
      truncate(lastOutcome(s.recent[0]), MAX_CELL_WIDTH),
    ];
  });
  return table(['ID', 'RUNBOOK › SECTION', 'CALENDAR', 'STATE', 'NEXT', 'LAST'], rows);
}

export function formatScheduleDetail(s: Schedule): string {
  const zone = calendarZone(s.rules);
  const params = Object.entries(s.params).map(([name, value]) => `${name}=${value}`);
  const secrets = Object.entries(s.secrets).map(([name, source]) =>
    source.from === 'env' ? `${name} from the owner's environment variable ${source.variable}` : `${name} from the keychain`,
  );
  const lines = [
    `Schedule ${s.id}`,
    `  runbook   ${s.runbookTitle} › ${s.sectionTitle}`,
    `  on        ${describeTarget(s.target)}`,
    `  calendar  ${describeCalendar(s.rules.calendar)} in ${s.rules.timezone}${zone !== s.rules.timezone ? ` (the expression says ${zone})` : ''}`,
    `  rules     ${describeRules(s.rules)}`,
    `  params    ${params.length > 0 ? params.join(', ') : 'none'}`,
    `  secrets   ${secrets.length > 0 ? secrets.join('; ') : 'none'}`,
    `  notify    ${s.notify.on === 'never' ? 'never' : s.notify.on === 'always' ? 'after every run' : 'when a run does not succeed'}${s.notify.webhook ? ` · webhook ${s.notify.webhook}` : ''}`,
    `  state     ${describeState(s)}`,
  ];
  for (const c of s.changes) lines.push(`            · "${oneLine(c.title)}" ${c.change.replace('_', ' ')}${c.destructive ? ' (destructive)' : ''}`);
  if (s.waiting.length > 0) {
    lines.push(`  waiting   ${s.waiting.length} catch-up${s.waiting.length === 1 ? '' : 's'} for approval: ${s.waiting.map((w) => formatInstant(w, zone)).join(', ')}`);
    lines.push(`            (opsdeck schedule approve ${s.id}, or --drop-waiting to record them as not run)`);
  }
  lines.push(`  created   ${formatInstant(s.createdAt, zone)} by ${s.createdBy} · updated ${formatInstant(s.updatedAt, zone)}`);
  lines.push('', 'Next occurrences:');
  if (s.state !== 'active') lines.push(`  (none fire while it is ${s.state.replace('_', ' ')}; by the calendar:)`);
  lines.push(s.next.length > 0 ? indent(formatOccurrences(s.next.map((n) => new Date(n)), zone)) : '  none: the calendar has no more');
  lines.push('', 'Recent records:');
  if (s.recent.length === 0) lines.push('  none yet');
  for (const r of s.recent.slice(0, MAX_RECORDS_SHOWN)) lines.push(`  ${describeOutcome(r.outcome, r.runStatus, zone)}`);
  if (s.recent.length > MAX_RECORDS_SHOWN) lines.push(`  … and ${s.recent.length - MAX_RECORDS_SHOWN} older (opsdeck schedule show ${s.id} --json)`);
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)].join('\n');
}

function truncate(text: string, width: number): string {
  const flat = oneLine(text);
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
