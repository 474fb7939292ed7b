/**
 * `opsdeck incident update` and `opsdeck incident postmortem` as a user runs them: the built bin in a child process
 * against a temp data directory holding seed 004 (its communication template and required post-mortem sections) and
 * our payments fixture. An incident declared from seed 004, seed 004's Triage and the payments Triage run as part
 * of it (failing with their exit codes), a note, the drafted update printed then sent, a follow-up, resolved: the
 * post-mortem has exactly seed 004's required sections, each command run with its exit code, the update sent and the
 * follow-up; --output never overwrites a file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../shared/contract/incidents.js';
import { root, spawnOpsdeck, type Outcome } from '../helpers/cli.js';

const SEED_004 = join(root, 'test', 'fixtures', 'seeds', '004.md');
const PAYMENTS = join(root, 'test', 'fixtures', 'incidents', 'payments-oncall.md');
const REQUIRED = ['Timeline', 'Root cause', 'Impact assessment', 'Resolution steps', 'Prevention measures', 'Action items'];

let tmp: string;
let dataDir: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-cli-incident-draft-'));
  dataDir = join(tmp, 'data');
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function opsdeck(args: readonly string[]): Outcome {
  return spawnOpsdeck(['--data-dir', dataDir, ...args], tmp);
}

function ok(args: readonly string[]): string {
  const out = opsdeck(args);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  return out.stdout;
}

/** One line on stderr starting `opsdeck:`, nothing on stdout, exit 2. */
function expectRefusal(out: Outcome, pattern: RegExp): void {
  expect(out.stdout).toBe('');
  expect(out.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^opsdeck: /)]);
  expect(out.stderr).toMatch(pattern);
  expect(out.code).toBe(2);
}

const timeline = (id: string): TimelineEntry[] => JSON.parse(ok(['incident', 'timeline', id, '--json'])) as TimelineEntry[];
const attempts = (entries: readonly TimelineEntry[]) => entries.filter((e): e is Extract<TimelineEntry, { kind: 'attempt' }> => e.kind === 'attempt');
/** A command as a reader sees it in one line: without its comment lines. */
const shown = (command: string): string => command.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).join('\n');
/** The body of a `## title` section. */
const section = (markdown: string, title: string): string => markdown.split(/^## /m).find((part) => part.startsWith(`${title}\n`)) ?? '';

/** An incident from seed 004 with two failed runs linked, a note, identified. */
function respond(): string {
  ok(['import', SEED_004]);
  ok(['import', PAYMENTS]);
  const id = ok(['incident', 'open', '--title', 'Error rate high', '--severity', 'p1', '--service', 'sci-agents', '--summary', '15% of requests fail', '--runbook', SEED_004]).trim();
  // Seed 004's triage stops at its first step (no scripts/health_check.py here); the payments gateway check exits 3.
  expect(opsdeck(['run', SEED_004, '--section', 'Triage', '--incident', id]).code).toBe(1);
  expect(opsdeck(['run', PAYMENTS, '--section', 'Triage', '--param', 'QUEUE=5', '--incident', id]).code).toBe(1);
  ok(['incident', 'note', id, 'restarted the workers']);
  ok(['incident', 'status', id, 'identified']);
  return id;
}

describe('opsdeck incident update and postmortem', () => {
  it("prints the update drafted from seed 004's template, records it as sent with --send, and refuses a bad webhook in one line", () => {
    const id = respond();
    const ran = attempts(timeline(id));
    expect(ran.map((a) => [a.stepTitle, a.exitCode === 0])).toEqual([['Quick assessment', false], ['Check the queue', true], ['Check the gateway', false]]);

    const draft = ok(['incident', 'update', id]);
    expect(draft).toMatch(/^Subject: \[P1\] Error rate high\n\nStatus: IDENTIFIED\nStarted: \d{4}-\d\d-\d\d \d\d:\d\d UTC\nAffected: sci-agents\nImpact: 15% of requests fail\n\nActions Taken:\n/);
    for (const a of ran) expect(draft).toContain(`${a.stepTitle}: \`${shown(a.command)}\` on local, exit ${a.exitCode}\n`);
    expect(draft).toContain(' UTC restarted the workers\n\nNext Steps:\n- [action 1]\n- [action 2]\n\nUpdates: Every 15 minutes or when status changes (next by ');
    expect(timeline(id).some((e) => e.kind === 'update')).toBe(false);

    const sent = opsdeck(['incident', 'update', id, '--send']);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toMatch(new RegExp(`^Recorded as sent on ${id}\\. Next update due \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\.\\n$`));
    const updates = timeline(id).filter((e) => e.kind === 'update');
    expect(updates).toMatchObject([{ kind: 'update', sent: 'copied', text: sent.stdout.replace(/\n$/, '') }]);

    expectRefusal(opsdeck(['incident', 'update', id, '--webhook', 'not a url']), /--webhook takes an http\(s\) URL/);
    expect(timeline(id).filter((e) => e.kind === 'update')).toHaveLength(1);
  });

  it("writes the post-mortem with seed 004's required sections, the commands run with their exit codes, the update sent and the follow-up; never over a file", () => {
    const id = respond();
    expect(opsdeck(['incident', 'update', id, '--send']).code).toBe(0);
    ok(['incident', 'follow-up', id, 'Add an alert on pool usage', '--owner', 'bob', '--due', '2030-01-15']);
    ok(['incident', 'status', id, 'resolved']);
    const ran = attempts(timeline(id));

    const markdown = ok(['incident', 'postmortem', id]);
    expect(markdown).toMatch(/^# Post-mortem: Error rate high\n/);
    expect([...markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(REQUIRED);
    const resolution = section(markdown, 'Resolution steps');
    ran.forEach((a, i) => {
      expect(resolution).toMatch(new RegExp(`^${i + 1}\\. .* · ${a.stepTitle} · on local · exit ${a.exitCode}, .*: \`${shown(a.command).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`$`, 'm'));
    });
    const story = section(markdown, 'Timeline');
    expect(story).toContain('Run started: Operations Runbook › Triage on local (failed)');
    expect(story).toContain('Note: restarted the workers');
    expect(story).toContain('Status update sent (copied): Subject: [P1] Error rate high');
    expect(story).toMatch(/^- Resolved: \d{4}-\d\d-\d\d \d\d:\d\d UTC$/m);
    expect(section(markdown, 'Root cause')).toContain('_To be written');
    expect(section(markdown, 'Action items')).toContain('- [ ] Add an alert on pool usage (owner: bob, due 2030-01-15)');

    expect(ok(['incident', 'postmortem', id.slice(0, 8), '--output', 'pm.md'])).toBe('Wrote pm.md.\n');
    const written = readFileSync(join(tmp, 'pm.md'), 'utf8');
    expect([...written.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(REQUIRED);
    expect(section(written, 'Resolution steps')).toBe(resolution);

    writeFileSync(join(tmp, 'pm.md'), 'my edits\n');
    expectRefusal(opsdeck(['incident', 'postmortem', id, '--output', 'pm.md']), /pm\.md exists: not overwriting it/);
    expect(readFileSync(join(tmp, 'pm.md'), 'utf8')).toBe('my edits\n');
    expectRefusal(opsdeck(['incident', 'postmortem', id, '--output', join('no-such-dir', 'pm.md')]), /its directory does not exist/);
    expect(existsSync(join(tmp, 'no-such-dir'))).toBe(false);
  });
});
