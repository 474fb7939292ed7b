// A run's state advanced event by event (as the run service keeps it) must say exactly what folding all the events
// at once says, after every event; and a state handed out earlier must not change when later events arrive.
import { describe, expect, it } from 'vitest';
import { createRunFold, foldRun, sectionSteps } from '../../../../electron/services/runs/run-state.js';
import type { RunEventRow, RunRow } from '../../../../electron/services/store/run-store.js';
import { importText } from '../../../helpers/importer.js';

const markdown = [
  '# Deploy', '',
  '## Release', '',
  '- [ ] Announce the release in #ops', '',
  '```bash',
  'echo build',
  '```', '',
  '```bash',
  'echo ship',
  '```', '',
].join('\n');

describe('incremental run fold', () => {
  it('matches the one-shot fold after every event, and earlier snapshots stay as they were', async () => {
    const document = await importText(markdown);
    const section = document.sections[0]!.sections[0]!;
    const [check, build, ship] = sectionSteps(section);
    const run: RunRow = { id: 'run-1', runbookId: 'rb', versionId: 'v1', sectionId: section.id, sectionTitle: section.title, operator: 'ana', target: { kind: 'local' }, origin: 'ui', startedAt: '2026-11-24T08:00:00.000Z' };
    let seq = 0;
    const ev = (type: string, data: Record<string, unknown>, stepId: string | null = null, attemptId: string | null = null): RunEventRow => ({
      id: `e${++seq}`, runId: run.id, seq, at: `2026-11-24T08:00:${String(seq).padStart(2, '0')}.000Z`, type, stepId, attemptId, data,
    });
    const events: RunEventRow[] = [
      ev('run.started', { pid: 1 }),
      ev('check.ticked', { done: true }, check!.id),
      ev('attempt.started', { params: {}, timeoutSec: 600, host: null }, build!.id, 'a1'),
      ev('note.added', { text: 'slow today', operator: 'ana' }, build!.id),
      ev('attempt.ended', { status: 'failed', exitCode: 2, signal: null, durationMs: 40 }, build!.id, 'a1'),
      ev('attempt.started', { params: {}, timeoutSec: 600, host: 'web-1', fanoutId: 'f1' }, ship!.id, 'a2'),
      ev('attempt.started', { params: {}, timeoutSec: 600, host: 'web-2', fanoutId: 'f1' }, ship!.id, 'a3'),
      ev('attempt.ended', { status: 'succeeded', exitCode: 0, signal: null, durationMs: 5, endpoint: { host: 'web-1' } }, ship!.id, 'a2'),
      ev('terminal.recording', { recordingId: 'r1', title: 'bash' }),
      ev('attempt.ended', { status: 'succeeded', exitCode: 0, signal: null, durationMs: 6 }, ship!.id, 'a3'),
      ev('step.skipped', { reason: 'done by hand' }, build!.id),
      ev('run.finished', { status: 'completed' }),
    ];
    const counts = new Map([['a1', 3], ['a2', 1], ['a3', 2]]);
    const fold = createRunFold(run, 'Deploy', document);
    const taken: Array<{ at: number; json: string; snapshot: unknown }> = [];
    const asked: string[][] = [];
    for (const [i, e] of events.entries()) {
      fold.apply([e]);
      asked.push(fold.chunkIds());
      const snapshot = fold.snapshot((id) => counts.get(id) ?? 0);
      expect(snapshot).toEqual(foldRun({ run, runbookTitle: 'Deploy', document, events: events.slice(0, i + 1), chunkCounts: counts }));
      taken.push({ at: i, json: JSON.stringify(snapshot), snapshot });
      expect(fold.live()).toBe(snapshot.steps.some((s) => s.attempts.some((a) => a.status === 'running')));
    }
    for (const t of taken) expect(JSON.stringify(t.snapshot)).toBe(t.json);
    const last = JSON.parse(taken.at(-1)!.json) as ReturnType<typeof foldRun>;
    expect(last.run).toMatchObject({ status: 'completed', progress: { done: 3, total: 3 } });
    expect(last.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'succeeded']);
    // Counts are asked for running attempts and, once more, for each ended one; then they are final.
    expect(asked.slice(2, 8)).toEqual([['a1'], ['a1'], ['a1'], ['a2'], ['a2', 'a3'], ['a2', 'a3']]);
    expect(fold.chunkIds()).toEqual([]);
    expect(['a1', 'a2', 'a3', 'zz'].map((id) => fold.ended(id))).toEqual([true, true, true, false]);
  });
});
