/**
 * Exports read back the way each engine reads them: ExecStart= by systemd's command-line rules (quotes, C escapes,
 * `%` specifiers, `$` expansion), the CronJob by a strict parser of the YAML subset we emit (plus Kubernetes'
 * `$(VAR)` expansion), the crontab line by its fields and cron's `%` rule. Hostile values must come back unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { ScheduleRules } from '../../../../shared/model/schedule.js';
import { exportSchedule, IMAGE_PLACEHOLDER } from '../../../../shared/schedule/export.js';
import type { ExportableSchedule, ExportContext, ExportFormat } from '../../../../shared/schedule/export.js';
import { jitterMs } from '../../../../shared/schedule/jitter.js';
import { HOSTILE_VALUES } from '../../../helpers/hostile-values.js';

const NOW = new Date('2026-01-10T12:00:00Z');
const context: ExportContext = { opsdeckCommand: ['/usr/local/bin/opsdeck'], now: NOW };
const ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const NAME = `opsdeck-${ID}`;

function schedule(rules: Partial<ScheduleRules> = {}, over: Partial<ExportableSchedule> = {}): ExportableSchedule {
  return {
    id: ID,
    rules: { calendar: { kind: 'cron', expr: '0 9 * * *' }, timezone: 'Europe/Berlin', catchUp: 'latest', catchUpWindowSec: null, overlap: 'skip', jitterSec: 0, ...rules },
    runbook: { path: '/srv/runbooks/backup.md', title: 'Backup' },
    section: 'Nightly',
    target: { kind: 'local' },
    params: {},
    secretParams: [],
    ...over,
  };
}

function exported(s: ExportableSchedule, format: ExportFormat, ctx: ExportContext = context): Record<string, string> {
  const result = exportSchedule(s, format, ctx);
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return Object.fromEntries(result.files.map((f) => [f.name, f.content]));
}

function refusal(s: ExportableSchedule, format: ExportFormat): string {
  const result = exportSchedule(s, format, context);
  if (result.ok) throw new Error('exported, expected a refusal');
  return result.reason;
}

// ---- systemd ----

/** A unit file's directives by section, comments dropped; repeated keys keep every value. */
function unitFile(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section: Record<string, string[]> | null = null;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = out[header[1] ?? ''] = {};
      continue;
    }
    const m = /^([A-Za-z]+)=(.*)$/s.exec(line);
    if (!m || section === null) throw new Error(`not a unit-file line: ${line}`);
    expect(line.endsWith('\\'), 'a trailing backslash continues the line').toBe(false);
    (section[m[1] ?? ''] ??= []).push(m[2] ?? '');
  }
  return out;
}

const C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', s: ' ' };

/**
 * ExecStart= as systemd.service(5) reads it: words split on whitespace, a quoted word runs to its closing quote
 * (which must end the word) with C escapes, then each word's `%` specifiers are resolved (only `%%` allowed here:
 * any other would be replaced by systemd), then at start `$NAME` is expanded (only `$$` allowed here).
 */
function execStartArgv(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    const quote = line[i];
    if (quote !== '"' && quote !== "'") throw new Error(`unquoted word at ${i}: ${line.slice(i)}`);
    let word = '';
    i++;
    for (;;) {
      const ch = line[i];
      if (ch === undefined) throw new Error('unbalanced quoting');
      if (ch === quote) break;
      if (ch === '\\') {
        const next = line[i + 1] ?? '';
        if (next === 'x') {
          word += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        }
        const unescaped = C_ESCAPES[next];
        if (unescaped === undefined) throw new Error(`unknown escape \\${next}`);
        word += unescaped;
        i += 2;
        continue;
      }
      word += ch;
      i++;
    }
    i++;
    if (i < line.length && line[i] !== ' ') throw new Error('a closing quote must end its word');
    words.push(word);
  }
  return words.map((w) => w.replace(/%(.?)/g, (_, c: string) => {
    if (c !== '%') throw new Error(`systemd would resolve %${c}`);
    return '%';
  })).map((w) => w.replace(/\$(.?)/g, (_, c: string) => {
    if (c !== '$') throw new Error(`systemd would expand $${c}`);
    return '$';
  }));
}

describe('systemd export', () => {
  it('writes a oneshot service running opsdeck run headlessly, and a timer in the schedule\'s zone', () => {
    const files = exported(schedule({ calendar: { kind: 'cron', expr: '30 9 * * 1-5' }, jitterSec: 90 }, { target: { kind: 'host', host: 'db-1' }, params: { REGION: 'eu-west-1', DAYS: '7' } }), 'systemd');
    expect(Object.keys(files)).toEqual([`${NAME}.service`, `${NAME}.timer`]);
    const service = unitFile(files[`${NAME}.service`] ?? '');
    expect(service.Service?.Type).toEqual(['oneshot']);
    expect(execStartArgv(service.Service?.ExecStart?.[0] ?? '')).toEqual([
      '/usr/local/bin/opsdeck', 'run', '/srv/runbooks/backup.md', '--section=Nightly', '--host=db-1', '--param=DAYS=7', '--param=REGION=eu-west-1', '--yes', '--json',
    ]);
    const timer = unitFile(files[`${NAME}.timer`] ?? '');
    expect(timer.Timer).toEqual({
      OnCalendar: ['Mon..Fri *-*-* 09:30:00 Europe/Berlin'],
      AccuracySec: ['1s'],
      Persistent: ['true'],
      RandomizedDelaySec: ['90s'],
      FixedRandomDelay: ['true'],
      Unit: [`${NAME}.service`],
    });
    expect(timer.Install?.WantedBy).toEqual(['timers.target']);
  });

  it.each([
    ['*/15 * * * *', ['*-*-* *:00/15:00 UTC']],
    ['0 8-18/2 * * SAT,SUN', ['Sat,Sun *-*-* 08..18/2:00:00 UTC']],
    ['5-25/10 0 1-31/10 2-12/5 *', ['*-02/5-01/10 00:05..25/10:00 UTC']],
    ['5 4 1,15 * 1', ['*-*-01,15 04:05:00 UTC', 'Mon *-*-* 04:05:00 UTC']],
    ['0 9 1-7 * +1', ['Mon *-*-01..07 09:00:00 UTC']],
    ['0 9 * * 1#1,5L', ['Mon *-*-01..07 09:00:00 UTC', 'Fri *-*~07/1 09:00:00 UTC']],
    ['0 0 L 2 *', ['*-02~01 00:00:00 UTC']],
    ['10 30 6 * * 0', ['Sun *-*-* 06:30:10 UTC']],
    ['@weekly', ['Sun *-*-* 00:00:00 UTC']],
  ])('translates cron %s to OnCalendar %j', (expr, expected) => {
    const timer = unitFile(exported(schedule({ calendar: { kind: 'cron', expr }, timezone: 'UTC' }), 'systemd')[`${NAME}.timer`] ?? '');
    expect(timer.Timer?.OnCalendar).toEqual(expected);
  });

  it('keeps an OnCalendar expression as written, adding the schedule\'s zone only when it names none', () => {
    const own = unitFile(exported(schedule({ calendar: { kind: 'oncalendar', expr: 'Mon *-*-* 09:00 America/New_York' } }), 'systemd')[`${NAME}.timer`] ?? '');
    expect(own.Timer?.OnCalendar).toEqual(['Mon *-*-* 09:00 America/New_York']);
    const none = unitFile(exported(schedule({ calendar: { kind: 'oncalendar', expr: 'daily' } }), 'systemd')[`${NAME}.timer`] ?? '');
    expect(none.Timer?.OnCalendar).toEqual(['daily Europe/Berlin']);
  });

  it('refuses, with the planner\'s reason, a calendar it cannot plan: an OnCalendar expression carrying another directive', () => {
    expect(refusal(schedule({ calendar: { kind: 'oncalendar', expr: 'daily\nExecStartPre=/bin/sh' } }), 'systemd')).toMatch(/^not an OnCalendar expression/);
    expect(refusal(schedule({ calendar: { kind: 'cron', expr: '0 9 * * *' }, timezone: 'Mars/Olympus' }), 'cron')).toBe('unknown time zone "Mars/Olympus"');
  });

  it('says in the timer what systemd cannot do, and puts Persistent= only where it catches up', () => {
    const all = exported(schedule({ catchUp: 'all', overlap: 'queue', catchUpWindowSec: 7200 }), 'systemd')[`${NAME}.timer`] ?? '';
    expect(all).toMatch(/^# catch-up all cannot be expressed: systemd runs one missed occurrence \(Persistent=true\), not every one$/m);
    expect(all).toMatch(/^# catch-up window \(7200 s\) cannot be expressed/m);
    expect(all).toMatch(/^# overlap queue cannot be expressed: systemd never runs a service twice at once/m);
    expect(unitFile(all).Timer?.Persistent).toEqual(['true']);
    const allow = exported(schedule({ catchUp: 'skip', overlap: 'allow' }), 'systemd')[`${NAME}.timer`] ?? '';
    expect(allow).toMatch(/^# overlap allow cannot be expressed/m);
    expect(unitFile(allow).Timer?.Persistent).toBeUndefined();
    expect(unitFile(allow).Timer?.RandomizedDelaySec).toBeUndefined();
  });

  it('names secrets in an EnvironmentFile= and never passes them as --param', () => {
    const files = exported(schedule({}, { params: { REGION: 'eu' }, secretParams: ['API_KEY', 'DB_PASSWORD'] }), 'systemd', { ...context, environmentFile: '/etc/opsdeck/backup.env' });
    const text = files[`${NAME}.service`] ?? '';
    const service = unitFile(text);
    expect(service.Service?.EnvironmentFile).toEqual(['/etc/opsdeck/backup.env']);
    expect(text).toMatch(/^# Secrets: opsdeck run reads API_KEY, DB_PASSWORD from its environment\. Put NAME=value lines in \/etc\/opsdeck\/backup\.env/m);
    expect(execStartArgv(service.Service?.ExecStart?.[0] ?? '').filter((a) => a.startsWith('--param'))).toEqual(['--param=REGION=eu']);
  });

  it('refuses an environment file or data directory path that would need quoting', () => {
    const result = exportSchedule(schedule({}, { secretParams: ['API_KEY'] }), 'systemd', { ...context, environmentFile: '/etc/my secrets.env' });
    expect(result).toEqual({ ok: false, reason: 'the environment file "/etc/my secrets.env" must be an absolute path of letters, digits and ._/@+-' });
  });

  const hostile: Array<[string, string]> = [
    ...HOSTILE_VALUES.map(([label, make]): [string, string] => [label, make('/tmp/opsdeck-pwned')]),
    ['a line break and a directive', 'x\nExecStartPre=/bin/touch /tmp/opsdeck-pwned'],
    ['a tab and a carriage return', 'a\tb\rc'],
    ['a semicolon word', ';'],
    ['a trailing backslash', 'ends with \\'],
    ['specifiers', '%n %i %h %%'],
    ['unicode', 'Zürich 東京 \u2028'],
  ];

  it.each(hostile)('hands opsdeck run %s unchanged, in every argument', (_label, value) => {
    const s = schedule({}, { section: value, runbook: { path: `/srv/${value}.md`, title: value }, params: { P: value }, target: { kind: 'tag', tag: value } });
    const text = exported(s, 'systemd')[`${NAME}.service`] ?? '';
    const service = unitFile(text);
    expect(Object.keys(service.Service ?? {})).toEqual(['Type', 'ExecStart']);
    expect(service.Unit?.Description?.[0]?.replace(/%%/g, '')).not.toContain('%');
    expect(execStartArgv(service.Service?.ExecStart?.[0] ?? '')).toEqual([
      '/usr/local/bin/opsdeck', 'run', `/srv/${value}.md`, `--section=${value}`, `--tag=${value}`, `--param=P=${value}`, '--yes', '--json',
    ]);
  });
});

// ---- cron ----

const entryLine = (crontab: string): string => crontab.split('\n').find((l) => l !== '' && !l.startsWith('#') && !l.startsWith('CRON_TZ=')) ?? '';

describe('crontab export', () => {
  it('writes CRON_TZ= and one 5-field line with the command, flock -n for overlap skip', () => {
    const crontab = exported(schedule({ calendar: { kind: 'cron', expr: '15 0 * * *' }, timezone: 'America/New_York' }), 'cron')[`${NAME}.crontab`] ?? '';
    const lines = crontab.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual([
      'CRON_TZ=America/New_York',
      `15 0 * * * 'flock' '-n' '/tmp/${NAME}.lock' '/usr/local/bin/opsdeck' 'run' '/srv/runbooks/backup.md' '--section=Nightly' '--yes' '--json'`,
    ]);
    expect(crontab).toMatch(/^# catch-up latest cannot be expressed: cron has no catch-up/m);
  });

  it.each([
    ['0 9 * * MON-FRI', '0 9 * * 1-5'],
    ['*/10 8-17 1,15 JAN,JUL *', '*/10 8-17 1,15 1,7 *'],
    ['0 0 * * 7', '0 0 * * 0'],
    ['0 30 6 * * *', '30 6 * * *'],
    ['5 4 1,15 * 1', '5 4 1,15 * 1'],
    ['@hourly', '0 * * * *'],
  ])('writes cron %s as %s, in fields every cron reads', (expr, expected) => {
    const line = entryLine(exported(schedule({ calendar: { kind: 'cron', expr }, overlap: 'allow' }), 'cron')[`${NAME}.crontab`] ?? '');
    expect(line.split(' ').slice(0, 5).join(' ')).toBe(expected);
  });

  it('translates OnCalendar to cron, and refuses with the translator\'s reason what cron cannot say', () => {
    const line = entryLine(exported(schedule({ calendar: { kind: 'oncalendar', expr: 'Mon..Fri *-*-* 07:45 Asia/Tokyo' } }), 'cron')[`${NAME}.crontab`] ?? '');
    expect(line.split(' ').slice(0, 5).join(' ')).toBe('45 7 * * 1-5');
    const crontab = exported(schedule({ calendar: { kind: 'oncalendar', expr: 'Mon..Fri *-*-* 07:45 Asia/Tokyo' } }), 'cron')[`${NAME}.crontab`] ?? '';
    expect(crontab).toMatch(/^CRON_TZ=Asia\/Tokyo$/m);
    expect(refusal(schedule({ calendar: { kind: 'oncalendar', expr: '*-*-* 07:45:30' } }), 'cron')).toBe('seconds ("30") cannot be expressed in 5-field cron');
  });

  it.each([
    ['30 */5 * * * *', /^seconds cannot be expressed in 5-field cron/],
    ['0 0 L * *', /^cron has no "last day of the month"$/],
    ['0 9 * * 1#1,3', /^cron cannot require a weekday AND a day of the month \(it runs on either\) in a calendar that also has other days$/],
    ['0 9 15W * *', /^"W" \(the weekday nearest a date\) has no equivalent/],
  ])('refuses %s, saying why', (expr, reason) => {
    expect(refusal(schedule({ calendar: { kind: 'cron', expr } }), 'cron')).toMatch(reason);
    expect(refusal(schedule({ calendar: { kind: 'cron', expr } }), 'k8s')).toMatch(reason);
  });

  it.each([
    ['0 9 1-7 * +MON', `0 9 1-7 * * [ "$(TZ='Europe/Berlin' date +\\%w)" = 1 ] && '/usr/local/bin/opsdeck' `],
    ['0 9 * * 1#1', `0 9 1-7 * * [ "$(TZ='Europe/Berlin' date +\\%w)" = 1 ] && '/usr/local/bin/opsdeck' `],
    ['30 6 8-14 * +1-3', `30 6 8-14 * * TZ='Europe/Berlin' date +\\%w | grep -qx '[123]' && '/usr/local/bin/opsdeck' `],
  ])('writes %s (a weekday AND days of the month) as the days, checking the weekday in the line; a CronJob refuses it', (expr, start) => {
    const crontab = exported(schedule({ calendar: { kind: 'cron', expr }, overlap: 'allow' }), 'cron')[`${NAME}.crontab`] ?? '';
    expect(entryLine(crontab).startsWith(start), entryLine(crontab)).toBe(true);
    expect(crontab).toMatch(/^# weekday AND day of the month: cron runs on the days of the month, and the line checks the weekday \(.*\) in Europe\/Berlin itself before running$/m);
    expect(refusal(schedule({ calendar: { kind: 'cron', expr } }), 'k8s')).toMatch(/^cron cannot require a weekday AND a day of the month \(it runs on either\), e.g. "the first Monday"$/);
  });

  it('waits on the lock for overlap queue, and runs unwrapped for allow, saying so', () => {
    const queue = exported(schedule({ overlap: 'queue' }), 'cron')[`${NAME}.crontab`] ?? '';
    expect(entryLine(queue)).toContain(` 'flock' '/tmp/${NAME}.lock' '/usr/local/bin/opsdeck' `);
    expect(queue).toMatch(/^# overlap queue: flock .* cron may have more than one waiting, Opsdeck at most one$/m);
    expect(entryLine(exported(schedule({ overlap: 'allow' }), 'cron')[`${NAME}.crontab`] ?? '')).not.toContain('flock');
  });

  it('sleeps for the schedule\'s own jitter before taking the lock, the delay Opsdeck uses, and not at all without jitter', () => {
    const delay = Math.floor(jitterMs(ID, 300) / 1000);
    expect(delay).toBeGreaterThan(0);
    const crontab = exported(schedule({ jitterSec: 300 }), 'cron')[`${NAME}.crontab`] ?? '';
    expect(entryLine(crontab)).toMatch(new RegExp(`^0 9 \\* \\* \\* sleep ${delay} && 'flock' '-n' `));
    expect(crontab).toContain(`# jitter: the line sleeps ${delay} s first, the delay Opsdeck gives this schedule (of up to 300 s), to the second`);
    expect(entryLine(exported(schedule(), 'cron')[`${NAME}.crontab`] ?? '')).not.toContain('sleep');
  });

  it('says each secret must be in the crontab\'s environment, and writes no value for it', () => {
    const crontab = exported(schedule({}, { secretParams: ['API_KEY'] }), 'cron')[`${NAME}.crontab`] ?? '';
    expect(crontab).toMatch(/^# API_KEY must be set in this crontab's environment/m);
    expect(entryLine(crontab)).not.toContain('API_KEY');
  });

  it.each(HOSTILE_VALUES)('escapes every %% of %s for cron, and no backslash of the value stands before one', (_label, make) => {
    const value = make('/tmp/opsdeck-pwned');
    const line = entryLine(exported(schedule({}, { section: value, params: { P: `${value}%\\%` } }), 'cron')[`${NAME}.crontab`] ?? '');
    for (let i = line.indexOf('%'); i >= 0; i = line.indexOf('%', i + 1)) {
      expect(line.slice(i - 2, i), `at ${i} of ${line}`).toBe("'\\");
    }
  });

  it('refuses a value with a line break, which a crontab line cannot hold', () => {
    expect(refusal(schedule({}, { params: { P: 'a\nb' } }), 'cron')).toMatch(/^a crontab line cannot hold a line break/);
  });
});

// ---- Kubernetes ----

type Yaml = string | number | boolean | Yaml[] | { [key: string]: Yaml };

/** A strict reader of the YAML subset the exporter writes: block maps and sequences, quoted strings, ints, booleans. */
function parseYaml(text: string): Yaml {
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  for (const l of lines) if (l.includes('\t')) throw new Error('tab in YAML');
  let at = 0;
  const indentOf = (l: string | undefined): number => (l === undefined ? -1 : l.length - l.trimStart().length);

  function scalar(raw: string): Yaml {
    if (raw === '[]') return [];
    if (raw === '{}') return {};
    if (/^-?\d+$/.test(raw)) return Number(raw);
    if (raw === 'true' || raw === 'false') return raw === 'true';
    if (!raw.startsWith('"')) throw new Error(`unquoted string: ${raw}`);
    let out = '';
    let i = 1;
    for (;;) {
      const ch = raw[i];
      if (ch === undefined) throw new Error(`unterminated string: ${raw}`);
      if (ch === '"') break;
      if (ch === '\\') {
        const next = raw[i + 1];
        if (next === 'u') {
          out += String.fromCharCode(Number.parseInt(raw.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        const map: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };
        const v = map[next ?? ''];
        if (v === undefined) throw new Error(`escape \\${next} not in the subset`);
        out += v;
        i += 2;
        continue;
      }
      out += ch;
      i++;
    }
    if (i !== raw.length - 1) throw new Error(`text after a closing quote: ${raw}`);
    return out;
  }

  function block(indent: number): Yaml {
    return lines[at]?.slice(indent).startsWith('- ') ? seq(indent) : map(indent);
  }

  function map(indent: number): Yaml {
    const out: Record<string, Yaml> = {};
    while (at < lines.length && indentOf(lines[at]) === indent) {
      const line = (lines[at] ?? '').slice(indent);
      const m = /^([A-Za-z][A-Za-z0-9._/-]*):(?: (.+))?$/.exec(line);
      if (!m) throw new Error(`not a map entry: ${line}`);
      const key = m[1] ?? '';
      if (key in out) throw new Error(`duplicate key ${key}`);
      at++;
      if (m[2] !== undefined) out[key] = scalar(m[2]);
      else {
        const inner = indentOf(lines[at]);
        if (inner <= indent) throw new Error(`empty value for ${key}`);
        out[key] = block(inner);
      }
    }
    if (indentOf(lines[at]) > indent) throw new Error(`bad indentation: ${lines[at]}`);
    return out;
  }

  function seq(indent: number): Yaml {
    const out: Yaml[] = [];
    while (at < lines.length && indentOf(lines[at]) === indent && (lines[at] ?? '').slice(indent).startsWith('- ')) {
      const rest = (lines[at] ?? '').slice(indent + 2);
      if (/^[A-Za-z][A-Za-z0-9._/-]*:( |$)/.test(rest)) {
        lines[at] = `${' '.repeat(indent + 2)}${rest}`;
        out.push(map(indent + 2));
      } else {
        out.push(scalar(rest));
        at++;
      }
    }
    return out;
  }

  const doc = block(0);
  if (at !== lines.length) throw new Error(`left over: ${lines[at]}`);
  return doc;
}

/** Kubernetes' expansion of command, args and env values: `$$` is `$`, and `$(NAME)` must not appear (it would expand). */
function kubeExpand(text: string): string {
  return text.replace(/\$(.?)/g, (_, c: string) => {
    if (c !== '$') throw new Error(`Kubernetes would read $${c}`);
    return '$';
  });
}

describe('Kubernetes export', () => {
  it('writes a batch/v1 CronJob with zone, policy, deadline, the run and secrets from a Secret', () => {
    const s = schedule({ calendar: { kind: 'cron', expr: '0 2 * * 0' }, catchUpWindowSec: 3600 }, { target: { kind: 'host', host: 'db-1' }, params: { DAYS: '7' }, secretParams: ['API_KEY'] });
    const doc = parseYaml(exported(s, 'k8s', { ...context, image: 'registry.example/opsdeck:1.2' })[`${NAME}.yaml`] ?? '');
    expect(doc).toEqual({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: {
        name: NAME,
        labels: { 'app.kubernetes.io/managed-by': 'opsdeck-export' },
        annotations: { 'opsdeck/schedule-id': ID, 'opsdeck/runbook': 'Backup', 'opsdeck/section': 'Nightly' },
      },
      spec: {
        schedule: '0 2 * * 0',
        timeZone: 'Europe/Berlin',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{
                  name: 'opsdeck',
                  image: 'registry.example/opsdeck:1.2',
                  command: ['opsdeck'],
                  args: ['run', '/srv/runbooks/backup.md', '--section=Nightly', '--host=db-1', '--param=DAYS=7', '--yes', '--json'],
                  env: [{ name: 'API_KEY', valueFrom: { secretKeyRef: { name: NAME, key: 'API_KEY' } } }],
                }],
              },
            },
          },
        },
      },
    });
  });

  it('says the image is a placeholder to set, and what a CronJob cannot do', () => {
    const text = exported(schedule({ catchUp: 'all', overlap: 'queue', jitterSec: 30 }), 'k8s')[`${NAME}.yaml`] ?? '';
    expect(text).toContain(`image: "${IMAGE_PLACEHOLDER}"`);
    expect(text).toMatch(new RegExp(`^# image: replace ${IMAGE_PLACEHOLDER} with an image that has opsdeck`, 'm'));
    expect(text).toMatch(/^# catch-up all cannot be expressed: Kubernetes starts only the newest missed job/m);
    expect(text).toMatch(/^# overlap queue cannot be expressed: with concurrencyPolicy Forbid/m);
    expect(text).toMatch(/^# jitter \(up to 30 s\) cannot be expressed/m);
  });

  it('sets the deadline from the catch-up window: 7 days for one period (it always holds the newest miss), a minute for skip', () => {
    const spec = (rules: Partial<ScheduleRules>): Record<string, Yaml> => {
      const doc = parseYaml(exported(schedule(rules), 'k8s')[`${NAME}.yaml`] ?? '') as Record<string, Yaml>;
      return doc.spec as Record<string, Yaml>;
    };
    expect(spec({ calendar: { kind: 'cron', expr: '*/15 * * * *' } }).startingDeadlineSeconds).toBe(7 * 86400);
    expect(spec({ catchUpWindowSec: 1800, overlap: 'allow' })).toMatchObject({ startingDeadlineSeconds: 1800, concurrencyPolicy: 'Allow' });
    expect(spec({ catchUp: 'skip', catchUpWindowSec: 7200 }).startingDeadlineSeconds).toBe(60);
    expect(spec({ catchUp: 'skip', catchUpWindowSec: 0 }).startingDeadlineSeconds).toBe(10);
  });

  const hostile: Array<[string, string]> = [
    ...HOSTILE_VALUES.map(([label, make]): [string, string] => [label, make('/tmp/opsdeck-pwned')]),
    ['a variable reference', '$(API_KEY)'],
    ['a line break and a key', 'x\n  image: evil'],
    ['YAML syntax', '- [a, {b: c}] # &anchor *alias !!str'],
    ['NEL, line separator and BOM', 'a\u0085b\u2028c\ufeffd'],
  ];

  it.each(hostile)('hands opsdeck run %s unchanged, with no room for expansion', (_label, value) => {
    const s = schedule({}, { section: value, runbook: { path: `/srv/${value}.md`, title: value }, params: { P: value } });
    const doc = parseYaml(exported(s, 'k8s', { ...context, dataDir: `/data/${value}` })[`${NAME}.yaml`] ?? '') as { metadata: { annotations: Record<string, string> }; spec: { jobTemplate: { spec: { template: { spec: { containers: Array<{ args: string[]; env: Array<{ name: string; value: string }> }> } } } } } };
    const container = doc.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container?.args.map(kubeExpand)).toEqual(['run', `/srv/${value}.md`, `--section=${value}`, `--param=P=${value}`, '--yes', '--json']);
    expect(container?.env.map((e) => [e.name, kubeExpand(e.value)])).toEqual([['OPSDECK_HOME', `/data/${value}`]]);
    expect(doc.metadata.annotations['opsdeck/section']).toBe(value);
  });
});

// ---- every format ----

describe('every format', () => {
  it.each(['systemd', 'cron', 'k8s'] as const)('%s: refuses a secret opsdeck run cannot read from the environment', (format) => {
    expect(refusal(schedule({}, { secretParams: ['api-key'] }), format)).toMatch(/^secret "api-key" is not a variable name opsdeck run reads from the environment/);
    expect(refusal(schedule({}, { secretParams: ['OPSDECK_TOKEN'] }), format)).toMatch(/^secret "OPSDECK_TOKEN"/);
    expect(refusal(schedule({}, { params: { API_KEY: 'x' }, secretParams: ['API_KEY'] }), format)).toBe('"API_KEY" is both a saved value and a secret');
  });

  it.each(['systemd', 'cron', 'k8s'] as const)('%s: refuses a relative opsdeck command and a runbook starting with a dash', (format) => {
    expect(exportSchedule(schedule(), format, { ...context, opsdeckCommand: ['opsdeck'] })).toEqual({ ok: false, reason: 'the opsdeck command must start with an absolute path to the executable' });
    expect(refusal(schedule({}, { runbook: { path: null, title: '-x' } }), format)).toMatch(/starts with a dash/);
  });

  it.each(['systemd', 'cron', 'k8s'] as const)('%s: says a tag\'s fan-out settings are not passed, and names a pathless runbook by title', (format) => {
    const result = exportSchedule(schedule({}, { target: { kind: 'tag', tag: 'web', concurrency: 2, canary: true }, runbook: { path: null, title: 'Deploy' } }), format, context);
    if (!result.ok) throw new Error(result.reason);
    const text = result.files.map((f) => f.content).join('\n');
    expect(text).toMatch(/^# opsdeck run --tag runs with its defaults: this schedule's fan-out settings .* are not passed$/m);
    expect(text).toMatch(/^# the runbook has no path here and is named by its title/m);
    expect(result.notes).toContain("--yes confirms destructive steps without asking, as a headless run must; unlike Opsdeck's scheduler it does not pause when a new version of the runbook changes a step: re-export after reviewing changes");
  });

  it.each(['systemd', 'cron', 'k8s'] as const)('%s: a title with a line break stays inside its comment', (format) => {
    const result = exportSchedule(schedule({}, { runbook: { path: '/r.md', title: 'T\n[Service]\nExecStartPre=/bin/false\n* * * * * evil' } }), format, context);
    if (!result.ok) throw new Error(result.reason);
    for (const file of result.files) {
      expect(file.content.split('\n').filter((l) => /ExecStartPre|evil/.test(l)).every((l) => l.startsWith('#') || l.startsWith('Description=') || l.includes('"opsdeck/runbook"') || l.includes('opsdeck/runbook:'))).toBe(true);
    }
  });

  it('notes the DST days of the next year on which the engines differ from Opsdeck', () => {
    const s = schedule({ calendar: { kind: 'cron', expr: '30 2 * * *' }, timezone: 'Europe/Berlin' });
    const ctx = { ...context, now: new Date('2026-01-01T00:00:00Z') };
    const timer = exported(s, 'systemd', ctx)[`${NAME}.timer`] ?? '';
    expect(timer).toMatch(/^# DST: on 2026-03-29 Europe\/Berlin skips 02:30: systemd does not run that day's occurrence/m);
    // Fall-back repeats 02:30 too, but a fixed hour runs once there, as systemd does: nothing to say.
    expect(timer).not.toMatch(/2026-10-25/);
    expect(exported(s, 'cron', ctx)[`${NAME}.crontab`]).toMatch(/^# DST: on 2026-03-29 Europe\/Berlin skips 02:30: crons differ/m);
    expect(exported(schedule({ calendar: { kind: 'cron', expr: '0 12 * * *' } }), 'systemd', ctx)[`${NAME}.timer`]).not.toMatch(/DST/);
    // A step hour skips the gap as systemd does, and runs the repeated hour twice where systemd runs it once.
    const steps = exported(schedule({ calendar: { kind: 'cron', expr: '15 */1 * * *' } }), 'systemd', ctx)[`${NAME}.timer`] ?? '';
    expect(steps).not.toMatch(/2026-03-29/);
    expect(steps).toMatch(/^# DST: on 2026-10-25 Europe\/Berlin repeats 02:15: systemd runs them once; Opsdeck runs this wildcard or step hour on elapsed time, in both passes$/m);
  });

  it('reads an OnCalendar expression with seconds as the planner does to find its DST days; with a year, says it in general', () => {
    const ctx = { ...context, now: new Date('2026-01-01T00:00:00Z') };
    const seconds = exported(schedule({ calendar: { kind: 'oncalendar', expr: '*-*-* 02:30:15 America/New_York' } }), 'systemd', ctx)[`${NAME}.timer`] ?? '';
    expect(seconds).toMatch(/^# DST: on 2026-03-08 America\/New_York skips 02:30: systemd does not run/m);
    const year = exported(schedule({ calendar: { kind: 'oncalendar', expr: '2027-*-* 02:30:00' } }), 'systemd', ctx)[`${NAME}.timer`] ?? '';
    expect(year).toMatch(/^# DST: systemd skips a time the clocks jump over and runs a repeated time once;/m);
  });

  it('says whose data the run uses unless a data directory pins it', () => {
    for (const format of ['systemd', 'cron', 'k8s'] as const) {
      const note = 'the run uses the Opsdeck data (library, hosts, history) of the user it runs as: export with a data directory to pin it';
      expect(exportSchedule(schedule(), format, context)).toMatchObject({ ok: true, notes: expect.arrayContaining([note]) });
      const pinned = exportSchedule(schedule(), format, { ...context, dataDir: '/var/lib/opsdeck' });
      expect(pinned.ok && pinned.notes.includes(note)).toBe(false);
      expect(pinned.ok && pinned.files.some((f) => f.content.includes('/var/lib/opsdeck'))).toBe(true);
    }
  });
});
