/**
 * `opsdeck handover` as a user runs it: the built bin in a child process against a temp data directory. Runs of the
 * shift made by `opsdeck run` with real bash (one failing, one leaving a check unticked): the draft lists them with
 * the failure's step and the end of its output; sign off carrying a note, and the next draft starts after the
 * sign-off and carries it; the signed handover stays as signed; acknowledge; seed 001's Daily Handover template; an
 * open incident with a follow-up; an edited file signed off as it is; one-line refusals.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Handover, HandoverDraft } from '../../shared/contract/incidents.js';
import { root, spawnOpsdeck, type Outcome } from '../helpers/cli.js';

const RUNBOOK = `# Ops

## Health

\`\`\`bash
# 1. Greet
echo "hello from the shift"

# 2. Check the API
echo "checking api"
echo "HTTP 503 from api.internal" >&2
exit 3
\`\`\`

## Morning

- [ ] Dashboard reviewed

\`\`\`bash
echo "morning ok"
\`\`\`

## Evening

\`\`\`bash
echo "evening ok"
\`\`\`
`;

let tmp: string;
let runbook: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-cli-handover-'));
  runbook = join(tmp, 'ops.md');
  writeFileSync(runbook, RUNBOOK);
  expect(opsdeck('import', runbook).code).toBe(0);
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const opsdeck = (...args: string[]): Outcome => spawnOpsdeck(['--data-dir', join(tmp, 'data'), ...args], tmp);
const me = userInfo().username;

function ok(out: Outcome): string {
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  return out.stdout;
}

function run(section: string, code: number): void {
  expect(opsdeck('run', runbook, '--section', section).code).toBe(code);
}

const draft = (...args: string[]): HandoverDraft => JSON.parse(ok(opsdeck('handover', '--json', ...args))) as HandoverDraft;

/** One line on stderr starting `opsdeck:`, nothing on stdout, exit 2. */
function expectRefusal(out: Outcome, pattern: RegExp): void {
  expect(out.stdout).toBe('');
  expect(out.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(pattern)]);
  expect(out.code).toBe(2);
}

describe('opsdeck handover', () => {
  it('lists the runs of the shift with the failure, signs off carrying a note, starts the next draft after it, and is acknowledged', () => {
    run('Health', 1);
    run('Morning', 0);

    const markdown = ok(opsdeck('handover', '--markdown'));
    expect(markdown).toMatch(/^# Shift Handover - \d{4}-\d\d-\d\d \d\d:\d\d UTC\n\n_Since .*, the first record; drafted .* by /);
    expect(markdown).toContain('## Runs This Shift\n- 2 runs: 1 failed, 1 incomplete\n');
    expect(markdown).toMatch(/\n- Failed: Ops › Health, step "Check the API" exited 3 \(run [0-9a-f-]{8,}, [^,]+, [^)]+ UTC\)\n {2}```\n {2}checking api\n {2}HTTP 503 from api\.internal\n {2}```\n/);
    expect(markdown).toMatch(/## Left Incomplete or Interrupted\n- Ops › Morning: finished incomplete at .* UTC: "unattended: 1 manual check not ticked"; left: Dashboard reviewed \(run [0-9a-f-]{8,}\)\n/);
    expect(markdown).toMatch(/## Pending Checks\n- Ops › Morning \(run [0-9a-f-]{8,}, incomplete\):\n {2}- \[ \] Dashboard reviewed\n/);
    // Without --markdown, a line after the draft says how to sign it off.
    expect(ok(opsdeck('handover'))).toMatch(/\n— Draft since .* UTC, from the default template\. Sign it off with: opsdeck handover --sign-off\n$/);

    const signedOut = ok(opsdeck('handover', '--sign-off', '--json', '--carry', 'db-2 disk at 85%: watch it'));
    const signed = JSON.parse(signedOut) as Handover;
    expect(signed).toMatchObject({ carry: ['db-2 disk at 85%: watch it'], signedBy: me, acknowledgedBy: null, acknowledgedAt: null });
    expect(signed.markdown).toContain('- 2 runs: 1 failed, 1 incomplete\n');
    expect(signed.markdown).toContain('## Carried Forward\n- db-2 disk at 85%: watch it\n');

    // The next shift: only what came after the sign-off, the note carried until someone clears it.
    run('Evening', 0);
    const next = draft();
    expect(next).toMatchObject({ since: signed.signedAt, carry: ['db-2 disk at 85%: watch it'], template: { kind: 'default' } });
    expect(next.markdown).toContain(`, when ${me} signed off the last handover;`);
    expect(next.markdown).toContain('## Runs This Shift\n- 1 run: 1 completed\n\n');
    expect(next.markdown).not.toContain('Check the API');
    expect(next.markdown).toContain('## Pending Checks\n- No checks left unticked.\n');
    expect(next.markdown).toContain('## Carried Forward\n- db-2 disk at 85%: watch it\n');
    expect(draft('--clear-carried', '--carry', 'vendor ticket #4411').carry).toEqual(['vendor ticket #4411']);

    // Kept exactly as signed, whatever happened since.
    expect(ok(opsdeck('handover', 'show'))).toBe(signed.markdown);
    expect(JSON.parse(ok(opsdeck('handover', 'list', '--json')))).toEqual([signed]);
    expect(ok(opsdeck('handover', 'list'))).toMatch(new RegExp(`^${signed.id.slice(0, 8)}\\S*  .* UTC  ${me}  since .* UTC  not acknowledged  1 carried\\n$`));

    expect(ok(opsdeck('handover', 'ack'))).toMatch(new RegExp(`^Acknowledged handover ${signed.id} \\(signed off by ${me} at .* UTC\\) as ${me} at .* UTC\\.\\n$`));
    const [acked] = JSON.parse(ok(opsdeck('handover', 'list', '--json'))) as Handover[];
    expect(acked).toMatchObject({ id: signed.id, markdown: signed.markdown, acknowledgedBy: me, acknowledgedAt: expect.any(String) });
    expect(ok(opsdeck('handover', 'ack', signed.id.slice(0, 13)))).toMatch(/^Already acknowledged: handover .* by .* at .* UTC\.\n$/);
  });

  it("fills seed 001's Daily Handover template when the library has it, leaving its fields to the operator", () => {
    expect(opsdeck('import', join(root, 'test/fixtures/seeds/001.md')).code).toBe(0);
    run('Health', 1);
    const d = draft();
    expect(d.template).toMatchObject({ kind: 'runbook', runbookId: expect.any(String), sectionId: expect.any(String) });
    expect(d.markdown).toMatch(/^# Daily Handover - \d{4}-\d\d-\d\d \d\d:\d\d UTC\n/);
    expect(d.markdown).toContain('## Current Status\n- **SLO Status**: [Green/Yellow/Red]\n- **Active Alerts**: [Count]\n');
    expect(d.markdown).toMatch(/## Outstanding Items\n- \[Issue 1\]: \[Status, owner, ETA\]\n/);
    expect(d.markdown).toContain("## Tomorrow's Schedule\n- No scheduled runs due in the next 24 hours, missed or waiting for approval.\n- [Maintenance window]: [Purpose, impact]\n");
    expect(d.markdown).toContain('## On-call Contact\n- **Primary**: [Name] [Phone]\n');
    expect(d.markdown).toMatch(/## Recorded by Opsdeck\n\n### Runs this shift\n- 1 run: 1 failed\n- Failed: Ops › Health, step "Check the API" exited 3 /);
  });

  it('lists an open incident with its follow-up, under its own heading', () => {
    const opened = opsdeck('incident', 'open', '--title', 'Checkout errors', '--severity', 'sev2', '--service', 'payments');
    const id = ok(opened).trim();
    expect(ok(opsdeck('incident', 'follow-up', id, 'Rotate the payment API key', '--owner', 'bob', '--due', '2099-01-15T12:00:00Z'))).not.toBe('');
    const markdown = ok(opsdeck('handover', '--markdown'));
    expect(markdown).toMatch(new RegExp(`## Open Incidents\\n- SEV-2 Checkout errors: investigating; commander ${me}; last update none sent; next update due .* UTC(?: \\(overdue\\))? \\(incident ${id.slice(0, 8)}\\)\\n`));
    expect(markdown).toContain('## Follow-ups Due\n- Rotate the payment API key: owner bob, due 2099-01-15 12:00 UTC (incident "Checkout errors")\n');
    // Resolved, it is no longer handed over.
    ok(opsdeck('incident', 'status', id, 'resolved'));
    expect(ok(opsdeck('handover', '--markdown'))).toContain('## Open Incidents\n- No open incidents.\n');
  });

  it('signs off an edited file exactly as it is', () => {
    run('Evening', 0);
    const edited = `${ok(opsdeck('handover', '--markdown')).replace('- [Anything else the next shift should know]', '- Deploy freeze until Friday')}\n\n`;
    writeFileSync(join(tmp, 'handover.md'), edited);
    expect(ok(opsdeck('handover', '--sign-off', '--from', 'handover.md'))).toMatch(new RegExp(`^Signed off handover [0-9a-f-]{36} as ${me} at .* UTC \\(since .* UTC\\); no notes carried forward\\. The incoming operator acknowledges it with: opsdeck handover ack\\n$`));
    const [signed] = JSON.parse(ok(opsdeck('handover', 'list', '--json'))) as Handover[];
    expect(signed?.markdown).toBe(edited);
  });

  it('refuses in one line what it cannot do', () => {
    expectRefusal(opsdeck('handover', 'ack'), /^opsdeck: no handover has been signed off yet$/);
    expectRefusal(opsdeck('handover', 'show'), /^opsdeck: no handover has been signed off yet$/);
    expectRefusal(opsdeck('handover', '--from', 'x.md'), /^opsdeck: --from names the Markdown to sign off: add --sign-off$/);
    expectRefusal(opsdeck('handover', '--markdown', '--json'), /^opsdeck: choose --markdown or --json, not both$/);
    expectRefusal(opsdeck('handover', '--sign-off', '--from', 'missing.md'), /^opsdeck: cannot read missing\.md: ENOENT$/);
    expectRefusal(opsdeck('handover', 'ack', 'ffffffff'), /^opsdeck: no handover ffffffff$/);
    expect(JSON.parse(ok(opsdeck('handover', 'list', '--json')))).toEqual([]);
  });
});
