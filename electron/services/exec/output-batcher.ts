/**
 * Output of a command (local or remote), held for a few ms and delivered as one event per stream run: fewer
 * events for a few ms of latency. A change of stream flushes first, so stdout and stderr keep the order they were
 * written in; a batch that grows big leaves at once. Shared by local-exec and the SSH remote exec.
 */

/** How long output is held: trades a few ms of latency for far fewer events (and stored chunks) during a flood. */
export const BATCH_MS = 5;
/**
 * A batch this long (UTF-16 chars) leaves at once instead of waiting for the timer. Bounds a batch to this plus one
 * read (64 KiB from a pipe, 32 KiB from an SSH channel), so flow control, which counts delivered batches, pauses a
 * flood close to its high watermark, and a stored chunk stays small. Smaller: more events and chunks per megabyte.
 */
export const FLUSH_AT_CHARS = 32 * 1024;

export interface OutputBatcher<S extends string> {
  /** Queues decoded text; ignored once closed. */
  emit(stream: S, text: string): void;
  /** Delivers what is held now. */
  flush(): void;
  /** Delivers what is held, then ignores anything later. */
  close(): void;
}

export function createOutputBatcher<S extends string>(
  deliver: (stream: S, text: string) => void,
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void },
  batchMs = BATCH_MS,
  flushAt = FLUSH_AT_CHARS,
): OutputBatcher<S> {
  let pending: { stream: S; text: string } | null = null;
  let timer: unknown = null;
  let closed = false;
  const flush = (): void => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = null;
    if (batch && batch.text !== '') deliver(batch.stream, batch.text);
  };
  return {
    emit(stream, text) {
      if (text === '' || closed) return;
      if (pending && pending.stream !== stream) flush();
      pending ??= { stream, text: '' };
      pending.text += text;
      if (pending.text.length >= flushAt) return flush();
      timer ??= timers.setTimeout(flush, batchMs);
    },
    flush,
    close() {
      flush();
      closed = true;
    },
  };
}
