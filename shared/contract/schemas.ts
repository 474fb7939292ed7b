/**
 * The records that cross the contract: library entries, runs, step attempts, notes and output. Types are inferred
 * from these schemas and used unchanged by main, the web host, the CLI and the renderer.
 */
import { z } from 'zod';
import { Param, Runbook, Section } from '../model/runbook.js';
import { RunbookSummary } from '../model/summary.js';
import { RemoteEndpoint } from './hosts.js';

export const Id = z.string().min(1).max(200);

export const Settings = z.object({
  /** Who is recorded as running things; defaults to the OS user. */
  operator: z.string().min(1).max(100),
  theme: z.enum(['dark', 'light']),
});
export type Settings = z.infer<typeof Settings>;

export const AppInfo = z.object({
  version: z.string(),
  mode: z.enum(['electron', 'web']),
  dataDir: z.string(),
  deviceId: z.string(),
  /** This machine's name: typed to confirm a destructive step that runs here. */
  hostname: z.string(),
  settings: Settings,
});
export type AppInfo = z.infer<typeof AppInfo>;

/**
 * `completed`: every step done, succeeded or skipped. `incomplete`: finished with steps left (listed in `left`, with
 * the reason given). `interrupted`: the process running it stopped; it can be resumed.
 */
export const RunStatus = z.enum(['running', 'completed', 'incomplete', 'failed', 'aborted', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunRef = z.object({ id: Id, status: RunStatus, startedAt: z.string(), sectionTitle: z.string() });

export const RunbookListItem = z.object({
  id: Id,
  title: z.string(),
  path: z.string(),
  versions: z.number().int(),
  latestVersion: z.number().int(),
  versionId: Id,
  importedAt: z.string(),
  summary: RunbookSummary,
  /** Every section title, for search. */
  sections: z.array(z.string()),
  lastRun: RunRef.nullable(),
});
export type RunbookListItem = z.infer<typeof RunbookListItem>;

export const RunbookDetail = z.object({
  id: Id,
  path: z.string(),
  /** False for a runbook uploaded from the browser: there is no file to read again. */
  refreshable: z.boolean(),
  /** Removed from the library (runbooks.remove): not listed; its versions and runs stay, importing it brings it back. */
  archived: z.boolean(),
  versions: z.number().int(),
  version: z.number().int(),
  versionId: Id,
  importedAt: z.string(),
  document: Runbook,
  lastRuns: z.array(RunRef),
});
export type RunbookDetail = z.infer<typeof RunbookDetail>;

export const ImportReport = z.object({
  runbookId: Id,
  versionId: Id,
  version: z.number().int(),
  status: z.enum(['new', 'updated', 'unchanged']),
  /** The runbook had been removed (archived) and this import brought it back. */
  restored: z.boolean(),
  /** The runbook was known only as an upload and is now known by this file's path (it can be refreshed). */
  pathLearned: z.boolean(),
  title: z.string(),
  summary: RunbookSummary,
  warnings: z.array(z.object({ line: z.number().int(), message: z.string() })),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const Run = z.object({
  id: Id,
  runbookId: Id,
  versionId: Id,
  runbookTitle: z.string(),
  sectionId: z.string(),
  sectionTitle: z.string(),
  operator: z.string(),
  /**
   * Where the run's command steps were to run when it started: `local` (this machine), `host:<name>` or
   * `tag:<tag>`. Each attempt records where it actually ran.
   */
  target: z.string(),
  /** Who started it: a window, the command line, or a schedule. */
  origin: z.enum(['ui', 'cli', 'schedule']),
  status: RunStatus,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  /** The first step whose latest attempt failed, if any. */
  failedStep: z.object({ id: z.string(), title: z.string() }).nullable(),
  /** Steps neither done, succeeded nor skipped when the run was finished (empty while it runs). */
  left: z.array(z.object({ id: z.string(), title: z.string() })),
  /** Why the run was finished with steps left, or aborted, as the operator (or the runner) said. */
  endReason: z.string().nullable(),
});
export type Run = z.infer<typeof Run>;

export const AttemptStatus = z.enum(['running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'interrupted']);
export type AttemptStatus = z.infer<typeof AttemptStatus>;

export const Attempt = z.object({
  id: Id,
  stepId: z.string(),
  status: AttemptStatus,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  durationMs: z.number().nullable(),
  timeoutSec: z.number(),
  /** Values used; secrets are recorded as "••••", never in clear. */
  params: z.record(z.string(), z.string()),
  /** How much output was recorded, in chunks. */
  chunks: z.number().int(),
  /** The inventory host it ran on; null on this machine. */
  host: z.string().nullable(),
  /** Where a remote attempt ran: address, user and the host key's fingerprint. */
  endpoint: RemoteEndpoint.nullable(),
  /** Attempts started together on the hosts of a tag share this id. */
  fanoutId: z.string().nullable(),
  /** Why the attempt could not start or ended early (connection refused, host key changed...), for the user. */
  error: z.string().nullable(),
  /** How its shell ran: errexit/pipefail, and whether it carried the section's session state (null: recorded before). */
  shell: z.object({ errexit: z.boolean(), pipefail: z.boolean(), session: z.enum(['carried', 'fresh']) }).nullable(),
  /** The command that failed, when the shell could tell: its text and its line in the step (1-based). */
  failedCommand: z.object({ command: z.string(), line: z.number().int().nullable() }).nullable(),
});
export type Attempt = z.infer<typeof Attempt>;

export const StepStatus = z.enum(['pending', 'done', 'skipped', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'interrupted']);
export type StepStatus = z.infer<typeof StepStatus>;

export const StepState = z.object({
  stepId: z.string(),
  status: StepStatus,
  skipReason: z.string().nullable(),
  attempts: z.array(Attempt),
});
export type StepState = z.infer<typeof StepState>;

export const Note = z.object({
  id: Id,
  /** `system`: a line Opsdeck wrote (the run was resumed, by whom); `note`: typed by an operator. */
  kind: z.enum(['note', 'system']),
  stepId: z.string().nullable(),
  text: z.string(),
  at: z.string(),
  operator: z.string(),
});
export type Note = z.infer<typeof Note>;

/**
 * What a section's command steps carry from one to the next on one target, as if typed into one shell: variables
 * (secret values masked), the working directory, `set`/`shopt` options and function names. Recorded after each
 * step that succeeded.
 */
export const SessionState = z.object({
  /** `local`, or `host:<name>` (one session per host in a fan-out). */
  where: z.string(),
  cwd: z.string().nullable(),
  vars: z.array(z.object({ name: z.string(), value: z.string(), exported: z.boolean(), redacted: z.boolean() })),
  /** Variables a step unset that the shell had before it. */
  unset: z.array(z.string()),
  /** Option changes, as the shell prints them: `set +o errexit`, `shopt -s nullglob`. */
  options: z.array(z.string()),
  functions: z.array(z.string()),
  /** The step whose end recorded this state, and when. */
  stepId: z.string(),
  at: z.string(),
});
export type SessionState = z.infer<typeof SessionState>;

export const RunDetail = z.object({
  run: Run,
  /** The section as it was in the version the run used, its subsections included. */
  section: Section,
  params: z.array(Param),
  steps: z.array(StepState),
  notes: z.array(Note),
  /** Terminal transcripts recorded into this run; each id answers runs.output like an attempt's. */
  recordings: z.array(z.object({ id: z.string(), title: z.string(), startedAt: z.string() })),
  /** The carried shell state per target, latest first. */
  sessions: z.array(SessionState),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const OutputStream = z.enum(['stdout', 'stderr', 'system']);
export const OutputChunk = z.object({
  runId: Id,
  attemptId: Id,
  stepId: z.string(),
  seq: z.number().int(),
  stream: OutputStream,
  data: z.string(),
  at: z.string(),
});
export type OutputChunk = z.infer<typeof OutputChunk>;
