/**
 * Flow control across several windows (browser tabs, the desktop app, a second app over the owner's socket): each
 * window acknowledges the output it drew, and a stream (a terminal, a step's output) is held back by the window
 * furthest behind, never by the sum of all windows' acks. A window that closes stops holding anything back.
 * The source's own counter (flow-control.ts) hears only how far the slowest window moved: `onDrained`.
 */
import type { OutputChunk } from '../../shared/contract/schemas.js';
import type { TermData, TermExit } from '../../shared/contract/terminals.js';

export interface FlowWindow {
  readonly id: number;
  ack(units: number, stream: string): void;
  close(): void;
}

export interface FlowWindows {
  /** A window that draws output; `acks: false` for one that never acknowledges (a CLI client): it holds nothing back. */
  open(options: { acks: boolean }): FlowWindow;
  /** `units` more of `stream` went out to every open window. */
  sent(stream: string, units: number): void;
  /** The stream ended: forget it. */
  forget(stream: string): void;
  /** Unacknowledged units of `stream` in the window furthest behind (0 with no acking window). */
  behind(stream: string): number;
}

export function createFlowWindows(onDrained: (stream: string, units: number) => void): FlowWindows {
  /** stream -> window id -> unacknowledged units. */
  const debts = new Map<string, Map<number, number>>();
  const acking = new Set<number>();
  let nextId = 1;

  const worst = (perWindow: Map<number, number> | undefined): number => {
    let max = 0;
    for (const units of perWindow?.values() ?? []) if (units > max) max = units;
    return max;
  };

  return {
    open({ acks }) {
      const id = nextId++;
      if (acks) acking.add(id);
      let closed = false;
      return {
        id,
        ack(units, stream) {
          const perWindow = debts.get(stream);
          const owed = perWindow?.get(id);
          if (closed || !perWindow || owed === undefined) return;
          const before = worst(perWindow);
          // An ack for more than was sent (a window that counts from its own start) only clears its debt.
          perWindow.set(id, Math.max(owed - units, 0));
          const after = worst(perWindow);
          // Every window has drawn all of it: nothing to remember (a stream that ended leaves no entry behind).
          if (after === 0) debts.delete(stream);
          if (before > after) onDrained(stream, before - after);
        },
        close() {
          if (closed) return;
          closed = true;
          acking.delete(id);
          for (const [stream, perWindow] of debts) {
            if (!perWindow.has(id)) continue;
            const before = worst(perWindow);
            perWindow.delete(id);
            const drained = before - worst(perWindow);
            if (drained > 0) onDrained(stream, drained);
          }
        },
      };
    },
    sent(stream, units) {
      if (acking.size === 0) {
        // Nobody draws it: nothing to wait for.
        onDrained(stream, units);
        return;
      }
      let perWindow = debts.get(stream);
      if (!perWindow) debts.set(stream, (perWindow = new Map()));
      for (const id of acking) perWindow.set(id, (perWindow.get(id) ?? 0) + units);
    },
    forget(stream) {
      debts.delete(stream);
    },
    behind(stream) {
      return worst(debts.get(stream));
    },
  };
}

/**
 * Feeds `flow` from the host's events: terminal output (bytes, by terminal id) and step output (chars, by attempt
 * id) as it goes out to the windows; a terminal that exited is forgotten.
 */
export function countOutput(flow: FlowWindows, event: string, payload: unknown): void {
  if (event === 'term.data') flow.sent((payload as TermData).id, (payload as TermData).data.length);
  else if (event === 'term.exit') flow.forget((payload as TermExit).id);
  else if (event === 'step.output') flow.sent((payload as OutputChunk).attemptId, (payload as OutputChunk).data.length);
}
