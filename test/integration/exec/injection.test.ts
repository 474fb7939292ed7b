/**
 * Hostile parameter values through the real thing: substituteParams, then a real bash started by local-exec. Whatever
 * the value and wherever it lands, no command in it runs, and every printf argument prints the value verbatim, once.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecService, type ExecService } from '../../../electron/services/exec/local-exec.js';
import { substituteParams, type StepParam } from '../../../shared/exec/substitute.js';
import type { ShellParser } from '../../../shared/runbook/shell.js';
import { HOSTILE_VALUES, type Hostile } from '../../helpers/hostile-values.js';
import { shellParser } from '../../helpers/importer.js';

let parser: ShellParser;
let exec: ExecService;
let dir: string;
let serial = 0;

beforeAll(async () => {
  parser = await shellParser();
  exec = createExecService({
    clock: { now: () => Date.now() },
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  });
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-inject-'));
  // Files for a glob to match: if `*` were expanded, their names would show up in the output.
  for (const f of ['a1', 'a2', 'b c']) writeFileSync(join(dir, f), '');
});

afterAll(() => {
  exec.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function run(script: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  let stdout = '';
  let stderr = '';
  const handle = exec.start({ script, env, cwd: dir, timeoutMs: 10_000 }, (stream, data) => {
    if (stream === 'stdout') stdout += data;
    else stderr += data;
  });
  const { exitCode } = await handle.exited;
  return { stdout, stderr, exitCode };
}

/** A path no test shares, so a stray file proves which value ran. */
function witness(): string {
  serial += 1;
  return join(dir, `pwned-${process.pid}-${serial}`);
}

/** Shared hostile values, plus one that only an option parser would misread: it must arrive as one argument. */
const HOSTILE: Hostile[] = [...HOSTILE_VALUES, ['-rf', () => '-rf']];

/** Where the value lands: the step as written, with `<v>` for the value, and the text printf receives around it. */
const POSITIONS: Array<[string, string, (v: string) => string]> = [
  ['bare', `printf '[%s]\\n' <v>`, (v) => v],
  ['in a concatenation', `printf '[%s]\\n' x-<v>-y`, (v) => `x-${v}-y`],
  ['double-quoted', `printf '[%s]\\n' "pre <v> post"`, (v) => `pre ${v} post`],
  ['single-quoted', `printf '[%s]\\n' 'pre <v> post'`, (v) => `pre ${v} post`],
  ['bash -c "..."', `bash -c "printf '[%s]\\n' <v>"`, (v) => v],
  ["bash -c '...'", `bash -c 'printf "[%s]\\n" <v>'`, (v) => v],
  ['sh -c with an inner "..."', `sh -c "printf '[%s]\\n' \\"<v>\\""`, (v) => v],
  ["depth 2: bash -c \"bash -c '...'\" (as ssh host \"bash -c '...'\")", `bash -c "bash -c 'printf \\"[%s]\\\\n\\" <v>'"`, (v) => v],
  ['depth 2 with words joined (as ssh host sh -c "...")', `eval sh -c "\\"printf '[%s]\\\\n' <v>\\""`, (v) => v],
  ['eval', `eval printf "'[%s]\\n'" <v>`, (v) => v],
  ['a heredoc fed to bash', `bash <<EOF\nprintf '[%s]\\n' <v>\nEOF`, (v) => v],
  ['cat <<EOF | sh', `cat <<EOF | sh\nprintf '[%s]\\n' "<v>"\nEOF`, (v) => v],
  ['a here-string fed to bash', `bash <<< "printf '[%s]\\n' <v>"`, (v) => v],
  ['an unquoted heredoc of data', `cat <<EOF\n[<v>]\nEOF`, (v) => v],
];

const param: StepParam[] = [{ name: 'v', kind: 'placeholder', secret: false, texts: ['<v>'] }];

describe.each(POSITIONS)('a value %s', (_where, template, printed) => {
  it.each(HOSTILE)('%s runs nothing and prints verbatim', async (_label, make) => {
    const touch = witness();
    const value = make(touch);
    const filled = substituteParams(template, param, { v: value }, parser);
    if (!filled.ok) throw new Error(filled.message);
    if (value.includes('touch')) expect(filled.value.script).not.toContain(value);
    const out = await run(filled.value.script, filled.value.env);
    expect(out).toEqual({ stdout: `[${printed(value)}]\n`, stderr: '', exitCode: 0 });
    expect(existsSync(touch)).toBe(false);
  });

  it('refuses a value with a line break', () => {
    const filled = substituteParams(template, param, { v: 'a\nb' }, parser);
    expect(filled).toMatchObject({ ok: false, code: 'invalid_param', names: ['v'] });
  });
});

describe('other kinds of parameter', () => {
  it.each(HOSTILE)('a ${{ secrets.X }} value %s stays data', async (_label, make) => {
    const touch = witness();
    const value = make(touch);
    const secret: StepParam[] = [{ name: 'X', kind: 'secret', secret: true, texts: ['${{ secrets.X }}'] }];
    const filled = substituteParams(`printf '[%s]\\n' \${{ secrets.X }} "\${{ secrets.X }}"`, secret, { X: value }, parser);
    if (!filled.ok) throw new Error(filled.message);
    if (value.includes('touch')) expect(filled.value.script).not.toContain(value);
    expect(await run(filled.value.script, filled.value.env)).toEqual({ stdout: `[${value}]\n[${value}]\n`, stderr: '', exitCode: 0 });
    expect(existsSync(touch)).toBe(false);
  });

  it.each(HOSTILE)('a $VARIABLE value %s stays data, also where another shell re-reads it', async (_label, make) => {
    const touch = witness();
    const value = make(touch);
    const variable: StepParam[] = [{ name: 'X', kind: 'variable', secret: false, texts: ['$X'] }];
    const filled = substituteParams(`printf '[%s]\\n' "$X"; bash -c "printf '[%s]\\n' $X"`, variable, { X: value }, parser);
    if (!filled.ok) throw new Error(filled.message);
    expect(await run(filled.value.script, filled.value.env)).toEqual({ stdout: `[${value}]\n[${value}]\n`, stderr: '', exitCode: 0 });
    expect(existsSync(touch)).toBe(false);
  });

  it('a value starting with - arrives as one argument', async () => {
    const filled = substituteParams('printf "[%s]\\n" <v> "$#"; set -- <v>; echo "$#:$1"', param, { v: '-rf --no-preserve-root' }, parser);
    if (!filled.ok) throw new Error(filled.message);
    expect((await run(filled.value.script, filled.value.env)).stdout).toBe('[-rf --no-preserve-root]\n[0]\n1:-rf --no-preserve-root\n');
  });
});

describe('any single-line value', () => {
  /** Characters that mean something to a shell, a few harmless ones, and multi-byte text. */
  const unit = fc.constantFrom("'", '"', '\\', '$', '`', '(', ')', '{', '}', '[', ']', ';', '&', '|', '<', '>', '*', '?', '~', '#', '!',
    '%', '=', '-', ' ', '\t', 'a', 'Z', '0', 'é', '✅');

  it('prints verbatim at every position (property, real bash)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POSITIONS), fc.string({ unit, minLength: 1, maxLength: 16 }), async ([, template, printed], value) => {
        const filled = substituteParams(template, param, { v: value }, parser);
        if (!filled.ok) throw new Error(filled.message);
        expect(await run(filled.value.script, filled.value.env)).toEqual({ stdout: `[${printed(value)}]\n`, stderr: '', exitCode: 0 });
      }),
      { numRuns: 300 },
    );
  });
});
