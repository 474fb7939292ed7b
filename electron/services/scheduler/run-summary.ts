/**
 * The JSON body of a scheduled run's webhook (POSTed by webhook-outbox.ts): what a receiver needs to tell someone,
 * or to act on, without reading Opsdeck's history. Built from the run's detail as the contract answers it.
 */
import type { RunDetail, StepState } from '../../../shared/contract/schemas.js';
import type { Section } from '../../../shared/model/runbook.js';
import { assertNever } from '../../../shared/runbook/schedule-cron.js';

/** The JSON a scheduled run's webhook receives. No output and no parameter values: a receiver is another system. */
export interface RunSummary {
  /** One line for chat receivers (Slack's, Mattermost's incoming webhooks show `text`). */
  text: string;
  scheduleId: string;
  runbook: { id: string; title: string };
  section: { id: string; title: string };
  /** The occurrence the run was for (ISO instant); null for a run started by hand (run now). */
  occurrence: string | null;
  runId: string;
  status: RunDetail['run']['status'];
  operator: string;
  target: string;
  origin: RunDetail['run']['origin'];
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  failedStep: { id: string; title: string; exitCode: number | null; error: string | null; failedCommand: { command: string; line: number | null } | null } | null;
  /** Steps neither done, succeeded nor skipped when the run ended. */
  leftSteps: number;
  endReason: string | null;
  steps: Array<{ id: string; title: string; status: StepState['status']; exitCode: number | null }>;
}

function stepTitles(section: Section, into = new Map<string, string>()): Map<string, string> {
  for (const step of section.steps) into.set(step.id, step.title);
  for (const sub of section.sections) stepTitles(sub, into);
  return into;
}

function summaryLine(s: Omit<RunSummary, 'text'>): string {
  const where = `${s.runbook.title} › ${s.section.title}`;
  switch (s.status) {
    case 'completed':
      return `Opsdeck: ${where} completed`;
    case 'failed': {
      const step = s.failedStep;
      const exit = step?.exitCode !== null && step?.exitCode !== undefined ? ` (exit ${step.exitCode})` : '';
      return step ? `Opsdeck: ${where} failed at “${step.title}”${exit}` : `Opsdeck: ${where} failed`;
    }
    case 'incomplete':
      return `Opsdeck: ${where} ended with ${s.leftSteps} step${s.leftSteps === 1 ? '' : 's'} left${s.endReason ? `: ${s.endReason}` : ''}`;
    case 'aborted':
      return `Opsdeck: ${where} was aborted${s.endReason ? `: ${s.endReason}` : ''}`;
    case 'interrupted':
      return `Opsdeck: ${where} was interrupted (Opsdeck stopped while it ran)`;
    case 'running':
      return `Opsdeck: ${where} is running`;
    default:
      return assertNever(s.status);
  }
}

export function runSummary(detail: RunDetail, schedule: { id: string; runbookTitle: string; sectionTitle: string }, occurrence: string | null): RunSummary {
  const { run } = detail;
  const titles = stepTitles(detail.section);
  const latest = (state: StepState | undefined) => state?.attempts.at(-1);
  const failedState = run.failedStep ? detail.steps.find((s) => s.stepId === run.failedStep?.id) : undefined;
  const failedAttempt = latest(failedState);
  const fields: Omit<RunSummary, 'text'> = {
    scheduleId: schedule.id,
    runbook: { id: run.runbookId, title: schedule.runbookTitle },
    section: { id: run.sectionId, title: schedule.sectionTitle },
    occurrence,
    runId: run.id,
    status: run.status,
    operator: run.operator,
    target: run.target,
    origin: run.origin,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: run.endedAt === null ? null : Math.max(0, Date.parse(run.endedAt) - Date.parse(run.startedAt)),
    failedStep: run.failedStep
      ? {
          id: run.failedStep.id,
          title: run.failedStep.title,
          exitCode: failedAttempt?.exitCode ?? null,
          error: failedAttempt?.error ?? null,
          failedCommand: failedAttempt?.failedCommand ?? null,
        }
      : null,
    leftSteps: run.left.length,
    endReason: run.endReason,
    steps: detail.steps.map((s) => ({ id: s.stepId, title: titles.get(s.stepId) ?? s.stepId, status: s.status, exitCode: latest(s)?.exitCode ?? null })),
  };
  return { text: summaryLine(fields), ...fields };
}
