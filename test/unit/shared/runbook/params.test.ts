// Parameters: every placeholder the operator must fill before a step can run, with each occurrence.
import { describe, expect, it } from 'vitest';
import { allSteps, importText } from '../../../helpers/importer.js';

const shell = (body: string): string => `## S\n\n\`\`\`bash\n${body}\n\`\`\`\n`;

async function params(md: string): Promise<Array<[string, string, boolean, number]>> {
  const rb = await importText(md);
  return rb.params.map((p) => [p.name, p.kind, p.secret, p.occurrences.length]);
}

describe('parameters', () => {
  it('finds <placeholders>, dates and timestamps, with every occurrence and its line', async () => {
    const rb = await importText(
      shell('python exec.py --run-id <run-id>\necho "stop:<run-id>" > .stop\nrestore --input backup-YYYY-MM-DD.tar.gz\ncheck ./b/x_YYYYMMDD_HHMMSS.tar.gz'),
    );
    expect(rb.params.map((p) => [p.name, p.kind, p.occurrences.map((o) => [o.line, o.text])])).toEqual([
      ['run-id', 'placeholder', [[4, '<run-id>'], [5, '<run-id>']]],
      ['YYYY-MM-DD', 'date', [[6, 'YYYY-MM-DD']]],
      ['YYYYMMDD_HHMMSS', 'date', [[7, 'YYYYMMDD_HHMMSS']]],
    ]);
    expect(allSteps(rb)[0]!.params).toEqual(['run-id', 'YYYY-MM-DD', 'YYYYMMDD_HHMMSS']);
  });

  it('makes ${{ secrets.X }} a secret and other template expressions plain parameters', async () => {
    expect(await params(shell('curl -X POST ${{ secrets.SLACK_WEBHOOK_URL }}\necho ${{ vars.REGION }}'))).toEqual([
      ['SLACK_WEBHOOK_URL', 'secret', true, 1],
      ['vars.REGION', 'placeholder', false, 1],
    ]);
  });

  it('finds $VAR and ${VAR} used but not set earlier in the block, and spots secret-looking names', async () => {
    const body = [
      'aws ec2 create-snapshot --instance-id $INSTANCE_ID',
      'curl -H "Authorization: Bearer $OPENROUTER_API_KEY" https://openrouter.ai/api/v1/models',
      'export BIND=127.0.0.1',
      'run --host $BIND --home $HOME --tz ${TZ_NAME} --d ${DEFAULTED:-x}',
      "echo '$NOT_EXPANDED'",
      'for f in a b; do echo $f; done',
      'STATUS=$(ls | wc -l)',
      'if [ "$STATUS" -eq 0 ]; then echo none; fi',
    ].join('\n');
    expect(await params(shell(body))).toEqual([
      ['INSTANCE_ID', 'variable', false, 1],
      ['OPENROUTER_API_KEY', 'variable', true, 1],
      ['TZ_NAME', 'variable', false, 1],
    ]);
  });

  it('finds [Name] fields in templates and checks, CHANGEME, example hosts and user@server', async () => {
    const md = [
      '## S',
      '- [ ] Call [Name] at [Phone]',
      '- [ ] Set the token to CHANGEME',
      '```bash',
      'curl -f https://agent-lab.your-domain.com/health',
      'ssh user@server "uptime"',
      'if [ -f x ]; then echo "[A-Z] is not a field here"; fi',
      '```',
    ].join('\n');
    expect(await params(md)).toEqual([
      ['Name', 'field', false, 1],
      ['Phone', 'field', false, 1],
      ['CHANGEME', 'changeme', false, 1],
      ['agent-lab.your-domain.com', 'example-host', false, 1],
      ['user@server', 'ssh-target', false, 1],
    ]);
  });

  it('collects a document-wide list across steps and sections', async () => {
    const rb = await importText('## A\n\n```bash\nrun <env>\n```\n\n## B\n\n```bash\nrun <env> again\n```\n');
    expect(rb.params).toHaveLength(1);
    const steps = allSteps(rb);
    expect(rb.params[0]!.occurrences.map((o) => o.stepId)).toEqual(steps.map((s) => s.id));
  });
});
