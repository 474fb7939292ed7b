/**
 * Exported schedules checked by the engines themselves: systemd-analyze verifies the .service/.timer pair and
 * computes the timer's next elapses, which must be the planner's next occurrences; the crontab line goes through
 * cron's own `%` rule and a real /bin/sh and must hand `opsdeck run` exactly the arguments the schedule holds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schedule as baseSchedule } from '../helpers/schedule-export.js';
import type { RunDetail } from '../../shared/contract/schemas.js';
import type { ScheduleRules } from '../../shared/model/schedule.js';
import { exportSchedule } from '../../shared/schedule/export.js';
import type { ExportableSchedule, ExportContext, ExportFile } from '../../shared/schedule/export.js';
import { nextOccurrences } from '../../shared/schedule/occurrences.js';
import { bin } from '../helpers/cli.js';
import { HOSTILE_VALUES } from '../helpers/hostile-values.js';

const SYSTEMD_ANALYZE = process.env.SYSTEMD_ANALYZE ?? '/usr/bin/systemd-analyze';
const IN_CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const haveAnalyze = existsSync(SYSTEMD_ANALYZE);
if (!haveAnalyze && !IN_CI) {
  console.warn(`schedule-export: ${SYSTEMD_ANALYZE} is missing, skipping the systemd checks (Debian: apt-get install systemd; CI fails without it)`);
}

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Stands in for opsdeck: prints its arguments NUL-separated, so a test sees exactly what a run would be given. */
const fakeOpsdeck = join(dir, 'opsdeck');
writeFileSync(fakeOpsdeck, '#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done\n');
chmodSync(fakeOpsdeck, 0o755);

const NOW = new Date('2026-01-10T12:00:00Z');
const context: ExportContext = { opsdeckCommand: [fakeOpsdeck], now: NOW };

/** The shared test schedule, read in UTC. */
const schedule = (rules: Partial<ScheduleRules>, over: Partial<ExportableSchedule> = {}): ExportableSchedule => baseSchedule(rules, over, 'UTC');

function files(s: ExportableSchedule, format: 'systemd' | 'cron' | 'k8s'): ExportFile[] {
  const result = exportSchedule(s, format, context);
  if (!result.ok) throw new Error(`export refused: ${result.reason}`);
  return result.files;
}

/** The timer's OnCalendar= values; a timer fires at the union of them. */
const onCalendars = (timer: string): string[] => timer.split('\n').filter((l) => l.startsWith('OnCalendar=')).map((l) => l.slice('OnCalendar='.length));

/** systemd's own next elapses of a timer's calendars after `base`, as ISO strings. */
function systemdNext(specs: readonly string[], base: Date, count: number): string[] {
  const out = execFileSync(SYSTEMD_ANALYZE, ['calendar', `--iterations=${count}`, `--base-time=@${Math.floor(base.getTime() / 1000)}`, ...specs], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  const times = [...out.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map((m) => `${m[1]?.replace(' ', 'T')}.000Z`);
  return [...new Set(times)].sort().slice(0, count);
}

function verify(unitFiles: readonly ExportFile[]): { status: number | null; output: string } {
  const paths = unitFiles.map((f) => {
    const path = join(dir, f.name);
    writeFileSync(path, f.content);
    return path;
  });
  const result = spawnSync(SYSTEMD_ANALYZE, ['verify', '--man=no', ...paths], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!haveAnalyze && !IN_CI)('systemd export, checked by systemd-analyze', () => {
  it('finds systemd-analyze (CI installs it: apt-get install systemd)', () => {
    expect(haveAnalyze, `${SYSTEMD_ANALYZE} is missing`).toBe(true);
  });

  const cases: Array<[label: string, rules: Partial<ScheduleRules>, base: string]> = [
    ['a 5-field cron on weekdays', { calendar: { kind: 'cron', expr: '30 9 * * 1-5' }, timezone: 'Europe/Berlin' }, '2026-01-09T00:00:00Z'],
    ['a 6-field cron with seconds', { calendar: { kind: 'cron', expr: '15,45 */20 8-17 * * *' }, timezone: 'Asia/Tokyo' }, '2026-01-10T08:55:00Z'],
    ['steps in ranges and to the end of a field', { calendar: { kind: 'cron', expr: '5-25/10 8-18/2 1-31/10 2-12/5 SAT,SUN' }, timezone: 'UTC' }, '2026-01-10T00:00:00Z'],
    ['a cron that ORs days of the month with weekdays', { calendar: { kind: 'cron', expr: '0 6 1,15 * MON' }, timezone: 'UTC' }, '2026-01-10T00:00:00Z'],
    ['the first Monday (croner AND)', { calendar: { kind: 'cron', expr: '0 9 1-7 * +MON' }, timezone: 'America/New_York' }, '2026-01-10T00:00:00Z'],
    ['the last day of the month', { calendar: { kind: 'cron', expr: '0 23 L * *' }, timezone: 'UTC' }, '2026-01-10T00:00:00Z'],
    ['the last Friday', { calendar: { kind: 'cron', expr: '0 18 * * 5L' }, timezone: 'Europe/London' }, '2026-01-10T00:00:00Z'],
    ['the second Tuesday', { calendar: { kind: 'cron', expr: '0 10 * * 2#2' }, timezone: 'UTC' }, '2026-01-10T00:00:00Z'],
    ['OnCalendar with its own zone', { calendar: { kind: 'oncalendar', expr: 'Mon..Fri *-*-* 07:45 Europe/Berlin' }, timezone: 'UTC' }, '2026-01-10T00:00:00Z'],
    ['OnCalendar with years and its own zone', { calendar: { kind: 'oncalendar', expr: '2026,2027-*-* 09:00:05 Europe/Berlin' }, timezone: 'UTC' }, '2026-12-30T00:00:00Z'],
    ['OnCalendar without a zone, in the schedule\'s', { calendar: { kind: 'oncalendar', expr: '*-*-* 00:15:00' }, timezone: 'Australia/Sydney' }, '2026-01-10T00:00:00Z'],
    ['OnCalendar with seconds and a year', { calendar: { kind: 'oncalendar', expr: '2026-*-01 12:00:30' }, timezone: 'UTC' }, '2026-01-10T00:00:00Z'],
    ['a fixed time across spring-forward in New York', { calendar: { kind: 'cron', expr: '0 9 * * *' }, timezone: 'America/New_York' }, '2026-03-06T00:00:00Z'],
    ['a fixed time across fall-back in Lord Howe (30 minutes)', { calendar: { kind: 'cron', expr: '30 1 * * *' }, timezone: 'Australia/Lord_Howe' }, '2026-04-03T00:00:00Z'],
    ['a step hour across spring-forward in New York (the gap is skipped by both)', { calendar: { kind: 'cron', expr: '*/30 * * * *' }, timezone: 'America/New_York' }, '2026-03-08T06:10:00Z'],
    ['a fixed time on a fall-back night in New York (runs once, at the first)', { calendar: { kind: 'cron', expr: '30 1 * * *' }, timezone: 'America/New_York' }, '2026-10-30T00:00:00Z'],
  ];

  it.each(cases)('%s: verify passes and the timer elapses at the planner\'s next occurrences', (_label, rules, base) => {
    const s = schedule(rules);
    const units = files(s, 'systemd');
    const verdict = verify(units);
    expect(verdict.output).toBe('');
    expect(verdict.status).toBe(0);
    const timer = units.find((f) => f.name.endsWith('.timer'))?.content ?? '';
    const planned = nextOccurrences(s.rules, new Date(base), 5).map((d) => d.toISOString());
    expect(planned).toHaveLength(5);
    expect(systemdNext(onCalendars(timer), new Date(base), 5)).toEqual(planned);
  });

  it('says where systemd and the planner part at a spring-forward gap, and they do part there', () => {
    const s = schedule({ calendar: { kind: 'cron', expr: '30 2 * * *' }, timezone: 'America/New_York' });
    const result = exportSchedule(s, 'systemd', { ...context, now: new Date('2026-03-01T00:00:00Z') });
    if (!result.ok) throw new Error(result.reason);
    const timer = result.files.find((f) => f.name.endsWith('.timer'))?.content ?? '';
    expect(timer).toMatch(/^# DST: on 2026-03-08 America\/New_York skips 02:30: systemd does not run that day's occurrence; Opsdeck runs it at the first valid instant after$/m);
    const base = new Date('2026-03-07T12:00:00Z');
    const planned = nextOccurrences(s.rules, base, 2).map((d) => d.toISOString());
    expect(planned).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(systemdNext(onCalendars(timer), base, 1)).toEqual(['2026-03-09T06:30:00.000Z']);
  });

  it('says where they part on a fall-back night for a step hour', () => {
    const s = schedule({ calendar: { kind: 'cron', expr: '*/30 * * * *' }, timezone: 'America/New_York' });
    const result = exportSchedule(s, 'systemd', { ...context, now: new Date('2026-10-01T00:00:00Z') });
    if (!result.ok) throw new Error(result.reason);
    const timer = result.files.find((f) => f.name.endsWith('.timer'))?.content ?? '';
    expect(timer).toMatch(/^# DST: on 2026-11-01 America\/New_York repeats 01:00, 01:30: systemd runs them once; Opsdeck runs this wildcard or step hour on elapsed time, in both passes$/m);
    const base = new Date('2026-11-01T05:10:00Z');
    expect(nextOccurrences(s.rules, base, 3).map((d) => d.toISOString())).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T06:30:00.000Z']);
    expect(systemdNext(onCalendars(timer), base, 2)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T07:00:00.000Z']);
  });

  it('passes verify with every rule set: jitter, catch-up, overlap, secrets, a host, a data directory', () => {
    for (const catchUp of ['latest', 'skip', 'all'] as const) {
      for (const overlap of ['skip', 'queue', 'allow'] as const) {
        const s = schedule({ catchUp, overlap, jitterSec: 300, catchUpWindowSec: 3600 }, { target: { kind: 'host', host: 'db-1' }, secretParams: ['API_KEY'], params: { REGION: 'eu-west-1' } });
        const result = exportSchedule(s, 'systemd', { ...context, environmentFile: join(dir, 'secrets.env'), dataDir: join(dir, 'data') });
        if (!result.ok) throw new Error(result.reason);
        const verdict = verify(result.files);
        expect(verdict.output, `${catchUp}/${overlap}`).toBe('');
        expect(verdict.status).toBe(0);
      }
    }
  });

  it.each(HOSTILE_VALUES)('a unit holding %s in every value still verifies cleanly', (_label, make) => {
    const value = make(join(dir, 'pwned'));
    const s = schedule({}, { section: value, runbook: { path: `/srv/${value}.md`, title: value }, params: { P: value, [`N${value.replace(/[=\s]/g, '')}`]: value }, target: { kind: 'tag', tag: value } });
    const verdict = verify(files(s, 'systemd'));
    expect(verdict.output).toBe('');
    expect(verdict.status).toBe(0);
  });
});

/** PyYAML, where installed: a second, independent YAML 1.1 reader of the CronJob (optional: CI does not install it). */
const havePyYaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;
if (!havePyYaml) console.warn('schedule-export: python3 with PyYAML is missing, skipping the second YAML reader of the CronJob');

describe.skipIf(!havePyYaml)('Kubernetes export, read by PyYAML', () => {
  const hostile: Array<[string, string]> = [
    ...HOSTILE_VALUES.map(([label, make]): [string, string] => [label, make(join(dir, 'pwned-k8s'))]),
    ['a line break and a key', 'x\n  image: evil'],
    ['YAML syntax', '- [a, {b: c}] # &anchor *alias !!str'],
    ['NEL, line separator and BOM', 'a\u0085b\u2028c\ufeffd'],
    ['a YAML 1.1 boolean', 'yes'],
  ];
  it.each(hostile)('reads %s back unchanged in args and annotations', (_label, value) => {
    const s = schedule({}, { section: value, runbook: { path: '/srv/r.md', title: value }, params: { P: value } });
    const yaml = files(s, 'k8s')[0]?.content ?? '';
    const json = execFileSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.buffer.read().decode("utf-8"))))'], { input: yaml, encoding: 'utf8' });
    const doc = JSON.parse(json) as { metadata: { annotations: Record<string, string> }; spec: { schedule: string; jobTemplate: { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } } } };
    expect(doc.spec.schedule).toBe('0 9 * * *');
    expect(doc.metadata.annotations['opsdeck/section']).toBe(value);
    expect(doc.metadata.annotations['opsdeck/runbook']).toBe(value);
    const args = doc.spec.jobTemplate.spec.template.spec.containers[0]?.args.map((a) => a.replace(/\$\$/g, '$'));
    expect(args).toEqual(['run', '/srv/r.md', `--section=${value}`, `--param=P=${value}`, '--yes', '--json']);
  });
});

/** cron's own rule (Vixie cron's do_command): `\%` is a `%`, a backslash before anything else stays; a bare `%` ends the command. */
function cronCommand(line: string): { command: string; stdin: string | null } {
  let out = '';
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (escaped) {
      out += ch === '%' ? '%' : `\\${ch}`;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === '%') {
      return { command: out, stdin: line.slice(i + 1) };
    } else out += ch;
  }
  return { command: escaped ? `${out}\\` : out, stdin: null };
}

describe('crontab export, run through cron\'s % rule and /bin/sh', () => {
  const argvOf = (line: string): string[] => {
    const command = cronCommand(line.split(' ').slice(5).join(' '));
    expect(command.stdin, 'a bare % would cut the command').toBeNull();
    const out = execFileSync('/bin/sh', ['-c', command.command], { encoding: 'utf8', cwd: dir });
    return out.split('\0').slice(0, -1);
  };
  const hostile: Array<[string, string]> = [...HOSTILE_VALUES.map(([label, make]): [string, string] => [label, make(join(dir, 'pwned-cron'))]), ['a backslash before %', '\\%x\\\\%'], ['unicode', 'Zürich 東京 \u2028']];

  it.each(hostile)('hands opsdeck run exactly the values, %s included, and runs nothing else', (_label, value) => {
    const s = schedule({ overlap: 'allow' }, { section: value, runbook: { path: `/srv/${value}.md`, title: value }, params: { P: value }, target: { kind: 'host', host: 'db-1' } });
    const crontab = files(s, 'cron')[0]?.content ?? '';
    const line = crontab.split('\n').find((l) => /^\d/.test(l)) ?? '';
    expect(argvOf(line)).toEqual(['run', `/srv/${value}.md`, `--section=${value}`, '--host=db-1', `--param=P=${value}`, '--yes', '--json']);
    expect(existsSync(join(dir, 'pwned-cron'))).toBe(false);
  });

  it('runs a "first Monday" line only on a Monday in the schedule\'s zone, as sh and date see it', () => {
    const s = schedule({ calendar: { kind: 'cron', expr: '0 9 * * 1#1' }, timezone: 'America/New_York', overlap: 'allow' });
    const line = (files(s, 'cron')[0]?.content ?? '').split('\n').find((l) => /^\d/.test(l)) ?? '';
    expect(line.split(' ').slice(0, 5).join(' ')).toBe('0 9 1-7 * *');
    // A stand-in date answers +%w with the weekday it is given, and only when asked in the schedule's zone.
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'date'), '#!/bin/sh\n[ "$1" = "+%w" ] && [ "$TZ" = America/New_York ] && echo "$FAKE_WEEKDAY" || echo 9\n');
    chmodSync(join(bin, 'date'), 0o755);
    const command = cronCommand(line.split(' ').slice(5).join(' ')).command;
    const runOn = (weekday: string): string =>
      spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_WEEKDAY: weekday } }).stdout;
    expect(runOn('1').split('\0').slice(0, -1)).toEqual(['run', '/srv/runbooks/backup.md', '--section=Nightly', '--yes', '--json']);
    expect(runOn('2')).toBe('');
    expect(runOn('0')).toBe('');
  });

  it('runs the real opsdeck run from the line: the section, its values and a secret from the environment, recorded', () => {
    const home = join(dir, 'e2e');
    mkdirSync(home, { recursive: true });
    const runbook = join(home, 'export.md');
    writeFileSync(runbook, [
      '# Export Check', '', '## Write "it" down at 100%', '',
      '```bash', '# 1. The value', 'printf \'%s\' "$VALUE" > "$OUT_DIR/value"', '',
      '# 2. The secret', 'printf \'%s\' "${{ secrets.API_TOKEN }}" > "$OUT_DIR/secret"', '```', '',
    ].join('\n'));
    const data = join(home, 'data');
    expect(spawnSync(process.execPath, [bin, '--data-dir', data, 'import', runbook], { encoding: 'utf8' }).status).toBe(0);
    const value = `'; touch ${join(dir, 'pwned-e2e')}; "$(touch ${join(dir, 'pwned-e2e')})" %s \\ $HOME`;
    const s = schedule({}, {
      runbook: { path: runbook, title: 'Export Check' },
      section: 'Write "it" down at 100%',
      params: { VALUE: value, OUT_DIR: home },
      secretParams: ['API_TOKEN'],
    });
    const result = exportSchedule(s, 'cron', { opsdeckCommand: [process.execPath, bin], now: NOW, dataDir: data });
    if (!result.ok) throw new Error(result.reason);
    const line = (result.files[0]?.content ?? '').split('\n').find((l) => /^\d/.test(l)) ?? '';
    const { OPSDECK_HOME: _ignored, ...env } = process.env;
    const run = spawnSync('/bin/sh', ['-c', cronCommand(line.split(' ').slice(5).join(' ')).command], { encoding: 'utf8', cwd: home, env: { ...env, API_TOKEN: 's3cret' } });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    const recorded = JSON.parse(run.stdout) as RunDetail;
    expect(recorded.run).toMatchObject({ status: 'completed', origin: 'cli', sectionTitle: 'Write "it" down at 100%', runbookTitle: 'Export Check' });
    expect(recorded.steps.map((step) => step.status)).toEqual(['succeeded', 'succeeded']);
    expect(readFileSync(join(home, 'value'), 'utf8')).toBe(value);
    expect(readFileSync(join(home, 'secret'), 'utf8')).toBe('s3cret');
    expect(existsSync(join(dir, 'pwned-e2e'))).toBe(false);
    expect(result.files[0]?.content).not.toContain('s3cret');
  });

  it('wraps the command in flock -n for overlap skip, which a second run at once cannot pass', () => {
    const s = schedule({ overlap: 'skip' });
    const line = (files(s, 'cron')[0]?.content ?? '').split('\n').find((l) => /^\d/.test(l)) ?? '';
    const lock = '/tmp/opsdeck-0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.lock';
    expect(line).toContain(`'flock' '-n' '${lock}' `);
    expect(argvOf(line)).toEqual(['run', '/srv/runbooks/backup.md', '--section=Nightly', '--yes', '--json']);
    // While another process holds the lock, the occurrence is skipped: flock -n exits 1 without running opsdeck.
    const holder = spawnSync('flock', ['-n', lock, '/bin/sh', '-c', cronCommand(line.split(' ').slice(5).join(' ')).command], { encoding: 'utf8' });
    expect(holder.status).toBe(1);
    expect(holder.stdout).toBe('');
  });
});
