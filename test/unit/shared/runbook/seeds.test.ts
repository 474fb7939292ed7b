// Acceptance on the five real runbooks in test/fixtures/seeds (copies of ../shared/seeds): what an operator
// brings must import without errors, with every shell line kept, and the headline facts right.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Code } from 'mdast';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_SHELL, type Runbook, type Step } from '../../../../shared/model/runbook.js';
import { parseMarkdown } from '../../../../shared/runbook/markdown.js';
import { decodeRunbookBytes } from '../../../../shared/runbook/text.js';
import { allSteps, findSection, importText } from '../../../helpers/importer.js';

const dir = join(import.meta.dirname, '../../../fixtures/seeds');
const seeds = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();

async function seed(name: string): Promise<Runbook> {
  return importText(new Uint8Array(readFileSync(join(dir, name))), name);
}

function shellBlocks(name: string): Array<{ first: number; last: number; value: string }> {
  const decoded = decodeRunbookBytes(new Uint8Array(readFileSync(join(dir, name))));
  if (!decoded.ok) throw new Error(decoded.message);
  const out: Array<{ first: number; last: number; value: string }> = [];
  const visit = (n: { type: string; children?: unknown[] }): void => {
    if (n.type === 'code') {
      const c = n as unknown as Code;
      if (['bash', 'sh', 'shell', 'zsh'].includes(c.lang ?? '')) {
        const first = (c.position?.start.line ?? 0) + 1;
        out.push({ first, last: first + c.value.split('\n').length - 1, value: c.value });
      }
    }
    (n.children as Array<{ type: string; children?: unknown[] }> | undefined)?.forEach(visit);
  };
  visit(parseMarkdown(decoded.text));
  return out;
}

const squash = (s: string): string => s.replace(/\s+/g, '');

describe('the five seed runbooks', () => {
  it('finds all five seeds', () => {
    expect(seeds).toEqual(['000.md', '001.md', '002.md', '003.md', '004.md']);
  });

  it.each(seeds)('%s imports with no errors and has steps', async (name) => {
    const rb = await seed(name);
    expect(rb.title.length).toBeGreaterThan(0);
    expect(allSteps(rb).length).toBeGreaterThan(5);
    expect(rb.warnings.filter((w) => /error|never closed/i.test(w.message))).toEqual([]);
  });

  it.each(seeds)('%s keeps every line of every shell block, in command steps', async (name) => {
    const rb = await seed(name);
    const steps = allSteps(rb);
    const blocks = shellBlocks(name);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const inBlock = steps.filter((s: Step) => s.line >= block.first && s.line <= block.last && s.language !== null);
      expect(squash(inBlock.map((s) => s.script).join('\n')), `block at line ${block.first}`).toBe(squash(block.value));
      const crontabOnly = inBlock.every((s) => s.language === 'crontab');
      if (!crontabOnly) expect(inBlock.some((s) => s.kind === 'command'), `block at line ${block.first}`).toBe(true);
      for (const s of inBlock) {
        // Commands run; crontab lines are references (they schedule, not run); comment-only groups are manual checks.
        if (s.kind === 'reference') expect(s.language).toBe('crontab');
        if (s.kind === 'check') expect(s.script.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('#'))).toBe(true);
      }
    }
  });

  it('001: all 33 task items are checks', async () => {
    const rb = await seed('001.md');
    const text = readFileSync(join(dir, '001.md'), 'utf8');
    const taskLines = text.split('\n').flatMap((l, i) => (/^\s*(?:[-*+]|\d+\.)\s+\[[ xX]\]/.test(l) ? [i + 1] : []));
    expect(taskLines).toHaveLength(33);
    const checks = allSteps(rb).filter((s) => s.kind === 'check' && taskLines.includes(s.line));
    expect(checks).toHaveLength(33);
    expect(checks.every((s) => s.checked === false)).toBe(true);
    expect(checks.map((s) => s.title)).toContain('Dashboard Review: Check executive dashboard for SLO status');
  });

  it('001: the handover markdown block is a template; 004: the communication template is one', async () => {
    const t1 = allSteps(await seed('001.md')).filter((s) => s.kind === 'template');
    expect(t1.map((s) => s.script.split('\n')[0])).toContain('# Daily Handover - $(date)');
    const t4 = allSteps(await seed('004.md')).filter((s) => s.kind === 'template');
    expect(t4.some((s) => s.script.startsWith('Subject: [P1] Scientific Computing Agents - High Error Rate'))).toBe(true);
  });

  it('000: the cron and systemd blocks give 15 0 * * * in UTC', async () => {
    const rb = await seed('000.md');
    const cron = rb.scheduleHints.find((h) => h.source === 'cron');
    const systemd = rb.scheduleHints.find((h) => h.source === 'systemd');
    expect(cron).toMatchObject({ cron: '15 0 * * *', timezone: 'UTC' });
    expect(systemd).toMatchObject({ cron: '15 0 * * *', timezone: 'UTC' });
  });

  it('002: <run-id> and <phase-id> are parameters; 001: the Slack webhook is a secret parameter', async () => {
    const p2 = (await seed('002.md')).params;
    expect(p2.find((p) => p.name === 'run-id')?.occurrences.length).toBeGreaterThan(3);
    expect(p2.find((p) => p.name === 'phase-id')).toBeDefined();
    const slack = (await seed('001.md')).params.find((p) => p.name === 'SLACK_WEBHOOK_URL');
    expect(slack).toMatchObject({ kind: 'secret', secret: true });
    expect(slack?.occurrences).toHaveLength(2);
  });

  it('flags the destructive commands of the seeds', async () => {
    const steps = (await Promise.all(seeds.map(seed))).flatMap(allSteps).filter((s) => s.kind === 'command');
    const danger = (needle: string): string[] =>
      steps.filter((s) => s.script.includes(needle)).map((s) => s.danger.level);
    expect(danger("pkill -9 -f 'python app.py'")).toEqual(['destructive']);
    expect(danger('docker system prune -a')).toEqual(['destructive']);
    expect(danger('redis-cli FLUSHALL')).toEqual(['destructive']);
    expect(danger('./scripts/migrate.sh downgrade -1')).toEqual(['destructive']);
    expect(danger('curl -f https://agent-lab.your-domain.com/health/detailed')).toContain('safe');
  });

  it('001: RECOVERY_DATE, set by the step before, is not asked for when the recovery runs', async () => {
    const rb = await seed('001.md');
    expect(rb.params.find((p) => p.name === 'RECOVERY_DATE')).toBeUndefined();
    const recovery = findSection(rb, 'Recovery Process').steps;
    const setter = recovery.find((s) => s.script.includes('RECOVERY_DATE=$('));
    const users = recovery.filter((s) => s.script.includes('--date $RECOVERY_DATE'));
    expect(setter?.kind).toBe('command');
    expect(users.map((s) => [s.kind, s.title, s.params])).toEqual([['command', 'Execute Recovery', []]]);
    expect(recovery.indexOf(setter!)).toBeLessThan(recovery.indexOf(users[0]!));
  });

  it.each(seeds)('%s: every command step runs with the default shell options (no front matter asks otherwise)', async (name) => {
    const steps = allSteps(await seed(name));
    expect(steps.filter((s) => s.kind === 'command').every((s) => JSON.stringify(s.shell) === JSON.stringify(DEFAULT_STEP_SHELL))).toBe(true);
    expect(steps.filter((s) => s.kind !== 'command').every((s) => s.shell === undefined)).toBe(true);
  });

  it('001: ssh user@server steps carry a remote hint', async () => {
    const step = allSteps(await seed('001.md')).find((s) => s.script.endsWith('ssh user@server "uptime && free -h && df -h"'));
    expect(step?.remote).toEqual({ user: 'user', host: 'server', port: null, command: 'uptime && free -h && df -h' });
  });

  it('001: the mojibake is repaired, with a warning', async () => {
    const rb = await seed('001.md');
    expect(allSteps(rb).some((s) => s.script.includes('✅ Application imports successfully'))).toBe(true);
    expect(allSteps(rb).some((s) => s.script.includes('‚úÖ'))).toBe(false);
    expect(rb.warnings.some((w) => /garbled/.test(w.message))).toBe(true);
  });
});
