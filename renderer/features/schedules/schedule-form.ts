/**
 * The schedule dialog as data: what its fields hold while typed, how a schedule hint or an existing schedule fills
 * them, what a section needs (parameters, secrets, destructive steps to approve), and how the draft becomes the
 * contract's ScheduleFields. Free of React and the client so the rules are unit-tested; the owner's validation has
 * the last word.
 */
import type { Target } from '../../../shared/contract/hosts.js';
import type { NotifyOn, Schedule, ScheduleFields } from '../../../shared/contract/schedules.js';
import type { Param, ScheduleHint, Section, Step } from '../../../shared/model/runbook.js';
import type { CatchUp, Overlap } from '../../../shared/model/schedule.js';
import { isValidZone } from '../../../shared/schedule/zone.js';
import { allSteps } from '../../components/section-tree.js';
import { formatSeconds, parseDuration } from './duration-text.js';

export type CalendarKind = 'cron' | 'oncalendar';

export interface ScheduleDraft {
  sectionId: string;
  calendarKind: CalendarKind;
  expr: string;
  timezone: string;
  target: Target;
  catchUp: CatchUp;
  /** Empty: one period of the calendar (the default). */
  window: string;
  overlap: Overlap;
  /** Empty: no jitter. */
  jitter: string;
  notifyOn: NotifyOn;
  /** Empty: no webhook. */
  webhook: string;
  /** Values of the non-secret parameters, by name. */
  params: Record<string, string>;
  /** The owner's environment variable each secret parameter is read from, by parameter name. */
  secretEnv: Record<string, string>;
  approveDestructive: boolean;
}

export type DraftField = 'expr' | 'timezone' | 'window' | 'jitter' | 'webhook' | 'sectionId' | `param:${string}` | `secret:${string}`;
export type DraftErrors = Partial<Record<DraftField, string>>;

/**
 * The rules' limits (shared/model/schedule.ts), repeated here because importing that module's zod schemas would
 * put zod in the renderer's bundle; the owner checks them again.
 */
export const MAX_WINDOW_SEC = 7 * 24 * 3600;
/** The longest jitter the rules allow: a day. */
export const MAX_JITTER_SEC = 24 * 3600;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The zone this browser is in, the default of a hint that names none (always shown, so it is never implicit). */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** A parameter's name as an environment variable: `secrets.API_KEY` reads `API_KEY`-like, never an invalid name. */
export function envNameFor(name: string): string {
  const cleaned = name.replace(/^secrets\./i, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned || 'SECRET';
}

export interface SectionNeeds {
  /** Parameters the section's command steps use that are not secret: each needs a saved value. */
  params: Param[];
  /** Secret parameters: read from the owner's environment when the schedule fires. */
  secrets: Param[];
  /** Command steps that are destructive: creating the schedule approves their text as it is now. */
  destructive: Step[];
}

/** What a schedule of this section has to say: only command steps run unattended (checks are recorded as not done). */
export function sectionNeeds(section: Section, params: readonly Param[]): SectionNeeds {
  const commands = allSteps(section).filter((step) => step.kind === 'command');
  const used = new Set(commands.flatMap((step) => step.params));
  const needed = params.filter((param) => used.has(param.name));
  return {
    params: needed.filter((param) => !param.secret),
    secrets: needed.filter((param) => param.secret),
    destructive: commands.filter((step) => step.danger.level === 'destructive'),
  };
}

/** A new schedule's draft: the hint's cron and zone when there is one, else an empty calendar in the browser's zone. */
export function draftFromHint(hint: Pick<ScheduleHint, 'cron' | 'timezone'> | null, sectionId: string, zone: string): ScheduleDraft {
  return {
    sectionId,
    calendarKind: 'cron',
    expr: hint?.cron ?? '',
    timezone: hint?.timezone ?? zone,
    target: { kind: 'local' },
    catchUp: 'latest',
    window: '',
    overlap: 'skip',
    jitter: '',
    notifyOn: 'failure',
    webhook: '',
    params: {},
    secretEnv: {},
    approveDestructive: false,
  };
}

export function draftFromSchedule(schedule: Schedule): ScheduleDraft {
  const { rules } = schedule;
  const secretEnv: Record<string, string> = {};
  for (const [name, source] of Object.entries(schedule.secrets)) if (source.from === 'env') secretEnv[name] = source.variable;
  return {
    sectionId: schedule.sectionId,
    calendarKind: rules.calendar.kind,
    expr: rules.calendar.expr,
    timezone: rules.timezone,
    target: schedule.target,
    catchUp: rules.catchUp,
    window: rules.catchUpWindowSec === null ? '' : formatSeconds(rules.catchUpWindowSec),
    overlap: rules.overlap,
    jitter: rules.jitterSec === 0 ? '' : formatSeconds(rules.jitterSec),
    notifyOn: schedule.notify.on,
    webhook: schedule.notify.webhook ?? '',
    params: { ...schedule.params },
    secretEnv,
    approveDestructive: false,
  };
}

function validWebhook(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export type DraftResult = { ok: true; fields: ScheduleFields } | { ok: false; errors: DraftErrors };

/** The fields to send, or what is wrong with the draft, by field. */
export function draftToFields(draft: ScheduleDraft, runbookId: string, needs: SectionNeeds): DraftResult {
  const errors: DraftErrors = {};
  const expr = draft.expr.trim();
  const timezone = draft.timezone.trim();
  if (!draft.sectionId) errors.sectionId = 'Choose the section to run.';
  if (expr === '') errors.expr = draft.calendarKind === 'cron' ? 'Write a cron expression, e.g. 0 9 * * *.' : 'Write an OnCalendar= expression, e.g. *-*-* 09:00:00.';
  if (timezone === '') errors.timezone = 'Name the zone the calendar is read in, e.g. America/New_York.';
  else if (!isValidZone(timezone)) errors.timezone = `“${timezone}” is not an IANA time zone.`;

  let window: number | null = null;
  if (draft.window.trim() !== '') {
    window = parseDuration(draft.window);
    if (window === null) errors.window = 'A duration, e.g. 30m, 2h or 1d.';
    else if (window > MAX_WINDOW_SEC) errors.window = 'At most 7 days.';
  }
  let jitter = 0;
  if (draft.jitter.trim() !== '') {
    const parsed = parseDuration(draft.jitter);
    if (parsed === null) errors.jitter = 'A duration, e.g. 30s or 5m.';
    else if (parsed > MAX_JITTER_SEC) errors.jitter = 'At most a day.';
    else jitter = parsed;
  }
  const webhook = draft.webhook.trim();
  if (webhook !== '' && !validWebhook(webhook)) errors.webhook = 'An http:// or https:// address.';

  const params: Record<string, string> = {};
  for (const param of needs.params) {
    const value = draft.params[param.name] ?? '';
    if (value.trim() === '') errors[`param:${param.name}`] = 'The steps use it: give the value to run with.';
    else params[param.name] = value;
  }
  const secrets: ScheduleFields['secrets'] = {};
  for (const param of needs.secrets) {
    const variable = (draft.secretEnv[param.name] ?? envNameFor(param.name)).trim();
    if (!ENV_NAME.test(variable)) errors[`secret:${param.name}`] = 'An environment variable name: letters, digits and _.';
    else secrets[param.name] = { from: 'env', variable };
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    fields: {
      runbookId,
      sectionId: draft.sectionId,
      target: draft.target,
      rules: {
        calendar: { kind: draft.calendarKind, expr },
        timezone,
        catchUp: draft.catchUp,
        catchUpWindowSec: window,
        overlap: draft.overlap,
        jitterSec: jitter,
      },
      params,
      secrets,
      notify: { on: draft.notifyOn, webhook: webhook === '' ? null : webhook },
      ...(draft.approveDestructive && needs.destructive.length > 0 ? { approveDestructive: true } : {}),
    },
  };
}

/** The sections a schedule can run: those with command steps (their own or a subsection's), in document order. */
export function schedulableSections(sections: readonly Section[], depth = 0): Array<{ section: Section; depth: number }> {
  return sections.flatMap((section) => {
    const runs = allSteps(section).some((step) => step.kind === 'command');
    const own = runs ? [{ section, depth }] : [];
    return [...own, ...schedulableSections(section.sections, depth + 1)];
  });
}
