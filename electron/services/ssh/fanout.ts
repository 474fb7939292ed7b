/**
 * Runs one step on many hosts: a bounded number at once, optionally a canary first, optionally stopping (and aborting
 * what is in flight) at the first failure. The summary of the results lives in shared/ssh/fanout-summary.ts.
 */

export interface FanoutOptions<R> {
  /** Hosts at once. */
  concurrency?: number;
  /** After the first failure start no more hosts, and abort the ones in flight through their AbortSignal. */
  stopOnFailure?: boolean;
  /** Run the first host alone; the rest only if it succeeded. */
  canary?: boolean;
  onStart?(host: string): void;
  onResult?(host: string, r: R | null, skipped: boolean): void;
  /** Cancels the whole fan-out: nothing more starts, hosts in flight are aborted. */
  signal?: AbortSignal;
}

export interface FanoutOutcome<R> {
  /** What runOne returned; null when the host was skipped or runOne threw. */
  result: R | null;
  skipped: boolean;
  /** Why it was skipped, aborted, or threw. */
  reason?: string;
}

/** Hosts at once unless told otherwise: enough to be quick on a fleet, few enough not to exhaust sshd's MaxStartups (10). */
export const DEFAULT_CONCURRENCY = 10;

/**
 * Runs `runOne` for every host (duplicates once) and returns an outcome for every host, in the order given. A host
 * counts as failed when its result is not ok or runOne throws. Never rejects because a host failed.
 */
export async function runFanout<R extends { ok: boolean }>(
  hosts: string[],
  runOne: (host: string, signal: AbortSignal) => Promise<R>,
  opts: FanoutOptions<R> = {},
): Promise<Map<string, FanoutOutcome<R>>> {
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY) || 1);
  const order = [...new Set(hosts)];
  const outcomes = new Map<string, FanoutOutcome<R>>();
  const inFlight = new Map<string, AbortController>();
  let stopReason: string | null = null;
  let cancelled = false;

  const stop = (reason: string): void => {
    if (stopReason !== null) return;
    stopReason = reason;
    for (const controller of inFlight.values()) controller.abort(new Error(reason));
  };
  const onCancel = (): void => {
    cancelled = true;
    stop('the run was cancelled');
  };
  if (opts.signal?.aborted) onCancel();
  else opts.signal?.addEventListener('abort', onCancel, { once: true });

  const skip = (host: string, reason: string): void => {
    outcomes.set(host, { result: null, skipped: true, reason });
    opts.onResult?.(host, null, true);
  };

  /** Runs one host; true when it succeeded. */
  const runHost = async (host: string): Promise<boolean> => {
    const controller = new AbortController();
    inFlight.set(host, controller);
    opts.onStart?.(host);
    let result: R | null = null;
    let reason: string | undefined;
    try {
      result = await runOne(host, controller.signal);
    } catch (err) {
      reason = `failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    inFlight.delete(host);
    if (controller.signal.aborted && stopReason !== null) reason = `aborted: ${stopReason}`;
    outcomes.set(host, reason === undefined ? { result, skipped: false } : { result, skipped: false, reason });
    opts.onResult?.(host, result, false);
    const ok = result !== null && result.ok;
    if (!ok && opts.stopOnFailure) stop(`${host} failed and stopOnFailure is set`);
    return ok;
  };

  const pool = async (list: string[]): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < list.length) {
        const host = list[next++] as string;
        if (stopReason !== null) skip(host, `not started: ${stopReason}`);
        else await runHost(host);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
  };

  try {
    const [first, ...rest] = order;
    if (opts.canary && first !== undefined) {
      let ok = false;
      if (stopReason === null) ok = await runHost(first);
      else skip(first, `not started: ${stopReason}`);
      if (ok) await pool(rest);
      else for (const host of rest) skip(host, cancelled ? `not started: ${stopReason}` : `not started: the canary ${first} did not succeed`);
    } else {
      await pool(order);
    }
  } finally {
    opts.signal?.removeEventListener('abort', onCancel);
  }

  const inOrder = new Map<string, FanoutOutcome<R>>();
  for (const host of order) {
    const outcome = outcomes.get(host);
    if (outcome) inOrder.set(host, outcome);
  }
  return inOrder;
}
