/**
 * Flow control for an interactive terminal, as in VS Code's pty host: the renderer tells the host how much of a
 * terminal's output xterm has processed, in batches, so a flood (`cat big.log`) pauses the shell instead of piling
 * up in memory. Counts characters handed back by xterm's write callback; pure, so the batching is unit-tested.
 */

/**
 * Acknowledge about every 5,000 characters: the host pauses a terminal above ~100,000 unacknowledged and resumes
 * below ~5,000. Smaller batches cost a call per keystroke echo; larger ones would keep a paused shell paused.
 */
export const ACK_EVERY_CHARS = 5_000;

export interface AckBatcher {
  /** xterm has processed this many more characters of output. */
  drawn(chars: number): void;
  /** Characters counted but not acknowledged yet (always below the batch size). */
  pending(): number;
}

/**
 * The remainder below a batch is deliberately never sent on its own: the host resumes below ~5,000 unacknowledged,
 * so what is left can never hold a shell paused, and interactive typing causes no acknowledgement traffic at all.
 */
export function createAckBatcher(send: (chars: number) => void, every: number = ACK_EVERY_CHARS): AckBatcher {
  let unacked = 0;
  return {
    drawn(chars) {
      if (!(chars > 0)) return;
      unacked += chars;
      if (unacked < every) return;
      const batch = unacked;
      unacked = 0;
      send(batch);
    },
    pending: () => unacked,
  };
}
