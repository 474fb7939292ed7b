// What a remote step's command line does in the login shells servers have, run here in the real shells: bash (the
// step runs in it), bash in POSIX mode and dash (each starts bash for the step). Same output and exit code in each.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { remoteCommand } from '../../../../electron/services/runs/attempts.js';

const shells: Array<[string, string[]]> = [
  ['bash', ['bash', '-c']],
  ['bash --posix (sh on some systems)', ['bash', '--posix', '-c']],
  ['dash', ['dash', '-c']],
];

function runIn(argv: string[], script: string): { stdout: string; stderr: string; status: number | null } {
  const [cmd, ...args] = argv as [string, ...string[]];
  // stdin not a socket (as node's pipes are): bash would take itself for a remote shell and read ~/.bashrc.
  const r = spawnSync(cmd, [...args, remoteCommand(script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('remote step command line', () => {
  const bashy = [
    'arr=(one "two three")',
    'echo "${#arr[@]} ${arr[1]}"',
    '[[ "a b" == "a b" ]] && echo "it\'s [[ok]]"',
    'echo "step var: ${OPSDECK_STEP-unset}"',
    "cat <<'EOF'",
    '$HOME stays literal',
    'EOF',
    'exit 3',
  ].join('\n');

  it.each(shells)('runs a bash step verbatim in %s, with its exit code', (_name, argv) => {
    const r = runIn(argv, bashy);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("2 two three\nit's [[ok]]\nstep var: unset\n$HOME stays literal\n");
    expect(r.status).toBe(3);
  });

  it('runs the step in a bash login shell itself (no second bash), and starts bash from any other', () => {
    // BASH_EXECUTION_STRING is what the running bash was given with -c: the whole command line when the login shell
    // runs the step, only the step when a new bash was started for it (the pattern is quoted so as not to match itself).
    const probe = 'case "$BASH_EXECUTION_STRING" in *OPSDECK_STEP"="*) echo login-shell;; *) echo new-bash;; esac';
    expect(runIn(['bash', '-c'], probe).stdout).toBe('login-shell\n');
    expect(runIn(['bash', '--posix', '-c'], probe).stdout).toBe('new-bash\n');
    expect(runIn(['dash', '-c'], probe).stdout).toBe('new-bash\n');
  });

  it('reports a syntax error in the step as bash -c does: the lines before it run, nothing after', () => {
    const script = 'echo before\nif then fi (\necho after';
    const direct = spawnSync('bash', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(direct.stdout).toBe('before\n');
    for (const [, argv] of shells) {
      const r = runIn(argv, script);
      expect(r.stdout).toBe(direct.stdout);
      expect(r.stderr).toMatch(/syntax error/);
      expect(r.status).toBe(direct.status);
    }
  });
});
