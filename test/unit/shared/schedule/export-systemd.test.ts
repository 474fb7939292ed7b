/**
 * systemd exports read back the way systemd reads them: ExecStart= by its command-line rules (quotes, C escapes,
 * `%` specifiers, `$` expansion), the timer's directives and OnCalendar= translations. Hostile values come back
 * unchanged. (systemd-analyze itself checks the units in test/integration/schedule-export.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { exportSchedule } from '../../../../shared/schedule/export.js';
import { HOSTILE_VALUES } from '../../../helpers/hostile-values.js';
import { context, NAME, schedule, exported, refusal } from '../../../helpers/schedule-export.js';


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
