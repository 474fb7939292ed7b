/**
 * `opsdeck export`: evidence of runs as a signed, hash-chained bundle written by the owner of the data directory
 * (events.jsonl, report.md, manifest.json); `opsdeck export verify DIR` checks one with nothing but the bundle (no data
 * directory, no owner); `opsdeck export key` prints this device's public key, to compare with a bundle's.
 */
import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { EvidenceFormat, EvidenceSelector, ExportSummary, VerifyReport } from '../../shared/contract/evidence.js';
import { verifyBundle } from '../services/evidence/verify.js';
import { parseDuration } from './cli-schedule-add.js';
import { callerFor, CliUsageError } from './cli-run.js';
import type { ContractHost } from './connect.js';

export interface ExportCommandDeps {
  /** cli.ts's: runs `work` through the owner, or owning the data directory for the command. */
  withHost(command: Command, work: (host: ContractHost) => Promise<void>): Promise<void>;
  /** cli.ts's: a path the user typed becomes absolute; anything else is passed as typed. */
  runbookQuery(query: string): string;
  /** The exit code the CLI ends with (1 when a bundle does not verify). */
  status: { exitCode: number };
}

interface ExportOptions {
  run?: string;
  since?: string;
  until?: string;
  runbook?: string;
  host?: string;
  output?: string;
  format: EvidenceFormat;
  json?: boolean;
}

const HELP = `
Choose the runs with --run ID, or --since (and optionally --until, --runbook,
--host). Times are ISO (2026-03-01, 2026-03-01T09:00:00Z) or durations back
from now (2d, 12h, 90m). The bundle goes into a new directory: an existing one
that is not empty is refused, and nothing is left behind when an export fails.

Each line of events.jsonl is one event in canonical JSON carrying the SHA-256
of the line before it; manifest.json lists every file's SHA-256 and is signed
with this device's Ed25519 key. Secrets are masked as in the history.`;

export function registerExportCommands(program: Command, deps: ExportCommandDeps): void {
  const exp = program
    .command('export')
    .description('write signed, tamper-evident evidence of runs (events.jsonl, report.md, manifest.json) into a new directory')
    .option('--run <id>', 'one run: its id or a unique id prefix')
    .option('--since <when>', 'runs started at or after this: an ISO time or a duration back from now (2d, 12h)')
    .option('--until <when>', 'and before this (default: now)')
    .option('--runbook <runbook>', 'only the runs of this runbook (id, path or title)')
    .option('--host <name>', 'only the runs that targeted or ran a step on this inventory host')
    .option('--output <dir>', 'the new directory to write the bundle into')
    .addOption(new Option('--format <format>', 'what to write').choices(['jsonl', 'md', 'both']).default('both'))
    .option('--json', 'print what was written as JSON')
    .addHelpText('after', HELP)
    .action(async (options: ExportOptions, command: Command) => {
      const output = checkedOutput(options.output);
      const selectorOf = planSelector(options, new Date());
      await deps.withHost(command, async (host) => {
        const call = callerFor(host);
        const runbookId = options.runbook ? (await call('runbooks.get', { id: deps.runbookQuery(options.runbook) })).id : undefined;
        const stop = showProgress(host, output);
        let summary: ExportSummary;
        try {
          summary = await call('evidence.export', { selector: selectorOf(runbookId), output, format: options.format });
        } finally {
          stop();
        }
        if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else process.stdout.write(formatSummary(summary));
      });
    });

  exp
    .command('verify')
    .description("check a bundle: every file's hash, the chain of events and the manifest's signature (exit 1 if anything does not match)")
    .argument('<DIR>', 'the bundle')
    .option('--json', 'print the whole report as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const path = resolve(dir);
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        throw new CliUsageError(`${dir}: no such directory`);
      }
      if (!isDir) throw new CliUsageError(`${dir} is not a directory: give the bundle's directory`);
      const report = await verifyBundle(path);
      deps.status.exitCode = report.ok ? 0 : 1;
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(formatVerify(dir, report));
    });

  exp
    .command('key')
    .description("print this device's evidence signing key (public) and its fingerprint, to compare with a bundle's")
    .option('--json', 'print it as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await deps.withHost(command, async (host) => {
        const key = await callerFor(host)('evidence.publicKey', {});
        if (options.json) process.stdout.write(`${JSON.stringify(key, null, 2)}\n`);
        else process.stdout.write(`${key.algorithm} ${key.fingerprint}\n${key.publicKey.trimEnd()}\n`);
      });
    });
}

function checkedOutput(output: string | undefined): string {
  if (!output) throw new CliUsageError('say where to write the bundle: --output DIR (a new or empty directory)');
  const path = resolve(output);
  let entries: string[] | null = null;
  try {
    if (!statSync(path).isDirectory()) throw new CliUsageError(`${output} exists and is not a directory: evidence is never written over anything`);
    entries = readdirSync(path);
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (entries && entries.length > 0) throw new CliUsageError(`${output} exists and is not empty: evidence is never written over; choose a new directory`);
  return path;
}

/** The selector from the options, checked; the runbook's id is resolved later (it needs the data). */
export function planSelector(o: Pick<ExportOptions, 'run' | 'since' | 'until' | 'runbook' | 'host'>, now: Date): (runbookId: string | undefined) => EvidenceSelector {
  if (o.run !== undefined) {
    const extra = (['since', 'until', 'runbook', 'host'] as const).filter((k) => o[k] !== undefined);
    if (extra.length > 0) throw new CliUsageError(`--run names one run: --${extra[0]} does not go with it`);
    const runId = o.run.trim();
    if (runId === '') throw new CliUsageError('--run takes a run id');
    return () => ({ kind: 'run', runId });
  }
  if (o.since === undefined) {
    if (o.until !== undefined || o.runbook !== undefined || o.host !== undefined) throw new CliUsageError('give --since too: --until, --runbook and --host narrow a time range');
    throw new CliUsageError('choose the runs: --run ID, or --since D (2d, 12h, or an ISO time) with --until, --runbook, --host');
  }
  const since = instant(o.since, '--since', now);
  const until = o.until === undefined ? undefined : instant(o.until, '--until', now);
  if (until !== undefined && since >= until) throw new CliUsageError(`--since (${since}) must be before --until (${until})`);
  const host = o.host?.trim();
  return (runbookId) => ({ kind: 'range', since, ...(until ? { until } : {}), ...(runbookId ? { runbookId } : {}), ...(host ? { host } : {}) });
}

/** `2d`, `12h`, `90m` back from now, or an ISO date or time. */
export function instant(text: string, option: string, now: Date): string {
  const t = text.trim();
  if (/^(?:\d+[dhms])+$/i.test(t)) return new Date(now.getTime() - parseDuration(t, option) * 1000).toISOString();
  const ms = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i.test(t) ? Date.parse(t.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms)) throw new CliUsageError(`${option} takes an ISO time (2026-03-01, 2026-03-01T09:00:00Z) or a duration back from now (2d, 12h), got "${text}"`);
  return new Date(ms).toISOString();
}

/** On a terminal, how far a long export is, on one line of stderr. */
function showProgress(host: ContractHost, output: string): () => void {
  if (process.stderr.isTTY !== true) return () => undefined;
  let shown = false;
  const stop = host.subscribe((event, payload) => {
    const p = payload as { output?: string; done?: number; total?: number };
    if (event !== 'evidence.progress' || p.output !== output) return;
    shown = true;
    process.stderr.write(`\rexporting… ${p.done ?? 0}/${p.total ?? 0} runs read`);
  });
  return () => {
    stop();
    if (shown) process.stderr.write('\r\u001b[K');
  };
}

function formatSummary(s: ExportSummary): string {
  const lines = [`Exported ${s.runs} run${s.runs === 1 ? '' : 's'} (${s.events} event${s.events === 1 ? '' : 's'}) to ${s.dir}`];
  for (const f of s.files) lines.push(`  ${f.name.padEnd(13)} ${String(f.bytes).padStart(10)} bytes  sha256 ${f.sha256}`);
  lines.push(`  manifest.json  signed by this device's Ed25519 key ${s.key.fingerprint}`);
  lines.push(`Check it with: opsdeck export verify ${shellWord(s.dir)}`);
  return `${lines.join('\n')}\n`;
}

function formatVerify(dir: string, r: VerifyReport): string {
  const where = (p: { file: string; line: number | null }): string => (p.line === null ? p.file : `${p.file} line ${p.line}`);
  const lines: string[] = [];
  const [first, ...rest] = r.problems;
  if (!first) {
    lines.push(`✔ ${dir}: intact: ${r.files} file${r.files === 1 ? '' : 's'} match the manifest, ${r.events} event${r.events === 1 ? '' : 's'} chained, the signature is good`);
  } else {
    lines.push(`✘ ${dir}: ${where(first)}: ${first.message}`);
    for (const p of rest.slice(0, MORE_PROBLEMS)) lines.push(`  also: ${where(p)}: ${p.message}`);
    if (rest.length > MORE_PROBLEMS) lines.push(`  and ${rest.length - MORE_PROBLEMS} more`);
  }
  if (r.key) {
    lines.push(`  export ${r.exportId ?? '?'} from device ${r.deviceId ?? '?'}, signed with Ed25519 key ${r.key.fingerprint}`);
    lines.push("  compare the fingerprint with the device's own (opsdeck export key on that device, or its Settings)");
  }
  return `${lines.join('\n')}\n`;
}

/** Problems listed after the first: the first names what broke; the rest are mostly its consequences. */
const MORE_PROBLEMS = 5;

function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
