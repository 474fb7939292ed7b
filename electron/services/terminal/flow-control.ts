/**
 * Flow control and batching for terminal output, after VS Code's pty host (`terminalProcess.ts`): a fast program
 * (`yes`, `cat bigfile`) must not flood the renderer faster than it can draw, so the source is paused while too
 * much output is unacknowledged, and output leaves in few, whole-character batches instead of thousands of tiny events.
 * Output is counted and sent as UTF-8 bytes (what the pty and SSH give and xterm.js parses); for the ASCII of logs a
 * byte is a character. Pure: the timers are handed in, the source is two callbacks.
 */

/**
 * Unacknowledged bytes above which the source is paused. Higher: fewer stalls on a slow renderer, but more output
 * queued in memory and on the wire, and Ctrl-C shows its effect later (everything queued is drawn first).
 */
export const HIGH_WATERMARK_BYTES = 100_000;
/**
 * The source resumes once unacknowledged output falls below this. Lower: fewer pause/resume flips, but the renderer
 * may sit idle while the source refills the pipe.
 */
export const LOW_WATERMARK_BYTES = 5_000;
/**
 * How often the renderer should acknowledge (every this many bytes processed). Must stay well below the high
 * watermark minus the low one, or the source could stay paused forever. Smaller: more acknowledgements.
 */
export const ACK_EVERY_BYTES = 5_000;
/**
 * Output arriving within this window leaves as one event. Longer: fewer, larger events (cheaper IPC and drawing),
 * but output that follows other output closely waits up to this much. Output after a quiet window (a keystroke's
 * echo, a prompt) leaves at once, at the end of its round of reads: echo is not delayed.
 */
export const BATCH_MS = 5;
/**
 * A batch this big leaves at once instead of waiting for the timer: a flood is not made to wait, and the renderer
 * parses one batch while the next is read. Larger: fewer events per megabyte; smaller: the renderer starts sooner.
 */
export const FLUSH_AT_BYTES = 32 * 1024;

export interface FlowControllerOptions {
  highWatermark?: number;
  lowWatermark?: number;
  /** Stop reading from the source (pty, SSH channel): its buffers fill and the program writing blocks. */
  pause(): void;
  resume(): void;
}

export interface FlowController {
  /** `bytes` more bytes went out toward the renderer. */
  sent(bytes: number): void;
  /** The renderer has processed `bytes` more bytes. */
  acked(bytes: number): void;
  readonly paused: boolean;
  readonly unacknowledged: number;
}

export function createFlowController(options: FlowControllerOptions): FlowController {
  const high = options.highWatermark ?? HIGH_WATERMARK_BYTES;
  const low = options.lowWatermark ?? LOW_WATERMARK_BYTES;
  if (!(low < high)) throw new RangeError(`the low watermark (${low}) must be below the high one (${high})`);
  let unacknowledged = 0;
  let paused = false;
  return {
    sent(bytes) {
      unacknowledged += bytes;
      if (!paused && unacknowledged > high) {
        paused = true;
        options.pause();
      }
    },
    acked(bytes) {
      // An ack for more than was sent (a renderer that reconnected and counts from its own start) only clears the debt.
      unacknowledged = Math.max(unacknowledged - bytes, 0);
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
  /** Runs `fn` once the current round of I/O callbacks is done (node's setImmediate). */
  setImmediate(fn: () => void): unknown;
  clearImmediate(handle: unknown): void;
}

export interface OutputBatcherOptions {
  batchMs?: number;
  flushAtBytes?: number;
  timers: Timers;
  /** One batch of output as UTF-8, never empty, never ending in the middle of a character. */
  flush(data: Buffer): void;
}

export interface OutputBatcher {
  /**
   * Queues output (a string is encoded as UTF-8); a character's first bytes are held back until the rest arrive.
   * Bytes are kept, not copied, until sent: a stream's chunks are its reader's to keep. Returns the bytes queued.
   */
  write(data: string | Uint8Array): number;
  /** Sends what is queued now. With `end`, also the bytes of an unfinished character (drawn as U+FFFD): the source has ended. */
  flushNow(end?: boolean): void;
  /**
   * The renderer is waiting (its source was just resumed): output leaves as soon as the current round of reads is
   * done instead of after the batch window, the first read at once, then in batches twice the size of the one before,
   * until they reach the big-batch size; then batching goes on as usual.
   */
  hurry(): void;
  /** Drops what is queued and stops the timers. */
  dispose(): void;
}

/**
 * How many bytes at the end of `bytes` start a character whose other bytes have not arrived yet (0 to 3): a UTF-8
 * lead byte announces its length, and up to three continuation bytes (10xxxxxx) follow it. Malformed input is not
 * held back: decoders draw it as U+FFFD wherever it is cut.
 */
export function unfinishedCharBytes(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 4 && back <= n; back++) {
    const b = bytes[n - back] as number;
    if ((b & 0xc0) === 0x80) continue;
    const length = b >= 0xf8 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

export function createOutputBatcher(options: OutputBatcherOptions): OutputBatcher {
  const batchMs = options.batchMs ?? BATCH_MS;
  const flushAt = options.flushAtBytes ?? FLUSH_AT_BYTES;
  const { timers } = options;
  let queued: Buffer[] = [];
  let queuedBytes = 0;
  /** The first bytes of a character whose rest has not arrived. */
  let unfinished: Buffer | null = null;
  let timer: unknown = null;
  let soon: unknown = null;
  /** Running for BATCH_MS after each batch left: output meanwhile is batched; after it, the next leaves at once. */
  let recent: unknown = null;
  /**
   * After hurry(): the size a batch needs to leave at the end of the current round of reads, doubling with each batch
   * (the renderer gets the first read at once, and more work than it just had while it draws it); 0: batching as usual.
   */
  let ramp = 0;

  const stopTimers = (): void => {
    if (timer !== null) timers.clearTimeout(timer);
    if (soon !== null) timers.clearImmediate(soon);
    timer = null;
    soon = null;
  };

  const send = (): void => {
    stopTimers();
    if (queuedBytes === 0) return;
    const data = queued.length === 1 ? (queued[0] as Buffer) : Buffer.concat(queued, queuedBytes);
    queued = [];
    queuedBytes = 0;
    if (ramp > 0) ramp = data.length * 2 >= flushAt ? 0 : data.length * 2;
    if (recent !== null) timers.clearTimeout(recent);
    recent = timers.setTimeout(() => (recent = null), batchMs);
    options.flush(data);
  };

  const schedule = (): void => {
    if (queuedBytes >= flushAt) return send();
    // After a quiet window (echo, a prompt), or while ramping up after a resume: at the end of this round of reads.
    if ((ramp > 0 && queuedBytes >= ramp) || (recent === null && timer === null)) soon ??= timers.setImmediate(send);
    // Also while ramping: a source that slows down still gets its output out within the window.
    timer ??= timers.setTimeout(send, batchMs);
  };

  return {
    write(data) {
      let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      if (unfinished) {
        bytes = Buffer.concat([unfinished, bytes]);
        unfinished = null;
      }
      const cut = unfinishedCharBytes(bytes);
      if (cut > 0) {
        unfinished = Buffer.from(bytes.subarray(bytes.length - cut));
        bytes = bytes.subarray(0, bytes.length - cut);
      }
      if (bytes.length === 0) return 0;
      queued.push(bytes);
      queuedBytes += bytes.length;
      schedule();
      return bytes.length;
    },
    flushNow(end = false) {
      if (end && unfinished) {
        queued.push(unfinished);
        queuedBytes += unfinished.length;
        unfinished = null;
      }
      send();
    },
    hurry() {
      ramp = 1;
      if (queuedBytes > 0) schedule();
    },
    dispose() {
      stopTimers();
      if (recent !== null) timers.clearTimeout(recent);
      recent = null;
      queued = [];
      queuedBytes = 0;
      unfinished = null;
    },
  };
}
