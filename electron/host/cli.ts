/**
 * The `opsdeck` command line. Every command is a client of the process that owns the data directory (the desktop
 * app, `opsdeck serve` or `opsdeck daemon`) when one runs, and otherwise owns it for its own duration; either way
 * it goes through the contract's `dispatch` (connect.ts). Every failure becomes one line on stderr and an exit code.
 * Nothing heavy is imported here: a command answered by the owner loads no services at all.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { StoreError } from '../services/store/store-error.js';
import type { StoreErrorCode } from '../services/store/store-error.js';
import { ContractError } from '../../shared/contract/errors.js';
import { describeOwner, readOwner, type OwnerKind } from '../services/store/owner-lock.js';
import { formatImport, formatList, formatOutline } from './cli-format.js';
import { registerHistoryCommands } from './cli-history-search.js';
import { answerPromptsOnTerminal, formatHosts, hostFieldsFromOptions, type HostAddOptions } from './cli-hosts.js';
import { callerFor, CliUsageError, runSection, type RunOptions } from './cli-run.js';
import { registerScheduleCommands } from './cli-schedule.js';
import { registerExportCommands } from './cli-export.js';
import { registerIncidentCommands } from './cli-incident.js';
import { registerHandoverCommands } from './cli-handover.js';
import { DataDirError, openCommandHost, type ContractHost } from './connect.js';
import { defaultDataDir } from './data-dir.js';
import type { Host } from './host.js';

/** Set by the build (scripts/build.mjs) from package.json; absent when this file runs unbundled. */
declare const __OPSDECK_VERSION__: string | undefined;
const VERSION = typeof __OPSDECK_VERSION__ === 'string' ? __OPSDECK_VERSION__ : '0.0.0-dev';

/** Exit codes: 2 for a usage or input error (BSD's EX_USAGE is 64, but 2 is what most CLIs use), 70 for a bug. */
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;


/** Store failures that come from what the user pointed us at, not from a bug. */
const USER_STORE_ERRORS: ReadonlySet<StoreErrorCode> = new Set(['cannot_open', 'not_a_database', 'schema_too_new', 'not_found', 'ambiguous']);

interface GlobalOptions {
  dataDir: string;
}

interface JsonOption {
  json?: boolean;
}

/** Runs the CLI on `argv` (node's, program name included) and resolves to the exit code; never throws. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const status = { exitCode: EXIT_OK };
  try {
    await buildProgram(status).parseAsync([...argv]);
    return status.exitCode;
  } catch (error) {
    return reportError(error);
  }
}

function buildProgram(status: { exitCode: number }): Command {
  const program = new Command('opsdeck')
    .description("A cockpit for operators' Markdown runbooks.")
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand(false)
    .option('--data-dir <dir>', 'where Opsdeck keeps its database; env OPSDECK_HOME sets the default', defaultDataDir())
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`opsdeck: ${oneLine(message.replace(/^error: /, ''))}\n`) });

  program
    .command('import')
    .description('import Markdown runbook files into the library (a changed file becomes a new version)')
    .argument('<FILE...>', 'runbook files')
    .option('--json', 'print the stored document model (an array when several files are given)')
    .action(async (files: string[], options: JsonOption, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const documents: unknown[] = [];
        for (const file of files) {
          try {
            // The owner runs elsewhere: it gets the file as an absolute path.
            const report = await call('runbooks.import', { path: resolve(file) });
            const detail = await call('runbooks.get', { id: report.runbookId, versionId: report.versionId });
            if (options.json) documents.push(detail.document);
            else writeOut(formatImport(file, report, detail.document));
          } catch (error) {
            // One bad file must not stop the others: report it in one line and go on.
            const known = error instanceof ContractError && error.code === 'import_failed';
            const message = error instanceof Error ? error.message : String(error);
            process.stderr.write(`opsdeck: ${file}: ${known ? '' : 'internal error: '}${oneLine(message)}\n`);
            status.exitCode = Math.max(status.exitCode, known ? EXIT_USAGE : EXIT_INTERNAL);
          }
        }
        if (options.json && documents.length > 0) writeJson(files.length === 1 ? documents[0] : documents);
      });
    });

  program
    .command('list')
    .description('list the runbooks in the library')
    .option('--json', 'print the list as JSON')
    .action(async (options: JsonOption, command: Command) => {
      await withHost(command, async (host) => {
        const entries = await callerFor(host)('runbooks.list', {});
        if (options.json) writeJson(entries);
        else writeOut(formatList(entries));
      });
    });

  program
    .command('show')
    .description("print a runbook's outline: sections, their steps, dangers and parameters")
    .argument('<RUNBOOK>', 'id, unique id prefix, file path, or (unique, case-insensitive) title or title prefix')
    .option('--json', 'print the stored document model')
    .action(async (query: string, options: JsonOption, command: Command) => {
      await withHost(command, async (host) => {
        const detail = await callerFor(host)('runbooks.get', { id: runbookQuery(query) });
        if (options.json) writeJson(detail.document);
        else writeOut(formatOutline(detail));
      });
    });

  program
    .command('run')
    .description("run a section's command steps unattended (here, or on --host or --tag), recording the run as the cockpit would")
    .argument('[RUNBOOK]', 'id, unique id prefix, file path, or title (not with --resume)')
    .option('--section <title>', 'the section to run (exact title or unique prefix); needed when the runbook has several')
    .option('--param <name=value>', 'a parameter value; repeat for each (a parameter named like a variable, unset here, is read from the environment)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--host <name>', 'run the steps on this inventory host over SSH')
    .option('--tag <tag>', 'run each step on every host with this tag (fan-out)')
    .option('--resume <run>', 'carry on an interrupted run (id or unique prefix): steps already done are skipped')
    .option('--dry-run', 'print each step as its shell gets it (values as environment assignments) and run nothing')
    .option('--yes', 'run destructive steps without asking (on a terminal, each is otherwise confirmed by typing the target name)')
    .option('--json', 'print the recorded run as JSON instead of streaming output')
    .option('--incident <id>', 'the incident this run belongs to (id or unique prefix): it joins its timeline')
    .addHelpText(
      'after',
      `
Parameters: --param NAME=VALUE, or, for a parameter the runbook writes as a
variable ($INSTANCE_ID, \${{ secrets.API_KEY }}), the environment variable of
that name: export it, and a secret never shows in ps. Placeholders such as
<run-id> need --param. Values reach the commands as environment variables,
never as code: --dry-run shows them as assignments before each script.

Destructive steps: on a terminal, each is asked about first (type the machine's,
host's or tag's name to run it; Enter stops the run). Without a terminal they
need --yes, which confirms them all.`,
    )
    .action(async (query: string | undefined, options: RunOptions, command: Command) => {
      await withHost(command, async (host) => {
        const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
        const stop = answerPromptsOnTerminal(host, io);
        try {
          const terminal = process.stdin.isTTY === true && process.stderr.isTTY === true;
          status.exitCode = await runSection(host, query === undefined ? undefined : runbookQuery(query), options, io, hostname(), terminal);
        } finally {
          stop();
        }
      });
    });

  program
    .command('remove')
    .description('remove a runbook from the library: it is archived, and its versions and runs stay in history')
    .argument('<RUNBOOK>', 'id, unique id prefix, file path, or title')
    .action(async (query: string, _options: unknown, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const rb = await call('runbooks.get', { id: runbookQuery(query) });
        const { archived } = await call('runbooks.remove', { id: rb.id });
        const runs = (await call('runs.list', { runbookId: rb.id, limit: 1000 })).length;
        const kept = runs === 0 ? 'it has no runs' : runs === 1 ? 'its run stays in history' : `its ${runs === 1000 ? '1,000+' : runs} runs stay in history`;
        writeOut(archived ? `Archived "${rb.document.title}": it left the library; ${kept}.` : `"${rb.document.title}" was already archived; ${kept}.`);
      });
    });

  registerHistoryCommands(program, { withHost, runbookQuery, status });

  const hosts = program.command('hosts').description('the inventory of remote hosts steps can run on');
  const collect = (value: string, previous: string[]) => [...previous, value];
  hosts
    .command('list')
    .description('list the inventory')
    .option('--json', 'print the hosts as JSON')
    .action(async (options: JsonOption, command: Command) => {
      await withHost(command, async (host) => {
        const list = await callerFor(host)('hosts.list', {});
        if (options.json) writeJson(list);
        else writeOut(formatHosts(list));
      });
    });
  hosts
    .command('add')
    .description('add a host, or update the one with this name')
    .argument('<NAME>', 'the name steps and tags refer to')
    .option('--address <address>', 'DNS name or IP address (default: NAME)')
    .option('--port <port>', 'SSH port', (v: string) => Number.parseInt(v, 10), 22)
    .option('--user <user>', 'user to log in as (default: yours)')
    .option('--identity <file>', 'private key file')
    .option('--jump <host>', 'jump host (ProxyJump); repeat for a chain', collect, [] as string[])
    .option('--tag <tag>', 'a tag (group) for fan-out; repeat for several', collect, [] as string[])
    .option('--notes <text>', 'free text')
    .option('--forward-agent', 'forward your ssh-agent to this host')
    .action(async (name: string, options: HostAddOptions, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const existing = (await call('hosts.list', {})).find((h) => h.name === name);
        const saved = await call('hosts.save', { ...hostFieldsFromOptions(name, options), ...(existing ? { id: existing.id } : {}) });
        writeOut(`${existing ? 'Updated' : 'Added'} ${saved.name} (${saved.user ? `${saved.user}@` : ''}${saved.address}:${saved.port})`);
      });
    });
  hosts
    .command('import-ssh-config')
    .description('import concrete hosts from an ssh config file (shows them first; --yes to save)')
    .argument('[FILE]', 'ssh config file (default: ~/.ssh/config)')
    .option('--only <name>', 'import only this host; repeat for several', collect, [] as string[])
    .option('--yes', 'save without asking')
    .action(async (file: string | undefined, options: { only: string[]; yes?: boolean }, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const preview = await call('hosts.previewSshConfig', file ? { path: file } : {});
        const chosen = preview.hosts.filter((h) => options.only.length === 0 || options.only.includes(h.name));
        writeOut(`${preview.file}: ${chosen.length} host${chosen.length === 1 ? '' : 's'}`);
        for (const h of chosen) writeOut(`  ${h.exists ? '~' : '+'} ${h.name}  ${h.user ? `${h.user}@` : ''}${h.address}:${h.port}${h.jump.length ? `  via ${h.jump.join(' → ')}` : ''}`);
        for (const s of preview.skipped) writeOut(`  - ${s.pattern}: ${s.reason}`);
        if (chosen.length === 0) return;
        if (!options.yes) {
          writeOut('Nothing saved: run again with --yes to import these (+ new, ~ update).');
          return;
        }
        const saved = await call('hosts.importSshConfig', { ...(file ? { path: file } : {}), names: chosen.map((h) => h.name) });
        writeOut(`Imported ${saved.length} host${saved.length === 1 ? '' : 's'}.`);
      });
    });
  hosts
    .command('test')
    .description("connect to a host: check its key (asking to trust an unknown one), log in, run `true`")
    .argument('<NAME>', 'inventory host')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withHost(command, async (host) => {
        const stop = answerPromptsOnTerminal(host, { err: (t) => process.stderr.write(t) });
        try {
          const result = await callerFor(host)('hosts.test', { name });
          writeOut(result.ok ? `✔ ${name}: ${result.message} (${result.keyType} ${result.fingerprint}, ${result.latencyMs?.toFixed(0)} ms)` : `✘ ${name}: ${result.message}`);
          status.exitCode = result.ok ? EXIT_OK : 1;
        } finally {
          stop();
        }
      });
    });
  hosts
    .command('forget-key')
    .description("forget the host key Opsdeck stored for a host (after a legitimate key change); known_hosts is yours to edit")
    .argument('<NAME>', 'inventory host')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withHost(command, async (host) => {
        const { removed } = await callerFor(host)('hosts.forgetKey', { name });
        writeOut(removed > 0 ? `Forgot ${removed} key${removed === 1 ? '' : 's'} of ${name}.` : `Opsdeck stored no key for ${name} (check ~/.ssh/known_hosts).`);
      });
    });
  hosts
    .command('remove')
    .description('remove a host from the inventory')
    .argument('<NAME>', 'inventory host')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const entry = (await call('hosts.list', {})).find((h) => h.name === name);
        if (!entry) throw new UsageError(`no host "${name}" in the inventory`);
        await call('hosts.remove', { id: entry.id });
        writeOut(`Removed ${name}.`);
      });
    });

  registerScheduleCommands(program, { withHost, runbookQuery, status });
  registerExportCommands(program, { withHost, runbookQuery, status });
  registerIncidentCommands(program, { withHost });
  registerHandoverCommands(program, { withHost });

  program
    .command('serve')
    .description('own the data directory and serve the cockpit as a local web app on 127.0.0.1, with a token for this launch')
    .option('--port <port>', 'the port to listen on', (v: string) => Number.parseInt(v, 10), DEFAULT_PORT)
    .action(async (options: { port: number }, command: Command) => {
      const { dataDir } = command.optsWithGlobals<GlobalOptions>();
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new UsageError('--port takes a number from 0 to 65535');
      const { runWebMode } = await import('./web-main.js');
      const web = await runWebMode({
        dataDir,
        port: options.port,
        // Beside this bundle (dist/cli.js): web-main itself lands in a chunk one folder down.
        staticDir: new URL('./renderer/', import.meta.url),
        log: (line) => process.stdout.write(`${line}\n`),
        createHost: (o) => createOwner(dataDir, 'serve', { mode: o.mode }),
      });
      await web.done;
    });

  program
    .command('ui')
    .description("open the cockpit in your browser: the running owner's when there is one (as its client), else as serve does")
    .option('--port <port>', 'the port to listen on', (v: string) => Number.parseInt(v, 10), DEFAULT_PORT)
    .option('--open', 'open the address in the default browser')
    .action(async (options: { port: number; open?: boolean }, command: Command) => {
      const { dataDir } = command.optsWithGlobals<GlobalOptions>();
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new UsageError('--port takes a number from 0 to 65535');
      const { runWebMode } = await import('./web-main.js');
      const owner = readOwner(dataDir);
      const base = { dataDir, port: options.port, open: options.open === true, staticDir: new URL('./renderer/', import.meta.url), log: (line: string) => process.stdout.write(`${line}\n`) };
      if (owner?.socket) {
        const { attachToOwner } = await import('./front.js');
        writeOut(`${describeOwner(owner)} owns ${dataDir}: serving its cockpit.`);
        const front = await attachToOwner(owner.socket);
        const web = await runWebMode({ ...base, createHost: async () => front });
        void front.ownerGone.then(() => {
          status.exitCode = 1;
          writeOut(`${describeOwner(owner)} stopped: this cockpit stops too.`);
          return web.stop();
        });
        await web.done;
        return;
      }
      const web = await runWebMode({ ...base, createHost: (o) => createOwner(dataDir, 'serve', { mode: o.mode }) });
      await web.done;
    });

  program
    .command('daemon')
    .description('own the data directory with no web interface: CLI commands and desktop windows connect to it')
    .addHelpText(
      'after',
      `
The daemon keeps Opsdeck's services (and later its schedules) running with no window open. CLI commands find it
through the socket in the data directory. To run it as a systemd user unit, save this as
~/.config/systemd/user/opsdeck.service:

  [Unit]
  Description=Opsdeck (owner of the data directory)

  [Service]
  ExecStart=${process.execPath} ${resolve(process.argv[1] ?? 'opsdeck')} daemon
  Restart=on-failure

  [Install]
  WantedBy=default.target

then: systemctl --user daemon-reload && systemctl --user enable --now opsdeck
(and loginctl enable-linger $USER to keep it running while you are logged out).`,
    )
    .action(async (_options: unknown, command: Command) => {
      const { dataDir } = command.optsWithGlobals<GlobalOptions>();
      const host = await createOwner(dataDir, 'daemon', { mode: 'web' });
      writeOut(`Opsdeck daemon (pid ${process.pid}) owns ${dataDir}; CLI commands reach it through ${host.socketPath ?? 'its socket'}. Stop with Ctrl-C.`);
      await new Promise<void>((done) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals): void => {
          if (stopping) process.exit(FORCED_EXIT_CODE);
          stopping = true;
          writeOut(`Stopping (${signal})…`);
          host.close().finally(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  return program;
}

/** The web host's default port: fixed, so a bookmark keeps working (the token changes every launch). */
const DEFAULT_PORT = 7317;

function logInternal(method: string, error: unknown): void {
  process.stderr.write(`opsdeck: internal error in ${method}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

/** Exit status after a second Ctrl-C while stopping: 128 + SIGINT, as shells report it. */
const FORCED_EXIT_CODE = 130;

/**
 * Runs `work` against the data directory for one command: through the running owner when there is one, else
 * owning the directory until the command is done.
 */
async function withHost(command: Command, work: (host: ContractHost) => Promise<void>): Promise<void> {
  const { dataDir } = command.optsWithGlobals<GlobalOptions>();
  const host = await openCommandHost({
    dataDir,
    command: command.parent && command.parent.name() !== 'opsdeck' ? `${command.parent.name()} ${command.name()}` : command.name(),
    version: VERSION,
    onInternalError: logInternal,
    onWait: (line) => process.stderr.write(`opsdeck: ${line}\n`),
  });
  try {
    await work(host);
  } finally {
    await host.close();
  }
}

/**
 * Takes the data directory for a long-lived owner (serve, daemon). Another long-lived owner means refusal, in one
 * line naming it (exit 2); a CLI command that owns it for now is waited for.
 */
async function createOwner(dataDir: string, kind: OwnerKind, o: { mode: 'web' | 'electron' }): Promise<Host> {
  const { createHost, OwnerBusyError } = await import('./host.js');
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      return await createHost({ dataDir, mode: o.mode, version: VERSION, owner: { kind }, onInternalError: logInternal });
    } catch (error) {
      if (!(error instanceof OwnerBusyError)) throw error;
      const owner = error.owner ?? readOwner(dataDir);
      if (owner && owner.kind !== 'cli') throw new OwnerRefusal(`${dataDir} is already owned by ${describeOwner(owner)}; stop it first or use it`);
      // A holder that has not said who it is yet is starting; one that never says (a second or more) is named as such.
      if (!told && (owner || Date.now() - started > 1_000)) {
        told = true;
        process.stderr.write(`opsdeck: waiting for ${owner ? describeOwner(owner) : 'another Opsdeck process (it holds owner.lock)'} to finish with ${dataDir}…\n`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A path the user typed (relative to their working directory) is sent to the owner as an absolute path. */
function runbookQuery(query: string): string {
  return existsSync(query) ? resolve(query) : query;
}

/** A problem with what the user asked for or pointed us at: reported in one line, exit 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Another long-lived owner has the data directory: one line, exit 2. */
class OwnerRefusal extends Error {
  override readonly name = 'OwnerRefusal';
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed help, the version, or its one-line complaint (through outputError above).
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof StoreError) {
    process.stderr.write(`opsdeck: ${oneLine(error.message)}\n`);
    return USER_STORE_ERRORS.has(error.code) ? EXIT_USAGE : EXIT_INTERNAL;
  }
  if (error instanceof ContractError) {
    process.stderr.write(`opsdeck: ${oneLine(error.message)}\n`);
    return error.code === 'internal' || error.code === 'unavailable' ? EXIT_INTERNAL : EXIT_USAGE;
  }
  if (error instanceof UsageError || error instanceof CliUsageError || error instanceof DataDirError || error instanceof OwnerRefusal) {
    process.stderr.write(`opsdeck: ${oneLine(error.message)}\n`);
    return EXIT_USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`opsdeck: internal error: ${oneLine(message)}\n`);
  return EXIT_INTERNAL;
}

function writeOut(text: string): void {
  process.stdout.write(`${text}\n`);
}

function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
