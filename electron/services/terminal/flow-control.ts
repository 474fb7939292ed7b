/**
 * Flow control and batching for terminal output, after VS Code's pty host (`terminalProcess.ts`): a fast program
 * (`yes`, `cat bigfile`) must not flood the renderer faster than it can draw, so the source is paused while too
 * much output is unacknowledged, and output leaves in few, whole-character batches instead of thousands of tiny events.
 * Pure: the timers are handed in, the source is two callbacks.
 */
import { StringDecoder } from 'node:string_decoder';

/**
 * Unacknowledged characters above which the source is paused. Higher: fewer stalls on a slow renderer, but more
 * output queued in memory and on the wire, and Ctrl-C shows its effect later (everything queued is drawn first).
 */
export const HIGH_WATERMARK_CHARS = 100_000;
/**
 * The source resumes once unacknowledged output falls below this. Lower: fewer pause/resume flips, but the renderer
 * may sit idle while the source refills the pipe.
 */
export const LOW_WATERMARK_CHARS = 5_000;
/**
 * How often the renderer should acknowledge (every this many characters drawn). Must stay well below the high
 * watermark minus the low one, or the source could stay paused forever. Smaller: more `term.ack` calls.
 */
export const ACK_EVERY_CHARS = 5_000;
/**
 * Output arriving within this window leaves as one event. Longer: fewer, larger events (cheaper IPC and drawing),
 * but keystroke echo is delayed by up to this much.
 */
export const BATCH_MS = 5;

export interface FlowControllerOptions {
  highWatermark?: number;
  lowWatermark?: number;
  /** Stop reading from the source (pty, SSH channel): its buffers fill and the program writing blocks. */
  pause(): void;
  resume(): void;
}

export interface FlowController {
  /** `chars` more characters went out toward the renderer. */
  sent(chars: number): void;
  /** The renderer has drawn `chars` more characters. */
  acked(chars: number): void;
  readonly paused: boolean;
  readonly unacknowledged: number;
}

export function createFlowController(options: FlowControllerOptions): FlowController {
  const high = options.highWatermark ?? HIGH_WATERMARK_CHARS;
  const low = options.lowWatermark ?? LOW_WATERMARK_CHARS;
  if (!(low < high)) throw new RangeError(`the low watermark (${low}) must be below the high one (${high})`);
  let unacknowledged = 0;
  let paused = false;
  return {
    sent(chars) {
      unacknowledged += chars;
      if (!paused && unacknowledged > high) {
        paused = true;
        options.pause();
      }
    },
    acked(chars) {
      // An ack for more than was sent (a renderer that reconnected and counts from its own start) only clears the debt.
      unacknowledged = Math.max(unacknowledged - chars, 0);
      if (paused && unacknowledged < low) {
        paused = false;
        options.resume();
      }
    },
    get paused() {
      return paused;
    },
    get unacknowledged() {
      return unacknowledged;
    },
  };
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface OutputBatcherOptions {
  batchMs?: number;
  timers: Timers;
  /** One batch of output, never empty, never ending in the middle of a character. */
  flush(data: string): void;
}

export interface OutputBatcher {
  /** Queues output; Buffers are decoded as UTF-8, holding back a character's first bytes until the rest arrive. Returns the characters queued. */
  write(data: string | Buffer): number;
  /** Sends what is queued now. With `end`, also the bytes of an unfinished character (as U+FFFD): the source has ended. */
  flushNow(end?: boolean): void;
  /** Drops what is queued and stops the timer. */
  dispose(): void;
}

export function createOutputBatcher(options: OutputBatcherOptions): OutputBatcher {
  const batchMs = options.batchMs ?? BATCH_MS;
  const { timers } = options;
  const decoder = new StringDecoder('utf8');
  let queued: string[] = [];
  let timer: unknown = null;

  const send = (): void => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    if (queued.length === 0) return;
    const data = queued.join('');
    queued = [];
    options.flush(data);
  };

  return {
    write(data) {
      const text = typeof data === 'string' ? data : decoder.write(data);
      if (text.length === 0) return 0;
      queued.push(text);
      timer ??= timers.setTimeout(send, batchMs);
      return text.length;
    },
    flushNow(end = false) {
      if (end) {
        const rest = decoder.end();
        if (rest.length > 0) queued.push(rest);
      }
      send();
    },
    dispose() {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      queued = [];
    },
  };
}
