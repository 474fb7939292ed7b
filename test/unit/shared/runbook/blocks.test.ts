// Code blocks: how shell is split into steps, and what becomes a reference or a template.
import { describe, expect, it } from 'vitest';
import { allSteps, importText } from '../../../helpers/importer.js';

const block = (lang: string, body: string, lead = ''): string => `## S\n\n${lead}${lead ? '\n\n' : ''}\`\`\`${lang}\n${body}\n\`\`\`\n`;

describe('splitting shell blocks', () => {
  it('starts and names a step at each numbered header comment; other comments and statements join it', async () => {
    const body = [
      '# 1. Check application health',
      'curl -f https://agent-lab.your-domain.com/health/detailed',
      '',
      '# 2. Monitor deployment',
      '# Watch GitHub Actions logs',
      'open https://github.com/your-org/agent-lab/actions',
      'echo done',
    ].join('\n');
    const steps = allSteps(await importText(block('bash', body)));
    expect(steps.map((s) => [s.kind, s.title, s.line])).toEqual([
      ['command', 'Check application health', 4],
      ['command', 'Monitor deployment', 7],
    ]);
    expect(steps[1]!.script).toBe('# 2. Monitor deployment\n# Watch GitHub Actions logs\nopen https://github.com/your-org/agent-lab/actions\necho done');
  });

  it('without numbers, a comment run before statements starts a step; statements without one join the step before', async () => {
    const body = ['# Start API server', 'uvicorn app:app', '', '# Start executor', 'python exec.py', 'python second.py'].join('\n');
    const steps = allSteps(await importText(block('bash', body)));
    expect(steps.map((s) => [s.title, s.script])).toEqual([
      ['Start API server', '# Start API server\nuvicorn app:app'],
      ['Start executor', '# Start executor\npython exec.py\npython second.py'],
    ]);
  });

  it('keeps loops, if-blocks, continuations, heredocs and multi-line strings whole', async () => {
    const body = [
      '# 1. Loop',
      'for i in {1..10}; do',
      '  # inside: not a header',
      '  if curl -f -s https://x.example.com/health > /dev/null; then',
      '    exit 0',
      '  fi',
      'done',
      '# 2. Continuation',
      'curl -X POST -H "a: b" \\',
      '  --data \'{"text":"x"}\' \\',
      '  https://hooks.example.com',
      '# 3. Python',
      'python -c "',
      'import requests',
      '# not a header either',
      '"',
      '# 4. Heredoc',
      'cat <<EOF > /tmp/x',
      '# still the heredoc',
      'EOF',
    ].join('\n');
    const steps = allSteps(await importText(block('bash', body)));
    expect(steps.map((s) => s.title)).toEqual(['Loop', 'Continuation', 'Python', 'Heredoc']);
    expect(steps.map((s) => s.script).join('\n')).toBe(body);
  });

  it('loses and repeats no text, whitespace aside, however the block is split', async () => {
    const body = 'X=1\n\n# header\n\n\necho $X; echo 2 # trailing\n\n# only a note at the end\n';
    const steps = allSteps(await importText(block('sh', body)));
    expect(steps.map((s) => s.script).join('\n').replace(/\s+/g, '')).toBe(body.replace(/\s+/g, ''));
  });

  it('turns a comment-only group standing on its own into a manual check', async () => {
    const body = ['# 1. Deploy green', 'gh workflow run deploy.yml', '', '# 2. Gradual traffic shift', '# Start with 10% traffic to green', '', '# 3. Check', 'curl -f https://green.example.com/health'].join('\n');
    const steps = allSteps(await importText(block('bash', body)));
    expect(steps.map((s) => [s.kind, s.title])).toEqual([
      ['command', 'Deploy green'],
      ['check', 'Gradual traffic shift'],
      ['command', 'Check'],
    ]);
  });

  it('titles a block without header comments from the paragraph that introduces it', async () => {
    const steps = allSteps(await importText(block('bash', 'python3 run.py --dry-run', 'Dry run:')));
    expect(steps.map((s) => s.title)).toEqual(['Dry run']);
  });

  it('treats a crontab line in a shell block as a reference with a schedule hint, not a command', async () => {
    const rb = await importText(block('bash', '# Add to crontab for daily backups:\n0 2 * * * cd /srv && ./backup.sh'));
    expect(allSteps(rb).map((s) => [s.kind, s.language])).toEqual([['reference', 'crontab']]);
    expect(rb.scheduleHints).toMatchObject([{ source: 'cron', cron: '0 2 * * *', line: 5 }]);
  });

  it('warns about a shell syntax error and keeps the step as written', async () => {
    const rb = await importText(block('bash', 'echo "unclosed\nls'));
    expect(allSteps(rb).map((s) => s.script)).toEqual(['echo "unclosed\nls']);
    expect(rb.warnings).toMatchObject([{ line: 4, message: expect.stringMatching(/syntax error/) }]);
  });
});

describe('console blocks and plain blocks', () => {
  it('makes $ lines commands and keeps the rest as expected output', async () => {
    const steps = allSteps(await importText(block('console', '$ uptime\n 10:00 up 3 days\n$ df -h \\\n> /\nFilesystem Size')));
    expect(steps.map((s) => [s.script, s.expectedOutput])).toEqual([
      ['uptime', ' 10:00 up 3 days'],
      ['df -h \\\n/', 'Filesystem Size'],
    ]);
  });

  it('runs a plain block that reads as commands, and shows one that does not', async () => {
    expect(allSteps(await importText(block('', 'docker ps -a\ncurl -f http://localhost/health'))).map((s) => s.kind)).toEqual(['command']);
    expect(allSteps(await importText(block('', 'Status: HEALTHY ✓\nTotal checks: 5'))).map((s) => s.kind)).toEqual(['reference']);
    expect(allSteps(await importText(block('', '┌──┐\n│ API │\n└──┘'))).map((s) => s.kind)).toEqual(['reference']);
  });

  it('makes markdown blocks and plain forms with [fields] templates', async () => {
    const md = await importText(block('markdown', '# Daily Handover - $(date)\n- **SLO Status**: [Green/Yellow/Red]\n- **Primary**: [Name] [Phone]', 'Handover Template'));
    const step = allSteps(md)[0]!;
    expect(step).toMatchObject({ kind: 'template', title: 'Handover Template' });
    expect(step.params).toEqual(['Green/Yellow/Red', 'Name', 'Phone']);
    const plain = await importText(block('', 'Subject: [P1] Outage\nStatus: INVESTIGATING\nActions Taken:\n- Reviewed logs: [finding]'));
    expect(allSteps(plain)[0]!.kind).toBe('template');
  });

  it('makes yaml, ini, json, sql and python blocks references that never run', async () => {
    for (const lang of ['yaml', 'ini', 'json', 'sql', 'python', 'systemd', 'nginx']) {
      const steps = allSteps(await importText(block(lang, 'rm -rf /')));
      expect(steps.map((s) => [s.kind, s.language, s.danger.level])).toEqual([['reference', lang, 'safe']]);
    }
  });
});
