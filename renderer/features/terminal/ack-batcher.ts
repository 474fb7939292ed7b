/**
 * Flow control for an interactive terminal, as in VS Code's pty host: the renderer tells the host how much of a
 * terminal's output xterm has processed, in batches, so a flood (`cat big.log`) pauses the shell instead of piling
 * up in memory. Counts the bytes handed back by xterm's write callback; pure, so the batching is unit-tested.
 */

/**
 * Acknowledge about every 5,000 bytes: the host pauses a terminal above ~100,000 unacknowledged and resumes below
 * ~5,000. Smaller batches cost a message per keystroke echo; larger ones would keep a paused shell paused.
 */
export const ACK_EVERY_BYTES = 5_000;

export interface AckBatcher {
  /** xterm has processed this many more bytes of output. */
  drawn(bytes: number): void;
  /** Bytes counted but not acknowledged yet (below the batch size, or waiting for the deferred send). */
  pending(): number;
}

/**
 * The remainder below a batch is deliberately never sent on its own: the host resumes below ~5,000 unacknowledged,
 * so what is left can never hold a shell paused, and interactive typing causes no acknowledgement traffic at all.
 *
 * `defer` decides when a due acknowledgement leaves. The session passes queueMicrotask: xterm calls back for every
 * write it parsed in one pass, and a pass is a single task, so this sends one message per pass with everything it
 * parsed, at its end, instead of one per write.
 */
export function createAckBatcher(send: (bytes: number) => void, every: number = ACK_EVERY_BYTES, defer: (flush: () => void) => void = (flush) => flush()): AckBatcher {
  let unacked = 0;
  let due = false;
  const flush = (): void => {
    due = false;
    if (unacked < every) return;
    const batch = unacked;
    unacked = 0;
    send(batch);
  };
  return {
    drawn(bytes) {
      if (!(bytes > 0)) return;
      unacked += bytes;
      if (unacked < every || due) return;
      due = true;
      defer(flush);
    },
    pending: () => unacked,
  };
}
