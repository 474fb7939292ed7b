// The status update drafted from a known incident: with seed 004's communication template (as the importer reads
// it), with the default template when the runbook has none, and with a template of fewer fields (our payments
// fixture): compared with the expected text, whole.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMS_TEMPLATE, findCommsTemplate } from '../../../../shared/incident/comms-template.js';
import { draftStatusUpdate, MAX_ACTIONS } from '../../../../shared/incident/status-update.js';
import type { TimelineEntry } from '../../../../shared/contract/incidents.js';
import { root } from '../../../helpers/cli.js';
import { importText } from '../../../helpers/importer.js';
import { KNOWN_INCIDENT, OPEN_INCIDENT } from './known-incident.js';

const fixture = (name: string) => readFileSync(join(root, 'test', 'fixtures', name));
const now = new Date('2026-03-02T14:35:00Z');

describe('the status update', () => {
  it("fills seed 004's template from the open incident: subject, status, start, service, impact, actions with exit codes, cadence; next steps left to the operator", async () => {
    const template = findCommsTemplate(await importText(fixture('seeds/004.md'), '004.md'));
    expect(template.kind).toBe('runbook');
    expect(draftStatusUpdate({ incident: OPEN_INCIDENT, template: template.text, now })).toBe(
      [
        'Subject: [P1] Checkout API errors',
        '',
        'Status: MONITORING',
        'Started: 2026-03-02 14:02 UTC',
        'Affected: checkout-api',
        'Impact: Checkout fails with HTTP 502 for some users',
        '',
        'Actions Taken:',
        '- 14:02 UTC Alert fired: checkout 5xx rate at 12%, not 15% (corrected)',
        '- 14:12 UTC Quick assessment: `python scripts/health_check.py` on web-1, exit 1',
        '- 14:13 UTC Check logs: `docker-compose logs --tail=100 checkout` on web-1, exit 0',
        '- 14:14 UTC upstream pool exhausted in the logs',
        '',
        'Next Steps:',
        '- [action 1]',
        '- [action 2]',
        '',
        'Updates: Every 15 minutes or when status changes (next by 14:50 UTC)',
      ].join('\n'),
    );
  });

  it('uses the default template when the runbook has none, and says no further updates follow once resolved', async () => {
    const template = findCommsTemplate(await importText('# Deploy\n\n## Ship\n\n```bash\nmake deploy\n```\n'));
    expect(template).toEqual({ kind: 'default', text: DEFAULT_COMMS_TEMPLATE, sectionId: null, stepId: null });
    expect(findCommsTemplate(null).kind).toBe('default');
    expect(draftStatusUpdate({ incident: KNOWN_INCIDENT, template: template.text, now })).toBe(
      [
        'Subject: [P1] Checkout API errors',
        '',
        'Status: RESOLVED',
        'Started: 2026-03-02 14:02 UTC',
        'Affected: checkout-api',
        'Impact: Checkout fails with HTTP 502 for some users',
        '',
        'Actions Taken:',
        '- 14:02 UTC Alert fired: checkout 5xx rate at 12%, not 15% (corrected)',
        '- 14:12 UTC Quick assessment: `python scripts/health_check.py` on web-1, exit 1',
        '- 14:13 UTC Check logs: `docker-compose logs --tail=100 checkout` on web-1, exit 0',
        '- 14:14 UTC upstream pool exhausted in the logs',
        '',
        'Next Steps:',
        '- [next step]',
        '',
        'Updates: No further updates: resolved at 2026-03-02 14:50 UTC',
      ].join('\n'),
    );
  });

  it("fills only the fields a template has (our payments fixture's), keeps its other lines, and leaves placeholders where the incident says nothing", async () => {
    const template = findCommsTemplate(await importText(fixture('incidents/payments-oncall.md')));
    expect(template.kind).toBe('runbook');
    const blank = { ...OPEN_INCIDENT, service: '', summary: '', severityLevels: OPEN_INCIDENT.severityLevels.map((l) => ({ ...l, updateEveryMin: null })) };
    expect(draftStatusUpdate({ incident: blank, template: `${template.text}\nContact: #payments-incident`, now })).toBe(
      ['Subject: [P1] Checkout API errors', '', 'Status: MONITORING', 'Impact: [impact]', '', 'Updates: When status changes', 'Contact: #payments-incident'].join('\n'),
    );
    expect(draftStatusUpdate({ incident: blank, template: 'Affected: x\nActions Taken:\n- [what]\n', now: new Date() })).toContain('Affected: [affected service]\nActions Taken:\n- 14:02 UTC');
  });

  it(`keeps the template's own action items while nothing was done, and lists only the latest ${MAX_ACTIONS} actions of a long incident`, () => {
    const quiet = { ...OPEN_INCIDENT, timeline: OPEN_INCIDENT.timeline.filter((e) => e.kind !== 'attempt' && e.kind !== 'note' && e.kind !== 'run-note') };
    expect(draftStatusUpdate({ incident: quiet, template: DEFAULT_COMMS_TEMPLATE, now })).toContain('Actions Taken:\n- [action taken]\n\nNext Steps:');
    const notes: TimelineEntry[] = Array.from({ length: 40 }, (_, i) => ({
      id: `n-${i}`, at: new Date(Date.parse('2026-03-02T15:00:00Z') + i * 60_000).toISOString(), recordedAt: '2026-03-02T16:00:00Z', by: 'alice', kind: 'note', text: `note ${i}`,
    }));
    const text = draftStatusUpdate({ incident: { ...OPEN_INCIDENT, timeline: notes }, template: DEFAULT_COMMS_TEMPLATE, now });
    expect(text).toContain(`Actions Taken:\n- (${40 - MAX_ACTIONS} earlier actions on the timeline)\n- 15:${String(40 - MAX_ACTIONS).padStart(2, '0')} UTC note ${40 - MAX_ACTIONS}\n`);
    expect(text).toContain('- 15:39 UTC note 39\n\nNext Steps:');
  });
});
