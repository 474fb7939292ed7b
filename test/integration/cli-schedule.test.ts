/**
 * `opsdeck schedule ...` as a user runs it: the built bin in a child process against a temp data directory (seed
 * 001 and small runbooks written here), checking what it prints, its exit codes, and what the schedules then are.
 * `schedule next --cron` needs no data directory at all.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Schedule } from '../../shared/contract/schedules.js';
import { root, spawnOpsdeck, startOpsdeck, type Outcome } from '../helpers/cli.js';

const seed001 = join(root, 'test', 'fixtures', 'seeds', '001.md');
const SEED_TITLE = 'Operational Runbooks - Agent Lab';
/** The values seed 001's health check needs (its example host and ssh target); nothing connects to them here. */
const HEALTH_PARAMS = ['--param', 'agent-lab.your-domain.com=localhost', '--param', 'user@server=ops@localhost'];

const NIGHTLY = `# Nightly Chores

## Touch the marker

\`\`\`bash
touch "$MARKER_DIR/ran"
\`\`\`

## Every half minute

\`\`\`bash
echo tick
\`\`\`
`;

let tmp: string;
let dataDir: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-cli-schedule-'));
  dataDir = join(tmp, 'data');
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function opsdeck(args: readonly string[], env: Record<string, string> = {}): Outcome {
  return spawnOpsdeck(['--data-dir', dataDir, ...args], tmp, env);
}

const lines = (text: string): string[] => text.split('\n').filter(Boolean);

function importSeed(): void {
  expect(opsdeck(['import', seed001]).code).toBe(0);
}

/** `schedule add`, expected to succeed: its stdout is the new schedule's id, alone. */
function add(args: readonly string[], env: Record<string, string> = {}): { id: string; out: Outcome } {
  const out = opsdeck(['schedule', 'add', ...args], env);
  expect(out.stderr.startsWith('opsdeck:'), out.stderr).toBe(false);
  expect(out.code).toBe(0);
  expect(out.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
  return { id: out.stdout.trim(), out };
}

function schedules(): Schedule[] {
  const out = opsdeck(['schedule', 'list', '--json']);
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as Schedule[];
}

function show(id: string): Schedule {
  const out = opsdeck(['schedule', 'show', id, '--json']);
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as Schedule;
}

/** One line on stderr starting `opsdeck:`, nothing on stdout, exit 2. */
function expectRefusal(out: Outcome, pattern: RegExp): void {
  expect(out.stdout).toBe('');
  expect(lines(out.stderr)).toEqual([expect.stringMatching(/^opsdeck: /)]);
  expect(out.stderr).toMatch(pattern);
  expect(out.code).toBe(2);
}

describe('opsdeck schedule next (pure computation)', { timeout: 20_000 }, () => {
  it('lists weekday mornings in New York with the zone and offset, across the spring-forward change', () => {
    const out = spawnOpsdeck(['schedule', 'next', '--cron', '0 9 * * 1-5', '--tz', 'America/New_York', '--from', '2026-03-06T12:00:00Z', '--count', '4'], tmp, { OPSDECK_HOME: dataDir });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      ['Fri 2026-03-06 09:00 EST (-05:00)', 'Mon 2026-03-09 09:00 EDT (-04:00)', 'Tue 2026-03-10 09:00 EDT (-04:00)', 'Wed 2026-03-11 09:00 EDT (-04:00)', ''].join('\n'),
    );
    // Nothing but the calendar: no data directory was made.
    expect(existsSync(dataDir)).toBe(false);
  });

  it('runs a time lost to spring-forward at the first valid instant, and prints JSON instants', () => {
    const out = spawnOpsdeck(['schedule', 'next', '--cron', '30 2 * * *', '--tz', 'America/New_York', '--from', '2026-03-07T12:00:00Z', '--count', '2', '--json'], tmp, { OPSDECK_HOME: dataDir });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
  });

  it('reads an OnCalendar expression with its own zone, and refuses bad calendars, zones and a missing --tz in one line', () => {
    const onCalendar = spawnOpsdeck(['schedule', 'next', '--calendar', '*-*-* 00:15:00 UTC', '--from', '2026-03-06T12:00:00Z', '--count', '2'], tmp);
    expect(onCalendar.stdout).toBe('Sat 2026-03-07 00:15 UTC (+00:00)\nSun 2026-03-08 00:15 UTC (+00:00)\n');
    expectRefusal(spawnOpsdeck(['schedule', 'next', '--cron', '0 25 * * *', '--tz', 'America/New_York'], tmp), /--cron "0 25 \* \* \*": .*hour/);
    expectRefusal(spawnOpsdeck(['schedule', 'next', '--cron', '0 9 * *', '--tz', 'America/New_York'], tmp), /5 fields/);
    expectRefusal(spawnOpsdeck(['schedule', 'next', '--cron', '0 9 * * *', '--tz', 'Mars/Olympus_Mons'], tmp), /unknown time zone "Mars\/Olympus_Mons"/);
    expectRefusal(spawnOpsdeck(['schedule', 'next', '--cron', '0 9 * * *'], tmp), /pass --tz ZONE: .*this machine's is /);
  });
});

describe('opsdeck schedule (schedules in the data directory)', { timeout: 60_000 }, () => {
  it("adds seed 001's Morning Health Check from its hint, then lists, shows, pauses, resumes and removes it", () => {
    importSeed();
    const { id, out } = add([SEED_TITLE, '--section', 'Morning Health Check', '--from-hint', ...HEALTH_PARAMS]);
    expect(out.stderr).toContain('From the hint "Daily, 9:00 AM EST": cron 0 9 * * * in America/New_York');
    expect(out.stderr).toContain(`Scheduled "${SEED_TITLE} › Morning Health Check Runbook" on the owner's machine: cron 0 9 * * * in America/New_York`);
    expect(out.stderr).toContain('Nothing fires until an owner runs');

    const saved = show(id);
    expect(saved).toMatchObject({
      sectionTitle: 'Morning Health Check Runbook',
      target: { kind: 'local' },
      rules: { calendar: { kind: 'cron', expr: '0 9 * * *' }, timezone: 'America/New_York', catchUp: 'latest', overlap: 'skip', jitterSec: 0, catchUpWindowSec: null },
      params: { 'agent-lab.your-domain.com': 'localhost', 'user@server': 'ops@localhost' },
      secrets: {},
      notify: { on: 'failure', webhook: null },
      state: 'active',
    });

    const table = lines(opsdeck(['schedule', 'list']).stdout);
    expect(table[0]).toMatch(/^ID +RUNBOOK › SECTION +CALENDAR +STATE +NEXT +LAST$/);
    expect(table[1]).toMatch(new RegExp(`^${id.slice(0, 8)}\\S* +${SEED_TITLE} › Morning Health .* cron 0 9 \\* \\* \\* \\(America/New_York\\) +active +\\d{4}-\\d\\d-\\d\\d 09:00 E[SD]T \\(-0[45]:00\\) +—$`));

    // A unique prefix names it; show prints it in full with its next five mornings in New York.
    const detail = opsdeck(['schedule', 'show', id.slice(0, 13)]);
    expect(detail.code).toBe(0);
    expect(detail.stdout).toContain(`Schedule ${id}\n`);
    expect(detail.stdout).toContain('  calendar  cron 0 9 * * * in America/New_York\n');
    expect(detail.stdout.match(/^ {2}\w{3} \d{4}-\d\d-\d\d 09:00 E[SD]T \(-0[45]:00\)$/gm)).toHaveLength(5);

    const next = opsdeck(['schedule', 'next', id, '--from', '2026-03-06T12:00:00Z', '--count', '3']);
    expect(next.stdout).toBe('Fri 2026-03-06 09:00 EST (-05:00)\nSat 2026-03-07 09:00 EST (-05:00)\nSun 2026-03-08 09:00 EDT (-04:00)\n');

    const paused = opsdeck(['schedule', 'pause', id, '--reason', 'maintenance week']);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^Paused schedule .* \(maintenance week\)\.$/m);
    expect(show(id)).toMatchObject({ state: 'paused', stateReason: 'maintenance week' });
    expect(opsdeck(['schedule', 'list']).stdout).toMatch(/ paused +— +—$/m);

    const resumed = opsdeck(['schedule', 'resume', id]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^Resumed schedule .*; next \d{4}-\d\d-\d\d 09:00 E[SD]T \(-0[45]:00\)\.$/m);
    expect(show(id).state).toBe('active');

    const removed = opsdeck(['schedule', 'remove', id]);
    expect(removed.stdout).toMatch(/^Removed schedule /);
    expect(schedules()).toEqual([]);
    expect(opsdeck(['schedule', 'list']).stdout).toMatch(/^No schedules yet/);
    expectRefusal(opsdeck(['schedule', 'show', id]), /no schedule ".*"; see `opsdeck schedule list`/);
  });

  it('refuses a section with destructive steps until --approve-destructive; its secret comes from the owner’s environment', () => {
    importSeed();
    const args = [SEED_TITLE, '--section', 'Weekly Maintenance Runbook', '--from-hint', ...HEALTH_PARAMS];
    expectRefusal(opsdeck(['schedule', 'add', ...args]), /destructive.*review the steps with `opsdeck show '?Operational Runbooks - Agent Lab'?`, then add --approve-destructive/);
    expect(schedules()).toEqual([]);

    // A secret is never saved: not from --param, and not from this environment either.
    expectRefusal(opsdeck(['schedule', 'add', ...args, '--approve-destructive', '--param', 'SLACK_WEBHOOK_URL=https://hooks.example/x']), /SLACK_WEBHOOK_URL is a secret/);
    const { id, out } = add([...args, '--approve-destructive'], { SLACK_WEBHOOK_URL: 'https://hooks.example/secret-value' });
    expect(out.stderr).toContain('must have SLACK_WEBHOOK_URL in its environment when the schedule fires');
    const saved = show(id);
    expect(saved.secrets).toEqual({ SLACK_WEBHOOK_URL: { from: 'env', variable: 'SLACK_WEBHOOK_URL' } });
    expect(saved.params).not.toHaveProperty('SLACK_WEBHOOK_URL');
    expect(JSON.stringify(saved)).not.toContain('secret-value');
    expect(saved.rules.calendar).toEqual({ kind: 'cron', expr: '0 2 * * 0' });
  });

  it('refuses, in one line and creating nothing, a bad cron, a bad zone, a hint with no zone or no time, and missing parameters', () => {
    importSeed();
    const section = [SEED_TITLE, '--section', 'Morning Health Check'];
    expectRefusal(opsdeck(['schedule', 'add', ...section, '--cron', '0 9 * * * * *', '--tz', 'America/New_York', ...HEALTH_PARAMS]), /5 fields/);
    expectRefusal(opsdeck(['schedule', 'add', ...section, '--cron', '61 9 * * *', '--tz', 'America/New_York', ...HEALTH_PARAMS]), /--cron "61 9 \* \* \*"/);
    expectRefusal(opsdeck(['schedule', 'add', ...section, '--cron', '0 9 * * *', '--tz', 'Atlantis/Capital', ...HEALTH_PARAMS]), /unknown time zone "Atlantis\/Capital"/);
    expectRefusal(opsdeck(['schedule', 'add', ...section, '--cron', '0 9 * * *', ...HEALTH_PARAMS]), /pass --tz ZONE/);
    expectRefusal(opsdeck(['schedule', 'add', ...section, '--from-hint']), /missing parameters: agent-lab\.your-domain\.com, user@server/);
    expectRefusal(opsdeck(['schedule', 'add', SEED_TITLE, '--section', 'Monthly Infrastructure Review', '--from-hint', ...HEALTH_PARAMS]), /"Monthly, first Monday" names no time zone: pass --tz ZONE/);
    expectRefusal(opsdeck(['schedule', 'add', SEED_TITLE, '--section', 'Alert Investigation Runbook', '--from-hint']), /"When alerts fire" gives no time to run at: runs when an event happens/);
    expectRefusal(opsdeck(['schedule', 'add', ...section, '--cron', '0 9 * * *', '--tz', 'UTC', '--jitter', '2d', ...HEALTH_PARAMS]), /--jitter is at most 24 hours/);
    expectRefusal(opsdeck(['schedule', 'add', ...section, '--cron', '0 9 * * *', '--tz', 'UTC', '--catch-up-window', '8d', ...HEALTH_PARAMS]), /--catch-up-window is at most 7 days/);
    expect(schedules()).toEqual([]);

    // The hint's zone is only a default: --tz fills in one the hint does not name.
    const { id } = add([SEED_TITLE, '--section', 'Monthly Infrastructure Review', '--from-hint', '--tz', 'Europe/Berlin', ...HEALTH_PARAMS, '--catch-up', 'all', '--catch-up-window', '1h30m', '--jitter', '90s', '--overlap', 'queue']);
    expect(show(id).rules).toEqual({ calendar: { kind: 'cron', expr: '0 9 * * 1#1' }, timezone: 'Europe/Berlin', catchUp: 'all', catchUpWindowSec: 5400, overlap: 'queue', jitterSec: 90 });
  });

  it('exports a schedule to systemd (printed, or written with --out) and refuses what cron cannot express', () => {
    writeFileSync(join(tmp, 'nightly.md'), NIGHTLY);
    expect(opsdeck(['import', join(tmp, 'nightly.md')]).code).toBe(0);
    const { id } = add(['Nightly Chores', '--section', 'Touch the marker', '--cron', '15 0 * * *', '--tz', 'UTC'], { MARKER_DIR: tmp });
    expect(show(id).params).toEqual({ MARKER_DIR: tmp });

    const printed = opsdeck(['schedule', 'export', id, '--format', 'systemd']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`==> opsdeck-${id}.service <==\n`);
    expect(printed.stdout).toContain(`==> opsdeck-${id}.timer <==\n`);
    expect(printed.stdout).toMatch(/^OnCalendar=\*-\*-\* 00:15:00 UTC$/m);
    expect(printed.stdout).toMatch(/^Persistent=true$/m);
    expect(lines(printed.stderr).every((l) => l.startsWith('note: '))).toBe(true);

    const out = join(tmp, 'units');
    const written = opsdeck(['schedule', 'export', id, '--format', 'systemd', '--out', out]);
    expect(written.stdout).toBe(`Wrote ${join(out, `opsdeck-${id}.service`)}\nWrote ${join(out, `opsdeck-${id}.timer`)}\n`);
    expect(readdirSync(out).sort()).toEqual([`opsdeck-${id}.service`, `opsdeck-${id}.timer`]);
    expect(readFileSync(join(out, `opsdeck-${id}.timer`), 'utf8')).toMatch(/^OnCalendar=\*-\*-\* 00:15:00 UTC$/m);

    const { id: everyHalfMinute } = add(['Nightly Chores', '--section', 'Every half minute', '--cron', '*/30 * * * * *', '--tz', 'UTC']);
    expectRefusal(opsdeck(['schedule', 'export', everyHalfMinute, '--format', 'cron']), /^opsdeck: cannot export schedule .* to cron: seconds cannot be expressed/);
  });

  // Skipped until a CLI owner loads the shell grammar for schedules.runNow (host.ts NEEDS_SHELL lacks it): today the
  // run ends at once, "Not started: the shell grammar is not loaded yet". Through a daemon (below) it runs.
  it('runs a schedule now: with no owner running, this command runs it to the end and prints the run id', () => {
    writeFileSync(join(tmp, 'nightly.md'), NIGHTLY);
    expect(opsdeck(['import', join(tmp, 'nightly.md')]).code).toBe(0);
    const { id } = add(['Nightly Chores', '--section', 'Touch the marker', '--cron', '0 3 * * *', '--tz', 'Europe/Berlin'], { MARKER_DIR: tmp });
    const out = opsdeck(['schedule', 'run-now', id.slice(0, 13)]);
    expect(out.stderr).toContain('opsdeck history');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(existsSync(join(tmp, 'ran'))).toBe(true);
    const history = JSON.parse(opsdeck(['history', '--json']).stdout) as Array<{ id: string; origin: string; status: string }>;
    expect(history[0]).toMatchObject({ id: out.stdout.trim(), origin: 'schedule', status: 'completed' });
    expect(show(id).recent[0]?.outcome).toMatchObject({ kind: 'started', runId: out.stdout.trim() });
  });

  it('through a running daemon: add says nothing about a missing owner, run-now prints the run id and returns, the daemon runs it', async () => {
    writeFileSync(join(tmp, 'nightly.md'), NIGHTLY);
    expect(opsdeck(['import', join(tmp, 'nightly.md')]).code).toBe(0);
    const daemon = startOpsdeck(['--data-dir', dataDir, 'daemon'], tmp);
    try {
      await new Promise<void>((resolve, reject) => {
        let said = '';
        daemon.stdout?.on('data', (d: Buffer) => {
          said += d.toString();
          if (said.includes('CLI commands reach it')) resolve();
        });
        daemon.once('exit', () => reject(new Error(`the daemon stopped: ${said}`)));
      });
      const { id, out } = add(['Nightly Chores', '--section', 'Touch the marker', '--cron', '0 3 * * *', '--tz', 'Europe/Berlin'], { MARKER_DIR: tmp });
      expect(out.stderr).not.toContain('Nothing fires');
      const started = opsdeck(['schedule', 'run-now', id]);
      expect(started.code).toBe(0);
      const runId = started.stdout.trim();
      expect(started.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
      expect(started.stderr).toContain(`Started run ${runId} of schedule ${id.slice(0, 8)} ("Nightly Chores › Touch the marker"); follow it with \`opsdeck history\``);
      // The daemon runs it after this command has returned: its history says so once it ends.
      let run: { id: string; origin: string; status: string } | undefined;
      for (let i = 0; i < 200 && (run === undefined || run.status === 'running'); i++) {
        run = (JSON.parse(opsdeck(['history', '--json']).stdout) as Array<{ id: string; origin: string; status: string }>).find((r) => r.id === runId);
        if (run?.status === 'running' || run === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(run).toMatchObject({ origin: 'schedule', status: 'completed' });
      expect(existsSync(join(tmp, 'ran'))).toBe(true);
    } finally {
      const stopped = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGTERM');
      await stopped;
    }
  });

  it('says in its help that schedules fire only while an owner runs, and the catch-up and DST rules', () => {
    const help = spawnOpsdeck(['schedule', '--help'], tmp);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Schedules fire only while an owner of the data directory runs: the desktop app,\n`opsdeck serve` or `opsdeck daemon`.');
    expect(help.stdout).toMatch(/--catch-up latest \(default\) runs once/);
    expect(help.stdout).toMatch(/spring-forward/);
  });
});
