/**
 * `opsdeck run` and `opsdeck history` as a user runs them: real bash, a temp data directory, exit codes, what is
 * printed, and what the history then shows.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Run, RunDetail } from '../../shared/contract/schemas.js';
import { spawnOpsdeck, startOpsdeck, type Outcome } from '../helpers/cli.js';
import { HOSTILE_VALUES } from '../helpers/hostile-values.js';

let tmp: string;
let runbook: string;

const RUNBOOK = `# Deploy Notes

## Prepare

- [ ] Tell the channel

\`\`\`bash
# 1. Greet
echo "hello <env>"

# 2. Write a marker
touch "$MARKER_DIR/prepared"
\`\`\`

## Cleanup

\`\`\`bash
# Remove the markers
rm -rf "$MARKER_DIR"
\`\`\`

## Broken

\`\`\`bash
# 1. Fails
echo "about to fail" >&2; exit 3

# 2. Never reached
touch "$MARKER_DIR/never"
\`\`\`

## Call the API

\`\`\`bash
printf '%s' "\${{ secrets.API_TOKEN }}" | wc -c
\`\`\`

## Slow

\`\`\`bash
# 1. First
echo one >> "$MARKER_DIR/log"

# 2. Nap
if [ -e "$MARKER_DIR/napped" ]; then echo "awake"; else touch "$MARKER_DIR/napped"; sleep 30; fi

# 3. Last
echo three >> "$MARKER_DIR/log"
\`\`\`
`;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-run-'));
  runbook = join(tmp, 'deploy.md');
  writeFileSync(runbook, RUNBOOK);
  expect(opsdeck('import', runbook).code).toBe(0);
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function opsdeck(...args: string[]): Outcome {
  return spawnOpsdeck(['--data-dir', join(tmp, 'data'), ...args], tmp);
}

/** Runs opsdeck with these variables in its environment. */
function opsdeckWith(env: Record<string, string>, ...args: string[]): Outcome {
  return spawnOpsdeck(['--data-dir', join(tmp, 'data'), ...args], tmp, env);
}

/** The lines a dry run shows for step `n` of its section, as they would be pasted into a shell. */
function previewOf(stdout: string, n: number): string {
  const block = stdout.split(/^\n?\[\d+\/\d+\] .*$/m)[n] ?? '';
  return block
    .split('\n')
    .filter((line) => line.startsWith('    '))
    .map((line) => line.slice(4))
    .join('\n');
}

const markers = (): string => join(tmp, 'markers');

describe('opsdeck run', () => {
  it('runs a section headlessly, streams output, exits 0 and records the run', () => {
    execFileSync('mkdir', ['-p', markers()]);
    const out = opsdeck('run', runbook, '--section', 'Prepare', '--param', 'env=prod west', '--param', `MARKER_DIR=${markers()}`);
    expect(out.stderr).toContain('[1/2] Greet');
    expect(out.stdout).toContain('hello prod west');
    expect(out.code).toBe(0);
    expect(existsSync(join(markers(), 'prepared'))).toBe(true);
    expect(out.stderr).toMatch(/^incomplete · 2\/3 steps done · checks are not ticked in a headless run\nleft: "Tell the channel"$/m);
    const [run] = JSON.parse(opsdeck('history', '--json').stdout) as Run[];
    // The check stays not done: a headless run cannot tick it, so the run ends incomplete, the check left.
    expect(run).toMatchObject({ status: 'incomplete', origin: 'cli', progress: { done: 2, total: 3 }, sectionTitle: 'Prepare', left: [{ title: 'Tell the channel' }] });
    expect(opsdeck('history').stdout).toMatch(/Deploy Notes\s+Prepare\s+.*incomplete\s+left: "Tell the channel"/);
  });

  it('exits 2 naming the missing parameters, and runs nothing', () => {
    const out = opsdeck('run', runbook, '--section', 'Prepare');
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/missing parameters: env, MARKER_DIR/);
    expect(JSON.parse(opsdeck('history', '--json').stdout)).toEqual([]);
  });

  it('refuses destructive steps without --yes and runs them with it', () => {
    execFileSync('mkdir', ['-p', markers()]);
    const refused = opsdeck('run', runbook, '--section', 'Cleanup', '--param', `MARKER_DIR=${markers()}`);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/destructive.*--yes/);
    expect(existsSync(markers())).toBe(true);
    const ran = opsdeck('run', runbook, '--section', 'Cleanup', '--param', `MARKER_DIR=${markers()}`, '--yes');
    expect(ran.code).toBe(0);
    expect(existsSync(markers())).toBe(false);
  });

  it('prints each step as its shell gets it with --dry-run: values as assignments, then the script; runs and records nothing', () => {
    const out = opsdeck('run', runbook, '--section', 'Prepare', '--param', 'env=staging', '--param', 'MARKER_DIR=/x', '--dry-run');
    expect(out.code).toBe(0);
    expect(previewOf(out.stdout, 1)).toMatch(/^OPSDECK_P1='staging' {2}# env \(<env>\), from --param\n# 1\. Greet\necho "hello \$\{OPSDECK_P1\}"$/m);
    expect(previewOf(out.stdout, 2)).toMatch(/^MARKER_DIR='\/x' {2}# MARKER_DIR, from --param\n# 2\. Write a marker\ntouch "\$MARKER_DIR\/prepared"$/m);
    expect(out.stdout).toContain('[2/2] Write a marker');
    expect(out.stdout).not.toContain('hello staging');
    expect(JSON.parse(opsdeck('history', '--json').stdout)).toEqual([]);
  });

  it.each(HOSTILE_VALUES)('never puts a value inside the command text of a dry run, and its lines paste safely: %s', (_label, make) => {
    const witness = join(tmp, 'witness');
    const value = make(witness);
    const out = opsdeck('run', runbook, '--section', 'Prepare', '--param', `env=${value}`, '--param', 'MARKER_DIR=/x', '--dry-run');
    expect(out.code).toBe(0);
    const preview = previewOf(out.stdout, 1);
    expect(preview.split('\n').at(-1)).toBe('echo "hello ${OPSDECK_P1}"');
    // What an operator gets who copies the preview into a shell: the value printed as it is, nothing it names run.
    const pasted = execFileSync('bash', ['-c', preview], { cwd: tmp, encoding: 'utf8' });
    expect(pasted).toBe(`hello ${value}\n`);
    expect(existsSync(witness)).toBe(false);
  });

  it('previews with parameters missing, naming each and what a run needs, exit 0', () => {
    const out = opsdeck('run', runbook, '--section', 'Prepare', '--dry-run');
    expect(out.code).toBe(0);
    expect(previewOf(out.stdout, 1)).toContain('# missing: env (placeholder <env>), to be OPSDECK_P1\n');
    expect(previewOf(out.stdout, 2)).toContain('# missing: MARKER_DIR (variable $MARKER_DIR)\n');
    expect(out.stdout).toContain('Missing: env, MARKER_DIR; a run needs --param env=VALUE; --param MARKER_DIR=VALUE or export MARKER_DIR.');
    expect(JSON.parse(opsdeck('history', '--json').stdout)).toEqual([]);
  });

  it('takes a variable parameter left unset from the environment, and says so', () => {
    execFileSync('mkdir', ['-p', markers()]);
    expect(opsdeck('run', runbook, '--section', 'Cleanup', '--yes').stderr).toMatch(/missing parameters: MARKER_DIR \(pass --param NAME=VALUE for each, or export NAME\)/);
    const dry = opsdeckWith({ MARKER_DIR: markers() }, 'run', runbook, '--section', 'Prepare', '--param', 'env=prod', '--dry-run');
    expect(previewOf(dry.stdout, 2)).toContain(`MARKER_DIR='${markers()}'  # MARKER_DIR, from environment\n`);
    // --param wins over the environment.
    const both = opsdeckWith({ MARKER_DIR: '/elsewhere' }, 'run', runbook, '--section', 'Prepare', '--param', 'env=prod', '--param', `MARKER_DIR=${markers()}`, '--dry-run');
    expect(previewOf(both.stdout, 2)).toContain(`MARKER_DIR='${markers()}'  # MARKER_DIR, from --param\n`);

    const ran = opsdeckWith({ MARKER_DIR: markers() }, 'run', runbook, '--section', 'Cleanup', '--yes');
    expect(ran.code).toBe(0);
    expect(ran.stderr).toContain('Parameters from the environment: MARKER_DIR');
    expect(existsSync(markers())).toBe(false);
    // A placeholder such as <env> is no variable's name: the environment does not fill it.
    const placeholder = opsdeckWith({ env: 'prod', MARKER_DIR: markers() }, 'run', runbook, '--section', 'Prepare');
    expect(placeholder.code).toBe(2);
    expect(placeholder.stderr).toMatch(/missing parameters: env \(pass --param NAME=VALUE for each\)/);
  });

  it('takes a secret from the environment: masked in the dry run and in history, never on a command line', () => {
    const token = 'sk-test-0123456789';
    const dry = opsdeckWith({ API_TOKEN: token }, 'run', runbook, '--section', 'Call the API', '--dry-run');
    expect(dry.code).toBe(0);
    expect(previewOf(dry.stdout, 1)).toMatch(/^OPSDECK_P1=•••• {2}# API_TOKEN \(\$\{\{ secrets\.API_TOKEN \}\}\), secret, from environment$/m);
    expect(dry.stdout).not.toContain(token);

    const ran = opsdeckWith({ API_TOKEN: token }, 'run', runbook, '--section', 'Call the API', '--json');
    expect(ran.code).toBe(0);
    const detail = JSON.parse(ran.stdout) as RunDetail;
    expect(detail.steps[0]!.attempts[0]!.params).toEqual({ API_TOKEN: '••••' });
    expect(ran.stdout).not.toContain(token);
  });

  it('stops at the first failing step, exits 1, and history shows the failed step', () => {
    execFileSync('mkdir', ['-p', markers()]);
    const out = opsdeck('run', runbook, '--section', 'Broken', '--param', `MARKER_DIR=${markers()}`, '--json');
    expect(out.code).toBe(1);
    const detail = JSON.parse(out.stdout) as RunDetail;
    expect(detail.run).toMatchObject({ status: 'failed', origin: 'cli', failedStep: { title: 'Fails' } });
    expect(detail.steps.map((s) => s.status)).toEqual(['failed', 'pending']);
    expect(detail.steps[0]!.attempts[0]).toMatchObject({ exitCode: 3, status: 'failed' });
    expect(existsSync(join(markers(), 'never'))).toBe(false);

    const history = JSON.parse(opsdeck('history', '--json').stdout) as Run[];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ id: detail.run.id, status: 'failed', sectionTitle: 'Broken', runbookTitle: 'Deploy Notes' });
    const table = opsdeck('history');
    expect(table.stdout).toMatch(/Deploy Notes\s+Broken\s+.*failed\s+Fails/);
  });

  it('resumes a run interrupted mid-step: the steps done are skipped, the interrupted one runs again, one run in history', async () => {
    execFileSync('mkdir', ['-p', markers()]);
    const first = startOpsdeck(['--data-dir', join(tmp, 'data'), 'run', runbook, '--section', 'Slow'], tmp, { MARKER_DIR: markers() });
    const exited = new Promise((resolve) => first.once('exit', resolve));
    await until(() => existsSync(join(markers(), 'napped')));
    first.kill('SIGKILL');
    await exited;

    // The next command to open the data directory finds the run's process gone: the run is interrupted.
    const [interrupted] = JSON.parse(opsdeck('history', '--json').stdout) as Run[];
    expect(interrupted).toMatchObject({ status: 'interrupted', sectionTitle: 'Slow' });
    expect(opsdeck('history').stdout).toContain(`opsdeck run --resume ${interrupted!.id.slice(0, 8)}`);

    const resumed = opsdeckWith({ MARKER_DIR: markers() }, 'run', '--resume', interrupted!.id.slice(0, 13));
    expect(resumed.stderr).toContain(`Resumed run ${interrupted!.id}`);
    expect(resumed.stderr).toContain('Skipping 1 step already done: "First"');
    expect(resumed.stdout).toContain('awake');
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(markers(), 'log'), 'utf8')).toBe('one\nthree\n');

    const history = JSON.parse(opsdeck('history', '--json').stdout) as Run[];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ id: interrupted!.id, status: 'completed' });
    const again = opsdeckWith({ MARKER_DIR: markers() }, 'run', '--resume', interrupted!.id, '--json');
    // Only an interrupted run can be resumed: the service says why, exit 1.
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^opsdeck: cannot resume run \S+: .*interrupted/m);
  }, 60_000);

  it('asks for --section when the runbook has several, naming them', () => {
    const out = opsdeck('run', runbook);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--section.*"Prepare".*"Cleanup".*"Broken"/);
  });
});

/** Resolves once `ready()` holds; fails the test with `what` after a while. */
async function until(ready: () => boolean, what = 'the step to start'): Promise<void> {
  for (let waited = 0; !ready(); waited += 50) {
    if (waited > 30_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
