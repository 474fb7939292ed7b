/**
 * Evidence export: the runs a selector names, read from the append-only history a run at a time, written as a
 * bundle (events.jsonl, report.md, manifest.json) into a new directory. The bundle is built in a directory beside the
 * destination and renamed into place at the end, so a failure leaves nothing half written; the destination is never
 * written over. Between runs and pages of output the event loop gets a turn, so exporting thousands of runs does not
 * hold up the owner's steps and terminals.
 */
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { ContractError } from '../../../shared/contract/errors.js';
import type { EvidenceFile, EvidenceFormat, EvidenceKey, EvidenceSelector, ExportSummary } from '../../../shared/contract/evidence.js';
import type { EvidenceReads, RunRange, StoredRun } from '../store/evidence-reads.js';
import type { VersionDetail } from '../store/library-store.js';
import type { RunEventRow } from '../store/run-store.js';
import { createBundleFile, type BundleFile } from './bundle-file.js';
import { createChain, genesisHash } from './chain.js';
import type { DeviceKey } from './device-key.js';
import { runEvidence } from './history-events.js';
import { EVENTS_FILE, FORMAT, FORMAT_VERSION, MANIFEST_FILE, manifestText, REPORT_FILE, signManifest, type UnsignedManifest } from './manifest.js';
import { createRunReport, reportFooter, reportHeader } from './report.js';

export interface EvidenceServiceDeps {
  reads: EvidenceReads;
  events(runId: string): RunEventRow[];
  version(versionId: string): VersionDetail;
  /** The runbook's file on this device (or its upload name). */
  sourcePath(runbookId: string): string;
  /** The device's signing key, made on first use. */
  key(): DeviceKey;
  deviceId: string;
  appVersion: string;
  clock: { now(): Date };
  /** Lets the event loop run (setImmediate in the owner). */
  yieldTurn(): Promise<void>;
  newId(): string;
  onProgress?(progress: { exportId: string; output: string; done: number; total: number }): void;
}

export interface ExportRequest {
  selector: EvidenceSelector;
  output: string;
  format?: EvidenceFormat | undefined;
}

export interface EvidenceService {
  publicKey(): EvidenceKey;
  export(request: ExportRequest): Promise<ExportSummary>;
}

/** Runs read from the store at once: one short query each. */
const RUN_PAGE = 100;
/** Parsed runbook versions kept while exporting: consecutive runs mostly share a few. */
const VERSIONS_KEPT = 16;
/** Progress is told at most this often (and at the end): often enough for a progress bar, rarely enough to be free. */
const PROGRESS_MS = 250;

export const BUNDLE_NOTES = [
  'events.jsonl holds one event per line in canonical JSON (keys sorted, no whitespace). seq counts from 1; prev is the SHA-256 (hex) of the previous line as written (its UTF-8 bytes, without the newline), for the first line the SHA-256 of "opsdeck-evidence-genesis:" followed by the export id.',
  'Values are as the history recorded them: secret parameters as ••••, output with the run\'s secret values redacted and its terminal escapes (ANSI) kept; report.md shows output excerpts with the escapes removed.',
  'command.source is the step as written in the runbook version that ran; command.asRun has each parameter occurrence replaced by its recorded value, for reading: the step got the values in environment variables.',
  'A destructive step starts only with its target\'s name given as confirmation (typed, opsdeck run --yes, or a schedule\'s approval); step.started names which kind by the run\'s origin.',
  'The signature is Ed25519, by the device key in device.key, over the canonical JSON of this manifest without its signature field.',
];

export function createEvidenceService(deps: EvidenceServiceDeps): EvidenceService {
  const versions = new Map<string, VersionDetail>();
  const versionOf = (id: string): VersionDetail => {
    let v = versions.get(id);
    if (!v) {
      v = deps.version(id);
      versions.set(id, v);
      if (versions.size > VERSIONS_KEPT) versions.delete(versions.keys().next().value as string);
    }
    return v;
  };
  const paths = new Map<string, string>();
  const pathOf = (runbookId: string): string => {
    let p = paths.get(runbookId);
    if (p === undefined) {
      p = deps.sourcePath(runbookId);
      paths.set(runbookId, p);
    }
    return p;
  };

  return {
    publicKey: () => deps.key().publicKey,

    async export(request) {
      const output = request.output;
      if (!isAbsolute(output)) throw new ContractError('invalid_input', `the output directory must be an absolute path, got ${output}`);
      await refuseExisting(output);
      const formats = request.format === 'jsonl' ? (['jsonl'] as const) : request.format === 'md' ? (['md'] as const) : (['jsonl', 'md'] as const);
      const withEvents = formats.includes('jsonl' as never);
      const withReport = formats.includes('md' as never);
      const createdAt = deps.clock.now().toISOString();
      const selection = resolveSelection(request.selector, createdAt, deps.reads);
      const key = deps.key();
      const exportId = deps.newId();

      await mkdir(dirname(output), { recursive: true });
      const tmp = await mkdtemp(join(dirname(output), `.${basename(output)}.partial-`));
      const open: BundleFile[] = [];
      try {
        const events = withEvents ? await createBundleFile(join(tmp, EVENTS_FILE), EVENTS_FILE) : null;
        const report = withReport ? await createBundleFile(join(tmp, REPORT_FILE), REPORT_FILE) : null;
        for (const f of [events, report]) if (f) open.push(f);
        const chain = createChain(exportId);
        const counts = { runs: 0, events: 0, attempts: 0, notes: 0 };
        const runIds: string[] = [];
        await report?.write(reportHeader({ exportId, createdAt, deviceId: deps.deviceId, appVersion: deps.appVersion, schemaVersion: deps.reads.schemaVersion(), selection: describe(selection.selector), fingerprint: key.publicKey.fingerprint, withEvents }));

        let told = 0;
        let done = 0;
        const total = selection.kind === 'run' ? 1 : deps.reads.countRuns(selection.range);
        const progress = (force: boolean): void => {
          const now = deps.clock.now().getTime();
          if (!deps.onProgress || (!force && now - told < PROGRESS_MS)) return;
          told = now;
          deps.onProgress({ exportId, output, done, total });
        };
        for await (const run of runsOf(selection, deps)) {
          done += 1;
          const history = deps.events(run.id);
          if (selection.host !== null && !ranOn(run, history, selection.host)) continue;
          counts.runs += 1;
          runIds.push(run.id);
          const runReport = report ? createRunReport() : null;
          for await (const ev of runEvidence({ run, version: versionOf(run.versionId), sourcePath: pathOf(run.runbookId), events: history }, { page: deps.reads.chunkPage }, deps.yieldTurn)) {
            counts.events += 1;
            if (ev.type === 'step.started') counts.attempts += 1;
            if (ev.type === 'note.added') counts.notes += 1;
            if (events) await events.write(`${chain.line(ev as unknown as Record<string, unknown>)}\n`);
            runReport?.add(ev);
          }
          if (report && runReport) await report.write(runReport.render(counts.runs));
          progress(false);
          await deps.yieldTurn();
        }
        if (report && counts.runs === 0) await report.write('No runs matched the selection.\n');
        await report?.write(reportFooter(counts));
        const files: EvidenceFile[] = [];
        for (const f of open.splice(0)) files.push(await f.close());

        const unsigned: UnsignedManifest = {
          format: FORMAT,
          formatVersion: FORMAT_VERSION,
          exportId,
          createdAt,
          app: { name: 'opsdeck', version: deps.appVersion },
          schemaVersion: deps.reads.schemaVersion(),
          device: { id: deps.deviceId, key: key.publicKey },
          selector: selection.selector,
          files,
          counts,
          runs: runIds,
          chain: withEvents ? { algorithm: 'sha256', genesis: genesisHash(exportId), events: chain.count(), lastHash: chain.last() } : null,
          notes: BUNDLE_NOTES,
        };
        const manifest = await createBundleFile(join(tmp, MANIFEST_FILE), MANIFEST_FILE);
        open.push(manifest);
        await manifest.write(manifestText(signManifest(unsigned, key.sign)));
        await open.splice(0)[0]?.close();
        await moveIntoPlace(tmp, output);
        progress(true);
        return { dir: output, exportId, runs: counts.runs, events: counts.events, files, lastHash: withEvents ? chain.last() : null, key: key.publicKey };
      } catch (error) {
        for (const f of open) await f.abandon();
        await rm(tmp, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

interface Selection {
  kind: 'run' | 'range';
  /** As recorded in the manifest: the run's full id, the range's end filled in. */
  selector: EvidenceSelector;
  run: StoredRun | null;
  range: RunRange;
  host: string | null;
}

function resolveSelection(selector: EvidenceSelector, now: string, reads: EvidenceReads): Selection {
  if (selector.kind === 'run') {
    const run = reads.findRun(selector.runId);
    return { kind: 'run', selector: { kind: 'run', runId: run.id }, run, range: { since: run.startedAt, until: run.startedAt }, host: null };
  }
  const since = resolveInstant(selector.since, 'since');
  const until = selector.until ? resolveInstant(selector.until, 'until') : now;
  if (since >= until) throw new ContractError('invalid_input', `the range is empty: since (${since}) is not before until (${until})`);
  const range: RunRange = { since, until, ...(selector.runbookId ? { runbookId: selector.runbookId } : {}) };
  return {
    kind: 'range',
    selector: { kind: 'range', since, until, ...(selector.runbookId ? { runbookId: selector.runbookId } : {}), ...(selector.host ? { host: selector.host } : {}) },
    run: null,
    range,
    host: selector.host ?? null,
  };
}

function resolveInstant(text: string, what: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ContractError('invalid_input', `${what} is not a time: ${text}`);
  return new Date(ms).toISOString();
}

function describe(selector: EvidenceSelector): string {
  if (selector.kind === 'run') return `the run \`${selector.runId}\``;
  return [
    `the runs started from ${selector.since} up to ${selector.until ?? 'now'}`,
    selector.runbookId ? `, of the runbook \`${selector.runbookId}\`` : '',
    selector.host ? `, on the host ${selector.host}` : '',
  ].join('');
}

async function* runsOf(selection: Selection, deps: Pick<EvidenceServiceDeps, 'reads'>): AsyncGenerator<StoredRun> {
  if (selection.run) {
    yield selection.run;
    return;
  }
  let after: { startedAt: string; id: string } | null = null;
  for (;;) {
    const page = deps.reads.runsPage(selection.range, after, RUN_PAGE);
    for (const run of page) yield run;
    const last = page.at(-1);
    if (!last || page.length < RUN_PAGE) return;
    after = { startedAt: last.startedAt, id: last.id };
  }
}

/** Whether the run was meant for `host` or ran a step there (a fan-out's hosts included). */
function ranOn(run: StoredRun, events: readonly RunEventRow[], host: string): boolean {
  if (run.target.kind === 'host' && run.target.host === host) return true;
  return events.some((e) => e.type === 'attempt.started' && e.data.host === host);
}

async function refuseExisting(output: string): Promise<void> {
  let entries: string[];
  try {
    const s = await stat(output);
    if (!s.isDirectory()) throw new ContractError('conflict', `${output} exists and is not a directory: evidence is never written over anything`);
    entries = await readdir(output);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length > 0) throw new ContractError('conflict', `${output} exists and is not empty: evidence is never written over; choose a new directory`);
}

/** The finished bundle takes the destination's name; an empty directory there is replaced, anything else refused. */
async function moveIntoPlace(tmp: string, output: string): Promise<void> {
  try {
    await rename(tmp, output);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') throw new ContractError('conflict', `${output} was written to while the export ran: evidence is never written over; choose a new directory`);
    throw error;
  }
}
