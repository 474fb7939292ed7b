// The pieces of a section session: the state report cut out of a step's stdout however the output is split, and
// bash's own `declare -p` read back whole, whatever the values hold (newlines, quotes, `declare -` itself).
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createStateFilter, displayValue, optionsOn, parseDeclarations, parseOptions, wrapStep } from '../../../../electron/services/runs/step-shell.js';

const NONCE = 'abc123';
const M = `\x1e${NONCE}`;

describe('the state filter', () => {
  const stream = `before\n${M}:Bv\ndeclare -- X="1"\n${M};\nthe step's output\nno newline at the end${M}:Ad\n/tmp\n${M};\n`;

  it('gives back exactly the output and the blocks, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const filter = createStateFilter(NONCE);
        let shown = '';
        let from = 0;
        for (const p of [...points, stream.length]) {
          shown += filter.push(stream.slice(from, p));
          from = p;
        }
        const end = filter.end();
        expect(shown + end.rest).toBe("before\nthe step's output\nno newline at the end");
        expect(Object.fromEntries(end.blocks)).toEqual({ Bv: 'declare -- X="1"\n', Ad: '/tmp\n' });
      }),
    );
  });

  it('shows output that only looks like the start of a marker, and drops a report cut off mid-block', () => {
    const filter = createStateFilter(NONCE);
    expect(filter.push('a\x1eabc')).toBe('a');
    expect(filter.push('-not-it\n')).toBe('\x1eabc-not-it\n');
    filter.push(`${M}:Av\ndeclare -- Y="2"`);
    expect(filter.end()).toEqual({ rest: '', blocks: new Map() });
  });
});

describe('declare -p read back', () => {
  it('reads every variable bash prints, values with newlines, quotes and arrays included', () => {
    const out = execFileSync('bash', ['--noprofile', '--norc', '-c', [
      `PLAIN=hello`,
      `MULTI=$'line one\\ndeclare -- FAKE="x"\\nline three'`,
      `QUOTES='say "hi" $HOME \`id\` \\ done'`,
      `CONTROL=$'tab\\there\\x01'`,
      `declare -a LIST=(one "two words" 'three"quote')`,
      `declare -A MAP=([k1]=v1 ["key two"]="v 2")`,
      `declare -i COUNT=41+1`,
      `export EXPORTED=yes`,
      `declare -- EMPTY=''`,
      `declare UNSET_BUT_DECLARED`,
      'declare -p PLAIN MULTI QUOTES CONTROL LIST MAP COUNT EXPORTED EMPTY UNSET_BUT_DECLARED',
    ].join('\n')], { encoding: 'utf8' });
    const vars = parseDeclarations(out);
    expect([...vars.keys()]).toEqual(['PLAIN', 'MULTI', 'QUOTES', 'CONTROL', 'LIST', 'MAP', 'COUNT', 'EXPORTED', 'EMPTY', 'UNSET_BUT_DECLARED']);
    expect(vars.has('FAKE')).toBe(false);
    expect(displayValue(vars.get('PLAIN')!.value)).toBe('hello');
    expect(displayValue(vars.get('QUOTES')!.value)).toBe('say "hi" $HOME `id` \\ done');
    expect(vars.get('LIST')!.flags).toBe('a');
    expect(vars.get('COUNT')!.flags).toBe('i');
    expect(displayValue(vars.get('COUNT')!.value)).toBe('42');
    expect(vars.get('EXPORTED')!.flags).toBe('x');
    expect(vars.get('UNSET_BUT_DECLARED')!.value).toBeNull();
    // Each statement recreates its variable exactly: run them in a new bash and print the values again.
    const statements = [...vars.values()].map((d) => d.statement).join('\n');
    const again = execFileSync('bash', ['--noprofile', '--norc', '-c', `${statements}\ndeclare -p PLAIN MULTI QUOTES CONTROL LIST MAP COUNT EXPORTED EMPTY UNSET_BUT_DECLARED`], { encoding: 'utf8' });
    expect(again).toBe(out);
  });

  it('reads option lines by name', () => {
    const options = parseOptions('set -o errexit\nset +o xtrace\nshopt -s nullglob\nshopt -u dotglob\n');
    expect(Object.fromEntries(options)).toEqual({ 'o:errexit': 'set -o errexit', 'o:xtrace': 'set +o xtrace', 's:nullglob': 'shopt -s nullglob', 's:dotglob': 'shopt -u dotglob' });
  });
});

describe('a wrapped step in real bash', () => {
  const run = (script: string): { status: number | null; out: string; options: string[] } => {
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', wrapStep(script, { errexit: true, pipefail: true, nonce: NONCE, restore: null })], { encoding: 'utf8' });
    const filter = createStateFilter(NONCE);
    const shown = filter.push(r.stdout);
    const end = filter.end();
    return { status: r.status, out: shown + end.rest, options: [...optionsOn(parseDeclarations(end.blocks.get('Av') ?? ''))] };
  };

  it('fails on a failure inside a pipeline, not on a writer its reader stopped early (| head, | grep -q)', () => {
    expect(run('missing-tool | cat; echo never')).toMatchObject({ status: 127, out: '' });
    expect(run('false | true; echo never')).toMatchObject({ status: 1, out: '' });
    expect(run('yes | head -c 3 >/dev/null; seq 100000 | grep -q 5; echo went-on')).toMatchObject({ status: 0, out: 'went-on\n' });
    // The same, passed on by a function and a subshell, and as the step's last command.
    expect(run('f() { yes | head -c 1 >/dev/null; }; f; (yes | head -c 1 >/dev/null); echo ok; yes | head -c 1 >/dev/null')).toMatchObject({ status: 0, out: 'ok\n' });
  });

  it('still stops at the next failure after such a pipeline, in a function too, but not in conditions', () => {
    expect(run('yes | head -c 1 >/dev/null; if false; then :; fi; false || echo handled; g() { false; echo never; }; g; echo never')).toMatchObject({ status: 1, out: 'handled\n' });
    // errexit is recorded on, so the next step does not inherit it off.
    expect(run('yes | head -c 1 >/dev/null; true').options).toContain('o:errexit');
  });

  it("runs a step's own EXIT and ERR traps and still reports, keeping the SIGPIPE rule and errexit", () => {
    const report = (script: string) => {
      const r = spawnSync('bash', ['--noprofile', '--norc', '-c', wrapStep(script, { errexit: true, pipefail: true, nonce: NONCE, restore: null })], { encoding: 'utf8' });
      const filter = createStateFilter(NONCE);
      const shown = filter.push(r.stdout);
      const end = filter.end();
      return { status: r.status, out: shown + end.rest, err: r.stderr, y: parseDeclarations(end.blocks.get('Av') ?? '').get('Y')?.value ?? null };
    };
    expect(report("trap 'echo cleanup' EXIT; Y=2")).toMatchObject({ status: 0, out: 'cleanup\n', y: '"2"' });
    expect(report("trap 'echo \"exit with $?\"' EXIT; Y=3; exit 3")).toMatchObject({ status: 3, out: 'exit with 3\n', y: '"3"' });
    expect(report("trap 'rm -f /tmp/opsdeck-none' EXIT; yes | head -1 >/dev/null")).toMatchObject({ status: 0 });
    expect(report("yes | head -2 >/dev/null; trap 'echo \"failed: $?\" >&2' ERR; false; echo 'went on'")).toMatchObject({ status: 1, out: '', err: 'failed: 1\n' });
    expect(report("trap 'echo int' INT; trap -p INT")).toMatchObject({ status: 0, out: "trap -- 'echo int' SIGINT\n" });
  });

  it("honours a step's own set +e", () => {
    expect(run('set +e; false; echo tolerated')).toMatchObject({ status: 0, out: 'tolerated\n' });
  });
});
