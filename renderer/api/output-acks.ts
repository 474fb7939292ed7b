/**
 * Acknowledging step output for the host's flow control, per attempt: the host counts each attempt's output as a
 * stream of its own (its attemptId) and pauses a step whose output a window is too far behind on, so each attempt's
 * drawn chars are acked under its id, about every ACK_EVERY_CHARS, and what is left below that once ACK_IDLE_MS
 * have passed, so that every attempt's count on the host drains when its output stops. Pure: send and timers are
 * handed in.
 */

/** The house's flow-control step: ack about every 5,000 chars (the host pauses above ~100,000 unacked). */
export const ACK_EVERY_CHARS = 5_000;
/** A remainder below the step is acked this long after it began, so the host's count drains when output stops. */
export const ACK_IDLE_MS = 250;

export interface AckTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface OutputAcks {
  /** `chars` more of the attempt's output were drawn (or never will be). */
  drawn(attemptId: string, chars: number): void;
  /** Chars of the attempt drawn and not acknowledged yet. */
  pending(attemptId: string): number;
}

const realTimers: AckTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createOutputAcks(send: (chars: number, attemptId: string) => void, timers: AckTimers = realTimers, every = ACK_EVERY_CHARS): OutputAcks {
  const unacked = new Map<string, number>();
  let idleTimer: unknown = null;

  const stopTimer = (): void => {
    if (idleTimer !== null) timers.clearTimeout(idleTimer);
    idleTimer = null;
  };
  const flushAll = (): void => {
    stopTimer();
    const all = [...unacked];
    unacked.clear();
    for (const [attemptId, chars] of all) send(chars, attemptId);
  };

  return {
    drawn(attemptId, chars) {
      if (!(chars > 0)) return;
      const total = (unacked.get(attemptId) ?? 0) + chars;
      if (total >= every) {
        unacked.delete(attemptId);
        if (unacked.size === 0) stopTimer();
        send(total, attemptId);
        return;
      }
      unacked.set(attemptId, total);
      idleTimer ??= timers.setTimeout(flushAll, ACK_IDLE_MS);
    },
    pending(attemptId) {
      return unacked.get(attemptId) ?? 0;
    },
  };
}
