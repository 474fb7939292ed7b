/**
 * Kubernetes exports read back by a strict parser of the YAML subset we emit, with Kubernetes' `$(VAR)` expansion
 * applied: the CronJob's fields, its notes, and hostile values that come back unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { ScheduleRules } from '../../../../shared/model/schedule.js';
import { IMAGE_PLACEHOLDER } from '../../../../shared/schedule/export.js';
import { HOSTILE_VALUES } from '../../../helpers/hostile-values.js';
import { context, ID, NAME, schedule, exported } from '../../../helpers/schedule-export.js';


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
