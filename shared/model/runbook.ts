/**
 * The Runbook document model: what the importer produces from an operator's Markdown and what every later
 * feature (checklists, execution, scheduling, history) consumes. Types are inferred from the zod schemas.
 */
import { z } from 'zod';

export const StepKind = z.enum(['check', 'command', 'reference', 'template']);
export type StepKind = z.infer<typeof StepKind>;

export const DangerLevel = z.enum(['safe', 'caution', 'destructive']);
export type DangerLevel = z.infer<typeof DangerLevel>;

export const Danger = z.object({
  level: DangerLevel,
  /** One short sentence per finding, e.g. "pkill -9: kills processes by pattern". */
  reasons: z.array(z.string()),
});
export type Danger = z.infer<typeof Danger>;

/** A step of the form `ssh user@server "cmd"`: the inner command can later run over Opsdeck's own connection. */
export const RemoteHint = z.object({
  user: z.string().nullable(),
  host: z.string(),
  port: z.number().int().nullable(),
  command: z.string(),
});
export type RemoteHint = z.infer<typeof RemoteHint>;

export const ParamKind = z.enum([
  'placeholder', // <run-id>
  'date', // YYYY-MM-DD, YYYYMMDD_HHMMSS
  'variable', // $INSTANCE_ID, ${VAR}: used but never set before
  'secret', // ${{ secrets.X }}
  'field', // [Name] in a template or checklist
  'changeme', // CHANGEME
  'example-host', // agent-lab.your-domain.com
  'ssh-target', // user@server
]);
export type ParamKind = z.infer<typeof ParamKind>;

export const ParamOccurrence = z.object({
  stepId: z.string(),
  line: z.number().int(),
  /** The text exactly as written in the step, e.g. `<run-id>` or `${{ secrets.X }}`. */
  text: z.string(),
});
export type ParamOccurrence = z.infer<typeof ParamOccurrence>;

export const Param = z.object({
  name: z.string(),
  kind: ParamKind,
  secret: z.boolean(),
  occurrences: z.array(ParamOccurrence),
});
export type Param = z.infer<typeof Param>;

/**
 * How a command step's shell runs. Defaults: errexit and pipefail on (as CI runs shell steps), and the section's
 * session carried (variables, cd, options and functions of earlier steps). Front matter and a step's header change them.
 */
export const StepShell = z.object({ errexit: z.boolean(), pipefail: z.boolean(), fresh: z.boolean() });
export type StepShell = z.infer<typeof StepShell>;
export const DEFAULT_STEP_SHELL: StepShell = { errexit: true, pipefail: true, fresh: false };

export const Step = z.object({
  id: z.string(),
  kind: StepKind,
  title: z.string(),
  /** The header comment that named this step inside a shell block, when the title came from elsewhere. */
  caption: z.string().nullable(),
  line: z.number().int(),
  endLine: z.number().int(),
  /** Command text (command), the item's text (check), or the block's content (reference, template). */
  script: z.string(),
  language: z.string().nullable(),
  /** Names of the parameters that occur in this step; details are in the document's `params`. */
  params: z.array(z.string()),
  danger: Danger,
  remote: RemoteHint.nullable(),
  /** Task-list state as written in the file (`- [x]`), for checks; null otherwise. */
  checked: z.boolean().nullable(),
  /** Expected output shown beside a console command, or null. */
  expectedOutput: z.string().nullable(),
  /** Command steps: how the shell runs; absent in versions imported before it existed (then the defaults). */
  shell: StepShell.optional(),
});
export type Step = z.infer<typeof Step>;

export const Meta = z.record(z.string(), z.string());

export interface Section {
  id: string;
  title: string;
  level: number;
  line: number;
  meta: Record<string, string>;
  steps: Step[];
  sections: Section[];
}
export const Section: z.ZodType<Section> = z.lazy(() =>
  z.object({
    id: z.string(),
    title: z.string(),
    level: z.number().int().min(0).max(6),
    line: z.number().int(),
    meta: Meta,
    steps: z.array(Step),
    sections: z.array(Section),
  }),
);

export const ScheduleHint = z.object({
  source: z.enum(['cron', 'systemd', 'frequency', 'kubernetes']),
  /** The text the hint was read from. */
  text: z.string(),
  cron: z.string().nullable(),
  /** IANA zone, e.g. America/New_York; null when the text names none (cron then runs in the host's zone). */
  timezone: z.string().nullable(),
  line: z.number().int(),
  sectionId: z.string().nullable(),
  /** Why no cron could be derived, or what was assumed to derive it. */
  reason: z.string().nullable(),
});
export type ScheduleHint = z.infer<typeof ScheduleHint>;

export const ImportWarning = z.object({
  line: z.number().int(),
  message: z.string(),
});
export type ImportWarning = z.infer<typeof ImportWarning>;

export const Runbook = z.object({
  title: z.string(),
  source: z.object({ path: z.string(), sha256: z.string() }),
  sections: z.array(Section),
  params: z.array(Param),
  scheduleHints: z.array(ScheduleHint),
  warnings: z.array(ImportWarning),
});
export type Runbook = z.infer<typeof Runbook>;
