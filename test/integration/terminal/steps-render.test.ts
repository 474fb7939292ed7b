/**
 * `steps.render` through its handler: a step's text with values written in literally, quoted for where each lands.
 * Checked by running the rendered text with a real `bash -c`: every hostile value prints verbatim and runs nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractError } from '../../../shared/contract/errors.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import type { Param, ParamKind, RemoteHint, Step } from '../../../shared/model/runbook.js';
import type { ShellParser } from '../../../shared/runbook/shell.js';
import { createTermHandlers } from '../../../electron/host/term-handlers.js';
import type { TerminalService } from '../../../electron/services/terminal/terminal-service.js';
import { HOSTILE_VALUES, type Hostile } from '../../helpers/hostile-values.js';
import { shellParser } from '../../helpers/importer.js';

const RUN_ID = '01900000-0000-7000-8000-000000000001';
let parser: ShellParser;
let dir: string;
let serial = 0;

beforeAll(async () => {
  parser = await shellParser();
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-render-'));
  // Files for a glob to match: if `*` were expanded, their names would show up in the output.
  for (const f of ['a1', 'a2', 'b c']) writeFileSync(join(dir, f), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ParamSpec {
  name: string;
  kind?: ParamKind;
  secret?: boolean;
  text: string;
}

function step(id: string, script: string, params: ParamSpec[], extra: Partial<Step> = {}): Step {
  return {
    id, kind: 'command', title: id, caption: null, line: 1, endLine: 1, script, language: 'bash', params: params.map((p) => p.name),
    danger: { level: 'safe', reasons: [] }, remote: null, checked: null, expectedOutput: null, ...extra,
  };
}

/** A running run whose section holds `steps`; each param occurs in every step with its text. */
function detail(steps: Step[], params: ParamSpec[]): RunDetail {
  const docParams: Param[] = params.map((p) => ({
    name: p.name, kind: p.kind ?? 'placeholder', secret: p.secret ?? false,
    occurrences: steps.filter((s) => s.params.includes(p.name)).map((s) => ({ stepId: s.id, line: 1, text: p.text })),
  }));
  return {
    run: {
      id: RUN_ID, runbookId: RUN_ID, versionId: RUN_ID, runbookTitle: 'Runbook', sectionId: 'sec', sectionTitle: 'Section', operator: 'op',
      target: 'local', origin: 'ui', status: 'running', startedAt: '2025-01-01T00:00:00.000Z', endedAt: null, progress: { done: 0, total: steps.length }, failedStep: null, left: [], endReason: null,
    },
    section: { id: 'sec', title: 'Section', level: 2, line: 1, meta: {}, steps, sections: [] },
    params: docParams,
    steps: [],
    notes: [],
    recordings: [],
    sessions: [],
  };
}

const noTerminals = new Proxy({}, { get: () => () => { throw new Error('not used'); } }) as TerminalService;

async function render(d: RunDetail, stepId: string, params: Record<string, string>, useRemoteHint?: boolean): Promise<string> {
  const handlers = createTermHandlers({ terminals: noTerminals, runs: { get: (id) => {
    if (id !== d.run.id) throw new ContractError('not_found', `no run ${id}`);
    return d;
  } }, shell: parser });
  const out = await handlers['steps.render']({ runId: d.run.id, stepId, params, ...(useRemoteHint === undefined ? {} : { useRemoteHint }) }, { origin: 'ui' });
  return out.text;
}

/** Renders `script` with `<v>` (or another text) standing for the value of one parameter. */
function renderOne(script: string, value: string, param: { name: string; kind: ParamKind; text: string } = { name: 'v', kind: 'placeholder', text: '<v>' }): Promise<string> {
  return render(detail([step('s', script, [param])], [param]), 's', { [param.name]: value });
}

/**
 * Inside backticks, a value whose quoting needs a backslash or a backtick is refused, and inside backticks within
 * "..." also one with a $ (bash reads `$(` and `${` there even between single quotes; see render-step.ts).
 */
const refusedInBackticks = (template: string, value: string): boolean =>
  template.includes('`') && (/['\\`]/.test(value) || (template.includes('"`') && value.includes('$')));

/** Renders and runs with bash; where the value cannot be pasted, checks the refusal instead. */
async function renderAndRun(template: string, value: string, printed: (v: string) => string): Promise<void> {
  if (refusedInBackticks(template, value)) {
    const error = await refusal(renderOne(template, value));
    expect(error.code).toBe('invalid_param');
    expect(error.message).toMatch(/^v: a value inside backticks/);
    return;
  }
  const text = await renderOne(template, value);
  expect(text).not.toContain('OPSDECK_P');
  expect(bash(text)).toEqual({ stdout: `[${printed(value)}]\n`, stderr: '', exitCode: 0 });
}

function bash(text: string): { stdout: string; stderr: string; exitCode: number | null } {
  // stdin from /dev/null and HOME here: with a socket for stdin (node's default) bash reads ~/.bashrc, as under sshd.
  const r = spawnSync('bash', ['-c', text], {
    cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: dir }, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status };
}

async function refusal(promise: Promise<unknown>): Promise<ContractError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ContractError);
  return error as ContractError;
}

function witness(): string {
  serial += 1;
  return join(dir, `pwned-${process.pid}-${serial}`);
}

/** Shared hostile values, plus history expansion, which an interactive shell (where the text is pasted) performs. */
const HOSTILE: Hostile[] = [
  ...HOSTILE_VALUES,
  ['! and history words', () => 'a!b !! !$'],
  // Found by the property below: inside "`...`" bash reads an unclosed $( even between single quotes.
  ['an unclosed $( and ${', () => '$({é'],
];

/** Where the value lands: the step as written, with `<v>` for the value, and the text printf receives around it. */
const POSITIONS: Array<[string, string, (v: string) => string]> = [
  ['bare', `printf '[%s]\\n' <v>`, (v) => v],
  ['in a concatenation', `printf '[%s]\\n' x-<v>-y`, (v) => `x-${v}-y`],
  ['double-quoted', `printf '[%s]\\n' "pre <v> post"`, (v) => `pre ${v} post`],
  ['double-quoted alone', `printf '[%s]\\n' "<v>"`, (v) => v],
  ['single-quoted', `printf '[%s]\\n' 'pre <v> post'`, (v) => `pre ${v} post`],
  ['single-quoted at both ends', `printf '[%s]\\n' '<v>'`, (v) => v],
  ['bash -c "..."', `bash -c "printf '[%s]\\n' <v>"`, (v) => v],
  ["bash -c '...'", `bash -c 'printf "[%s]\\n" <v>'`, (v) => v],
  ["depth 2: bash -c \"bash -c '...'\"", `bash -c "bash -c 'printf \\"[%s]\\\\n\\" <v>'"`, (v) => v],
  ['eval', `eval printf "'[%s]\\n'" <v>`, (v) => v],
  ['$(...)', `printf '[%s]\\n' "$(printf %s <v>)"`, (v) => v],
  ['backticks', "x=`printf %s <v>`; printf '[%s]\\n' \"$x\"", (v) => v],
  ['backticks in "..."', "printf '[%s]\\n' \"`printf %s <v>`\"", (v) => v],
  ['a heredoc fed to bash', `bash <<EOF\nprintf '[%s]\\n' <v>\nEOF`, (v) => v],
  ['an unquoted heredoc of data', `cat <<EOF\n[<v>]\nEOF`, (v) => v],
  ['a here-string fed to bash', `bash <<< "printf '[%s]\\n' <v>"`, (v) => v],
];

describe.each(POSITIONS)('a value %s', (_where, template, printed) => {
  it.each(HOSTILE)('%s is rendered so that bash prints it verbatim and runs nothing (or refused)', async (_label, make) => {
    const touch = witness();
    await renderAndRun(template, make(touch), printed);
    expect(existsSync(touch)).toBe(false);
  });
});

describe('rendered text', () => {
  it('reads like what an operator would type', async () => {
    expect(await renderOne(`kubectl logs <v> --tail=50`, 'api-7d9f')).toBe(`kubectl logs 'api-7d9f' --tail=50`);
    expect(await renderOne(`echo 'deploying <v> now'`, "it's")).toBe(`echo 'deploying it'\\''s now'`);
    expect(await renderOne(`echo "deploying <v> now"`, 'v1.2 "beta"')).toBe(`echo "deploying v1.2 \\"beta\\" now"`);
    expect(await renderOne(`ssh ops@bastion "journalctl -u <v>"`, 'api')).toBe(`ssh ops@bastion "journalctl -u 'api'"`);
    // Text before the value in characters of several bytes: positions are counted in characters, not bytes.
    expect(await renderOne(`echo "déjà vu ✓ 🚀 <v>" <v>`, 'x y')).toBe(`echo "déjà vu ✓ 🚀 x y" 'x y'`);
  });

  it('puts integers in arithmetic as they are, signed ones in parentheses', async () => {
    expect(bash(await renderOne('echo $(( 10 - <v> ))', '-5')).stdout).toBe('15\n');
    expect(bash(await renderOne('for ((i = 0; i < <v>; i++)); do printf x; done', '3')).stdout).toBe('xxx');
    expect((await refusal(renderOne('echo $(( 10 - <v> ))', '1; touch x'))).code).toBe('invalid_param');
  });

  it('fills $VARIABLE parameters in place, and exports those a nested shell reads', async () => {
    const value = `it's $(touch ${witness()}) "x"`;
    const X = { name: 'X', kind: 'variable' as const, text: '$X' };
    const inPlace = await renderOne(`printf '[%s]\\n' "$X" $X "pre \${X} post"`, value, X);
    expect(inPlace).not.toContain('$X');
    expect(inPlace).not.toContain('export');
    expect(bash(inPlace).stdout).toBe(`[${value}]\n[${value}]\n[pre ${value} post]\n`);
    const nested = await renderOne(`bash -c 'printf "[%s]\\n" "$X"'; echo "\${X:-unset}"`, value, X);
    expect(nested.startsWith(`export X='it'\\''s `)).toBe(true);
    expect(bash(nested).stdout).toBe(`[${value}]\n${value}\n`);
  });

  it('renders the ssh hint\'s inner command for a terminal already on the host', async () => {
    const remote: RemoteHint = { user: 'ops', host: 'web-1', port: null, command: 'systemctl restart <v>' };
    const d = detail([step('s', 'ssh ops@web-1 "systemctl restart <v>"', [{ name: 'v', text: '<v>' }], { remote })], [{ name: 'v', text: '<v>' }]);
    expect(await render(d, 's', { v: 'nginx; reboot' }, true)).toBe(`systemctl restart 'nginx; reboot'`);
    expect(await render(d, 's', { v: 'nginx' })).toBe(`ssh ops@web-1 "systemctl restart 'nginx'"`);
  });

  it('leaves a step without parameters as written', async () => {
    const d = detail([step('s', 'uptime && df -h', [])], []);
    expect(await render(d, 's', {})).toBe('uptime && df -h');
  });

  it.each([
    ['a tab', 'a\tb'],
    ['an escape', 'a\u001b[2Jb'],
    ['DEL', 'a\u007f'],
    ['a C1 control', 'a\u009bb'],
  ])('refuses a value holding %s, which a terminal would act on', async (_label, value) => {
    const error = await refusal(renderOne(`echo <v>`, value));
    expect(error.code).toBe('invalid_param');
    expect(error.message).toMatch(/control characters.*\bv\b/);
  });
});

describe('refusals', () => {
  const twoParams = [{ name: 'pod', text: '<pod>' }, { name: 'ns', text: '<ns>' }];
  const d = detail([step('logs', 'kubectl -n <ns> logs <pod>', twoParams), { ...step('check', 'Is it green?', []), kind: 'check' }], twoParams);

  it('names every missing parameter', async () => {
    const error = await refusal(render(d, 'logs', { pod: '' }));
    expect(error.code).toBe('missing_params');
    expect(error.message).toBe('Fill in pod, ns to render this step.');
  });

  it('refuses a value with a line break: pasted, it would press Enter', async () => {
    for (const v of ['a\nrm -rf ~', 'a\r', 'a\u0000']) {
      const error = await refusal(render(d, 'logs', { pod: v, ns: 'prod' }));
      expect(error.code).toBe('invalid_param');
      expect(error.message).toMatch(/single line.*pod/);
    }
  });

  it('refuses to paste secrets', async () => {
    const p = [{ name: 'TOKEN', kind: 'secret' as const, secret: true, text: '${{ secrets.TOKEN }}' }];
    const error = await refusal(render(detail([step('s', 'curl -H "Authorization: ${{ secrets.TOKEN }}" https://x', p)], p), 's', { TOKEN: 'abcd1234' }));
    expect(error.code).toBe('invalid_param');
    expect(error.message).toMatch(/TOKEN: secret values are not pasted/);
  });

  it('refuses a value that would end its heredoc early', async () => {
    const error = await refusal(renderOne('cat <<EOF\n<v>\nEOF', 'EOF'));
    expect(error.message).toMatch(/end marker EOF/);
  });

  it('passes on what substituteParams refuses', async () => {
    const error = await refusal(renderOne("cat <<'EOF'\n<v>\nEOF", 'x'));
    expect(error.code).toBe('invalid_param');
    expect(error.message).toMatch(/quoted heredoc/);
  });

  it('answers not_found for an unknown run or step, invalid_input for a step that is not a command', async () => {
    expect((await refusal(render(d, 'nope', {}))).code).toBe('not_found');
    expect((await refusal(render(d, 'check', {}))).code).toBe('invalid_input');
    expect((await refusal(render(d, 'logs', { pod: 'a', ns: 'b' }, true))).message).toMatch(/no ssh command/);
    const handlers = createTermHandlers({ terminals: noTerminals, runs: { get: (id) => { throw new ContractError('not_found', `no run ${id}`); } }, shell: parser });
    const error = await refusal(Promise.resolve().then(() => handlers['steps.render']({ runId: RUN_ID, stepId: 'logs', params: {} }, { origin: 'ui' })));
    expect(error.code).toBe('not_found');
  });
});

describe('any single-line value', () => {
  /** Characters that mean something to a shell, a few harmless ones, and multi-byte text (no controls: those are refused). */
  const unit = fc.constantFrom("'", '"', '\\', '$', '`', '(', ')', '{', '}', '[', ']', ';', '&', '|', '<', '>', '*', '?', '~', '#', '!',
    '%', '=', '-', ' ', 'a', 'Z', '0', 'é', '✅');

  it('renders so that bash prints it verbatim at every position (property, real bash)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POSITIONS), fc.string({ unit, minLength: 1, maxLength: 16 }), ([, template, printed], value) =>
        renderAndRun(template, value, printed)),
      { numRuns: 300 },
    );
  });
});

describe('a step that starts with its header comment', () => {
  it('renders without it: a one-line command stays one line, and what follows is kept whole', async () => {
    const param = { name: 'name', kind: 'placeholder' as const, text: '<name>' };
    const one = await renderOne('# 1. Check health\n\necho "hi <name>"', 'ops', param);
    expect(one).toBe('echo "hi ops"');
    expect(bash(one).stdout).toBe('hi ops\n');
    const two = await renderOne('# 2. Restart\n# (takes a minute)\nsystemctl --user --version >/dev/null || true\n# then look\necho "done <name>"', 'ops', param);
    expect(two).toBe('systemctl --user --version >/dev/null || true\n# then look\necho "done ops"');
    // Only comments: nothing else to paste, so the text stays as it is.
    expect(await render(detail([step('c', '# 3. Look at the dashboard', [])], []), 'c', {})).toBe('# 3. Look at the dashboard');
  });
});
