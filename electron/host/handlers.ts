/**
 * One handler per contract method, each a thin translation from the contract to a service call. Service errors
 * become contract errors with messages a user can read.
 */
import type { CallContext, Handlers } from '../../shared/contract/dispatch.js';
import { ContractError } from '../../shared/contract/errors.js';
import type { ImportReport, RunbookListItem, Settings } from '../../shared/contract/schemas.js';
import type { Section } from '../../shared/model/runbook.js';
import { ImportError, UPLOAD_PREFIX, type ImportResult, type RunbookService } from '../services/runbooks/runbook-service.js';
import type { RunService } from '../services/runs/run-service.js';
import type { SectionRunner } from '../services/runs/section-runner.js';
import { StoreError } from '../services/store/store-error.js';
import { createHostHandlers, type HostHandlerDeps } from './host-handlers.js';
import { createTermHandlers } from './term-handlers.js';
import type { TerminalService } from '../services/terminal/terminal-service.js';
import type { ShellParser } from '../../shared/runbook/shell.js';

export interface HandlerDeps extends HostHandlerDeps {
  terminals: TerminalService;
  shell: ShellParser;
  version: string;
  mode: 'electron' | 'web';
  dataDir: string;
  deviceId: string;
  hostname: string;
  settings(): Settings;
  saveSetting(key: keyof Settings, value: string): void;
  lastParams(runbookId: string): Record<string, string>;
  runbooks: RunbookService;
  runs: RunService;
  sectionRunner: SectionRunner;
}

const sectionTitles = (sections: readonly Section[]): string[] => sections.flatMap((s) => [s.title, ...sectionTitles(s.sections)]);

function report(r: ImportResult): ImportReport {
  return {
    runbookId: r.runbookId, versionId: r.versionId, version: r.version, status: r.status, restored: r.restored, pathLearned: r.pathLearned,
    title: r.document.title, summary: r.summary, warnings: r.document.warnings,
  };
}

/** Runs a service call, turning the services' own errors into contract errors. */
async function guard<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ImportError) throw new ContractError('import_failed', error.message);
    if (error instanceof StoreError) {
      const code = error.code === 'not_found' ? 'not_found' : error.code === 'ambiguous' ? 'ambiguous' : 'unavailable';
      throw new ContractError(code, error.message);
    }
    throw error;
  }
}

/** Every handler but the schedules' (schedule-handlers.ts), the evidence export's (evidence-handlers.ts), the history search's (search-handlers.ts), the incidents' (incident-handlers.ts) and the handovers' (handover-handlers.ts), which the host adds. */
export function createHandlers(deps: HandlerDeps): Omit<Handlers, `schedules.${string}` | `evidence.${string}` | `history.${string}` | `incidents.${string}` | `handover.${string}`> {
  const { library, runbooks, runs } = deps;
  const lastRuns = (runbookId: string, limit: number) =>
    runs.list({ runbookId, limit }).map((r) => ({ id: r.id, status: r.status, startedAt: r.startedAt, sectionTitle: r.sectionTitle }));

  return {
    ...createHostHandlers(deps),
    ...createTermHandlers({ terminals: deps.terminals, runs: deps.runs, shell: deps.shell }),
    'app.info': () => ({ version: deps.version, mode: deps.mode, dataDir: deps.dataDir, deviceId: deps.deviceId, hostname: deps.hostname, settings: deps.settings() }),
    'settings.update': (input) => {
      if (input.operator !== undefined) deps.saveSetting('operator', input.operator.trim());
      if (input.theme !== undefined) deps.saveSetting('theme', input.theme);
      return deps.settings();
    },

    'runbooks.list': () =>
      guard(() =>
        runbooks.list().map((entry): RunbookListItem => {
          const detail = library.getVersion(library.listVersions(entry.id).at(-1)?.id ?? '');
          return {
            id: entry.id,
            title: entry.title,
            path: entry.path,
            versions: entry.versions,
            latestVersion: entry.latestVersion,
            versionId: detail.id,
            importedAt: entry.importedAt,
            summary: entry.summary,
            sections: sectionTitles(detail.document.sections),
            lastRun: lastRuns(entry.id, 1)[0] ?? null,
          };
        }),
      ),
    'runbooks.import': (input) =>
      guard(async () => report('path' in input ? await runbooks.importFile(input.path) : await runbooks.importUpload(input.fileName, input.content))),
    'runbooks.get': (input) =>
      guard(() => {
        const rb = runbooks.get(input.id);
        const version = input.versionId ? library.getVersion(input.versionId) : { ...rb.version, document: rb.document };
        if (version.runbookId !== rb.id) throw new ContractError('invalid_input', 'that version belongs to another runbook');
        return {
          id: rb.id,
          path: rb.path,
          refreshable: !rb.path.startsWith(UPLOAD_PREFIX),
          archived: rb.archived,
          versions: rb.versions,
          version: version.version,
          versionId: version.id,
          importedAt: version.importedAt,
          document: version.document,
          lastRuns: lastRuns(rb.id, 10),
        };
      }),
    'runbooks.refresh': (input) =>
      guard(async () => {
        const rb = library.get(input.id);
        if (rb.path.startsWith(UPLOAD_PREFIX)) throw new ContractError('conflict', 'this runbook was uploaded from a window, so there is no file to read again: import its file by path once and it refreshes from there');
        return report(await runbooks.importFile(rb.path));
      }),
    'runbooks.lastParams': (input) => guard(() => deps.lastParams(library.get(input.id).id)),
    'runbooks.remove': (input) => guard(() => runbooks.remove(input.id)),

    'runs.start': (input, ctx: CallContext) => guard(() => runs.start({ ...input, origin: ctx.origin })),
    'runs.get': (input) => guard(() => runs.get(input.runId)),
    'runs.list': (input) => guard(() => runs.list(input)),
    'runs.output': (input) => guard(() => runs.output(input.runId, input.attemptId, input.afterSeq ?? -1)),
    'runs.tick': (input) => guard(() => runs.tick(input.runId, input.stepId, input.done)),
    'runs.skip': (input) => guard(() => runs.skip(input.runId, input.stepId, input.reason)),
    'runs.note': (input) => guard(() => runs.note(input.runId, input.stepId, input.text)),
    'runs.finish': (input) => guard(() => runs.finish(input.runId, input.reason)),
    'runs.resume': (input, ctx) => guard(() => runs.resume(input.runId, ctx.origin)),
    'runs.abort': (input) => guard(() => runs.abort(input.runId, input.reason)),
    'runs.runSection': (input, ctx) =>
      guard(() => deps.sectionRunner.start({ ...input, target: input.target ?? { kind: 'local' }, origin: ctx.origin }).detail),
    'steps.run': (input) => guard(() => runs.runStep(input).detail),
    'steps.cancel': (input) => guard(() => runs.cancel(input.runId, input.attemptId)),
  };
}
