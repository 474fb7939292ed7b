/**
 * The owner's own copy of a terminal's screen: an @xterm/headless terminal fed exactly the batches the windows get
 * and resized with them, so a window that attaches later (a reload, a second browser) draws what the terminal shows
 * now instead of a blank screen, with the modes the program switched on (bracketed paste, application keys, mouse).
 * Loaded on demand (terminal-service.ts imports it when the first terminal opens): a CLI command never parses it.
 */
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from '@xterm/headless';

/**
 * Lines above the screen the copy keeps, and a reattaching window gets. More costs memory in the owner (about 1 KB
 * per 80-column line, per terminal) and a longer snapshot to send and draw; fewer leaves less history after a reload.
 */
export const SCREEN_COPY_SCROLLBACK = 1_000;

export interface ScreenSnapshot {
  /** Escape sequences that redraw the screen and scrollback and set the modes, then the output not parsed yet. */
  data: string;
  cols: number;
  rows: number;
}

export interface ScreenCopy {
  /** One batch as it went to the windows (whole UTF-8 characters). `parsed` is told once the copy has taken it in. */
  write(data: Uint8Array, parsed: (bytes: number) => void): void;
  resize(cols: number, rows: number): void;
  /**
   * The screen as of every byte written so far: the parsed part serialized, then the bytes still queued in the
   * parser as they are. Synchronous, so nothing written later can slip in between.
   */
  snapshot(): ScreenSnapshot;
  /** The program asked for bracketed paste (DECSET 2004), as of the output parsed so far. */
  readonly bracketedPaste: boolean;
  /** Bytes written and not parsed yet. */
  readonly queued: number;
  dispose(): void;
}

const decoder = new TextDecoder();

export function createScreenCopy(cols: number, rows: number, scrollback = SCREEN_COPY_SCROLLBACK): ScreenCopy {
  const terminal = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
  const serializer = new SerializeAddon();
  // The addon's types name @xterm/xterm's Terminal; the headless one has the same API it uses (buffer, modes).
  terminal.loadAddon(serializer as unknown as Parameters<Terminal['loadAddon']>[0]);
  /** Batches written and not parsed yet, oldest first: xterm parses in order and calls back in order. */
  const pending: Uint8Array[] = [];
  let queued = 0;
  let disposed = false;

  return {
    write(data, parsed) {
      if (disposed || data.length === 0) return;
      pending.push(data);
      queued += data.length;
      terminal.write(data, () => {
        if (disposed) return;
        pending.shift();
        queued -= data.length;
        parsed(data.length);
      });
    },
    resize(c, r) {
      if (!disposed && (c !== terminal.cols || r !== terminal.rows)) terminal.resize(c, r);
    },
    snapshot() {
      const screen = serializer.serialize({ scrollback });
      // Each batch holds whole characters, so they decode alone.
      let rest = '';
      for (const batch of pending) rest += decoder.decode(batch);
      return { data: screen + rest, cols: terminal.cols, rows: terminal.rows };
    },
    get bracketedPaste() {
      return terminal.modes.bracketedPasteMode;
    },
    get queued() {
      return queued;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      pending.length = 0;
      queued = 0;
      terminal.dispose();
    },
  };
}
