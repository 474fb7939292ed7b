// Fences labelled with a word that names no language (`command`, `run`, `script`) are read by their content: shell
// that parses and reads as commands runs, exactly as in a bash fence; anything else is shown, never run.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../../../shared/model/runbook.js';
import { allSteps, importText } from '../../../helpers/importer.js';

const block = (lang: string, body: string): string => `## Restart\n\nRestart the API:\n\n\`\`\`${lang}\n${body}\n\`\`\`\n`;

const BODY = ['# 1. Stop the API', 'systemctl stop api', '', '# 2. Start it', 'systemctl start api', 'curl -f http://localhost:8080/health'].join('\n');

/** What the operator sees and runs of each step; ids are left out (they are equal too, see below). */
const shape = (s: Step): unknown[] => [s.kind, s.title, s.line, s.script, s.language, s.params, s.danger.level, s.shell];

describe('fences with a label that names no language', () => {
  it.each(['command', 'cmd', 'commands', 'run', 'script', 'shell-commands', 'Steps'])('makes a `%s` fence the same steps as a bash fence', async (lang) => {
    const asBash = allSteps(await importText(block('bash', BODY)));
    const steps = allSteps(await importText(block(lang, BODY)));
    expect(steps.map(shape)).toEqual(asBash.map(shape));
    expect(steps.map((s) => [s.kind, s.title])).toEqual([
      ['command', 'Stop the API'],
      ['command', 'Start it'],
    ]);
    expect(steps.map((s) => s.id)).toEqual(asBash.map((s) => s.id));
  });

  it('makes a console-labelled fence without prompts commands instead of dropping it', async () => {
    const steps = allSteps(await importText(block('terminal', 'kubectl get pods -n prod\nkubectl rollout restart deploy/api -n prod')));
    expect(steps.map((s) => [s.kind, s.language])).toEqual([['command', 'bash']]);
  });

  it('reads a transcript with $ prompts as commands with expected output', async () => {
    const steps = allSteps(await importText(block('command', '$ uptime\n 10:00 up 3 days')));
    expect(steps.map((s) => [s.kind, s.script, s.expectedOutput])).toEqual([['command', 'uptime', ' 10:00 up 3 days']]);
  });

  it('shows, never runs, such a fence when its content does not parse as shell', async () => {
    const steps = allSteps(await importText(block('run', 'kubectl get pods -n prod\nif [ -f x ]; then\n  echo "unclosed')));
    expect(steps.map((s) => [s.kind, s.language])).toEqual([['reference', 'run']]);
  });

  it('shows, never runs, such a fence that reads as prose, output or a form', async () => {
    for (const body of ['Stop the API, then start it again.', 'NAME READY STATUS\napi-1 1/1 Running', 'To: [Name]\nSubject: [Service] restarted']) {
      const steps = allSteps(await importText(block('command', body)));
      expect(steps.map((s) => s.kind), body).toEqual(['reference']);
    }
  });

  it('keeps fences labelled with a language other than bash as references, whatever they hold', async () => {
    for (const lang of ['yaml', 'json', 'python', 'sql', 'powershell', 'fish', 'dockerfile', 'output', 'log', 'diff', 'env']) {
      const steps = allSteps(await importText(block(lang, 'kubectl delete pods --all -n prod\ncurl -f http://localhost/health')));
      expect(steps.map((s) => [s.kind, s.language, s.danger.level]), lang).toEqual([['reference', lang, 'safe']]);
    }
  });
});
