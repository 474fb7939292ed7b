/**
 * What `opsdeck schedule add` and `schedule next --cron` read from the command line: a calendar (typed, or the
 * section's schedule hint), an explicit zone, durations, and the section's parameters (secrets never from --param:
 * the owner reads them from its environment when the schedule fires). Everything is checked here, before the owner
 * is asked, so a mistake is one line naming it.
 */
import type { Target } from '../../shared/contract/hosts.js';
import type { NotifyOn, ScheduleFields, SecretSource } from '../../shared/contract/schedules.js';
import type { RunbookDetail } from '../../shared/contract/schemas.js';
import type { ScheduleHint, Section } from '../../shared/model/runbook.js';
import { MAX_CATCH_UP_WINDOW_SEC, type Calendar, type CatchUp, type Overlap } from '../../shared/model/schedule.js';
import { calendarProblem } from '../../shared/schedule/occurrences.js';
import { readOnCalendar } from '../../shared/schedule/oncalendar.js';
import { isValidZone } from '../../shared/schedule/zone.js';
import { sectionSteps } from '../services/runs/run-state.js';
import { CliUsageError, parseParams, pickSection, resolveParams } from './cli-run.js';

/** The longest jitter a schedule may have (the contract's limit): a day. */
const MAX_JITTER_SEC = 24 * 3600;
/** A secret's environment variable: the run reads the variable named exactly like the parameter. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface CalendarOptions {
  cron?: string;
  calendar?: string;
  tz?: string;
}

export interface AddOptions extends CalendarOptions {
  section?: string;
  fromHint?: boolean;
  catchUp?: CatchUp;
  catchUpWindow?: string;
  overlap?: Overlap;
  jitter?: string;
  host?: string;
  tag?: string;
  param: string[];
  approveDestructive?: boolean;
  notify?: NotifyOn;
  notifyWebhook?: string;
}

/** The fields to create, and what to tell the user about them (stderr). */
export interface AddPlan {
  fields: ScheduleFields;
  notes: string[];
}

/** `90s`, `15m`, `2h`, `1d`, `1h30m` (or a plain number of seconds) -> seconds. */
export function parseDuration(text: string, option: string): number {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(trimmed);
  if (!match || trimmed === '') throw new CliUsageError(`${option} takes a duration such as 90s, 15m, 2h, 1d or 1h30m, got "${text}"`);
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  return Number(d) * 86_400 + Number(h) * 3600 + Number(m) * 60 + Number(s);
}

function machineZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const NEED_ZONE = (): string => `a schedule's zone is always explicit (this machine's is ${machineZone()}: --tz ${machineZone()})`;

/** A calendar and zone from --cron / --calendar and --tz, checked: the problem in one line otherwise. */
export function calendarFromOptions(o: CalendarOptions): { calendar: Calendar; timezone: string } {
  if (o.cron !== undefined && o.calendar !== undefined) throw new CliUsageError('choose --cron or --calendar, not both');
  const calendar: Calendar | null =
    o.cron !== undefined ? { kind: 'cron', expr: o.cron.trim() } : o.calendar !== undefined ? { kind: 'oncalendar', expr: o.calendar.trim() } : null;
  if (calendar === null) throw new CliUsageError('give a calendar: --cron EXPR (5 fields, or 6 with seconds first) or --calendar ONCALENDAR');
  return { calendar, timezone: checkedZone(calendar, o.tz ?? zoneInExpression(calendar), null) };
}

/** An OnCalendar expression may end in its zone (`*-*-* 00:15:00 UTC`): that is explicit enough. */
function zoneInExpression(calendar: Calendar): string | undefined {
  if (calendar.kind !== 'oncalendar') return undefined;
  const read = readOnCalendar(calendar.expr, isValidZone);
  return read.ok && read.value.timezone ? read.value.timezone : undefined;
}

function checkedZone(calendar: Calendar, zone: string | undefined, hint: ScheduleHint | null): string {
  if (zone === undefined) {
    throw new CliUsageError(hint ? `the schedule hint "${oneLine(hint.text)}" names no time zone: pass --tz ZONE; ${NEED_ZONE()}` : `pass --tz ZONE: ${NEED_ZONE()}`);
  }
  if (!isValidZone(zone)) throw new CliUsageError(`unknown time zone "${zone}" (an IANA name such as America/New_York or Europe/Berlin)`);
  if (calendar.expr === '') throw new CliUsageError(`the ${calendar.kind === 'cron' ? '--cron' : '--calendar'} expression is empty`);
  const problem = calendarProblem(calendar, zone);
  if (problem) throw new CliUsageError(`${calendar.kind === 'cron' ? '--cron' : '--calendar'} "${calendar.expr}": ${oneLine(problem)}`);
  return zone;
}

/** The sections from the root down to the one with `id` (empty when it is not there). */
function pathTo(sections: readonly Section[], id: string): Section[] {
  for (const s of sections) {
    if (s.id === id) return [s];
    const below = pathTo(s.sections, id);
    if (below.length > 0) return [s, ...below];
  }
  return [];
}

/** The section's hint (or its nearest enclosing section's), else the runbook's only hint not tied to a section. */
function hintFor(rb: RunbookDetail, section: Section): ScheduleHint {
  const hints = rb.document.scheduleHints;
  const chain = pathTo(rb.document.sections, section.id).reverse();
  for (const s of chain) {
    const own = hints.filter((h) => h.sectionId === s.id);
    const chosen = own.find((h) => h.cron !== null) ?? own[0];
    if (chosen) return chosen;
  }
  const loose = hints.filter((h) => h.sectionId === null);
  if (loose.length === 1 && loose[0]) return loose[0];
  const withHints = new Set(hints.map((h) => h.sectionId));
  const titles = everySection(rb.document.sections).filter((s) => withHints.has(s.id)).map((s) => `"${s.title}"`);
  throw new CliUsageError(
    `"${section.title}" has no schedule hint: pass --cron EXPR or --calendar ONCALENDAR${titles.length > 0 ? `; sections with hints: ${titles.slice(0, 10).join(', ')}${titles.length > 10 ? ', …' : ''}` : ''}`,
  );
}

function everySection(sections: readonly Section[]): Section[] {
  return sections.flatMap((s) => [s, ...everySection(s.sections)]);
}

function targetFrom(o: Pick<AddOptions, 'host' | 'tag'>): Target {
  if (o.host !== undefined && o.tag !== undefined) throw new CliUsageError('choose --host or --tag, not both');
  if (o.host !== undefined) return { kind: 'host', host: o.host };
  if (o.tag !== undefined) return { kind: 'tag', tag: o.tag };
  return { kind: 'local' };
}

function webhookFrom(url: string | undefined): string | null {
  if (url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliUsageError(`--notify-webhook takes an http:// or https:// address, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliUsageError(`--notify-webhook takes an http:// or https:// address, got "${url}"`);
  return url;
}

/** Everything `schedule add` sends, from the runbook and the options; throws CliUsageError for what is wrong. */
export function planAdd(rb: RunbookDetail, o: AddOptions, env: NodeJS.ProcessEnv): AddPlan {
  const notes: string[] = [];
  const section = pickSection(rb, o.section);
  const chosen = [o.cron !== undefined, o.calendar !== undefined, o.fromHint === true].filter(Boolean).length;
  if (chosen !== 1) throw new CliUsageError('choose one of --cron EXPR, --calendar ONCALENDAR or --from-hint');

  let calendar: Calendar;
  let timezone: string;
  if (o.fromHint) {
    const hint = hintFor(rb, section);
    if (hint.cron === null) {
      throw new CliUsageError(`the schedule hint "${oneLine(hint.text)}" gives no time to run at: ${oneLine(hint.reason ?? 'no recurring time in it')}; pass --cron EXPR or --calendar ONCALENDAR`);
    }
    calendar = { kind: 'cron', expr: hint.cron };
    timezone = checkedZone(calendar, o.tz ?? hint.timezone ?? undefined, hint);
    notes.push(`From the hint "${oneLine(hint.text)}": cron ${hint.cron} in ${timezone}${hint.reason ? ` (${oneLine(hint.reason)})` : ''}`);
  } else {
    ({ calendar, timezone } = calendarFromOptions(o));
  }

  const window = o.catchUpWindow === undefined ? null : parseDuration(o.catchUpWindow, '--catch-up-window');
  if (window !== null && window > MAX_CATCH_UP_WINDOW_SEC) throw new CliUsageError(`--catch-up-window is at most 7 days (7d), got "${o.catchUpWindow}"`);
  const jitter = o.jitter === undefined ? 0 : parseDuration(o.jitter, '--jitter');
  if (jitter > MAX_JITTER_SEC) throw new CliUsageError(`--jitter is at most 24 hours (24h), got "${o.jitter}"`);

  const commands = sectionSteps(section).filter((s) => s.kind === 'command');
  if (commands.length === 0) throw new CliUsageError(`section "${section.title}" has no command steps to run on a schedule`);
  const neededNames = new Set(commands.flatMap((s) => s.params));
  const needed = rb.document.params.filter((p) => neededNames.has(p.name));
  const given = parseParams(o.param);

  const secrets: Record<string, SecretSource> = {};
  for (const p of needed.filter((x) => x.secret)) {
    if (p.name in given) {
      throw new CliUsageError(`${p.name} is a secret: a schedule never saves it; leave out --param ${p.name}, and the owner reads it from its environment variable ${p.name} when the schedule fires`);
    }
    if (!ENV_NAME.test(p.name)) throw new CliUsageError(`the secret "${p.name}" has no environment-variable name for the owner to read it from; schedule it in the desktop app (keychain)`);
    secrets[p.name] = { from: 'env', variable: p.name };
    notes.push(`The owner (desktop app, opsdeck serve or opsdeck daemon) must have ${p.name} in its environment when the schedule fires.`);
  }

  const plain = needed.filter((p) => !p.secret);
  const values = resolveParams(o.param, plain, env);
  const missing = plain.filter((p) => !values.get(p.name)?.value).map((p) => p.name);
  if (missing.length > 0) throw new CliUsageError(`missing parameters: ${missing.map(quoted).join(', ')} (pass --param NAME=VALUE for each)`);
  const params = Object.fromEntries(plain.map((p) => [p.name, values.get(p.name)?.value ?? '']));
  const fromEnv = plain.filter((p) => values.get(p.name)?.from === 'environment').map((p) => p.name);
  if (fromEnv.length > 0) notes.push(`Saved from this environment: ${fromEnv.map((n) => `${quoted(n)}=${params[n] ?? ''}`).join(', ')}`);
  const unused = Object.keys(given).filter((n) => !neededNames.has(n));
  if (unused.length > 0) notes.push(`Not saved (no command of "${section.title}" uses ${unused.length === 1 ? 'it' : 'them'}): ${unused.map(quoted).join(', ')}`);

  return {
    fields: {
      runbookId: rb.id,
      sectionId: section.id,
      target: targetFrom(o),
      rules: { calendar, timezone, catchUp: o.catchUp ?? 'latest', catchUpWindowSec: window, overlap: o.overlap ?? 'skip', jitterSec: jitter },
      params,
      secrets,
      notify: { on: o.notify ?? 'failure', webhook: webhookFrom(o.notifyWebhook) },
      ...(o.approveDestructive ? { approveDestructive: true } : {}),
    },
    notes,
  };
}

function quoted(name: string): string {
  return /[\s,]/.test(name) ? `"${name}"` : name;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
