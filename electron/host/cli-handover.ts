/**
 * `opsdeck handover`: the shift handover drafted from what happened since the last one was signed off (printed as
 * Markdown or JSON), signed off as drafted or as edited in a file (`--sign-off [--from FILE]`), with notes carried
 * forward to the next one (`--carry`); `handover ack` for the incoming operator, `handover list` and `handover show`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Handover, HandoverDraft } from '../../shared/contract/incidents.js';
import { shortIds, utc } from '../../shared/handover/format.js';
import { callerFor, CliUsageError, type Call } from './cli-run.js';
import type { ContractHost } from './connect.js';

export interface HandoverCommandDeps {
  /** cli.ts's: runs `work` through the owner, or owning the data directory for the command. */
  withHost(command: Command, work: (host: ContractHost) => Promise<void>): Promise<void>;
}

interface HandoverOptions {
  markdown?: boolean;
  json?: boolean;
  signOff?: boolean;
  carry?: string[];
  clearCarried?: boolean;
  from?: string;
}

/** Handovers listed by default. */
const LIST_LIMIT = 20;

/**
 * `handover list --json`: commander gives an option after a subcommand to the parent that has it too (the draft's
 * --json), unless the whole program takes options positionally; so a subcommand asks both.
 */
const wantsJson = (options: { json?: boolean }, command: Command): boolean => options.json === true || command.optsWithGlobals<{ json?: boolean }>().json === true;

const writeOut = (text: string): void => void process.stdout.write(`${text}\n`);
const writeJson = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

const HELP = `
The draft covers what happened since the last handover was signed off (on any
device), or since the first record: open incidents, the shift's runs (each
failure with its step and the end of its output), runs left incomplete or
interrupted, checks not ticked, schedules due in the next 24 hours or missed or
waiting for approval, follow-ups due, and the notes carried forward. It fills
the handover template of a runbook in the library (a Markdown block in a
section about handovers) or the default one, leaving the operator's fields as
the template has them. Times are UTC.

Edit before signing off: opsdeck handover --markdown > handover.md, edit it,
then opsdeck handover --sign-off --from handover.md. A signed handover is kept
exactly as signed. Carried notes stay until someone clears them
(--clear-carried); --carry adds one (repeat for several).`;

export function registerHandoverCommands(program: Command, deps: HandoverCommandDeps): void {
  const handover = program
    .command('handover')
    .description('draft the shift handover from what happened since the last one; --sign-off keeps it as signed')
    .option('--markdown', 'print only the Markdown')
    .option('--json', 'print the draft (or, with --sign-off, the signed handover) as JSON')
    .option('--sign-off', 'sign the handover off: the draft, or the file given with --from')
    .option('--carry <text>', 'a note carried forward to the next handover; repeat for several', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--clear-carried', 'drop the notes carried from the previous handover')
    .option('--from <file>', 'with --sign-off: sign off this (edited) Markdown instead of the draft')
    .addHelpText('after', HELP)
    .action(async (options: HandoverOptions, command: Command) => {
      if (options.markdown && options.json) throw new CliUsageError('choose --markdown or --json, not both');
      if (options.from && !options.signOff) throw new CliUsageError('--from names the Markdown to sign off: add --sign-off');
      const edited = options.from === undefined ? null : readMarkdown(options.from);
      await deps.withHost(command, async (host) => {
        const call = callerFor(host);
        const previous = await call('handover.draft', {});
        const carry = [...(options.clearCarried ? [] : previous.carry), ...(options.carry ?? [])];
        const changed = carry.length !== previous.carry.length || carry.some((c, i) => c !== previous.carry[i]);
        const draft = changed ? await call('handover.draft', { carry }) : previous;
        if (!options.signOff) return printDraft(draft, options);
        const signed = await call('handover.signOff', { markdown: edited ?? draft.markdown, carry: draft.carry });
        if (options.json) writeJson(signed);
        else if (options.markdown) process.stdout.write(signed.markdown);
        else writeOut(signedLine(signed));
      });
    });

  handover
    .command('ack')
    .description('acknowledge a handover as the incoming operator (default: the last one signed off)')
    .argument('[ID]', 'the handover: its id or a unique prefix')
    .option('--json', 'print the handover as JSON')
    .action(async (id: string | undefined, options: { json?: boolean }, command: Command) => {
      await deps.withHost(command, async (host) => {
        const call = callerFor(host);
        const target = id ?? (await latest(call)).id;
        const known = await call('handover.list', { limit: 500 });
        const acked = await call('handover.acknowledge', { id: target });
        const before = known.find((h) => h.id === acked.id);
        if (wantsJson(options, command)) return writeJson(acked);
        const what = `handover ${acked.id} (signed off by ${acked.signedBy} at ${utc(acked.signedAt)})`;
        writeOut(
          before?.acknowledgedAt
            ? `Already acknowledged: ${what}, by ${acked.acknowledgedBy ?? '?'} at ${utc(acked.acknowledgedAt ?? '')}.`
            : `Acknowledged ${what} as ${acked.acknowledgedBy ?? '?'} at ${utc(acked.acknowledgedAt ?? '')}.`,
        );
      });
    });

  handover
    .command('list')
    .description('list signed handovers, newest first, with who acknowledged them')
    .option('--limit <n>', 'how many', (v: string) => Number.parseInt(v, 10), LIST_LIMIT)
    .option('--json', 'print them as JSON')
    .action(async (options: { limit: number; json?: boolean }, command: Command) => {
      if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 500) throw new CliUsageError('--limit takes a number from 1 to 500');
      await deps.withHost(command, async (host) => {
        const list = await callerFor(host)('handover.list', { limit: options.limit });
        if (wantsJson(options, command)) return writeJson(list);
        writeOut(formatList(list));
      });
    });

  handover
    .command('show')
    .description('print a signed handover exactly as it was signed off (default: the last one)')
    .argument('[ID]', 'the handover: its id or a unique prefix')
    .option('--json', 'print it as JSON')
    .action(async (id: string | undefined, options: { json?: boolean }, command: Command) => {
      await deps.withHost(command, async (host) => {
        const call = callerFor(host);
        const list = await call('handover.list', { limit: 500 });
        const found = id === undefined ? list[0] : list.find((h) => h.id === id.toLowerCase()) ?? unique(list, id);
        if (!found) throw new CliUsageError(id === undefined ? 'no handover has been signed off yet' : `no handover "${id}"`);
        if (wantsJson(options, command)) return writeJson(found);
        process.stdout.write(found.markdown.endsWith('\n') ? found.markdown : `${found.markdown}\n`);
      });
    });
}

function readMarkdown(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliUsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (text.trim() === '') throw new CliUsageError(`${file} is empty: there is nothing to sign off`);
  return text;
}

async function latest(call: Call): Promise<Handover> {
  const [last] = await call('handover.list', { limit: 1 });
  if (!last) throw new CliUsageError('no handover has been signed off yet');
  return last;
}

function unique(list: readonly Handover[], prefix: string): Handover | undefined {
  const matches = prefix.length >= 4 ? list.filter((h) => h.id.startsWith(prefix.toLowerCase())) : [];
  if (matches.length > 1) throw new CliUsageError(`"${prefix}" matches several handovers: ${matches.slice(0, 5).map((h) => h.id).join(', ')}`);
  return matches[0];
}

function printDraft(draft: HandoverDraft, options: HandoverOptions): void {
  if (options.json) return writeJson(draft);
  process.stdout.write(draft.markdown);
  if (options.markdown) return;
  const template = draft.template.kind === 'runbook' ? "the runbook's handover template" : 'the default template';
  writeOut(`\n— Draft since ${utc(draft.since)}, from ${template}. Sign it off with: opsdeck handover --sign-off`);
}

function signedLine(h: Handover): string {
  const carried = h.carry.length === 0 ? 'no notes carried forward' : `${h.carry.length} note${h.carry.length === 1 ? '' : 's'} carried forward`;
  return `Signed off handover ${h.id} as ${h.signedBy} at ${utc(h.signedAt)} (since ${utc(h.since)}); ${carried}. The incoming operator acknowledges it with: opsdeck handover ack`;
}

function formatList(list: readonly Handover[]): string {
  if (list.length === 0) return 'No handover has been signed off yet.';
  const ids = shortIds(list.map((h) => h.id));
  const rows = list.map((h) => [
    ids.get(h.id) ?? h.id,
    utc(h.signedAt),
    h.signedBy,
    `since ${utc(h.since)}`,
    h.acknowledgedBy ? `acknowledged by ${h.acknowledgedBy} at ${utc(h.acknowledgedAt ?? '')}` : 'not acknowledged',
    h.carry.length > 0 ? `${h.carry.length} carried` : '',
  ]);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}
