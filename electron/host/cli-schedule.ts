/**
 * `opsdeck schedule ...`: recurring runs of a runbook section. The schedules live in the data directory and fire only
 * in a long-lived owner (the desktop app, `opsdeck serve`, `opsdeck daemon`); these commands make, show and change
 * them through the contract like any client. `schedule next` is pure computation on the calendar.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { ContractError } from '../../shared/contract/errors.js';
import type { Schedule } from '../../shared/contract/schedules.js';
import type { RunDetail } from '../../shared/contract/schemas.js';
import { nextOccurrences } from '../../shared/schedule/occurrences.js';
import { sectionSteps } from '../services/runs/run-state.js';
import { NOT_STARTED } from '../services/runs/step-gates.js';
import { readOwner } from '../services/store/owner-lock.js';
import { formatRunEnd } from './cli-format.js';
import { calendarFromOptions, planAdd, type AddOptions, type CalendarOptions } from './cli-schedule-add.js';
import { calendarZone, describeCalendar, describeTarget, formatInstant, formatOccurrences, formatScheduleDetail, formatScheduleList } from './cli-schedule-format.js';
import { callerFor, CliUsageError, type Call } from './cli-run.js';
import type { ContractHost } from './connect.js';

export interface ScheduleCommandDeps {
  /** cli.ts's: runs `work` through the owner, or owning the data directory for the command. */
  withHost(command: Command, work: (host: ContractHost) => Promise<void>): Promise<void>;
  /** cli.ts's: a path the user typed becomes absolute; anything else is passed as typed. */
  runbookQuery(query: string): string;
  /** The exit code the CLI ends with (1 when a run this command waited for did not succeed). */
  status: { exitCode: number };
}

/** Shortest schedule id prefix accepted, as for runs: shorter ones match too much by accident. */
const MIN_ID_PREFIX = 4;
/** `schedule next` lists at most this many occurrences (the contract's preview allows 100; this is local). */
const MAX_NEXT = 1000;

const HELP = `
Schedules fire only while an owner of the data directory runs: the desktop app,
\`opsdeck serve\` or \`opsdeck daemon\`. A CLI command alone fires nothing.

Every schedule reads its calendar in an explicit IANA zone (--tz). On a
spring-forward day a fixed time that does not exist runs at the first valid
instant after it; on a fall-back day a time that occurs twice runs once, the
first time; a wildcard or step hour (*/15 * * * *) runs on elapsed time.

After sleep or downtime: --catch-up latest (default) runs once, for the newest
missed occurrence; skip records the misses and runs nothing; all runs each, in
order (at most 10). Misses older than --catch-up-window (default one period,
at most 7 days) are recorded, not run. A catch-up of destructive or fan-out
steps waits for \`opsdeck schedule approve ID\`.`;

interface GlobalOptions {
  dataDir: string;
}

export function registerScheduleCommands(program: Command, deps: ScheduleCommandDeps): void {
  const { withHost } = deps;
  const schedule = program.command('schedule').description('recurring unattended runs of a runbook section, and their export to systemd, cron or Kubernetes').addHelpText('after', HELP);
  const collect = (value: string, previous: string[]): string[] => [...previous, value];

  schedule
    .command('add')
    .description("schedule a section's command steps to run unattended; prints the schedule's id")
    .argument('<RUNBOOK>', 'id, unique id prefix, file path, or title')
    .option('--section <title>', 'the section to run (exact title or unique prefix)')
    .option('--cron <expr>', 'a cron expression: 5 fields (minute first), or 6 with seconds first')
    .option('--calendar <oncalendar>', 'a systemd OnCalendar= expression')
    .option('--from-hint', "the section's schedule hint (its cron, and its zone when it names one)")
    .option('--tz <zone>', 'the IANA zone the calendar is read in (required unless the hint or OnCalendar names one)')
    .addOption(new Option('--catch-up <policy>', 'after sleep or downtime').choices(['latest', 'skip', 'all']))
    .option('--catch-up-window <duration>', 'misses older than this are recorded, not run (default one period, at most 7d)')
    .addOption(new Option('--overlap <policy>', 'an occurrence while the previous run still runs').choices(['skip', 'queue', 'allow']))
    .option('--jitter <duration>', 'a random delay up to this (the same for every occurrence), at most 24h')
    .option('--host <name>', 'run the steps on this inventory host over SSH')
    .option('--tag <tag>', 'run each step on every host with this tag')
    .option('--param <name=value>', 'a saved parameter value; repeat for each (secrets come from the owner’s environment instead)', collect, [] as string[])
    .option('--approve-destructive', 'approve the destructive steps of the section as their text is now')
    .addOption(new Option('--notify <when>', 'when to notify (desktop notification and webhook)').choices(['failure', 'always', 'never']))
    .option('--notify-webhook <url>', "POST each notified run's JSON summary here")
    .action(async (query: string, options: AddOptions, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const rb = await call('runbooks.get', { id: deps.runbookQuery(query) });
        const plan = planAdd(rb, options, process.env);
        let created: Schedule;
        try {
          created = await call('schedules.create', plan.fields);
        } catch (error) {
          if (error instanceof ContractError && error.code === 'approval_required') {
            throw new CliUsageError(`${error.message}; review the steps with \`opsdeck show ${shellWord(query)}\`, then add --approve-destructive`);
          }
          throw error;
        }
        process.stdout.write(`${created.id}\n`);
        for (const note of plan.notes) process.stderr.write(`${note}\n`);
        const zone = calendarZone(created.rules);
        const next = created.next[0];
        process.stderr.write(
          `Scheduled "${created.runbookTitle} › ${created.sectionTitle}" on ${describeTarget(created.target)}: ${describeCalendar(created.rules.calendar)} in ${created.rules.timezone}; next ${next ? formatInstant(next, zone) : 'never (the calendar has no more)'}\n`,
        );
        if (!ownerFires(command)) process.stderr.write(`${NO_OWNER}\n`);
      });
    });

  schedule
    .command('list')
    .description('list the schedules: calendar, state, next occurrence, last outcome')
    .option('--json', 'print the schedules as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withHost(command, async (host) => {
        const list = await callerFor(host)('schedules.list', {});
        if (options.json) writeJson(list);
        else writeOut(formatScheduleList(list));
      });
    });

  schedule
    .command('show')
    .description('print one schedule: rules, parameters, state, next 5 occurrences, recent records')
    .argument('<ID>', 'schedule id or unique prefix')
    .option('--json', 'print the schedule as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await withHost(command, async (host) => {
        const found = await findSchedule(callerFor(host), id);
        if (options.json) writeJson(found);
        else writeOut(formatScheduleDetail(found));
      });
    });

  schedule
    .command('next')
    .description("a schedule's next occurrences (or a calendar's, with --cron/--calendar and --tz), in its zone")
    .argument('[ID]', 'schedule id or unique prefix (not with --cron or --calendar)')
    .option('--count <n>', 'how many', (v: string) => Number(v), 5)
    .option('--from <iso-time>', 'after this instant (default: now)')
    .option('--cron <expr>', 'a cron expression instead of a schedule')
    .option('--calendar <oncalendar>', 'a systemd OnCalendar= expression instead of a schedule')
    .option('--tz <zone>', 'the IANA zone for --cron or --calendar')
    .option('--json', 'print the occurrences as a JSON array of ISO instants')
    .action(async (id: string | undefined, options: CalendarOptions & { count: number; from?: string; json?: boolean }, command: Command) => {
      if (!Number.isInteger(options.count) || options.count < 1 || options.count > MAX_NEXT) throw new CliUsageError(`--count takes a number from 1 to ${MAX_NEXT}`);
      const from = options.from === undefined ? new Date() : parseInstant(options.from);
      const print = (rules: Parameters<typeof nextOccurrences>[0]): void => {
        const next = nextOccurrences(rules, from, options.count);
        if (options.json) writeJson(next.map((d) => d.toISOString()));
        else writeOut(formatOccurrences(next, calendarZone(rules)));
      };
      if (id === undefined) {
        // Nothing but the calendar: no data directory is opened.
        print(calendarFromOptions(options));
        return;
      }
      if (options.cron !== undefined || options.calendar !== undefined || options.tz !== undefined) throw new CliUsageError('give a schedule ID, or --cron/--calendar with --tz, not both');
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const found = await findSchedule(call, id);
        print((await call('schedules.get', { id: found.id })).rules);
      });
    });

  schedule
    .command('pause')
    .description('stop a schedule firing until it is resumed (occurrences meanwhile are not misses)')
    .argument('<ID>', 'schedule id or unique prefix')
    .option('--reason <text>', 'why, shown with the schedule')
    .action(async (id: string, options: { reason?: string }, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const found = await findSchedule(call, id);
        const paused = await call('schedules.pause', { id: found.id, ...(options.reason !== undefined ? { reason: options.reason } : {}) });
        writeOut(`Paused ${label(paused)}${options.reason ? ` (${options.reason})` : ''}.`);
      });
    });

  schedule
    .command('resume')
    .description('let a paused schedule fire again, from now on')
    .argument('<ID>', 'schedule id or unique prefix')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const found = await findSchedule(call, id);
        const resumed = await call('schedules.resume', { id: found.id });
        const next = resumed.next[0];
        const state = resumed.state === 'active' ? '' : ` It is still ${resumed.state.replace('_', ' ')}${resumed.stateReason ? `: ${resumed.stateReason}` : ''}.`;
        writeOut(`Resumed ${label(resumed)}; next ${next ? formatInstant(next, calendarZone(resumed.rules)) : 'never'}.${state}`);
        if (!ownerFires(command)) process.stderr.write(`${NO_OWNER}\n`);
      });
    });

  schedule
    .command('remove')
    .description('remove a schedule (the runs it made stay in history)')
    .argument('<ID>', 'schedule id or unique prefix')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const found = await findSchedule(call, id);
        const { removed } = await call('schedules.remove', { id: found.id });
        writeOut(removed ? `Removed ${label(found)}; its runs stay in history.` : `${label(found)} was already removed.`);
      });
    });

  schedule
    .command('run-now')
    .description("start a schedule's run now, whatever its calendar; prints the run's id")
    .argument('<ID>', 'schedule id or unique prefix')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const found = await findSchedule(call, id);
        const fires = ownerFires(command);
        // Without a long-lived owner this command's process runs the steps: it stays until the run ends.
        const ended = fires ? null : followRun(host, call);
        const { runId } = await call('schedules.runNow', { id: found.id });
        process.stdout.write(`${runId}\n`);
        if (ended === null) {
          process.stderr.write(`Started run ${runId} of ${label(found)}; follow it with \`opsdeck history\` (or in the cockpit).\n`);
          return;
        }
        process.stderr.write(`Started run ${runId} of ${label(found)} in this command (no owner runs); waiting for it to end…\n`);
        const detail = await ended(runId);
        const notStarted = detail.notes.filter((n) => n.text.startsWith(NOT_STARTED)).map((n) => `✘ ${oneLine(n.text)}\n`);
        process.stderr.write(`${notStarted.join('')}${formatRunEnd(detail)}\nSee it with \`opsdeck history\`.\n`);
        if (!succeeded(detail)) deps.status.exitCode = Math.max(deps.status.exitCode, 1);
      });
    });

  schedule
    .command('approve')
    .description("approve the section's steps as they are now, and start the catch-ups waiting for approval")
    .argument('<ID>', 'schedule id or unique prefix')
    .option('--drop-waiting', 'record the waiting catch-ups as not run instead of starting them')
    .action(async (id: string, options: { dropWaiting?: boolean }, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const found = await findSchedule(call, id);
        const approved = await call('schedules.approve', { id: found.id, ...(options.dropWaiting ? { dropWaiting: true } : {}) });
        const waiting = found.waiting.length;
        const what = waiting === 0 ? '' : options.dropWaiting ? `; ${waiting} waiting catch-up${waiting === 1 ? '' : 's'} recorded as not run` : `; ${waiting} waiting catch-up${waiting === 1 ? '' : 's'} started`;
        writeOut(`Approved the steps of ${label(approved)} as they are now${what}. State: ${approved.state.replace('_', ' ')}.`);
      });
    });

  schedule
    .command('export')
    .description('the schedule as a systemd timer, a crontab line or a Kubernetes CronJob, each running `opsdeck run`')
    .argument('<ID>', 'schedule id or unique prefix')
    .addOption(new Option('--format <format>', 'what to write').choices(['systemd', 'cron', 'k8s']).makeOptionMandatory())
    .option('--image <image>', 'k8s: the container image with opsdeck and the runbook')
    .option('--environment-file <file>', 'systemd: the EnvironmentFile= with the secrets')
    .option('--namespace <namespace>', 'k8s: the namespace of the CronJob')
    .option('--out <dir>', 'write the files into this directory instead of printing them')
    .action(async (id: string, options: { format: 'systemd' | 'cron' | 'k8s'; image?: string; environmentFile?: string; namespace?: string; out?: string }, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const found = await findSchedule(call, id);
        const result = await call('schedules.export', {
          id: found.id,
          format: options.format,
          ...(options.image !== undefined ? { image: options.image } : {}),
          ...(options.environmentFile !== undefined ? { environmentFile: options.environmentFile } : {}),
          ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
        });
        if (!result.ok) throw new CliUsageError(`cannot export ${label(found)} to ${options.format}: ${result.reason}`);
        if (options.out !== undefined) {
          const dir = resolve(options.out);
          mkdirSync(dir, { recursive: true });
          for (const file of result.files) {
            const path = join(dir, basename(file.name));
            writeFileSync(path, file.content);
            writeOut(`Wrote ${path}`);
          }
        } else {
          const text = result.files.map((f) => `==> ${f.name} <==\n${f.content.endsWith('\n') ? f.content : `${f.content}\n`}`).join('\n');
          process.stdout.write(text);
        }
        for (const note of result.notes) process.stderr.write(`note: ${oneLine(note)}\n`);
      });
    });
}

const NO_OWNER = 'Nothing fires until an owner runs: the desktop app, `opsdeck serve` or `opsdeck daemon`.';

/** A long-lived owner has the data directory (this command is its client), so schedules fire. */
function ownerFires(command: Command): boolean {
  const owner = readOwner(command.optsWithGlobals<GlobalOptions>().dataDir);
  return owner !== null && owner.kind !== 'cli';
}

/** A schedule by full id or unique prefix; none or several is one line, exit 2. */
async function findSchedule(call: Call, query: string): Promise<Schedule> {
  const lower = query.trim().toLowerCase();
  const list = await call('schedules.list', {});
  const exact = list.find((s) => s.id === lower);
  if (exact) return exact;
  const matches = lower.length >= MIN_ID_PREFIX ? list.filter((s) => s.id.startsWith(lower)) : [];
  const [only] = matches;
  if (only && matches.length === 1) return only;
  if (matches.length > 1) throw new CliUsageError(`"${query}" matches several schedules: ${matches.slice(0, 5).map((s) => s.id).join(', ')}${matches.length > 5 ? ', …' : ''}`);
  throw new CliUsageError(`no schedule "${query}"${lower.length < MIN_ID_PREFIX ? ` (give at least ${MIN_ID_PREFIX} characters of its id)` : ''}; see \`opsdeck schedule list\``);
}

/**
 * Resolves, for the run id it is given, once that run has ended. Subscribed before the run starts, so no event is
 * missed; said plainly if the run stops making progress without ending (nothing left for node to wait on).
 */
function followRun(host: ContractHost, call: Call): (runId: string) => Promise<RunDetail> {
  const seen: RunDetail[] = [];
  let wanted: string | null = null;
  let done: ((d: RunDetail) => void) | null = null;
  let fail: ((e: Error) => void) | null = null;
  const check = (d: RunDetail): void => {
    if (wanted === null) seen.push(d);
    else if (d.run.id === wanted && d.run.status !== 'running') done?.(d);
  };
  const unsubscribe = host.subscribe((event, payload) => {
    if (event === 'run.updated') check(payload as RunDetail);
  });
  return async (runId) => {
    wanted = runId;
    const onStall = (): void => {
      void call('runs.get', { runId }).then((d) => {
        if (d.run.status !== 'running') done?.(d);
        else fail?.(new Error(`run ${runId} stopped making progress but did not end; it stays "running" in history`));
      }, (error: unknown) => fail?.(error instanceof Error ? error : new Error(String(error))));
    };
    process.on('beforeExit', onStall);
    try {
      return await new Promise<RunDetail>((resolveRun, rejectRun) => {
        done = resolveRun;
        fail = rejectRun;
        for (const d of seen) check(d);
        void call('runs.get', { runId }).then(check, rejectRun);
      });
    } finally {
      process.off('beforeExit', onStall);
      unsubscribe();
    }
  };
}

/** As `opsdeck run` counts it: completed, or ended with only checks left (a headless run cannot tick them). */
function succeeded(d: RunDetail): boolean {
  if (d.run.status === 'completed') return true;
  if (d.run.status !== 'incomplete') return false;
  const commands = new Set(sectionSteps(d.section).filter((s) => s.kind === 'command').map((s) => s.id));
  return d.run.left.every((s) => !commands.has(s.id));
}

function parseInstant(text: string): Date {
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || !Number.isFinite(date.getTime())) {
    throw new CliUsageError(`--from takes an ISO time such as 2026-03-06T12:00:00Z or 2026-03-06T07:00:00-05:00, got "${text}"`);
  }
  return date;
}

function label(s: Pick<Schedule, 'id' | 'runbookTitle' | 'sectionTitle'>): string {
  return `schedule ${s.id.slice(0, 8)} ("${s.runbookTitle} › ${s.sectionTitle}")`;
}

/** The runbook argument as the user could type it again in a shell. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
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
