// A crontab shown in a runbook, with its environment lines (SHELL=, MAILTO=, CRON_TZ=) above the entries, schedules
// as written: each entry a schedule hint in the zone CRON_TZ set, the text a reference that never runs.
import { describe, expect, it } from 'vitest';
import type { Runbook } from '../../../../shared/model/runbook.js';
import { allSteps, importText } from '../../../helpers/importer.js';

const block = (lang: string, body: string): string => `## Schedule\n\n\`\`\`${lang}\n${body}\n\`\`\`\n`;

const CRONTAB = [
  'SHELL=/bin/bash',
  'PATH=/usr/local/bin:/usr/bin:/bin',
  'MAILTO=ops@example.com',
  '0 1 * * * /opt/app/rotate-logs.sh',
  'CRON_TZ=Europe/Berlin',
  '30 2 * * 1-5 /opt/app/backup.sh >> /var/log/backup.log 2>&1',
  '',
  '# reports in New York time',
  'CRON_TZ="America/New_York"',
  '@daily /opt/app/report.sh',
].join('\n');

const hints = (rb: Runbook): unknown[] => rb.scheduleHints.map((h) => [h.source, h.cron, h.timezone, h.line]);

describe('crontab lines after environment lines', () => {
  it.each(['', 'bash', 'sh', 'text', 'conf', 'crontab', 'cron', 'command'])('schedules every entry of a %j fence, in the zone CRON_TZ gives', async (lang) => {
    const rb = await importText(block(lang, CRONTAB));
    expect(hints(rb)).toEqual([
      ['cron', '0 1 * * *', null, 7],
      ['cron', '30 2 * * 1-5', 'Europe/Berlin', 9],
      ['cron', '0 0 * * *', 'America/New_York', 13],
    ]);
    expect(rb.scheduleHints[0]!.reason).toMatch(/host’s local time zone/);
    expect(allSteps(rb).every((s) => s.kind === 'reference' || s.kind === 'check')).toBe(true);
    expect(allSteps(rb).filter((s) => s.kind === 'reference').map((s) => s.script).join('\n').replace(/\s+/g, '')).toBe(CRONTAB.replace(/\s+/g, ''));
  });

  it('in a shell block, keeps real commands commands and makes the crontab lines after them a reference', async () => {
    const body = ['# Install the job', 'crontab -l > /tmp/current', '', '# Add these lines:', 'MAILTO=ops@example.com', 'CRON_TZ=UTC', '15 0 * * * /opt/app/nightly.sh'].join('\n');
    const rb = await importText(block('bash', body));
    expect(allSteps(rb).map((s) => [s.kind, s.title, s.language])).toEqual([
      ['command', 'Install the job', 'bash'],
      ['reference', 'Add these lines', 'crontab'],
    ]);
    expect(hints(rb)).toEqual([['cron', '15 0 * * *', 'UTC', 10]]);
  });

  it('in a shell block, leaves an assignment for later commands a command', async () => {
    const rb = await importText(block('bash', 'BACKUP_DIR=/srv/backups\n\n# Back up\ntar -czf "$BACKUP_DIR/data.tgz" /srv/data'));
    expect(allSteps(rb).map((s) => s.kind)).toEqual(['command', 'command']);
    expect(rb.scheduleHints).toEqual([]);
  });

  it('reads nothing as a crontab in a block holding other text', async () => {
    const rb = await importText(block('text', 'MAILTO=ops@example.com\n0 2 * * * /opt/app/backup.sh\nThen check the mail.'));
    expect(rb.scheduleHints).toEqual([]);
  });
});
