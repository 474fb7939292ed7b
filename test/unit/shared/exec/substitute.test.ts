// Filling parameters: how each occurrence is rewritten for the quoting it lands in, and what is refused.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ParamKind } from '../../../../shared/model/runbook.js';
import { substituteParams, type StepParam, type SubstituteResult } from '../../../../shared/exec/substitute.js';
import type { ShellParser } from '../../../../shared/runbook/shell.js';
import { shellParser } from '../../../helpers/importer.js';

let parser: ShellParser;
beforeAll(async () => {
  parser = await shellParser();
});

/** POSIX single quoting, written here independently of the module under test. */
const q = (s: string): string => `'${s.split("'").join(`'\\''`)}'`;

const ph = (name: string, kind: ParamKind = 'placeholder', texts = [`<${name}>`]): StepParam => ({ name, kind, secret: false, texts });
const v = (name: string): StepParam => ({ name, kind: 'variable', secret: false, texts: [`$${name}`, `\${${name}}`] });

function fill(script: string, params: StepParam[], values: Record<string, string>): SubstituteResult {
  return substituteParams(script, params, values, parser);
}

function ok(script: string, params: StepParam[], values: Record<string, string>): { script: string; env: Record<string, string> } {
  const r = fill(script, params, values);
  if (!r.ok) throw new Error(`refused: ${r.message}`);
  return r.value;
}

const VALUE = `it's "x" $(y)`;

describe('one shell: the reference follows the quoting', () => {
  it.each([
    ['bare word', 'kill <pid>', 'kill "${OPSDECK_P1}"'],
    ['part of a word', 'restore --input backup-<pid>.tar.gz', 'restore --input backup-"${OPSDECK_P1}".tar.gz'],
    ['inside "..."', 'echo "stop:<pid> now"', 'echo "stop:${OPSDECK_P1} now"'],
    ["inside '...'", "echo 'pid <pid> here'", `echo 'pid '"\${OPSDECK_P1}"' here'`],
    ['an assignment', 'P=<pid>; echo "$P"', 'P="${OPSDECK_P1}"; echo "$P"'],
    ['a redirect target', 'echo x > /tmp/<pid>.log', 'echo x > /tmp/"${OPSDECK_P1}".log'],
    ['inside $(...) in "..."', 'echo "$(cat /proc/<pid>/status)"', 'echo "$(cat /proc/"${OPSDECK_P1}"/status)"'],
    ['an unquoted heredoc', 'cat > f <<EOF\npid=<pid>\nEOF', 'cat > f <<EOF\npid=${OPSDECK_P1}\nEOF'],
    ['a here-string', 'grep x <<< "<pid>"', 'grep x <<< "${OPSDECK_P1}"'],
    ['a [[ ]] comparison', '[[ <pid> == x* ]]', '[[ "${OPSDECK_P1}" == x* ]]'],
    ["positional args after bash -c's script", `bash -c 'echo "$1"' _ <pid>`, `bash -c 'echo "$1"' _ "\${OPSDECK_P1}"`],
  ])('%s', (_label, script, expected) => {
    expect(ok(script, [ph('pid')], { pid: VALUE })).toEqual({ script: expected, env: { OPSDECK_P1: VALUE } });
  });

  it('leaves comments as written and needs no variable for them', () => {
    expect(ok('echo hi # for <pid>', [ph('pid')], { pid: VALUE })).toEqual({ script: 'echo hi # for <pid>', env: {} });
  });

  it('passes secrets only through the environment', () => {
    const secret: StepParam = { name: 'TOKEN', kind: 'secret', secret: true, texts: ['${{ secrets.TOKEN }}'] };
    const out = ok('curl -H "Authorization: Bearer ${{ secrets.TOKEN }}" https://x', [secret], { TOKEN: 's3cr3t' });
    expect(out).toEqual({ script: 'curl -H "Authorization: Bearer ${OPSDECK_P1}" https://x', env: { OPSDECK_P1: 's3cr3t' } });
  });

  it('keeps date, CHANGEME, host and ssh-target occurrences whole', () => {
    const params = [ph('YYYY-MM-DD', 'date', ['YYYY-MM-DD']), ph('CHANGEME', 'changeme', ['CHANGEME']),
      ph('agent-lab.your-domain.com', 'example-host', ['agent-lab.your-domain.com']), ph('user@server', 'ssh-target', ['user@server'])];
    const values = { 'YYYY-MM-DD': '2024-05-01', CHANGEME: 'pw', 'agent-lab.your-domain.com': 'lab.corp', 'user@server': 'ops@db1' };
    const out = ok('scp backup-YYYY-MM-DD.tgz user@server:/srv && curl https://agent-lab.your-domain.com/?k=CHANGEME', params, values);
    expect(out.script).toBe('scp backup-"${OPSDECK_P1}".tgz "${OPSDECK_P2}":/srv && curl https://"${OPSDECK_P3}"/?k="${OPSDECK_P4}"');
    expect(out.env).toEqual({ OPSDECK_P1: '2024-05-01', OPSDECK_P2: 'ops@db1', OPSDECK_P3: 'lab.corp', OPSDECK_P4: 'pw' });
  });

  it('replaces the longest text first and skips what overlaps it; a text inside a longer word is not an occurrence', () => {
    const params = [ph('YYYY-MM', 'date', ['YYYY-MM']), ph('YYYY-MM-DD', 'date', ['YYYY-MM-DD']), ph('CHANGEME', 'changeme', ['CHANGEME'])];
    const out = ok('tar czf b-YYYY-MM-DD.tgz m-YYYY-MM CHANGEMENOW', params, { 'YYYY-MM': '2024-05', 'YYYY-MM-DD': '2024-05-01', CHANGEME: 'x' });
    expect(out.script).toBe('tar czf b-"${OPSDECK_P1}".tgz m-"${OPSDECK_P2}" CHANGEMENOW');
    expect(out.env).toEqual({ OPSDECK_P1: '2024-05-01', OPSDECK_P2: '2024-05' });
  });

  it('shares one variable between occurrences that need the same text, and numbers the others', () => {
    const out = ok('a <x> "<x>" <y>; bash -c "b <x>"', [ph('x'), ph('y')], { x: 'X', y: 'Y' });
    expect(out.script).toBe('a "${OPSDECK_P1}" "${OPSDECK_P1}" "${OPSDECK_P2}"; bash -c "b ${OPSDECK_P3}"');
    expect(out.env).toEqual({ OPSDECK_P1: 'X', OPSDECK_P2: 'Y', OPSDECK_P3: q('X') });
  });

  it('returns a script without occurrences unchanged', () => {
    expect(ok('uptime', [ph('x')], { x: '1' })).toEqual({ script: 'uptime', env: {} });
  });
});

describe('variables', () => {
  it('go into the environment under their own name; the script is not rewritten', () => {
    const script = 'aws ec2 stop-instances --instance-ids $INSTANCE_ID "${INSTANCE_ID}"';
    expect(ok(script, [v('INSTANCE_ID')], { INSTANCE_ID: 'i-1 $(x)' })).toEqual({ script, env: { INSTANCE_ID: 'i-1 $(x)' } });
  });

  it("leave '$X', \\$X and $XY alone", () => {
    const script = `echo '$X' \\$X $XY; bash -c 'echo $X'`;
    expect(ok(script, [v('X')], { X: 'v' })).toEqual({ script, env: { X: 'v' } });
  });

  it('are rewritten where another shell re-reads them (the local shell expands "$X" before ssh sends it)', () => {
    expect(ok('ssh host "echo $X" && echo $X', [v('X')], { X: "a'b" })).toEqual({
      script: 'ssh host "echo ${OPSDECK_P1}" && echo $X',
      env: { X: "a'b", OPSDECK_P1: q("a'b") },
    });
    expect(ok('eval echo ${X}', [v('X')], { X: 'a b' }).script).toBe('eval echo "${OPSDECK_P1}"');
  });
});

describe('twice evaluated: the variable holds the value quoted for the inner shell', () => {
  const x = [ph('x')];
  it.each([
    ['ssh command words (bare)', 'ssh user@db1 systemctl restart <x>', 'ssh user@db1 systemctl restart "${OPSDECK_P1}"', q(VALUE)],
    ['ssh "..."', 'ssh -p 2222 db1 "sudo systemctl restart <x>"', 'ssh -p 2222 db1 "sudo systemctl restart ${OPSDECK_P1}"', q(VALUE)],
    ["ssh '...'", "ssh db1 'tail -n 5 <x>'", `ssh db1 'tail -n 5 '"\${OPSDECK_P1}"''`, q(VALUE)],
    ['bash -c "..."', `bash -c "printf '[%s]\\n' <x>"`, `bash -c "printf '[%s]\\n' \${OPSDECK_P1}"`, q(VALUE)],
    ["sh -c '...'", `sh -c 'printf "[%s]\\n" <x>'`, `sh -c 'printf "[%s]\\n" '"\${OPSDECK_P1}"''`, q(VALUE)],
    ['a "..." inside the inner script', `sh -c "echo \\"<x>\\""`, `sh -c "echo \\"\${OPSDECK_P1}\\""`, `"${q(VALUE)}"`],
    ["a '...' inside the inner script", `bash -c "echo 'id <x>'"`, `bash -c "echo 'id \${OPSDECK_P1}'"`, `'${q(VALUE)}'`],
    ['bash -lc', 'bash -lc "echo <x>"', 'bash -lc "echo ${OPSDECK_P1}"', q(VALUE)],
    ['su -c', 'su - postgres -c "psql -f <x>"', 'su - postgres -c "psql -f ${OPSDECK_P1}"', q(VALUE)],
    ['sudo sh -c', `sudo -u app sh -c "echo <x> > /etc/x"`, `sudo -u app sh -c "echo \${OPSDECK_P1} > /etc/x"`, q(VALUE)],
    ['eval', 'eval "echo <x>"', 'eval "echo ${OPSDECK_P1}"', q(VALUE)],
    ['watch', 'watch -n 5 "ls <x>"', 'watch -n 5 "ls ${OPSDECK_P1}"', q(VALUE)],
    ['trap', 'trap "rm -f <x>" EXIT', 'trap "rm -f ${OPSDECK_P1}" EXIT', q(VALUE)],
    ['docker exec ... sh -c', 'docker exec -it web sh -c "ls <x>"', 'docker exec -it web sh -c "ls ${OPSDECK_P1}"', q(VALUE)],
    ['kubectl exec ... -- sh -c', 'kubectl exec -n x pod -- sh -c "ls <x>"', 'kubectl exec -n x pod -- sh -c "ls ${OPSDECK_P1}"', q(VALUE)],
    ['xargs sh -c', `ls | xargs -I{} sh -c 'mv {} <x>'`, `ls | xargs -I{} sh -c 'mv {} '"\${OPSDECK_P1}"''`, q(VALUE)],
    ['find -exec sh -c', `find . -exec sh -c 'cp "$1" <x>' _ {} \\;`, `find . -exec sh -c 'cp "$1" '"\${OPSDECK_P1}"'' _ {} \\;`, q(VALUE)],
    ['a heredoc fed to ssh', 'ssh db1 <<EOF\nrestart <x>\nEOF', 'ssh db1 <<EOF\nrestart ${OPSDECK_P1}\nEOF', q(VALUE)],
    ['a heredoc fed to ssh host bash -s', 'ssh db1 sudo bash -s <<EOF\nrestart <x>\nEOF', 'ssh db1 sudo bash -s <<EOF\nrestart ${OPSDECK_P1}\nEOF', q(VALUE)],
    ['cat <<EOF | bash', 'cat <<EOF | bash\nrestart <x>\nEOF', 'cat <<EOF | bash\nrestart ${OPSDECK_P1}\nEOF', q(VALUE)],
    ['a here-string fed to bash', 'bash <<< "echo <x>"', 'bash <<< "echo ${OPSDECK_P1}"', q(VALUE)],
    ['a heredoc fed to sudo -iu app', 'sudo -iu app <<EOF\nrm <x>\nEOF', 'sudo -iu app <<EOF\nrm ${OPSDECK_P1}\nEOF', q(VALUE)],
    ['a heredoc fed to su - app', 'su - app <<EOF\nrm <x>\nEOF', 'su - app <<EOF\nrm ${OPSDECK_P1}\nEOF', q(VALUE)],
    ['a heredoc fed to at', 'at now + 5 minutes <<EOF\nrm <x>\nEOF', 'at now + 5 minutes <<EOF\nrm ${OPSDECK_P1}\nEOF', q(VALUE)],
    ['flock -c', 'flock /tmp/l -c "run <x>"', 'flock /tmp/l -c "run ${OPSDECK_P1}"', q(VALUE)],
    ['runuser -c', "runuser -l app -c 'run <x>'", `runuser -l app -c 'run '"\${OPSDECK_P1}"''`, q(VALUE)],
    ['ssh -o ProxyCommand=', 'ssh -o ProxyCommand="ssh -W %h:%p <x>" db1 uptime', 'ssh -o ProxyCommand="ssh -W %h:%p ${OPSDECK_P1}" db1 uptime', q(VALUE)],
    ['ssh -oRemoteCommand=', "ssh '-oRemoteCommand=tail <x>' db1", `ssh '-oRemoteCommand=tail '"\${OPSDECK_P1}"'' db1`, q(VALUE)],
  ])('%s', (_label, script, expected, held) => {
    expect(ok(script, x, { x: VALUE })).toEqual({ script: expected, env: { OPSDECK_P1: held } });
  });

  it('quotes once more per extra level: depth 2 (ssh host "bash -c \'...\'")', () => {
    const inner = q(VALUE); // what the innermost shell must read
    expect(ok(`ssh db1 "bash -c 'echo <x>'"`, x, { x: VALUE })).toEqual({
      script: `ssh db1 "bash -c 'echo \${OPSDECK_P1}'"`,
      env: { OPSDECK_P1: `'${q(inner)}'` },
    });
    expect(ok(`ssh db1 "sudo sh -c \\"echo <x>\\""`, x, { x: VALUE }).env).toEqual({ OPSDECK_P1: `"${q(inner)}"` });
    // ssh joins its words, so the remote shell sees `sudo bash -c 'echo ...'`: the same two levels.
    expect(ok(`ssh db1 sudo bash -c "'echo <x>'"`, x, { x: VALUE }).env).toEqual({ OPSDECK_P1: `'${q(inner)}'` });
  });

  it('does not re-quote the ssh destination or options', () => {
    const out = ok('ssh -i <key> user@server uptime', [ph('key'), ph('user@server', 'ssh-target', ['user@server'])], { key: 'k 1', 'user@server': 'me@db' });
    expect(out).toEqual({ script: 'ssh -i "${OPSDECK_P1}" "${OPSDECK_P2}" uptime', env: { OPSDECK_P1: 'k 1', OPSDECK_P2: 'me@db' } });
  });
});

describe('accepted values', () => {
  it('a leading "-" arrives as one argument', () => {
    expect(ok('rm -- <f>', [ph('f')], { f: '-rf' })).toEqual({ script: 'rm -- "${OPSDECK_P1}"', env: { OPSDECK_P1: '-rf' } });
  });

  it('integers where bash evaluates arithmetic', () => {
    expect(ok('echo $(( <n> + 1 )); (( i = <n> )); [[ <n> -gt 2 ]]; let j=<n>', [ph('n')], { n: '-12' }).script)
      .toBe('echo $(( ${OPSDECK_P1} + 1 )); (( i = ${OPSDECK_P1} )); [[ "${OPSDECK_P1}" -gt 2 ]]; let j="${OPSDECK_P1}"');
  });
});

describe('refused', () => {
  const refused = (r: SubstituteResult): { code: string; names: string[]; message: string } => {
    if (r.ok) throw new Error(`accepted: ${r.value.script}`);
    return { code: r.code, names: r.names, message: r.message };
  };

  it('missing or empty values, naming all of them', () => {
    const r = refused(fill('a <x> <y> <z>', [ph('x'), ph('y'), ph('z')], { y: '' }));
    expect(r.code).toBe('missing_params');
    expect(r.names).toEqual(['x', 'y', 'z']);
    expect(r.message).toContain('x, y, z');
    expect(refused(fill('a', [ph('toString')], {})).names).toEqual(['toString']);
  });

  it.each([['a newline', 'a\nb'], ['a carriage return', 'a\rb'], ['a NUL', 'a\u0000b']])('a value holding %s', (_label, value) => {
    const r = refused(fill('echo <x> <y>', [ph('x'), ph('y')], { x: 'fine', y: value }));
    expect(r).toMatchObject({ code: 'invalid_param', names: ['y'] });
  });

  it.each([
    ['a quoted heredoc of plain data', "cat > f <<'EOF'\nid=<x>\nEOF", 'quoted heredoc'],
    ['a quoted heredoc fed to a shell', 'bash <<"EOF"\necho <x>\nEOF', 'quoted heredoc'],
    ['a heredoc inside a twice-read script', "ssh db1 'cat > f <<EOF\n<x>\nEOF'", 'heredoc within'],
    ["$'...'", "echo $'a <x>'", "$'"],
    ['${...}', 'echo ${HOST:-<x>}', '${...}'],
    ['a variable name', 'export <x>=1', 'names a variable'],
    ['a function name', '<x>() { :; }', 'function'],
    ['after a backslash', 'echo \\<x>', 'backslash'],
    ['a step that does not parse', 'echo "unclosed <x>', 'parse'],
    ['$(...) whose output a shell runs', 'bash -c "$(echo <x>)"', '$(...)'],
    ['<(...) that a shell runs', 'bash <(echo <x>)', '$(...)'],
    ['<(...) that sudo bash runs', 'sudo -u app bash <(echo <x>)', '$(...)'],
    ['$(...) in a heredoc fed to a shell', 'bash <<EOF\necho $(echo <x>)\nEOF', 'a shell reads'],
    ['echo piped into a shell', 'echo "rm <x>" | bash', 'echo'],
    ['echo piped into xargs sh -c', `echo <x> | xargs -I{} sh -c 'ls {}'`, 'echo'],
    ['a crontab', 'echo "0 * * * * run <x>" | crontab -', 'crontab'],
    ['more than three levels of shells', `ssh a "ssh b \\"ssh c 'ssh d echo <x>'\\""`, 'levels'],
    ['backticks in a twice-read script', "bash -c 'echo `cat <x>`'", 'backticks'],
  ])('%s', (_label, script, reason) => {
    const r = refused(fill(script, [ph('x')], { x: 'v' }));
    expect(r.code).toBe('invalid_param');
    expect(r.names).toEqual(['x']);
    expect(r.message).toContain(reason);
  });

  it.each([
    ['arithmetic', 'echo $(( <x> + 1 ))', 'a[$(touch /tmp/pwn)]'],
    ['[[ -eq ]]', '[[ <x> -eq 1 ]]', 'a[$(touch /tmp/pwn)]'],
    ['a subscript', 'a[<x>]=1', '1+1]'],
    ['declare -i', 'declare -i n=<x>', 'n'],
    ['read NAME', 'read <x> < f', 'a[$(id)]'],
    ['printf -v NAME', "printf -v <x> '%s' 1", 'a[$(id)]'],
    ['[[ -v NAME ]]', '[[ -v <x> ]]', 'a[$(id)]'],
    ['declare -n', 'declare -n ref=<x>', 'a[$(id)]'],
    ['an ssh destination starting with -', 'ssh <x> uptime', '-oProxyCommand=touch /tmp/pwn'],
  ])('a value that bash would evaluate in %s', (_label, script, value) => {
    expect(refused(fill(script, [ph('x')], { x: value })).code).toBe('invalid_param');
  });

  it('host parameters starting with "-" and variables bash reads as code', () => {
    expect(refused(fill('ping -c1 user@server', [ph('user@server', 'ssh-target', ['user@server'])], { 'user@server': '-f' })).code).toBe('invalid_param');
    expect(refused(fill('run $BASH_ENV', [v('BASH_ENV')], { BASH_ENV: '/tmp/x' }))).toMatchObject({ code: 'invalid_param', names: ['BASH_ENV'] });
    expect(refused(fill('echo $(( $N + 1 ))', [v('N')], { N: 'a[$(id)]' }))).toMatchObject({ code: 'invalid_param', names: ['N'] });
  });
});
