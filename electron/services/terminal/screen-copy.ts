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
/** How far back from a batch's end an unfinished escape sequence is looked for; a longer one (a huge OSC) is not kept. */
const PARTIAL_MAX_BYTES = 256;
const ESC = 0x1b;

/**
 * The escape sequence `batch` ends in the middle of (`ESC [ 3` of a colour cut by a batch boundary), or an empty
 * array. The copy's parser holds it, unseen by the serializer; a snapshot repeats it so that the window's parser is in
 * the same state when the rest (`1m`) arrives live, instead of drawing the rest as text.
 */
export function unfinishedEscape(batch: Uint8Array): Uint8Array {
  const from = Math.max(0, batch.length - PARTIAL_MAX_BYTES);
  let at = -1;
  for (let i = batch.length - 1; i >= from; i--) {
    if (batch[i] === ESC) {
      at = i;
      break;
    }
  }
  if (at < 0) return new Uint8Array(0);
  const seq = batch.subarray(at);
  const kind = seq[1];
  if (kind === undefined) return seq;
  const finished = (test: (byte: number) => boolean, start: number): boolean => seq.subarray(start).some(test);
  // CSI: parameters and intermediates, then a final byte 0x40-0x7e.
  if (kind === 0x5b) return finished((b) => b >= 0x40 && b <= 0x7e, 2) ? new Uint8Array(0) : seq;
  // OSC, DCS, SOS, PM, APC: up to BEL (OSC) or ST, whose ESC would have been the last ESC found.
  if (kind === 0x5d || kind === 0x50 || kind === 0x58 || kind === 0x5e || kind === 0x5f) return finished((b) => b === 0x07, 2) ? new Uint8Array(0) : seq;
  // ESC, intermediates (0x20-0x2f), then a final byte (`ESC ( B`).
  if (kind >= 0x20 && kind <= 0x2f) return finished((b) => b >= 0x30 && b <= 0x7e, 2) ? new Uint8Array(0) : seq;
  return new Uint8Array(0);
}

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export function createScreenCopy(cols: number, rows: number, scrollback = SCREEN_COPY_SCROLLBACK): ScreenCopy {
  const terminal = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
  const serializer = new SerializeAddon();
  // The addon's types name @xterm/xterm's Terminal; the headless one has the same API it uses (buffer, modes).
  terminal.loadAddon(serializer as unknown as Parameters<Terminal['loadAddon']>[0]);
  /** Batches written and not parsed yet, oldest first: xterm parses in order and calls back in order. */
  const pending: Uint8Array[] = [];
  /** The unfinished escape sequence the last parsed batch ended with. */
  let partial: Uint8Array = new Uint8Array(0);
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
        // A short batch may still be inside the sequence the one before ended in (a title being written): joined.
        const joined = partial.length > 0 && data.length < PARTIAL_MAX_BYTES ? joinBytes(partial, data) : data;
        partial = Uint8Array.from(unfinishedEscape(joined));
        parsed(data.length);
      });
    },
    resize(c, r) {
      if (!disposed && (c !== terminal.cols || r !== terminal.rows)) terminal.resize(c, r);
    },
    snapshot() {
      const screen = serializer.serialize({ scrollback });
      // Each batch holds whole characters, so they decode alone.
      let rest = decoder.decode(partial);
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
