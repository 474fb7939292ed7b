/**
 * The parts of a handover that Opsdeck fills, each as Markdown list items: open incidents, the shift's runs (counts
 * by outcome, each failure with its step and an output excerpt), runs left unfinished, pending checks, schedules,
 * follow-ups due and the notes carried forward. draft.ts decides where in the template each part goes.
 */
import { code, fenced, item, plural, utc } from './format.js';
import type { HandoverState, ShiftRun, ShiftSchedule } from './state.js';

export const PART_IDS = ['incidents', 'runs', 'unfinished', 'checks', 'schedules', 'followups', 'carried'] as const;
export type PartId = (typeof PART_IDS)[number];

export interface PartInfo {
  /** The heading of its own section, when the template has none for it. */
  title: string;
  /** Put before each item when the part shares a section ("Outstanding Items") with others. */
  label: string;
  /** Said in its own section when there is nothing to report. */
  none: string;
}

export const PARTS: Record<PartId, PartInfo> = {
  incidents: { title: 'Open incidents', label: 'Open incident', none: 'No open incidents.' },
  runs: { title: 'Runs this shift', label: 'Runs', none: 'No runs since the last handover.' },
  unfinished: { title: 'Left incomplete or interrupted', label: 'Unfinished run', none: 'No run left incomplete, interrupted or running.' },
  checks: { title: 'Pending checks', label: 'Pending checks', none: 'No checks left unticked.' },
  schedules: { title: 'Schedules', label: 'Schedule', none: 'No scheduled runs due in the next 24 hours, missed or waiting for approval.' },
  followups: { title: 'Follow-ups due', label: 'Follow-up', none: 'No follow-ups open.' },
  carried: { title: 'Carried forward', label: 'Carried forward', none: 'No notes carried forward.' },
};

/** Outcomes in the order the runs' counts name them. */
const OUTCOMES = ['completed', 'failed', 'incomplete', 'aborted', 'interrupted', 'running'] as const;

export interface PartContext {
  state: HandoverState;
  /** A run's, an incident's or a schedule's id as the document shows it. */
  short(id: string): string;
}

/** The part's items, each one or more lines; none when there is nothing to say. */
export function renderPart(id: PartId, ctx: PartContext): string[][] {
  switch (id) {
    case 'incidents':
      return incidents(ctx);
    case 'runs':
      return runs(ctx);
    case 'unfinished':
      return unfinished(ctx);
    case 'checks':
      return checks(ctx);
    case 'schedules':
      return schedules(ctx);
    case 'followups':
      return followups(ctx);
    case 'carried':
      return ctx.state.carry.map((note) => item(note));
    default:
      return assertNever(id);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected handover part: ${String(value)}`);
}

const where = (r: { runbookTitle: string; sectionTitle: string }): string => `${r.runbookTitle} › ${r.sectionTitle}`;
const overdue = (due: string, now: string): string => (Date.parse(due) < Date.parse(now) ? ' (overdue)' : '');

function incidents({ state, short }: PartContext): string[][] {
  return state.incidents.map((i) => {
    const facts = [
      i.status,
      ...(i.commander ? [`commander ${i.commander}`] : []),
      `last update ${i.lastUpdateAt ? utc(i.lastUpdateAt) : 'none sent'}`,
      ...(i.nextUpdateDue ? [`next update due ${utc(i.nextUpdateDue)}${overdue(i.nextUpdateDue, state.now)}`] : []),
    ];
    return item(`${i.severity} ${i.title}: ${facts.join('; ')} (incident ${short(i.id)})`);
  });
}

function runs({ state, short }: PartContext): string[][] {
  if (state.runs.length === 0) return [];
  const counts = OUTCOMES.map((o) => [o, state.runs.filter((r) => r.status === o).length] as const).filter(([, n]) => n > 0);
  const truncated = state.runsTruncated ? ' (the newest only: earlier runs of the shift were not read)' : '';
  const out = [item(`${plural(state.runs.length, 'run')}: ${counts.map(([o, n]) => `${n} ${o}`).join(', ')}${truncated}`)];
  for (const r of state.runs) {
    const f = r.failure;
    if (!f) continue;
    const how =
      f.attemptStatus === 'timed_out' ? 'timed out'
      : f.attemptStatus === 'cancelled' ? 'was cancelled'
      : f.attemptStatus === 'interrupted' ? 'was interrupted'
      : f.exitCode !== null ? `exited ${f.exitCode}`
      : 'failed';
    const lines = [`Failed: ${where(r)}, step "${f.stepTitle}" ${how}${f.host ? ` on ${f.host}` : ''} (run ${short(r.id)}, ${r.operator}, ${utc(r.startedAt)})`];
    if (f.command) lines.push(`Failed command: ${code(f.command)}`);
    if (f.error) lines.push(`Error: ${f.error}`);
    const rendered = item(lines.join('\n'));
    if (f.excerpt.length > 0) rendered.push(...fenced(f.excerpt, '  '));
    out.push(rendered);
  }
  return out;
}

function unfinished({ state, short }: PartContext): string[][] {
  return state.runs.flatMap((r): string[][] => {
    const steps = `${r.progress.done} of ${plural(r.progress.total, 'step')} done`;
    switch (r.status) {
      case 'interrupted':
        return [item(`${where(r)}: interrupted${r.endedAt ? ` at ${utc(r.endedAt)}` : ''}, ${steps} (run ${short(r.id)}; resume with ${code(`opsdeck run --resume ${r.id}`)})`)];
      case 'incomplete': {
        const reason = r.endReason ? `: "${r.endReason}"` : '';
        const left = r.left.length > 0 ? `; left: ${r.left.join(', ')}` : '';
        return [item(`${where(r)}: finished incomplete${r.endedAt ? ` at ${utc(r.endedAt)}` : ''}${reason}${left} (run ${short(r.id)})`)];
      }
      case 'running':
        return [item(`${where(r)}: still running since ${utc(r.startedAt)}, ${steps} (run ${short(r.id)}, ${r.operator})`)];
      case 'completed':
      case 'failed':
      case 'aborted':
        return [];
      default:
        return assertNever(r.status);
    }
  });
}

function checks({ state, short }: PartContext): string[][] {
  return state.runs
    .filter((r: ShiftRun) => r.pendingChecks.length > 0)
    .map((r) => [...item(`${where(r)} (run ${short(r.id)}, ${r.status}):`), ...r.pendingChecks.map((c) => `  - [ ] ${c.replace(/\s*\n\s*/g, ' ')}`)]);
}

function schedules({ state, short }: PartContext): string[][] {
  const attention = state.schedules.flatMap((s: ShiftSchedule): string[][] => {
    const approve = code(`opsdeck schedule approve ${s.id}`);
    return [
      ...s.missed.map((m) => {
        const when = m.first === m.last ? `at ${utc(m.first)}` : `from ${utc(m.first)} to ${utc(m.last)}`;
        if (m.why === 'failed_to_start') return item(`Failed to start: ${where(s)} ${when}${m.reason ? `: ${m.reason}` : ''} (schedule ${short(s.id)})`);
        const beyond = m.why === 'missed_beyond_window' ? ' (beyond the catch-up window)' : '';
        return item(`Missed: ${where(s)}: ${plural(m.count, 'occurrence')} ${when}${beyond} (schedule ${short(s.id)})`);
      }),
      ...(s.waiting.length > 0
        ? [item(`Waiting for approval: ${where(s)}: ${plural(s.waiting.length, 'catch-up')} from ${utc(s.waiting[0] ?? '')} (schedule ${short(s.id)}; approve with ${approve})`)]
        : []),
      ...(s.needsApproval ? [item(`Needs approval: ${where(s)}: ${s.needsApproval} (schedule ${short(s.id)}; approve with ${approve})`)] : []),
    ];
  });
  const due = state.schedules
    .filter((s) => s.due.length > 0)
    .sort((a, b) => Date.parse(a.due[0] ?? '') - Date.parse(b.due[0] ?? '') || a.id.localeCompare(b.id))
    .map((s) => {
      const more = s.due.length > 1 ? ` and ${s.due.length - 1} more until ${utc(s.due.at(-1) ?? '')}` : '';
      return item(`Due: ${where(s)} at ${utc(s.due[0] ?? '')}${more} (schedule ${short(s.id)})`);
    });
  return [...attention, ...due];
}

function followups({ state }: PartContext): string[][] {
  const open = state.incidents.flatMap((i) => i.followups.filter((f) => !f.done).map((f) => ({ ...f, incident: i.title })));
  const rank = (due: string | null): number => (due === null ? Number.POSITIVE_INFINITY : Date.parse(due));
  return open
    .sort((a, b) => rank(a.due) - rank(b.due) || a.id.localeCompare(b.id))
    .map((f) => item(`${f.text}: owner ${f.owner}, ${f.due ? `due ${utc(f.due)}${overdue(f.due, state.now)}` : 'no due date'} (incident "${f.incident}")`));
}
