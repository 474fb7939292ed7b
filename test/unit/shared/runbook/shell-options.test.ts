// Shell options per command step: errexit, pipefail and a fresh shell, from the front matter and from a step's
// `# opsdeck:` header, with a warning for anything the importer cannot use.
import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_SHELL, type Runbook, type StepShell } from '../../../../shared/model/runbook.js';
import { allSteps, importText } from '../../../helpers/importer.js';

const BODY = '## S\n\n- [ ] Tell the team\n\n```bash\nsystemctl restart api\n```\n\n```yaml\nkey: value\n```\n';

function shells(rb: Runbook): Array<StepShell | undefined> {
  return allSteps(rb).filter((s) => s.kind === 'command').map((s) => s.shell);
}

const off = (patch: Partial<StepShell>): StepShell => ({ ...DEFAULT_STEP_SHELL, ...patch });

describe('shell options from the front matter', () => {
  it('gives every command step the defaults, and other steps none', async () => {
    const rb = await importText(BODY);
    expect(allSteps(rb).map((s) => [s.kind, s.shell])).toEqual([
      ['check', undefined],
      ['command', { errexit: true, pipefail: true, fresh: false }],
      ['reference', undefined],
    ]);
  });

  it.each([
    ['YAML keys', '---\ntitle: T\nopsdeck-errexit: false\nopsdeck-pipefail: no\nopsdeck-session: fresh\n---\n'],
    ['a YAML map', '---\nopsdeck:\n  errexit: off   # keep going\n  pipefail: "false"\n  session: fresh\nowner: ops\n---\n'],
    ['a YAML flow map', '---\nopsdeck: { errexit: false, pipefail: false, session: fresh }\n---\n'],
    ['TOML keys', '+++\nopsdeck-errexit = false\nopsdeck-pipefail = false\nopsdeck-session = "fresh"\n+++\n'],
    ['a TOML table', '+++\ntitle = "T"\n[opsdeck]\nerrexit = false\npipefail = false\nsession = "fresh"\n+++\n'],
    ['TOML dotted keys', '+++\nopsdeck.errexit = false\nopsdeck.pipefail = false\nopsdeck.session = "fresh"\n+++\n'],
  ])('reads %s', async (_, front) => {
    const rb = await importText(front + BODY);
    expect(shells(rb)).toEqual([{ errexit: false, pipefail: false, fresh: true }]);
    expect(rb.warnings).toEqual([]);
  });

  it('ignores keys of other maps and tables, and the rest of the front matter', async () => {
    const yaml = await importText('---\nci:\n  errexit: false\nerrexit: false\nopsdeck-pipefail: true\n---\n' + BODY);
    expect(shells(yaml)).toEqual([DEFAULT_STEP_SHELL]);
    const toml = await importText('+++\n[ci]\nopsdeck-errexit = false\n+++\n' + BODY);
    expect(shells(toml)).toEqual([DEFAULT_STEP_SHELL]);
  });

  it('warns about an unknown setting or value, on its line, and keeps the default', async () => {
    const rb = await importText('---\nopsdeck-errexit: sometimes\nopsdeck:\n  xtrace: true\nopsdeck-session: shared\n---\n' + BODY);
    expect(shells(rb)).toEqual([DEFAULT_STEP_SHELL]);
    expect(rb.warnings.map((w) => [w.line, w.message])).toEqual([
      [2, expect.stringMatching(/opsdeck-errexit: sometimes.*errexit must be true or false/)],
      [4, expect.stringMatching(/unknown opsdeck setting "xtrace"/)],
      [5, expect.stringMatching(/session must be fresh or carried/)],
    ]);
  });
});

describe('shell options from a step header', () => {
  const md = (body: string, front = ''): string => `${front}## S\n\n\`\`\`bash\n${body}\n\`\`\`\n`;

  it('reads words separated by spaces or commas, only for its own step, and keeps the line in the script', async () => {
    const body = ['# Restart', '# opsdeck: no-errexit, no-pipefail fresh-shell', 'systemctl restart api', '', '# Check', 'curl -f http://localhost/health'].join('\n');
    const steps = allSteps(await importText(md(body))).filter((s) => s.kind === 'command');
    expect(steps.map((s) => [s.title, s.shell])).toEqual([
      ['Restart', { errexit: false, pipefail: false, fresh: true }],
      ['Check', DEFAULT_STEP_SHELL],
    ]);
    expect(steps[0]!.script).toBe('# Restart\n# opsdeck: no-errexit, no-pipefail fresh-shell\nsystemctl restart api');
  });

  it('overrides the front matter both ways', async () => {
    const front = '---\nopsdeck-errexit: false\nopsdeck-session: fresh\n---\n';
    const body = ['# opsdeck: errexit carried-shell', 'make deploy', '', '# opsdeck: no-pipefail', 'make check | tee check.log'].join('\n');
    expect(shells(await importText(md(body, front)))).toEqual([
      { errexit: true, pipefail: true, fresh: false },
      { errexit: false, pipefail: false, fresh: true },
    ]);
  });

  it('never takes the directive for the step title: the next comment line or the section names the step', async () => {
    const steps = allSteps(await importText(md('# opsdeck: no-errexit\n# Restart the API\nsystemctl restart api\n\n# opsdeck: fresh-shell\nls')));
    expect(steps.map((s) => [s.title, s.shell?.errexit, s.shell?.fresh])).toEqual([
      ['Restart the API', false, false],
      ['S', true, true],
    ]);
  });

  it('with numbered headers, gives the directive above a header to the step it heads', async () => {
    const body = ['# opsdeck: no-pipefail', '# 1. Stop', 'systemctl stop api', '', '# opsdeck: no-errexit', '# 2. Clean', 'rm -f /tmp/api.pid'].join('\n');
    const steps = allSteps(await importText(md(body)));
    expect(steps.map((s) => [s.kind, s.title, s.shell?.errexit, s.shell?.pipefail])).toEqual([
      ['command', 'Stop', true, false],
      ['command', 'Clean', false, true],
    ]);
    expect(steps.map((s) => s.script).join('\n')).toBe(body.replace('\n\n', '\n'));
  });

  it('reads only the lower-case `opsdeck:` as a directive: a capitalised one is prose and may name the step', async () => {
    const rb = await importText(md('# Opsdeck: restart the API first\nsystemctl restart api'));
    expect(allSteps(rb).map((s) => [s.title, s.shell])).toEqual([['Opsdeck: restart the API first', DEFAULT_STEP_SHELL]]);
    expect(rb.warnings).toEqual([]);
  });

  it('warns about unknown words, naming them, and still applies the words it knows', async () => {
    const rb = await importText(md('# opsdeck: no-errexit, xtrace, quiet\nls'));
    expect(shells(rb)).toEqual([off({ errexit: false })]);
    expect(rb.warnings).toEqual([{ line: 4, message: expect.stringMatching(/unknown opsdeck directive "xtrace", "quiet"/) }]);
  });

  it('warns about a directive below the commands, where it would do nothing', async () => {
    const rb = await importText(md('# 1. Clean\nrm -f /tmp/api.pid\n# opsdeck: no-errexit'));
    expect(shells(rb)).toEqual([DEFAULT_STEP_SHELL]);
    expect(rb.warnings).toEqual([{ line: 6, message: expect.stringMatching(/is ignored: opsdeck directives work only in the comment lines a step starts with/) }]);
  });
});
