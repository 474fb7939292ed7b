/**
 * The owner's one timer for incident reminders: set for the soonest reminder of any open incident (a status update
 * due, an escalation threshold passed), re-armed on every change. A reminder is an entry on the incident's timeline
 * and an `incident.reminder` event (the banner, the desktop notification), told once: the entry is what says so.
 */
import type { IncidentState } from './incident-state.js';
import { ruleOf, type RunbookFacts } from './incident-view.js';
import { pendingEscalations, updateReminderAt } from './reminders.js';
import type { NewEntry } from '../store/incident-store.js';

/**
 * The longest the timer is set for. A sleeping machine's timers stop while its wall clock goes on, so a long timer
 * fires late after a wake: shorter re-reads the clock more often (a fold of each open incident, every minute).
 */
export const TIMER_CAP_MS = 60_000;
/** Who a reminder entry is by: Opsdeck itself, not the operator. */
export const REMINDER_BY = 'opsdeck';

export interface Notice {
  reason: 'update_due' | 'escalation';
  title: string;
  body: string;
}

export interface ReminderTimerDeps {
  clock: { now(): Date };
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  /** Every incident with what its runbook says (resolved ones are skipped here). */
  incidents(): Array<{ state: IncidentState; facts: RunbookFacts }>;
  /** Records the reminder entries, then tells about them. */
  remind(incidentId: string, entries: NewEntry[], notices: Notice[]): void;
  onError(error: unknown): void;
}

export interface ReminderTimer {
  start(): void;
  /** Something changed: the soonest reminder may have moved. Does nothing before start. */
  rearm(): void;
  dispose(): void;
}

const hhmm = (iso: string): string => `${iso.slice(11, 16)} UTC`;

/** What is due for one incident at `nowMs`, and when its next reminder after those is. */
function dueFor(state: IncidentState, facts: RunbookFacts, nowMs: number, nowIso: string): { entries: NewEntry[]; notices: Notice[]; next: number | null } {
  const entries: NewEntry[] = [];
  const notices: Notice[] = [];
  let next: number | null = null;
  const later = (t: number): void => {
    next = next === null ? t : Math.min(next, t);
  };
  if (state.status === 'resolved') return { entries, notices, next };
  const rule = ruleOf(facts, state.severity);
  const update = updateReminderAt(state, rule);
  if (update !== null) {
    const t = Date.parse(update);
    if (t <= nowMs) {
      const last = state.lastUpdateAt ? `the last one went out at ${hhmm(state.lastUpdateAt)}` : 'none has gone out yet';
      const since = state.updateRemindedAt ?? state.lastUpdateAt ?? state.declaredAt;
      const changed = rule.onStatusChange && state.lastStatusChangeAt !== null && state.lastStatusChangeAt > since;
      const why = changed ? `the status changed to ${state.status}` : `every ${rule.everyMin ?? '?'} min at ${state.severity}`;
      const text = `Status update due: ${why}; ${last}.`;
      entries.push({ at: nowIso, recordedAt: nowIso, by: REMINDER_BY, kind: 'reminder', data: { reason: 'update_due', text } });
      notices.push({ reason: 'update_due', title: `Status update due: ${state.title}`, body: `${state.severity} · ${state.status}. ${text}` });
    } else later(t);
  }
  for (const { at, step } of pendingEscalations(state, facts.path)) {
    const t = Date.parse(at);
    if (t > nowMs) {
      later(t);
      continue;
    }
    entries.push({ at: nowIso, recordedAt: nowIso, by: REMINDER_BY, kind: 'reminder', data: { reason: 'escalation', text: step.text, afterMin: step.afterMin, contact: step.contact } });
    notices.push({ reason: 'escalation', title: `Escalate: ${step.contact}`, body: `${state.title} (${state.severity}) is not acknowledged ${step.afterMin} min after it was declared. ${step.text}` });
  }
  return { entries, notices, next };
}

export function createReminderTimer(deps: ReminderTimerDeps): ReminderTimer {
  let timer: unknown = null;
  let started = false;
  let disposed = false;

  const clear = (): void => {
    if (timer !== null) deps.timers.clearTimeout(timer);
    timer = null;
  };
  const set = (ms: number): void => {
    clear();
    timer = deps.timers.setTimeout(() => {
      timer = null;
      tick();
    }, Math.max(0, Math.min(ms, TIMER_CAP_MS)));
  };

  /** Gives every reminder that is due, then sets the timer for the soonest one left. */
  function tick(): void {
    if (!started || disposed) return;
    try {
      const now = deps.clock.now();
      const nowMs = now.getTime();
      let soonest: number | null = null;
      for (const { state, facts } of deps.incidents()) {
        const due = dueFor(state, facts, nowMs, now.toISOString());
        if (due.entries.length > 0) {
          deps.remind(state.id, due.entries, due.notices);
          // Recorded: the fold moves on (the next update reminder is a cadence later); asked again right away.
          soonest = nowMs;
          continue;
        }
        if (due.next !== null) soonest = soonest === null ? due.next : Math.min(soonest, due.next);
      }
      if (soonest === null) clear();
      else set(soonest - nowMs);
    } catch (error) {
      deps.onError(error);
      set(TIMER_CAP_MS);
    }
  }

  return {
    start() {
      if (started || disposed) return;
      started = true;
      tick();
    },
    rearm() {
      // Soon, not now: a change is answered first, and several changes in a row are looked at once.
      if (started && !disposed) set(0);
    },
    dispose() {
      disposed = true;
      clear();
    },
  };
}
