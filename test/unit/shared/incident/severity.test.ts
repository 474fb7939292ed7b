// Severity levels, update cadence and escalation path read from runbooks as imported: our payments fixture (levels
// as headings with bold key/value lines, a communication template, an escalation path), seed 004, and runbooks
// without them (the PagerDuty defaults).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEscalationLine, readEscalationPath } from '../../../../shared/incident/escalation.js';
import { DEFAULT_SEVERITIES, findSeverity, normalizeSeverityId, readSeverities, severitiesOf } from '../../../../shared/incident/severity.js';
import { root } from '../../../helpers/cli.js';
import { importText } from '../../../helpers/importer.js';

const fixture = (name: string) => readFileSync(join(root, 'test', 'fixtures', name));

describe('severity levels from a runbook', () => {
  it("reads our fixture's levels with their definitions and response times, and the runbook's cadence for the levels that name none", async () => {
    const read = readSeverities(await importText(fixture('incidents/payments-oncall.md')));
    expect(read.levels).toEqual([
      { id: 'SEV-1', label: 'Critical', definition: 'Payments fail for every customer', responseTime: '5 minutes', updateEveryMin: 10 },
      { id: 'SEV-2', label: 'Major', definition: 'Payments slow or failing for some customers', responseTime: '15 minutes', updateEveryMin: 30 },
      { id: 'SEV-3', label: 'Minor', definition: 'One merchant affected', responseTime: 'Next business day', updateEveryMin: 30 },
    ]);
    expect(read.cadence).toEqual({ everyMin: 30, onStatusChange: true, text: 'Updates: Every 30 minutes or when status changes' });
  });

  it("reads seed 004's P0-P3 and its 15-minute cadence from the communication template", async () => {
    const read = readSeverities(await importText(fixture('seeds/004.md'), '004.md'));
    expect(read.levels?.map((l) => [l.id, l.label, l.updateEveryMin])).toEqual([
      ['P0', 'Critical', 15],
      ['P1', 'High', 15],
      ['P2', 'Medium', 15],
      ['P3', 'Low', 15],
    ]);
    // The importer keeps P0's "Definition" bullet (it reads as a step); the others' bullets are not in the model.
    expect(read.levels?.[0]?.definition).toBe('Complete system outage, data loss');
    expect(read.cadence).toMatchObject({ everyMin: 15, onStatusChange: true });
  });

  it('gives SEV-1..SEV-5 with 15, 30 and 60 minute cadences when the runbook defines no levels', async () => {
    const plain = await importText('# Deploy\n\n## Ship\n\n```bash\nmake deploy\n```\n');
    expect(readSeverities(plain)).toEqual({ levels: null, sectionId: null, cadence: null });
    expect(severitiesOf(plain).map((l) => [l.id, l.updateEveryMin])).toEqual([['SEV-1', 15], ['SEV-2', 30], ['SEV-3', 60], ['SEV-4', null], ['SEV-5', null]]);
    expect(severitiesOf(null)).toEqual(DEFAULT_SEVERITIES);
  });

  it("applies the runbook's cadence to the default levels when it names one but no levels", async () => {
    const rb = await importText('# Ops\n\n## Comms\n\n```\nStatus: INVESTIGATING\nUpdates: every 20 min\n```\n');
    expect(severitiesOf(rb).map((l) => l.updateEveryMin)).toEqual([20, 20, 20, 20, 20]);
  });

  it('gives the default cadence by rank when the runbook has levels but names no cadence', async () => {
    const rb = await importText('# Ops\n\n## Priorities\n\n### P1 - Urgent\n\n**Definition**: down\n\n### P2 - High\n\n### P3 - Normal\n\n### P4 - Low\n');
    expect(severitiesOf(rb).map((l) => [l.id, l.label, l.updateEveryMin])).toEqual([['P1', 'Urgent', 15], ['P2', 'High', 30], ['P3', 'Normal', 60], ['P4', 'Low', null]]);
  });

  it('finds a level however it is typed: sev2, Sev 2, SEV-2, by its label', () => {
    for (const typed of ['sev2', 'Sev 2', 'SEV-2', 'severity 2', 'major']) expect(findSeverity(DEFAULT_SEVERITIES, typed)?.id).toBe('SEV-2');
    expect(normalizeSeverityId('p0')).toBe('P0');
    expect(findSeverity(DEFAULT_SEVERITIES, 'P1')).toBeUndefined();
    expect(findSeverity(DEFAULT_SEVERITIES, 'sev9')).toBeUndefined();
  });
});

describe('escalation path from a runbook', () => {
  it("reads seed 004's thresholds and leaves out the rules that name no time", async () => {
    expect(readEscalationPath(await importText(fixture('seeds/004.md'), '004.md'))).toEqual([
      { afterMin: 15, contact: 'secondary', text: 'No response in 15 min: Contact secondary' },
      { afterMin: 30, contact: 'manager', text: 'No response in 30 min: Contact manager' },
    ]);
  });

  it("reads our fixture's numbered path", async () => {
    expect(readEscalationPath(await importText(fixture('incidents/payments-oncall.md'))).map((s) => [s.afterMin, s.contact])).toEqual([
      [5, 'the secondary on-call'],
      [20, 'the payments lead'],
    ]);
  });

  it('reads other ways of saying it, in hours too, and is empty without an escalation section', async () => {
    expect(parseEscalationLine('After 1 hour: page the VP of Engineering.')).toEqual({ afterMin: 60, contact: 'the VP of Engineering', text: 'After 1 hour: page the VP of Engineering.' });
    expect(parseEscalationLine('No ack within 45 minutes - escalate to the duty manager')).toMatchObject({ afterMin: 45, contact: 'the duty manager' });
    expect(parseEscalationLine('P0/P1: Contact primary on-call immediately')).toBeNull();
    expect(readEscalationPath(await importText('# Ops\n\n## Contacts\n\n1. **No response in 15 min**: Contact secondary\n'))).toEqual([]);
  });
});
