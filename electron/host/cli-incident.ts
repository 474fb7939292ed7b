/**
 * `opsdeck incident ...`: declare an incident and keep its record from the command line, through the contract like
 * any client: open, list, show, note (backdated with --at), status, severity, timeline, link a run, follow-ups, the
 * drafted status update (recorded as sent with --send) and post-mortem.
 * `opsdeck run ... --incident ID` links its run too (cli-run.ts). An incident is named by its id or a unique prefix.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { IncidentStatus, IncidentSummary } from '../../shared/contract/incidents.js';
import { formatIncident, formatIncidentList, formatTimeline, utc } from './cli-incident-format.js';
import { callerFor, CliUsageError, type Call } from './cli-run.js';
import type { ContractHost } from './connect.js';

export interface IncidentCommandDeps {
  /** cli.ts's: runs `work` through the owner, or owning the data directory for the command. */
  withHost(command: Command, work: (host: ContractHost) => Promise<void>): Promise<void>;
}

/** Shortest id prefix accepted, as for runs and schedules: shorter ones match too much by accident. */
const MIN_ID_PREFIX = 4;
const STATUSES: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved'];

const writeOut = (text: string): void => void process.stdout.write(`${text}\n`);
const writeJson = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** An incident by id or unique id prefix. */
export async function findIncident(call: Call, query: string): Promise<IncidentSummary> {
  const lower = query.trim().toLowerCase();
  const all = await call('incidents.list', {});
  const exact = all.filter((i) => i.id === lower);
  const matches = exact.length > 0 ? exact : lower.length >= MIN_ID_PREFIX ? all.filter((i) => i.id.startsWith(lower)) : [];
  const [only] = matches;
  if (matches.length === 1 && only) return only;
  if (matches.length === 0) {
    throw new CliUsageError(lower.length < MIN_ID_PREFIX && exact.length === 0 ? `no incident "${query}" (give at least ${MIN_ID_PREFIX} characters of its id)` : `no incident "${query}"`);
  }
  throw new CliUsageError(`"${query}" matches several incidents: ${matches.slice(0, 5).map((i) => `${i.id} (${i.title})`).join(', ')}`);
}

/** A run by id or unique id prefix, among the last 1,000 runs (an older one by its full id). */
async function findRunId(call: Call, query: string): Promise<string> {
  const lower = query.trim().toLowerCase();
  const recent = await call('runs.list', { limit: 1000 });
  if (recent.some((r) => r.id === lower)) return lower;
  const matches = lower.length >= MIN_ID_PREFIX ? recent.filter((r) => r.id.startsWith(lower)) : [];
  if (matches.length > 1) throw new CliUsageError(`"${query}" matches several runs: ${matches.slice(0, 5).map((r) => r.id).join(', ')}`);
  return matches[0]?.id ?? query;
}

/**
 * A time as typed: an ISO time with or without offset (without: this machine's zone), or "14:02" (today, here).
 * Returned as an ISO instant; the owner refuses one in the future.
 */
export function parseTime(text: string, now: Date = new Date()): string {
  const trimmed = text.trim();
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(trimmed);
  if (clock) {
    const [h, m, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (h > 23 || m > 59 || s > 59) throw new CliUsageError(`"${text}" is not a time of day`);
    const at = new Date(now);
    at.setHours(h, m, s, 0);
    return at.toISOString();
  }
  const t = Date.parse(trimmed);
  if (Number.isNaN(t)) throw new CliUsageError(`"${text}" is not a time: give an ISO time (2026-06-01T14:02:00Z) or HH:MM for today`);
  return new Date(t).toISOString();
}

interface JsonOption {
  json?: boolean;
}

export function registerIncidentCommands(program: Command, deps: IncidentCommandDeps): Command {
  const { withHost } = deps;
  const incident = program.command('incident').description('declare an incident and keep its timeline: notes, status, severity, linked runs, follow-ups');

  incident
    .command('open')
    .description("declare an incident; prints its id")
    .requiredOption('--title <text>', 'what is happening, in a line')
    .requiredOption('--severity <level>', 'its severity: the runbook’s levels (P0..P3) with --runbook, else SEV-1..SEV-5')
    .option('--summary <text>', 'what is known so far')
    .option('--service <name>', 'the affected service')
    .option('--runbook <runbook>', 'the runbook that describes the response (its severity levels, templates, escalation path)')
    .option('--detected <time>', 'when it was detected (the alert fired), if before now: ISO time or HH:MM today')
    .option('--json', 'print the incident as JSON')
    .action(async (options: { title: string; severity: string; summary?: string; service?: string; runbook?: string; detected?: string } & JsonOption, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const runbookId = options.runbook !== undefined ? (await call('runbooks.get', { id: options.runbook })).id : undefined;
        const detail = await call('incidents.declare', {
          title: options.title,
          severity: options.severity,
          ...(options.summary !== undefined ? { summary: options.summary } : {}),
          ...(options.service !== undefined ? { service: options.service } : {}),
          ...(runbookId !== undefined ? { runbookId } : {}),
          ...(options.detected !== undefined ? { detectedAt: parseTime(options.detected) } : {}),
        });
        if (options.json) writeJson(detail);
        else writeOut(detail.id);
      });
    });

  incident
    .command('list')
    .description('list incidents, newest first')
    .option('--open', 'only those not resolved')
    .option('--json', 'print the list as JSON')
    .action(async (options: { open?: boolean } & JsonOption, command: Command) => {
      await withHost(command, async (host) => {
        const list = await callerFor(host)('incidents.list', options.open ? { open: true } : {});
        if (options.json) writeJson(list);
        else writeOut(formatIncidentList(list));
      });
    });

  incident
    .command('show')
    .description('one incident: severity, status, roles, milestones and durations, updates, escalation, follow-ups')
    .argument('<ID>', 'id or unique id prefix')
    .option('--json', 'print the incident (with its timeline) as JSON')
    .action(async (query: string, options: JsonOption, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const detail = await call('incidents.get', { id: (await findIncident(call, query)).id });
        if (options.json) writeJson(detail);
        else writeOut(formatIncident(detail));
      });
    });

  incident
    .command('timeline')
    .description('what happened, in order: changes, notes, runs and each step attempt with its command and exit code (times in UTC)')
    .argument('<ID>', 'id or unique id prefix')
    .option('--json', 'print the entries as JSON')
    .action(async (query: string, options: JsonOption, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const { timeline } = await call('incidents.get', { id: (await findIncident(call, query)).id });
        if (options.json) writeJson(timeline);
        else writeOut(formatTimeline(timeline));
      });
    });

  incident
    .command('note')
    .description('add a note to the timeline (backdate it with --at: "alert fired" at 14:02)')
    .argument('<ID>', 'id or unique id prefix')
    .argument('<TEXT>', 'the note')
    .option('--at <time>', 'when it happened: ISO time, or HH:MM today')
    .action(async (query: string, text: string, options: { at?: string }, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const { id } = await findIncident(call, query);
        await call('incidents.note', { id, text, ...(options.at !== undefined ? { at: parseTime(options.at) } : {}) });
        writeOut(`Noted on ${id}.`);
      });
    });

  incident
    .command('status')
    .description('change the status (resolved -> investigating reopens it)')
    .argument('<ID>', 'id or unique id prefix')
    .argument('<STATUS>', STATUSES.join('|'))
    .action(async (query: string, status: string, _options: unknown, command: Command) => {
      if (!(STATUSES as readonly string[]).includes(status)) throw new CliUsageError(`status is one of ${STATUSES.join(', ')}; got "${status}"`);
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const found = await findIncident(call, query);
        const detail = await call('incidents.setStatus', { id: found.id, status: status as IncidentStatus });
        writeOut(`${detail.id}: ${found.status === status ? `already ${status}` : `${found.status} → ${detail.status}`}.`);
      });
    });

  incident
    .command('severity')
    .description('change the severity')
    .argument('<ID>', 'id or unique id prefix')
    .argument('<LEVEL>', 'one of the incident’s levels (opsdeck incident show lists them with --json)')
    .action(async (query: string, level: string, _options: unknown, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const found = await findIncident(call, query);
        const detail = await call('incidents.setSeverity', { id: found.id, severity: level });
        writeOut(`${detail.id}: ${found.severity === detail.severity ? `already ${detail.severity}` : `${found.severity} → ${detail.severity}`}.`);
      });
    });

  incident
    .command('link')
    .description('the run belongs to the incident: its attempts, ticks, skips and notes join the timeline')
    .argument('<ID>', 'id or unique id prefix')
    .argument('<RUN>', 'run id or unique prefix')
    .action(async (query: string, run: string, _options: unknown, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const { id } = await findIncident(call, query);
        const runId = await findRunId(call, run);
        await call('incidents.linkRun', { id, runId });
        writeOut(`Run ${runId} belongs to incident ${id}.`);
      });
    });

  incident
    .command('follow-up')
    .description('a follow-up action with its owner (and a due date)')
    .argument('<ID>', 'id or unique id prefix')
    .argument('<TEXT>', 'what is to be done')
    .requiredOption('--owner <name>', 'who does it')
    .option('--due <time>', 'when it is due: an ISO date or time')
    .action(async (query: string, text: string, options: { owner: string; due?: string }, command: Command) => {
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const { id } = await findIncident(call, query);
        const detail = await call('incidents.followUp', { id, text, owner: options.owner, ...(options.due !== undefined ? { due: parseTime(options.due) } : {}) });
        writeOut(detail.followups.at(-1)?.id ?? '');
      });
    });

  incident
    .command('update')
    .description("print the status update drafted from the runbook's communication template (or the default one); --send records it as sent")
    .argument('<ID>', 'id or unique id prefix')
    .option('--send', 'record it as sent (the next update falls due a cadence from now)')
    .option('--webhook <url>', 'also POST it to this webhook (a Slack incoming webhook), through the outbox while offline; implies --send')
    .action(async (query: string, options: { send?: boolean; webhook?: string }, command: Command) => {
      if (options.webhook !== undefined && !isHttpUrl(options.webhook)) throw new CliUsageError(`--webhook takes an http(s) URL; got "${options.webhook}"`);
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const { id } = await findIncident(call, query);
        const { text } = await call('incidents.draftUpdate', { id });
        writeOut(text);
        if (!options.send && options.webhook === undefined) return;
        const sent = await call('incidents.sendUpdate', { id, text, ...(options.webhook !== undefined ? { webhook: options.webhook } : {}) });
        const posted = options.webhook !== undefined ? `, and queued for ${new URL(options.webhook).host}` : '';
        process.stderr.write(`Recorded as sent on ${id}${posted}. Next update due ${sent.nextUpdateDue ? utc(sent.nextUpdateDue) : 'on a status change'}.\n`);
      });
    });

  incident
    .command('postmortem')
    .description("print the post-mortem drafted in Markdown, with the sections the runbook asks for (times in UTC)")
    .argument('<ID>', 'id or unique id prefix')
    .option('--output <file>', 'write it to this file instead (never over an existing one)')
    .action(async (query: string, options: { output?: string }, command: Command) => {
      const output = options.output !== undefined ? resolve(options.output) : undefined;
      if (output !== undefined && existsSync(output)) throw new CliUsageError(`${options.output} exists: not overwriting it (remove it or choose another --output)`);
      await withHost(command, async (host) => {
        const call = callerFor(host);
        const { markdown } = await call('incidents.postmortem', { id: (await findIncident(call, query)).id });
        if (output === undefined) {
          process.stdout.write(markdown);
          return;
        }
        await writeNew(output, markdown, options.output ?? output);
        writeOut(`Wrote ${options.output}.`);
      });
    });

  return incident;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Writes a file that must not exist yet (`wx`: not even one made meanwhile); `shown` is the path as typed. */
async function writeNew(path: string, text: string, shown: string): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliUsageError(`${shown} exists: not overwriting it (remove it or choose another --output)`);
    if (code === 'ENOENT') throw new CliUsageError(`cannot write ${shown}: its directory does not exist`);
    if (code === 'EACCES' || code === 'EPERM') throw new CliUsageError(`cannot write ${shown}: permission denied`);
    if (code === 'EISDIR') throw new CliUsageError(`cannot write ${shown}: it is a directory`);
    throw error;
  }
}
