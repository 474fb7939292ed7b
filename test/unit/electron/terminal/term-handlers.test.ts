// The terminal handlers over a fake service: calls pass through, and recording is only into a run that is running.
import { describe, expect, it } from 'vitest';
import { createDispatch, type Handlers } from '../../../../shared/contract/dispatch.js';
import { ContractError } from '../../../../shared/contract/errors.js';
import type { RunDetail } from '../../../../shared/contract/schemas.js';
import type { TermInfo } from '../../../../shared/contract/terminals.js';
import type { ShellParser } from '../../../../shared/runbook/shell.js';
import { createTermHandlers } from '../../../../electron/host/term-handlers.js';
import { StoreError } from '../../../../electron/services/store/store-error.js';
import type { TerminalService } from '../../../../electron/services/terminal/terminal-service.js';

const RUNNING = '01900000-0000-7000-8000-000000000001';
const ENDED = '01900000-0000-7000-8000-000000000002';
const GONE = '01900000-0000-7000-8000-000000000003';

function setup() {
  const calls: unknown[][] = [];
  const info: TermInfo = {
    id: 't1', kind: 'local', title: 'bash', recordingRunId: null, exited: false, openedAt: '2026-01-01T00:00:00.000Z', windows: 1, unwatchedSince: null, closesAt: null,
  };
  const terminals: TerminalService = {
    open: async (r) => (calls.push(['open', r]), info),
    input: (...a) => void calls.push(['input', ...a]),
    resize: (...a) => void calls.push(['resize', ...a]),
    ack: (...a) => void calls.push(['ack', ...a]),
    close: (...a) => void calls.push(['close', ...a]),
    list: () => [info],
    record: (id, runId) => (calls.push(['record', id, runId]), { ...info, recordingRunId: runId }),
    snapshot: (id) => (calls.push(['snapshot', id]), { data: '\x1b[?2004hprompt$ ', cols: 80, rows: 24 }),
    view: (...a) => void calls.push(['view', ...a]),
    dispose: async () => undefined,
  };
  const runs = {
    get(runId: string): RunDetail {
      if (runId === GONE) throw new StoreError('not_found', `no run ${runId}`);
      return { run: { status: runId === RUNNING ? 'running' : 'completed' } } as RunDetail;
    },
  };
  const handlers = createTermHandlers({ terminals, runs, shell: {} as ShellParser });
  // The rest of the contract is not under test here.
  const dispatch = createDispatch(new Proxy(handlers, { get: (t, k) => (t as Record<string | symbol, unknown>)[k] ?? (() => { throw new ContractError('unavailable', 'x'); }) }) as Handlers);
  return { calls, dispatch };
}

describe('term handlers', () => {
  it('pass calls through to the terminal service', async () => {
    const { calls, dispatch } = setup();
    expect(await dispatch('term.open', { kind: 'local', cols: 80, rows: 24 })).toMatchObject({ ok: true, result: { id: 't1' } });
    expect(await dispatch('term.input', { id: 't1', data: 'ls\r' })).toEqual({ ok: true, result: {} });
    expect(await dispatch('term.resize', { id: 't1', cols: 100, rows: 30 })).toEqual({ ok: true, result: {} });
    expect(await dispatch('term.ack', { id: 't1', chars: 5000 })).toEqual({ ok: true, result: {} });
    expect(await dispatch('term.close', { id: 't1' })).toEqual({ ok: true, result: {} });
    expect(await dispatch('term.list', {})).toMatchObject({ ok: true, result: [{ id: 't1' }] });
    expect(await dispatch('term.snapshot', { id: 't1' })).toEqual({ ok: true, result: { data: '\x1b[?2004hprompt$ ', cols: 80, rows: 24 } });
    expect(await dispatch('term.view', { viewer: 'w1', ids: ['t1'] })).toEqual({ ok: true, result: {} });
    expect(calls).toEqual([
      ['open', { kind: 'local', cols: 80, rows: 24 }],
      ['input', 't1', 'ls\r'],
      ['resize', 't1', 100, 30],
      ['ack', 't1', 5000],
      ['close', 't1'],
      ['snapshot', 't1'],
      ['view', 'w1', ['t1']],
    ]);
  });

  it('records into a running run, refuses an ended or unknown one, and stops on null', async () => {
    const { calls, dispatch } = setup();
    expect(await dispatch('term.record', { id: 't1', runId: RUNNING })).toMatchObject({ ok: true, result: { recordingRunId: RUNNING } });
    expect(await dispatch('term.record', { id: 't1', runId: ENDED })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await dispatch('term.record', { id: 't1', runId: GONE })).toMatchObject({ ok: false, error: { code: 'not_found', message: `no run ${GONE}` } });
    expect(await dispatch('term.record', { id: 't1', runId: null })).toMatchObject({ ok: true, result: { recordingRunId: null } });
    expect(calls).toEqual([['record', 't1', RUNNING], ['record', 't1', null]]);
  });
});
