// Terminals nobody has open, on a fake clock: how many windows show each, since when none does, and the owner
// closing one left alone for a day (hanging up its shell, with a line in its recording), but never one a window shows.
import type { IPty } from 'node-pty';
import { describe, expect, it } from 'vitest';
import type { TermData, TermExit } from '../../../../shared/contract/terminals.js';
import type { Timers } from '../../../../electron/services/terminal/flow-control.js';
import { createTerminalService, IDLE_CLOSE_MS, type TerminalServiceDeps } from '../../../../electron/services/terminal/terminal-service.js';
import { VIEW_LEASE_MS } from '../../../../electron/services/terminal/terminal-viewers.js';

const START = Date.parse('2026-03-02T09:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A clock and timers that move only when told to, running what falls due in order. */
function fakeTime() {
  let now = START;
  let nextId = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => (due.set(nextId, { at: now + ms, fn }), nextId++),
    clearTimeout: (h) => void due.delete(h as number),
    setImmediate: (fn) => (due.set(nextId, { at: now, fn }), nextId++),
    clearImmediate: (h) => void due.delete(h as number),
  };
  const advance = (ms: number): void => {
    const end = now + ms;
    for (;;) {
      const next = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      due.delete(next[0]);
      now = next[1].at;
      next[1].fn();
    }
    now = end;
  };
  return { clock: { now: () => new Date(now) }, timers, advance, iso: (at: number) => new Date(at).toISOString(), get now() { return now; } };
}

function fakePty() {
  const killed: string[] = [];
  const pty = {
    pid: 1,
    onData: () => ({ dispose: () => undefined }),
    onExit: () => ({ dispose: () => undefined }),
    write: () => undefined,
    resize: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    kill: (signal?: string) => killed.push(signal ?? 'SIGHUP'),
  };
  return { pty: pty as unknown as IPty, killed };
}

/** dispose() waits (on the fake timers) for the fake shells, which never exit by themselves. */
async function stopAll(time: ReturnType<typeof fakeTime>, terms: { dispose(): Promise<void> }): Promise<void> {
  const done = terms.dispose();
  time.advance(10_000);
  await done;
}

function setup() {
  const time = fakeTime();
  const ptys: Array<ReturnType<typeof fakePty>> = [];
  const recorded: Array<{ runId: string; at: string; data: string }> = [];
  const terms = createTerminalService({
    spawnPty: (() => {
      const p = fakePty();
      ptys.push(p);
      return p.pty;
    }) as unknown as TerminalServiceDeps['spawnPty'],
    emit: (_event: 'term.data' | 'term.exit', _payload: TermData | TermExit) => undefined,
    clock: time.clock,
    timers: time.timers,
    shell: '/bin/sh',
    env: { PATH: '/usr/bin:/bin' },
    home: '/',
    record: (runId, chunk) => recorded.push({ runId, ...chunk }),
  });
  return { time, ptys, recorded, terms };
}

describe('terminals nobody has open', () => {
  it('lists how many windows show each terminal and, when none does, since when and when it will be closed', async () => {
    const { time, terms } = setup();
    const a = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    // Opened from a script, not shown anywhere yet.
    expect(a).toMatchObject({ windows: 0, openedAt: time.iso(START), unwatchedSince: time.iso(START), closesAt: time.iso(START + IDLE_CLOSE_MS) });
    terms.view('window-1', [a.id]);
    terms.view('window-2', [a.id, 'no-such-terminal']);
    expect(terms.list()).toEqual([expect.objectContaining({ id: a.id, windows: 2, unwatchedSince: null, closesAt: null })]);
    time.advance(10 * MINUTE);
    expect(terms.list()[0]?.windows).toBe(0);
    // Both windows report again; then window 1 closes its tab, and window 2 goes quiet (a closed browser tells nobody).
    terms.view('window-2', [a.id]);
    terms.view('window-1', [a.id]);
    terms.view('window-1', []);
    expect(terms.list()[0]?.windows).toBe(1);
    time.advance(VIEW_LEASE_MS + 1);
    expect(terms.list()).toEqual([expect.objectContaining({ windows: 0, unwatchedSince: time.iso(START + 10 * MINUTE) })]);
    expect(terms.list()[0]?.closesAt).toBe(time.iso(START + 10 * MINUTE + IDLE_CLOSE_MS));
    await stopAll(time, terms);
  });

  it('closes a terminal no window has shown for a day, writing a line into its recording', async () => {
    const { time, ptys, recorded, terms } = setup();
    const a = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    const b = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    terms.record(a.id, 'run-1');
    terms.view('window-1', [a.id, b.id]);
    time.advance(HOUR);
    // The window keeps showing b only, reporting every 30 s as windows do.
    for (let t = 0; t < 30 * HOUR; t += 30_000) {
      terms.view('window-1', [b.id]);
      time.advance(30_000);
      if (t === 23 * HOUR) expect(terms.list().map((info) => info.id)).toContain(a.id);
    }
    expect(terms.list().map((info) => info.id)).toEqual([b.id]);
    // Hung up (and, as the fake shell never exits, killed after the grace period).
    expect(ptys[0]?.killed[0]).toBe('SIGHUP');
    expect(ptys[1]?.killed).toEqual([]);
    expect(recorded).toEqual([{ runId: 'run-1', at: expect.any(String), data: expect.stringContaining('no window had shown it for 24 hours') }]);
    // Closed within the check interval after its day was up, not before.
    const closedAt = Date.parse(recorded[0]?.at ?? '');
    expect(closedAt - (START + HOUR)).toBeGreaterThanOrEqual(IDLE_CLOSE_MS);
    expect(closedAt - (START + HOUR)).toBeLessThanOrEqual(IDLE_CLOSE_MS + 5 * MINUTE);
    await stopAll(time, terms);
  });

  it('keeps a terminal a window shows, however long', async () => {
    const { time, ptys, terms } = setup();
    const a = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    for (let t = 0; t < 3 * 24 * HOUR; t += 60_000) {
      terms.view('window-1', [a.id]);
      time.advance(60_000);
    }
    expect(terms.list()).toEqual([expect.objectContaining({ id: a.id, windows: 1 })]);
    expect(ptys[0]?.killed).toEqual([]);
    await stopAll(time, terms);
  });
});
