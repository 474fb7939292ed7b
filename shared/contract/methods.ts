/**
 * The whole API between the renderer (or any client) and main, as data: every method's input and output schema
 * and every event's payload. Served unchanged by the Electron bridge and the web host.
 */
import { z } from 'zod';
import { evidenceEvents, evidenceMethods } from './evidence.js';
import { handoverMethods, incidentDraftMethods, incidentEvents, incidentMethods } from './incidents.js';
import { Host, HostFields, HostTest, Prompt, PromptAnswer, SshConfigPreview, Target } from './hosts.js';
import { scheduleEvents, scheduleMethods } from './schedules.js';
import { searchEvents, searchMethods } from './search.js';
import { TermData, TermExit, TermInfo, TermOpen, TermSize } from './terminals.js';
import {
  AppInfo,
  Id,
  ImportReport,
  OutputChunk,
  Run,
  RunbookDetail,
  RunbookListItem,
  RunDetail,
  Settings,
} from './schemas.js';

const Empty = z.object({}).strict();
/** Parameter values as typed; newlines and NUL are refused later, where the value would land in a command. */
const ParamValues = z.record(z.string().max(200), z.string().max(10_000));
/** A runbook's Markdown sent from the browser (file picker, drag and drop): no path on disk. */
const Upload = z.object({ fileName: z.string().min(1).max(500), content: z.string().max(20 * 1024 * 1024) }).strict();

export const methods = {
  'app.info': { input: Empty, output: AppInfo },
  'settings.update': { input: Settings.partial().strict(), output: Settings },

  'runbooks.list': { input: Empty, output: z.array(RunbookListItem) },
  'runbooks.import': { input: z.union([z.object({ path: z.string().min(1).max(4096) }).strict(), Upload]), output: ImportReport },
  'runbooks.get': { input: z.object({ id: Id, versionId: Id.optional() }).strict(), output: RunbookDetail },
  'runbooks.refresh': { input: z.object({ id: Id }).strict(), output: ImportReport },
  'runbooks.lastParams': { input: z.object({ id: Id }).strict(), output: ParamValues },
  /** Archives a runbook: it leaves the library; its versions and runs stay in history and still open. */
  'runbooks.remove': { input: z.object({ id: Id }).strict(), output: z.object({ archived: z.boolean() }) },

  'runs.start': { input: z.object({ runbookId: Id, sectionId: z.string().min(1), versionId: Id.optional() }).strict(), output: RunDetail },
  'runs.get': { input: z.object({ runId: Id }).strict(), output: RunDetail },
  'runs.list': { input: z.object({ runbookId: Id.optional(), limit: z.number().int().min(1).max(1000).optional() }).strict(), output: z.array(Run) },
  'runs.output': {
    input: z.object({ runId: Id, attemptId: Id, afterSeq: z.number().int().min(-1).optional() }).strict(),
    output: z.array(OutputChunk),
  },
  'runs.tick': { input: z.object({ runId: Id, stepId: z.string().min(1), done: z.boolean() }).strict(), output: RunDetail },
  'runs.skip': { input: z.object({ runId: Id, stepId: z.string().min(1), reason: z.string().trim().min(1).max(2000) }).strict(), output: RunDetail },
  'runs.note': { input: z.object({ runId: Id, stepId: z.string().min(1).nullable(), text: z.string().trim().min(1).max(20_000) }).strict(), output: RunDetail },
  /** With steps neither done nor skipped, `reason` is required (`reason_required`) and the run ends `incomplete`. */
  'runs.finish': { input: z.object({ runId: Id, reason: z.string().trim().min(1).max(2000).optional() }).strict(), output: RunDetail },
  /** An interrupted run carries on: running again, its interrupted steps pending a new attempt. */
  'runs.resume': { input: z.object({ runId: Id }).strict(), output: RunDetail },
  'runs.abort': { input: z.object({ runId: Id, reason: z.string().max(2000).optional() }).strict(), output: RunDetail },
  /**
   * Runs a section's command steps unattended in the owner, in order, stopping at the first failure (what
   * `opsdeck run` does). Answers with the run as started; follow `run.updated` and `step.output` for the rest.
   */
  'runs.runSection': {
    input: z
      .object({
        runbookId: Id,
        sectionId: z.string().min(1),
        versionId: Id.optional(),
        params: ParamValues,
        /** Default: this machine. */
        target: Target.optional(),
        /** For destructive steps: the target's name, as typed to confirm them. */
        confirmation: z.string().max(200).optional(),
        /** Ask before each destructive step (a `step-confirmation` prompt) instead of stopping there. */
        askConfirmation: z.boolean().optional(),
        /** Carry on an interrupted run of the same section: steps already succeeded, done or skipped stay so. */
        resumeRunId: Id.optional(),
      })
      .strict(),
    output: RunDetail,
  },

  'steps.run': {
    input: z
      .object({
        runId: Id,
        stepId: z.string().min(1),
        params: ParamValues,
        /** For a destructive step: the target's name, typed by the user. */
        confirmation: z.string().max(200).optional(),
        timeoutSec: z.number().int().min(1).max(7 * 24 * 3600).optional(),
        /** Where to run: this machine, a host, or every host of a tag; default: the section's remembered target. */
        target: Target.optional(),
        /** For `ssh user@server "cmd"` steps: run `cmd` on the target host over Opsdeck's own connection. */
        useRemoteHint: z.boolean().optional(),
      })
      .strict(),
    output: RunDetail,
  },
  'steps.cancel': { input: z.object({ runId: Id, attemptId: Id }).strict(), output: RunDetail },

  'hosts.list': { input: Empty, output: z.array(Host) },
  'hosts.save': { input: HostFields.extend({ id: Id.optional() }).strict(), output: Host },
  'hosts.remove': { input: z.object({ id: Id }).strict(), output: z.object({ removed: z.boolean() }) },
  'hosts.previewSshConfig': { input: z.object({ path: z.string().min(1).max(4096).optional() }).strict(), output: SshConfigPreview },
  'hosts.importSshConfig': {
    input: z.object({ path: z.string().min(1).max(4096).optional(), names: z.array(z.string().min(1).max(200)).min(1).max(1000) }).strict(),
    output: z.array(Host),
  },
  'hosts.test': { input: z.object({ name: z.string().min(1).max(200) }).strict(), output: HostTest },
  /** The only way past a changed host key: forget the key Opsdeck stored (known_hosts lines are the user's to edit). */
  'hosts.forgetKey': { input: z.object({ name: z.string().min(1).max(200) }).strict(), output: z.object({ removed: z.number().int() }) },

  'targets.get': { input: z.object({ runbookId: Id, sectionId: z.string().min(1) }).strict(), output: Target },
  'targets.set': { input: z.object({ runbookId: Id, sectionId: z.string().min(1), target: Target }).strict(), output: Target },

  'term.open': { input: TermOpen, output: TermInfo },
  'term.list': { input: Empty, output: z.array(TermInfo) },
  /** Keystrokes and pastes, as the terminal encodes them. */
  'term.input': { input: z.object({ id: z.string(), data: z.string().max(1024 * 1024) }).strict(), output: z.object({}) },
  'term.resize': { input: z.object({ id: z.string(), ...TermSize.shape }).strict(), output: z.object({}) },
  /** The renderer has processed this many more bytes of the terminal's output (flow control). */
  'term.ack': { input: z.object({ id: z.string(), chars: z.number().int().min(0).max(100_000_000) }).strict(), output: z.object({}) },
  'term.close': { input: z.object({ id: z.string() }).strict(), output: z.object({}) },
  /** The terminal's screen and scrollback as the owner's headless copy holds them, to draw on reattaching. */
  'term.snapshot': { input: z.object({ id: z.string() }).strict(), output: z.object({ data: z.string(), ...TermSize.shape }) },
  /**
   * This window shows exactly these terminals now (an empty list: none, it is closing). Sent when that changes and
   * every ~30 s; the owner counts a window silent for longer than its lease as gone (terminal-viewers.ts).
   */
  'term.view': { input: z.object({ viewer: z.string().min(1).max(100), ids: z.array(z.string().max(100)).max(1000) }).strict(), output: z.object({}) },
  /** Opt-in: the terminal's transcript, timestamped, goes into this run's history (null: stop recording). */
  'term.record': { input: z.object({ id: z.string(), runId: Id.nullable() }).strict(), output: TermInfo },
  /** A command step's text with parameter values filled in, quoted for a shell, to paste into a terminal. */
  'steps.render': {
    input: z.object({ runId: Id, stepId: z.string().min(1), params: z.record(z.string().max(200), z.string().max(10_000)), useRemoteHint: z.boolean().optional() }).strict(),
    output: z.object({ text: z.string() }),
  },

  'prompts.pending': { input: Empty, output: z.array(Prompt) },
  'prompts.answer': { input: z.object({ id: Id, answer: PromptAnswer }).strict(), output: z.object({ answered: z.boolean() }) },

  ...scheduleMethods,
  ...evidenceMethods,
  ...searchMethods,
  ...incidentMethods,
  ...incidentDraftMethods,
  ...handoverMethods,
} as const;

export const events = {
  /**
   * An import that has taken more than a second is this far along (`done` of `total` parts of the file); the last
   * one has done === total. `source` is the file's path, or `upload:<file name>` for one sent from a window.
   */
  'import.progress': z.object({ source: z.string(), done: z.number().int().min(0), total: z.number().int().min(1) }),
  /** The library changed (an import made a new runbook or version, here or from the CLI): list it again. */
  'runbooks.changed': z.object({ runbookId: Id }),
  /** A run changed: a tick, a note, a step started or ended, the run finished. */
  'run.updated': RunDetail,
  /** Output of a running step, batched. */
  'step.output': OutputChunk,
  /** A connection needs an answer from the user: a host key to accept, a passphrase, a password. */
  'prompt.request': Prompt,
  /** A prompt was answered (here or in another window) or timed out. */
  'prompt.closed': z.object({ id: z.string() }),
  /** Terminal output as UTF-8 bytes, batched (~5 ms, at once when large) and never splitting a character. */
  'term.data': TermData,
  'term.exit': TermExit,
  ...scheduleEvents,
  ...evidenceEvents,
  ...searchEvents,
  ...incidentEvents,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

