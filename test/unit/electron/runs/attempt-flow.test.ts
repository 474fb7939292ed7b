// Flow control of a step's output, per attempt: the attempt's source pauses while a window drawing it is more than the
// high watermark behind, resumes once it is below the low one, and is never held back by nobody (no window, or only
// windows that do not acknowledge). The windows are the host's real FlowWindows; the source is a scripted one.
import { describe, expect, it } from 'vitest';
import { createFlowWindows, type FlowWindows } from '../../../../electron/host/flow-windows.js';
import type { ExecExit, ExecHandle, ExecService, OutputStream } from '../../../../electron/services/exec/local-exec.js';
import { createAttemptLauncher, type AttemptSpec, type OutputControl, type RemoteRunner } from '../../../../electron/services/runs/attempts.js';
import { HIGH_WATERMARK_BYTES as HIGH, LOW_WATERMARK_BYTES as LOW } from '../../../../electron/services/terminal/flow-control.js';
import type { OutputChunk } from '../../../../shared/contract/schemas.js';

/** A running command whose output the test writes, and which says whether it is being read. */
interface Source {
  write(text: string): void;
  paused: boolean;
  pauses: number;
  resumes: number;
  end(): void;
}

function scriptedExec(sources: Source[]): ExecService {
  return {
    start(_req, onOutput: (stream: OutputStream, data: string) => void): ExecHandle {
      let end: (exit: ExecExit) => void = () => undefined;
      const exited = new Promise<ExecExit>((r) => (end = r));
      const source: Source = {
        write: (text) => onOutput('stdout', text),
        paused: false,
        pauses: 0,
        resumes: 0,
        end: () => end({ exitCode: 0, signal: null, durationMs: 1, timedOut: false, cancelled: false }),
      };
      sources.push(source);
      return {
        pid: process.pid,
        cancel: () => source.end(),
        pause: () => {
          source.paused = true;
          source.pauses++;
        },
        resume: () => {
          source.paused = false;
          source.resumes++;
        },
        exited,
      };
    },
    dispose: () => undefined,
  };
}

const spec: AttemptSpec = { runId: 'run-1', stepId: 'step-1', script: 'flood', env: {}, timeoutSec: 60, cwd: null, recorded: {}, redact: (d) => d };

/** A launcher whose output goes through the host's per-window flow control, as host.ts wires it. */
function setup(remote: RemoteRunner | null = null) {
  const sources: Source[] = [];
  const stored: OutputChunk[] = [];
  let windows: FlowWindows | null = null;
  const launcher = createAttemptLauncher({
    exec: scriptedExec(sources),
    remote,
    now: () => new Date(0).toISOString(),
    appendChunk: (c) => stored.push(c),
    emitOutput: (c) => windows?.sent(c.attemptId, c.data.length),
    record: () => undefined,
  });
  windows = createFlowWindows((stream, units) => launcher.ackOutput(stream, units));
  return { launcher, windows, sources, stored };
}

const chars = (n: number): string => 'y'.repeat(n);

describe('flow control of a step attempt', () => {
  it('pauses while a window is more than the high watermark behind and resumes below the low one', async () => {
    const { launcher, windows, sources, stored } = setup();
    const tab = windows.open({ acks: true });
    const r = launcher.local(spec);
    const source = sources[0]!;
    source.write(chars(HIGH));
    expect(source.paused).toBe(false);
    source.write(chars(1));
    expect(source.paused).toBe(true);
    // Still behind by the low watermark exactly: stays paused.
    tab.ack(HIGH + 1 - LOW, r.attemptId);
    expect(source.paused).toBe(true);
    tab.ack(1, r.attemptId);
    expect(source.paused).toBe(false);
    expect([source.pauses, source.resumes]).toEqual([1, 1]);
    // Everything is stored, paused or not.
    expect(stored.map((c) => c.data).join('')).toHaveLength(HIGH + 1);
    source.end();
    await r.done;
    expect(launcher.ackOutput(r.attemptId, 1)).toBe(false);
  });

  it('is not paused when no window acknowledges: none open, or only windows that never ack (a CLI client)', async () => {
    for (const open of [false, true]) {
      const { launcher, windows, sources } = setup();
      if (open) windows.open({ acks: false });
      const r = launcher.local(spec);
      for (let i = 0; i < 50; i++) sources[0]!.write(chars(HIGH / 2));
      expect(sources[0]!.pauses).toBe(0);
      sources[0]!.end();
      await r.done;
    }
  });

  it('is held back by the window furthest behind: a second tab that acks everything does not release it', () => {
    const { launcher, windows, sources } = setup();
    const drawing = windows.open({ acks: true });
    const stuck = windows.open({ acks: true });
    const r = launcher.local(spec);
    const source = sources[0]!;
    for (let i = 0; i < 30 && !source.paused; i++) {
      source.write(chars(10_000));
      drawing.ack(10_000, r.attemptId);
    }
    expect(source.paused).toBe(true);
    // The acks of both tabs are not summed: acking twice as much in one does nothing.
    drawing.ack(1_000_000, r.attemptId);
    expect(source.paused).toBe(true);
    stuck.close();
    expect(source.paused).toBe(false);
    source.end();
  });

  it('keeps the attempts of a step apart: acking one does not release another', () => {
    const { launcher, windows, sources } = setup();
    const tab = windows.open({ acks: true });
    const a = launcher.local(spec);
    const b = launcher.local(spec);
    sources[0]!.write(chars(HIGH + 1));
    sources[1]!.write(chars(HIGH + 1));
    tab.ack(HIGH + 1, a.attemptId);
    expect([sources[0]!.paused, sources[1]!.paused]).toEqual([false, true]);
    tab.ack(HIGH + 1, b.attemptId);
    expect(sources[1]!.paused).toBe(false);
    for (const s of sources) s.end();
  });

  it('pauses a remote command through the control the runner registers', async () => {
    const controls: Array<OutputControl & { paused: boolean }> = [];
    let write: (data: string) => void = () => undefined;
    let finish: () => void = () => undefined;
    const remote: RemoteRunner = {
      hostsWithTag: () => [],
      exec: (_host, _command, opts) => {
        const control = { paused: false, pause: () => void (control.paused = true), resume: () => void (control.paused = false) };
        controls.push(control);
        opts.flow?.register(control);
        write = (data) => opts.onOutput('stdout', data);
        return new Promise((resolve) => {
          finish = () =>
            resolve({
              endpoint: { host: 'web-1', address: '127.0.0.1', port: 22, user: 'ops', keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' },
              exit: { exitCode: 0, signal: null, durationMs: 1, timedOut: false, cancelled: false, connectionLost: false },
            });
        });
      },
    };
    const { launcher, windows } = setup(remote);
    const tab = windows.open({ acks: true });
    const r = launcher.remote(spec, 'web-1', null);
    write(chars(HIGH + 1));
    expect(controls[0]!.paused).toBe(true);
    tab.ack(HIGH + 1, r.attemptId);
    expect(controls[0]!.paused).toBe(false);
    finish();
    await r.done;
    expect(launcher.ackOutput(r.attemptId, 1)).toBe(false);
  });
});
