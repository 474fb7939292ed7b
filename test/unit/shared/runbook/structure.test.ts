// Sections, metadata, checks and titles: the shape of a runbook as the operator wrote it.
import { describe, expect, it } from 'vitest';
import { Runbook } from '../../../../shared/model/runbook.js';
import { allSections, allSteps, findSection, importText } from '../../../helpers/importer.js';

describe('sections', () => {
  it('turns the heading tree into nested sections with level and source line', async () => {
    const rb = await importText('# Ops\n\n## Daily\n\n### Morning Check Runbook\n\n- [ ] a\n\n## Weekly\n\n#### Deep\n\n- [ ] b\n');
    expect(rb.title).toBe('Ops');
    expect(rb.sections.map((s) => s.title)).toEqual(['Ops']);
    const ops = rb.sections[0]!;
    expect(ops.sections.map((s) => [s.title, s.level, s.line])).toEqual([['Daily', 2, 3], ['Weekly', 2, 9]]);
    expect(ops.sections[0]!.sections[0]).toMatchObject({ title: 'Morning Check Runbook', level: 3, line: 5 });
    expect(ops.sections[1]!.sections[0]).toMatchObject({ title: 'Deep', level: 4 });
  });

  it('keeps a file of many runbooks as one document whose sections each hold their own steps', async () => {
    const rb = await importText('# All\n\n## A Runbook\n\n```bash\necho a\n```\n\n## B Runbook\n\n```bash\necho b\n```\n');
    expect(findSection(rb, 'A Runbook').steps.map((s) => s.script)).toEqual(['echo a']);
    expect(findSection(rb, 'B Runbook').steps.map((s) => s.script)).toEqual(['echo b']);
  });

  it('puts content before the first heading in an Overview section and titles from front matter', async () => {
    const rb = await importText('---\ntitle: "Deploy guide"\nowner: me\n---\n\n- [ ] first\n\n## Later\n');
    expect(rb.title).toBe('Deploy guide');
    expect(rb.sections[0]).toMatchObject({ title: 'Overview', level: 0 });
    expect(rb.sections[0]!.steps[0]).toMatchObject({ kind: 'check', title: 'first' });
    expect(rb.warnings).toEqual([]);
  });

  it('falls back to the file name for the title', async () => {
    const rb = await importText('- [ ] only a check\n', '/tmp/rollback-notes.md');
    expect(rb.title).toBe('rollback-notes');
  });
});

describe('metadata', () => {
  it('reads bold key/value lines into the section they follow', async () => {
    const rb = await importText(
      '### Morning Runbook\n\n**Frequency**: Daily, 9:00 AM EST\n**Duration**: 15 minutes\n**Owner:** On-call SRE\n**Pre-conditions**: All tests passing, error budget > 50%\n\nText **bold**: not meta.\n',
    );
    expect(findSection(rb, 'Morning Runbook').meta).toEqual({
      Frequency: 'Daily, 9:00 AM EST',
      Duration: '15 minutes',
      Owner: 'On-call SRE',
      'Pre-conditions': 'All tests passing, error budget > 50%',
    });
  });
});

describe('checks', () => {
  it('makes task items checks, nested and numbered, with their ticked state', async () => {
    const rb = await importText('# C\n\n- [ ] one\n  - [x] nested done\n1. [ ] numbered\n* [X] star\n');
    const checks = allSteps(rb);
    expect(checks.map((s) => [s.kind, s.title, s.checked])).toEqual([
      ['check', 'one', false],
      ['check', 'nested done', true],
      ['check', 'numbered', false],
      ['check', 'star', true],
    ]);
    expect(checks.map((s) => s.line)).toEqual([3, 4, 5, 6]);
  });

  it('makes procedure items that read as actions or expectations checks, and leaves prose alone', async () => {
    const rb = await importText(
      [
        '## Daily checks',
        '1. `GET /v1/live` returns `200`',
        '2. Stop all executors',
        '3. downgrade application version / image',
        '',
        '## Escalation Criteria',
        '- Any SLO violation (red status)',
        '- Error budget below 50%',
        '',
        '## Scope',
        '- API runtime on `/v1/*`',
        '- release gate passed',
        '',
        '## Onboarding',
        '1. **Access Setup**: Provide necessary system access',
        '2. HTTP 5xx rate',
      ].join('\n'),
    );
    expect(findSection(rb, 'Daily checks').steps.map((s) => s.title)).toEqual([
      '`GET /v1/live` returns `200`'.replace(/`/g, ''),
      'Stop all executors',
      'downgrade application version / image',
    ]);
    expect(findSection(rb, 'Escalation Criteria').steps).toEqual([]);
    expect(findSection(rb, 'Scope').steps.map((s) => s.title)).toEqual(['release gate passed']);
    expect(findSection(rb, 'Onboarding').steps.map((s) => s.title)).toEqual(['Access Setup: Provide necessary system access']);
  });
});

describe('command steps from list items', () => {
  it('makes a command of inline code that is clearly a command line, titled by the item text', async () => {
    const rb = await importText(
      '## Stuck Run\n\n1. Check executor logs: `tail -f .autonomous_runs/<run-id>/executor.log`\n2. Restore from backup: `autopack restore --input backup-YYYY-MM-DD.tar.gz`\n3. Check `/v1/audit/summary`\n- `--fail-on-breach`: exit code `2`\n',
    );
    const steps = findSection(rb, 'Stuck Run').steps;
    expect(steps.map((s) => [s.kind, s.title, s.script])).toEqual([
      ['command', 'Check executor logs', 'tail -f .autonomous_runs/<run-id>/executor.log'],
      ['command', 'Restore from backup', 'autopack restore --input backup-YYYY-MM-DD.tar.gz'],
      ['check', 'Check /v1/audit/summary', 'Check /v1/audit/summary'],
    ]);
  });

  it('titles the steps of a code block inside a numbered item with the item text', async () => {
    const rb = await importText('## Alert Investigation\n\n1. **Alert Triage**:\n   ```bash\n   # Check alert details\n   git log --oneline -10\n\n   # Check system metrics\n   curl https://x.example.com/metrics\n   ```\n');
    const steps = findSection(rb, 'Alert Investigation').steps;
    expect(steps.map((s) => [s.title, s.caption])).toEqual([
      ['Alert Triage', 'Check alert details'],
      ['Alert Triage', 'Check system metrics'],
    ]);
  });

  it('lets a list item ending in a colon introduce the code block after the list', async () => {
    const rb = await importText('## Before deploy\n\n1. review the docs\n2. run release gate:\n\n```bash\n./scripts/release_check.sh --mode deploy\n```\n');
    const steps = findSection(rb, 'Before deploy').steps;
    expect(steps.map((s) => [s.kind, s.title])).toEqual([
      ['check', 'review the docs'],
      ['command', 'run release gate'],
    ]);
  });
});

describe('the document model', () => {
  it('always passes its own schema', async () => {
    const rb = await importText('# T\n\n## S\n\n- [ ] a [Name]\n\n```bash\nrm -rf /tmp/$X\n```\n\n```yaml\na: 1\n```\n');
    expect(() => Runbook.parse(rb)).not.toThrow();
    expect(allSections(rb.sections)).toHaveLength(2);
  });

  it('gives the same ids to the same content at the same place across re-imports and edits elsewhere', async () => {
    const base = '# T\n\n## A\n\n- [ ] tick\n\n```bash\n# 1. One\necho one\n\n# 2. Two\necho two\n```\n\n## B\n\n- [ ] other\n';
    const edited = base.replace('## B\n\n- [ ] other', '## B\n\n- [ ] other\n- [ ] added');
    const a = allSteps(await importText(base));
    const b = allSteps(await importText(base));
    const c = allSteps(await importText(edited.replace('# T\n', '# T\n\nSome new intro text.\n')));
    expect(b.map((s) => s.id)).toEqual(a.map((s) => s.id));
    expect(c.slice(0, a.length).map((s) => s.id)).toEqual(a.map((s) => s.id));
    expect(new Set(a.map((s) => s.id)).size).toBe(a.length);
  });

  it('distinguishes identical steps in one section', async () => {
    const rb = await importText('## A\n\n- [ ] same\n- [ ] same\n');
    const [x, y] = allSteps(rb);
    expect(x!.id).not.toBe(y!.id);
  });
});
