/**
 * The handover draft from a known shift, compared with the exact Markdown: the default template (a section for each
 * part), seed 001's "Handover Template" as the importer reads it (parts under its headings, the rest in a section of
 * their own, the operator's fields left as written), and the edges: the first handover, a template with no headings,
 * fenced blocks in a template, output with backticks, no runbook template at all.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { draftHandover } from '../../../../shared/handover/draft.js';
import type { HandoverState } from '../../../../shared/handover/state.js';
import { DEFAULT_TEMPLATE_TEXT, findHandoverTemplate } from '../../../../shared/handover/template.js';
import { importText } from '../../../helpers/importer.js';
import { SHIFT } from './shift-state.js';

const md = (...lines: string[]): string => `${lines.join('\n')}\n`;

const QUIET: HandoverState = { ...SHIFT, previous: null, since: '2026-06-01T08:00:00.000Z', incidents: [], runs: [], schedules: [], carry: [] };

describe('the handover draft', () => {
  it('fills every section of the default template from the shift', () => {
    expect(draftHandover(SHIFT, DEFAULT_TEMPLATE_TEXT)).toBe(
      md(
        '# Shift Handover - 2026-06-01 18:00 UTC',
        '',
        '_Since 2026-06-01 09:00 UTC, when bob signed off the last handover; drafted 2026-06-01 18:00 UTC by alice._',
        '',
        '## Open Incidents',
        '- P1 Checkout errors: monitoring; commander alice; last update 2026-06-01 17:30 UTC; next update due 2026-06-01 17:45 UTC (overdue) (incident 0197c0ff)',
        '',
        '## Runs This Shift',
        '- 4 runs: 1 completed, 1 failed, 1 incomplete, 1 interrupted',
        '- Failed: Agent Lab › Procedures, step "Review SLO status" exited 22 (run 0197c4f1, alice, 2026-06-01 16:02 UTC)',
        '  Failed command: `curl -s https://agent-lab.example/metrics/slo | jq .`',
        '  ```',
        '  curl: (22) The requested URL returned error: 503',
        '  parse error: Invalid numeric literal at line 1',
        '  ```',
        '',
        '## Left Incomplete or Interrupted',
        '- Agent Lab › Weekly Maintenance Runbook: interrupted at 2026-06-01 14:20 UTC, 3 of 8 steps done (run 0197c3a0; resume with `opsdeck run --resume 0197c3a0-1b2c-7d3e-9f40-6a7b8c9d0e1f`)',
        "- Agent Lab › Checklist: finished incomplete at 2026-06-01 10:15 UTC: \"backups bucket unreachable\"; left: Backup Verification: Confirm last night's backups completed (run 0197c2d5)",
        '',
        '## Pending Checks',
        '- Agent Lab › Checklist (run 0197c2d5, incomplete):',
        "  - [ ] Backup Verification: Confirm last night's backups completed",
        '',
        '## Schedules',
        '- Missed: Agent Lab › Procedures: 2 occurrences from 2026-06-01 11:00 UTC to 2026-06-01 12:00 UTC (schedule 0197a0b1)',
        '- Waiting for approval: Agent Lab › Backup Verification Runbook: 1 catch-up from 2026-06-01 16:00 UTC (schedule 0197a7c8; approve with `opsdeck schedule approve 0197a7c8-d9e0-7f1a-8b2c-3d4e5f6a7b8c`)',
        '- Due: Agent Lab › Backup Verification Runbook at 2026-06-01 22:00 UTC and 2 more until 2026-06-02 10:00 UTC (schedule 0197a7c8)',
        '- Due: Agent Lab › Procedures at 2026-06-02 13:00 UTC (schedule 0197a0b1)',
        '',
        '## Follow-ups Due',
        '- Rotate the payment API key: owner bob, due 2026-06-02 12:00 UTC (incident "Checkout errors")',
        '- Add an alert on 5xx rate: owner carol, no due date (incident "Checkout errors")',
        '',
        '## Carried Forward',
        '- db-2 disk at 85%: watch it',
        '- Vendor ticket #4411 open',
        '  they answer in the morning',
        '',
        '## Notes for the Next Shift',
        '- [Anything else the next shift should know]'
      ),
    );
  });

  it("fills seed 001's Daily Handover template: its own fields left as written, outstanding items and schedules under its headings, the rest after", async () => {
    const seed = await importText(readFileSync(new URL('../../../fixtures/seeds/001.md', import.meta.url)), '001.md');
    const template = findHandoverTemplate(seed);
    expect(template?.text.split('\n')[0]).toBe('# Daily Handover - $(date)');
    expect(draftHandover(SHIFT, template?.text ?? '')).toBe(
      md(
        '# Daily Handover - 2026-06-01 18:00 UTC',
        '',
        '_Since 2026-06-01 09:00 UTC, when bob signed off the last handover; drafted 2026-06-01 18:00 UTC by alice._',
        '',
        '## Current Status',
        '- **SLO Status**: [Green/Yellow/Red]',
        '- **Active Alerts**: [Count]',
        '- **Error Budget**: [Percentage remaining]',
        '',
        '## Outstanding Items',
        '- **Open incident**: P1 Checkout errors: monitoring; commander alice; last update 2026-06-01 17:30 UTC; next update due 2026-06-01 17:45 UTC (overdue) (incident 0197c0ff)',
        '- **Unfinished run**: Agent Lab › Weekly Maintenance Runbook: interrupted at 2026-06-01 14:20 UTC, 3 of 8 steps done (run 0197c3a0; resume with `opsdeck run --resume 0197c3a0-1b2c-7d3e-9f40-6a7b8c9d0e1f`)',
        "- **Unfinished run**: Agent Lab › Checklist: finished incomplete at 2026-06-01 10:15 UTC: \"backups bucket unreachable\"; left: Backup Verification: Confirm last night's backups completed (run 0197c2d5)",
        '- **Pending checks**: Agent Lab › Checklist (run 0197c2d5, incomplete):',
        "  - [ ] Backup Verification: Confirm last night's backups completed",
        '- **Follow-up**: Rotate the payment API key: owner bob, due 2026-06-02 12:00 UTC (incident "Checkout errors")',
        '- **Follow-up**: Add an alert on 5xx rate: owner carol, no due date (incident "Checkout errors")',
        '- [Issue 1]: [Status, owner, ETA]',
        '- [Issue 2]: [Status, owner, ETA]',
        '',
        "## Tomorrow's Schedule",
        '- Missed: Agent Lab › Procedures: 2 occurrences from 2026-06-01 11:00 UTC to 2026-06-01 12:00 UTC (schedule 0197a0b1)',
        '- Waiting for approval: Agent Lab › Backup Verification Runbook: 1 catch-up from 2026-06-01 16:00 UTC (schedule 0197a7c8; approve with `opsdeck schedule approve 0197a7c8-d9e0-7f1a-8b2c-3d4e5f6a7b8c`)',
        '- Due: Agent Lab › Backup Verification Runbook at 2026-06-01 22:00 UTC and 2 more until 2026-06-02 10:00 UTC (schedule 0197a7c8)',
        '- Due: Agent Lab › Procedures at 2026-06-02 13:00 UTC (schedule 0197a0b1)',
        '- [Maintenance window]: [Purpose, impact]',
        '- [Release]: [Version, risk level]',
        '',
        '## On-call Contact',
        '- **Primary**: [Name] [Phone]',
        '- **Backup**: [Name] [Phone]',
        '',
        '## Recorded by Opsdeck',
        '',
        '### Runs this shift',
        '- 4 runs: 1 completed, 1 failed, 1 incomplete, 1 interrupted',
        '- Failed: Agent Lab › Procedures, step "Review SLO status" exited 22 (run 0197c4f1, alice, 2026-06-01 16:02 UTC)',
        '  Failed command: `curl -s https://agent-lab.example/metrics/slo | jq .`',
        '  ```',
        '  curl: (22) The requested URL returned error: 503',
        '  parse error: Invalid numeric literal at line 1',
        '  ```',
        '',
        '### Carried forward',
        '- db-2 disk at 85%: watch it',
        '- Vendor ticket #4411 open',
        '  they answer in the morning'
      ),
    );
  });

  it('says since the first record and that nothing happened, part by part, in a quiet first shift', () => {
    expect(draftHandover(QUIET, DEFAULT_TEMPLATE_TEXT)).toBe(
      md(
        '# Shift Handover - 2026-06-01 18:00 UTC',
        '',
        '_Since 2026-06-01 08:00 UTC, the first record; drafted 2026-06-01 18:00 UTC by alice._',
        '',
        '## Open Incidents',
        '- No open incidents.',
        '',
        '## Runs This Shift',
        '- No runs since the last handover.',
        '',
        '## Left Incomplete or Interrupted',
        '- No run left incomplete, interrupted or running.',
        '',
        '## Pending Checks',
        '- No checks left unticked.',
        '',
        '## Schedules',
        '- No scheduled runs due in the next 24 hours, missed or waiting for approval.',
        '',
        '## Follow-ups Due',
        '- No follow-ups open.',
        '',
        '## Carried Forward',
        '- No notes carried forward.',
        '',
        '## Notes for the Next Shift',
        '- [Anything else the next shift should know]',
      ),
    );
  });

  it('leaves a shared section of outstanding items as the template has it when nothing is outstanding', () => {
    const out = draftHandover(QUIET, md('# Handover', '', '## Outstanding Items', '- [Issue 1]: [Status, owner, ETA]'));
    expect(out).toContain(md('## Outstanding Items', '- [Issue 1]: [Status, owner, ETA]', ''));
  });

  it('keeps a template with no headings whole, with the date filled in, and puts every part after it', () => {
    const out = draftHandover({ ...QUIET, carry: ['watch db-2'] }, md('Handover for [Date]', '- **Status**: [Green/Yellow/Red]'));
    expect(out.startsWith(md('_Since 2026-06-01 08:00 UTC, the first record; drafted 2026-06-01 18:00 UTC by alice._', '', 'Handover for 2026-06-01 18:00 UTC', '- **Status**: [Green/Yellow/Red]', '', '## Recorded by Opsdeck', '', '### Open incidents', '- No open incidents.'))).toBe(true);
    expect(out.endsWith(md('### Carried forward', '- watch db-2'))).toBe(true);
  });

  it('nests its parts under the template title of a runbook whose handover is a level-2 section', () => {
    const out = draftHandover(QUIET, md('## Handover - [Date]', '- **Next on call**: [Name]'));
    expect(out).toContain(md('## Handover - 2026-06-01 18:00 UTC', '', '_Since 2026-06-01 08:00 UTC, the first record; drafted 2026-06-01 18:00 UTC by alice._', '', '- **Next on call**: [Name]', '', '### Recorded by Opsdeck', '', '#### Open incidents'));
  });

  it('leaves fenced blocks of the template alone: no date filled, no heading taken', () => {
    const template = md('# Handover $(date)', '', '```text', '## Incidents', 'run $(date) here', '```');
    const out = draftHandover(QUIET, template);
    expect(out).toContain(md('```text', '## Incidents', 'run $(date) here', '```'));
    expect(out).toContain(md('## Recorded by Opsdeck', '', '### Open incidents', '- No open incidents.'));
  });

  it('quotes output and commands holding backticks with longer fences', () => {
    const failed = SHIFT.runs[0]!;
    const state: HandoverState = {
      ...QUIET,
      runs: [{ ...failed, failure: { ...failed.failure!, command: 'echo `date`', excerpt: ['```', 'done'] } }],
    };
    expect(draftHandover(state, DEFAULT_TEMPLATE_TEXT)).toContain(
      md(
        '- Failed: Agent Lab › Procedures, step "Review SLO status" exited 22 (run 0197c4f1, alice, 2026-06-01 16:02 UTC)',
        '  Failed command: `` echo `date` ``',
        '  ````',
        '  ```',
        '  done',
        '  ````',
      ),
    );
  });

  it('finds no handover template in a runbook without one, and one under a handover section', async () => {
    expect(findHandoverTemplate(await importText(md('# Ops', '', '## Notes', '', '```markdown', '# Release notes', '```')))).toBeNull();
    const found = findHandoverTemplate(await importText(md('# Ops', '', '## Shift hand-over', '', '```markdown', '# Daily', '- [Name]', '```')));
    expect(found?.text).toBe('# Daily\n- [Name]');
  });
});
