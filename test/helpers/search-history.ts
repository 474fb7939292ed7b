// Test helper: a database at schema version 6 (before search existed) holding one finished run written the way the
// run store wrote it then: a command step with a parameter, its coloured output in many chunks, a note.
import type { Runbook } from '../../shared/model/runbook.js';
import { summarizeRunbook } from '../../shared/model/summary.js';
import { getDeviceId, openDatabase } from '../../electron/services/store/db.js';
import { migrations } from '../../electron/services/store/migrations/index.js';

export const OLD_NEEDLE = 'needle-in-the-haystack';
export const OLD_UNIT = 'agent-lab.service';

const DOCUMENT: Runbook = {
  title: 'Old Ops',
  source: { path: '/srv/runbooks/old-ops.md', sha256: 'abc' },
  sections: [
    {
      id: 'sec-1',
      title: 'Vintage restart',
      level: 2,
      line: 1,
      meta: {},
      sections: [],
      steps: [
        {
          id: 'st-1', kind: 'command', title: 'Restart the agent', caption: null, line: 3, endLine: 4, script: 'systemctl restart <unit>', language: 'bash',
          params: ['unit'], danger: { level: 'safe', reasons: [] }, remote: null, checked: null, expectedOutput: null,
        },
      ],
    },
  ],
  params: [{ name: 'unit', kind: 'placeholder', secret: false, occurrences: [{ stepId: 'st-1', line: 3, text: '<unit>' }] }],
  scheduleHints: [],
  warnings: [],
};

export interface OldHistory {
  runId: string;
  attemptId: string;
  /** The chunk holding OLD_NEEDLE. */
  needleSeq: number;
}

/** Writes the version-6 database at `file` with `chunks` output chunks; closes it. */
export function writeVersion6History(file: string, chunks: number): OldHistory {
  const db = openDatabase(file, { migrations: migrations.slice(0, 6) });
  const dev = getDeviceId(db);
  const at = (s: number): string => new Date(Date.UTC(2026, 0, 3, 9, 0, s)).toISOString();
  const runId = '0190b6a4-0000-7000-8000-00000000a001';
  const attemptId = '0190b6a4-0000-7000-8000-00000000b001';
  const needleSeq = Math.floor(chunks / 2);
  db.transaction(() => {
    db.prepare('INSERT INTO runbooks VALUES (?, ?, ?, ?)').run('rb-old', dev, DOCUMENT.source.path, at(0));
    db.prepare('INSERT INTO runbook_versions VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)').run(
      'v-old', dev, 'rb-old', `000001767430800000-000000-${dev}`, 'abc', DOCUMENT.title, at(0), JSON.stringify(DOCUMENT), JSON.stringify(summarizeRunbook(DOCUMENT)),
    );
    db.prepare('INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(runId, dev, 'rb-old', 'v-old', 'sec-1', 'Vintage restart', 'ana', '{"kind":"local"}', 'cli', at(1));
    const event = db.prepare('INSERT INTO run_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    let seq = 0;
    const add = (type: string, data: object, stepId: string | null = null, attempt: string | null = null): void => {
      seq += 1;
      event.run(`0190b6a4-0000-7000-8000-0000000c${String(seq).padStart(4, '0')}`, dev, runId, seq, at(seq), type, stepId, attempt, JSON.stringify(data));
    };
    add('run.started', { pid: 1, start: null });
    add('attempt.started', { params: { unit: OLD_UNIT }, timeoutSec: 600, host: null, shell: null, pid: 1, start: null }, 'st-1', attemptId);
    const chunk = db.prepare('INSERT INTO output_chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < chunks; i++) {
      const text = i === needleSeq ? `found the ${OLD_NEEDLE} marker\n` : `line ${i} of the vintage log \x1b[32mok\x1b[0m\n`;
      chunk.run(`0190b6a4-0000-7000-8000-${String(i).padStart(12, '0')}`, dev, runId, attemptId, 'st-1', i, 'stdout', text, at(3));
    }
    add('attempt.ended', { status: 'succeeded', exitCode: 0, signal: null, durationMs: 5 }, 'st-1', attemptId);
    add('note.added', { text: 'vintage note about the restart', operator: 'ana' });
    add('run.finished', { status: 'completed', left: [] });
  })();
  db.close();
  return { runId, attemptId, needleSeq };
}
