// Test harness: the terminal service with real node-pty and bash, and a headless xterm per terminal standing in for
// the renderer (it draws what arrives and, unless told not to, acknowledges it as the real renderer does).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Terminal } from '@xterm/headless';
import type { TermData, TermExit } from '../../../shared/contract/terminals.js';
import { createTerminalService, type TerminalService } from '../../../electron/services/terminal/terminal-service.js';

export const PROMPT = 'opsdeck-test$';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface Screen {
  id: string;
  xterm: Terminal;
  /** Every character emitted for this terminal, in order. */
  raw: string;
  /** Bytes emitted for this terminal (what acks count). */
  bytes: number;
  acked: number;
  autoAck: boolean;
  exits: TermExit[];
}

export interface Harness {
  terms: TerminalService;
  home: string;
  recorded: Array<{ runId: string; at: string; data: string }>;
  open(opts?: { cols?: number; rows?: number; cwd?: string; autoAck?: boolean }): Promise<Screen>;
  /** The screen's lines as a person would read them, trailing blanks trimmed. */
  lines(s: Screen): string[];
  /** The line the cursor is on. */
  cursorLine(s: Screen): string;
  /** Acknowledges everything emitted so far (the renderer caught up). */
  ackAll(s: Screen): void;
  /** Waits for a prompt at the cursor: the shell is ready for input. */
  ready(s: Screen, timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000, what: string | (() => string) = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until `value()` has not changed for `quietMs`; returns it. */
export async function settle(value: () => number, quietMs: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = value();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error('output never settled');
    await new Promise((r) => setTimeout(r, 25));
    const now = value();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}

export function createHarness(): Harness {
  const home = mkdtempSync(join(tmpdir(), 'opsdeck-pty-'));
  mkdirSync(join(home, 'work'));
  // A login bash reads /etc/profile, then this: a known prompt, no history file, no prompt command.
  writeFileSync(join(home, '.bash_profile'), `PS1='${PROMPT} '\nunset PROMPT_COMMAND\nHISTFILE=/dev/null\n`);
  const screens = new Map<string, Screen>();
  const recorded: Harness['recorded'] = [];
  const terms = createTerminalService({
    emit: (event: 'term.data' | 'term.exit', payload: TermData | TermExit) => {
      const s = screens.get(payload.id);
      if (!s) throw new Error(`event for unknown terminal ${payload.id}`);
      if (event === 'term.exit') {
        s.exits.push(payload as TermExit);
        return;
      }
      const { data } = payload as TermData;
      // Each batch must decode alone: one that ends inside a character throws here.
      s.raw += strictUtf8.decode(data);
      s.bytes += data.length;
      s.xterm.write(data, () => {
        if (s.autoAck) {
          terms.ack(s.id, s.bytes - s.acked);
          s.acked = s.bytes;
        }
      });
    },
    clock: { now: () => new Date() },
    timers: {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      setImmediate: (fn) => setImmediate(fn),
      clearImmediate: (h) => clearImmediate(h as NodeJS.Immediate),
    },
    shell: '/bin/bash',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', USER: process.env.USER ?? 'test' },
    home,
    record: (runId, chunk) => recorded.push({ runId, ...chunk }),
  });

  const lines = (s: Screen): string[] => {
    const out: string[] = [];
    const buf = s.xterm.buffer.active;
    for (let i = 0; i < buf.length; i++) out.push(buf.getLine(i)?.translateToString(true).trimEnd() ?? '');
    return out;
  };
  const cursorLine = (s: Screen): string => {
    const buf = s.xterm.buffer.active;
    return buf.getLine(buf.baseY + buf.cursorY)?.translateToString(true).trimEnd() ?? '';
  };

  return {
    terms,
    home,
    recorded,
    async open(opts = {}) {
      const cols = opts.cols ?? 80;
      const rows = opts.rows ?? 24;
      // Output leaves on a timer or after I/O, so nothing is emitted before the screen is registered below.
      const info = await terms.open({ kind: 'local', cols, rows, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
      const s: Screen = {
        id: info.id,
        xterm: new Terminal({ cols, rows, scrollback: 5_000, allowProposedApi: true }),
        raw: '',
        bytes: 0,
        acked: 0,
        autoAck: opts.autoAck ?? true,
        exits: [],
      };
      screens.set(info.id, s);
      return s;
    },
    lines,
    cursorLine,
    ackAll(s) {
      terms.ack(s.id, s.bytes - s.acked);
      s.acked = s.bytes;
    },
    ready: (s, timeoutMs = 10_000) => waitFor(() => cursorLine(s) === PROMPT, timeoutMs, () => `the prompt (screen: ${JSON.stringify(lines(s).filter(Boolean).slice(-5))})`),
    async dispose() {
      await terms.dispose();
      for (const s of screens.values()) s.xterm.dispose();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
