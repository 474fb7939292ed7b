/**
 * Delivers a scheduled run's webhook (its JSON summary, POSTed) from an outbox: each notification is stored before
 * it is attempted, so it survives the owner stopping, the laptop going offline or the receiver being down, and is
 * retried with backoff until it is delivered or given up. At least once: an attempt cut off by a crash is tried
 * again, so a receiver may see a body twice (each carries the run's id).
 *
 * What is retried, as an operator would expect:
 * - no answer (refused, reset, unknown host, TLS failure, 10 s without an answer), a 5xx, a 408, 425 or 429, a
 *   redirect (not followed: a POST would become a GET, or go to another host): backoff 1 s, 2 s, 4 s ... at most 1 h
 *   apart (a 429's or 503's Retry-After is honoured within that hour), until 24 h after the notification was made.
 * - another 4xx (404 Not Found, 410 Gone, 401/403 a revoked token, 400/422 a body refused) is the receiver saying the
 *   request itself is wrong; sending it again unchanged will not help, unless the receiver is being redeployed or
 *   reconfigured. So it is tried 3 times in a row (1 s and 2 s apart, or the longer backoff it had reached), then
 *   given up with the answer kept, rather than hammering for a day.
 * - a notification whose 24 h passed while the owner was not running still gets one attempt: it never had a chance.
 *
 * The URL may carry a token (Slack, Teams and most hooks do): it is sent and kept in the table, never put in an
 * error, a report or a log. Errors name only host:port.
 */
import type { OutboxRow, OutboxStore } from '../store/outbox-store.js';

export { runSummary, type RunSummary } from './run-summary.js';

/** At most this many POSTs at once: more waiting rows wait their turn (a run of failures must not open 100 sockets). */
export const MAX_IN_FLIGHT = 4;
/** The wait after the first failed attempt; doubled after each further one. */
export const FIRST_RETRY_MS = 1_000;
/** The longest wait between attempts: longer spares a receiver that is down, shorter notices its return sooner. */
export const MAX_RETRY_MS = 60 * 60 * 1_000;
/** How long after it was made a notification is still worth delivering; then it is given up. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1_000;
/** How many refusals in a row (a 4xx other than 408/425/429) before giving up. */
export const REFUSALS_BEFORE_GIVING_UP = 3;
/** How long an attempt waits for an answer. */
export const POST_TIMEOUT_MS = 10_000;
/**
 * The longest the one timer is set for. A sleeping machine's timers stop while its wall clock goes on, so a long
 * timer would fire late after a wake: shorter re-checks the clock more often (a query on an index, every minute,
 * only while something waits).
 */
export const TIMER_CAP_MS = 60_000;

/** One POST: resolves with the answer's status (and Retry-After), rejects when there is no answer. */
export type WebhookPost = (url: string, body: string, signal: AbortSignal) => Promise<{ status: number; retryAfter?: string | null }>;

/** What became of a notification, for the scheduler to record or show. Names the receiver by host:port only. */
export interface DeliveryReport {
  id: string;
  scheduleId: string;
  runId: string;
  /** host:port of the receiver. */
  destination: string;
  attempts: number;
  /** Why the last attempt failed; null when delivered. */
  error: string | null;
}

export interface WebhookOutboxDeps {
  store: OutboxStore;
  clock: { now(): Date };
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  /** Default: fetch, JSON, User-Agent opsdeck, redirects not followed. */
  post?: WebhookPost;
  onDelivered?(report: DeliveryReport): void;
  onGaveUp?(report: DeliveryReport): void;
}

export interface WebhookOutbox {
  /** Stores the notification (it survives a restart from here on), then attempts it now if a slot is free. */
  enqueue(entry: { scheduleId: string; runId: string; url: string; body: object }): void;
  /** At a long-lived owner's start: attempts everything due and keeps retrying. Before it, only enqueue attempts. */
  start(): void;
  /** Stops retrying; attempts in flight are cut off (and tried again at the next start). Resolves when they settled. */
  dispose(): Promise<void>;
}

export const fetchPost: WebhookPost = async (url, body, signal) => {
  const target = new URL(url);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'opsdeck' };
  // fetch refuses a URL with credentials in it; curl sends them as basic auth, and so does this.
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username);
    const password = decodeURIComponent(target.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const response = await fetch(target, {
    method: 'POST',
    headers,
    body,
    signal,
    redirect: 'manual',
  });
  // The answer's body is not read: cancelling it frees the connection.
  await response.body?.cancel().catch(() => undefined);
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
};

/** host:port of a webhook URL, the only part of it an error or report shows. */
export function webhookDestination(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : '');
    return port ? `${parsed.hostname}:${port}` : parsed.hostname;
  } catch {
    return 'an invalid address';
  }
}

/** The wait after `attempts` failed attempts: 1 s, 2 s, 4 s ... at most MAX_RETRY_MS. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(attempts - 1, 30)), MAX_RETRY_MS);
}

type Outcome =
  | { kind: 'delivered' }
  /** Worth trying again until the deadline; `waitMs`: at least this long (Retry-After). */
  | { kind: 'failed'; error: string; waitMs: number }
  /** The receiver refused the request: tried again only a few times. */
  | { kind: 'refused'; error: string }
  /** Can never be sent (not an http(s) address). */
  | { kind: 'invalid'; error: string };

/** Retry-After in seconds or as an HTTP date, in ms from `now`; 0 when absent or unreadable. */
function retryAfterMs(header: string | null | undefined, now: Date): number {
  if (!header) return 0;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now.getTime());
}

function answered(status: number, retryAfter: string | null | undefined, destination: string, now: Date): Outcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status >= 300 && status < 400) return { kind: 'failed', error: `${destination} answered HTTP ${status} (a redirect, not followed: give the webhook its final address)`, waitMs: 0 };
  if (status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429) {
    return { kind: 'refused', error: `${destination} refused the notification: HTTP ${status}` };
  }
  return { kind: 'failed', error: `${destination} answered HTTP ${status}`, waitMs: retryAfterMs(retryAfter, now) };
}

/** Network error codes (Node's, undici's) in words; anything else by its code, never by a message that may hold the URL. */
const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (offline?)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable (offline?)',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed before an answer',
  UND_ERR_HEADERS_TIMEOUT: `no answer within ${POST_TIMEOUT_MS / 1000} s`,
};

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function noAnswer(error: unknown, signal: AbortSignal, stopped: unknown, destination: string): string {
  if (signal.aborted) return signal.reason === stopped ? `${destination}: Opsdeck stopped before an answer` : `${destination}: no answer within ${POST_TIMEOUT_MS / 1000} s`;
  const code = codeOf(error);
  if (code === undefined) return `${destination}: the request failed (${error instanceof Error ? error.name : 'unknown error'})`;
  const words = NETWORK_ERRORS[code] ?? (/CERT|TLS|SSL/.test(code) ? `TLS failed (${code})` : `the request failed (${code})`);
  return `${destination}: ${words}`;
}

export function createWebhookOutbox(deps: WebhookOutboxDeps): WebhookOutbox {
  const { store, clock, timers } = deps;
  const post = deps.post ?? fetchPost;
  const stopped = new Error('the webhook outbox stopped');
  const inFlight = new Map<string, { abort: AbortController; settled: Promise<void> }>();
  /** Refusals in a row per row id; a restart starts counting again (a few more attempts at most). */
  const refusals = new Map<string, number>();
  let timer: unknown = null;
  let started = false;
  let disposed = false;

  const report = (row: OutboxRow, error: string | null): DeliveryReport => ({
    id: row.id,
    scheduleId: row.scheduleId,
    runId: row.runId,
    destination: webhookDestination(row.url),
    attempts: row.attempts,
    error,
  });
  const tell = (fn: ((r: DeliveryReport) => void) | undefined, r: DeliveryReport): void => {
    try {
      fn?.(r);
    } catch {
      // A listener's failure is its own; the outbox goes on.
    }
  };

  async function send(row: OutboxRow, signal: AbortSignal): Promise<Outcome> {
    const destination = webhookDestination(row.url);
    let protocol: string;
    try {
      protocol = new URL(row.url).protocol;
    } catch {
      return { kind: 'invalid', error: 'the webhook is not a valid address' };
    }
    if (protocol !== 'http:' && protocol !== 'https:') return { kind: 'invalid', error: `the webhook is not an http:// or https:// address (${protocol})` };
    try {
      // Raced against the signal too, so that a post that ignores it still frees its slot.
      const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
      const answer = await Promise.race([post(row.url, row.body, signal), aborted]);
      return answered(answer.status, answer.retryAfter, destination, clock.now());
    } catch (error) {
      return { kind: 'failed', error: noAnswer(error, signal, stopped, destination), waitMs: 0 };
    }
  }

  function settle(row: OutboxRow, outcome: Outcome): void {
    const now = clock.now();
    if (outcome.kind === 'delivered') {
      refusals.delete(row.id);
      store.delivered(row.id, now.toISOString());
      tell(deps.onDelivered, report(row, null));
      return;
    }
    const refusedTimes = outcome.kind === 'refused' ? (refusals.get(row.id) ?? 0) + 1 : 0;
    if (refusedTimes > 0) refusals.set(row.id, refusedTimes);
    else refusals.delete(row.id);
    const deadline = Date.parse(row.createdAt) + GIVE_UP_AFTER_MS;
    const giveUp = outcome.kind === 'invalid' || refusedTimes >= REFUSALS_BEFORE_GIVING_UP || now.getTime() >= deadline;
    if (giveUp) {
      refusals.delete(row.id);
      store.gaveUp(row.id, outcome.error, now.toISOString());
      tell(deps.onGaveUp, report(row, outcome.error));
      return;
    }
    const wait = Math.min(Math.max(retryDelayMs(row.attempts), outcome.kind === 'failed' ? outcome.waitMs : 0), MAX_RETRY_MS);
    // The last attempt is made at the deadline, not skipped because the backoff reached past it.
    store.failed(row.id, outcome.error, new Date(Math.min(now.getTime() + wait, deadline)).toISOString());
  }

  function attempt(row: OutboxRow): void {
    const now = clock.now().getTime();
    // Counted before it is sent; due again after the timeout and the backoff should this process never hear back.
    const claimed = store.attemptStarted(row.id, new Date(now + POST_TIMEOUT_MS + retryDelayMs(row.attempts + 1)).toISOString());
    if (!claimed) return;
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(POST_TIMEOUT_MS)]);
    const settled = send(claimed, signal)
      .then((outcome) => settle(claimed, outcome))
      // A store write that fails here (the database closed under a dispose not awaited, a full disk) leaves the row
      // as claimed: it is due again later. Nothing to tell anyone, and no unhandled rejection to take the owner down.
      .catch(() => undefined)
      .finally(() => {
        inFlight.delete(claimed.id);
        pumpSafely();
      });
    inFlight.set(claimed.id, { abort, settled });
  }

  /** Sets the one timer for the earliest row not in flight; none while every slot is busy (a settle pumps). */
  function arm(): void {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    if (!started || disposed || inFlight.size >= MAX_IN_FLIGHT) return;
    const next = store.upcoming(MAX_IN_FLIGHT + 1).find((r) => !inFlight.has(r.id));
    if (!next) return;
    const wait = Math.min(Math.max(0, Date.parse(next.nextAt) - clock.now().getTime()), TIMER_CAP_MS);
    timer = timers.setTimeout(() => {
      timer = null;
      pumpSafely();
    }, wait);
  }

  function pump(): void {
    if (!started || disposed) return;
    while (inFlight.size < MAX_IN_FLIGHT) {
      const due = store.due(clock.now().toISOString(), MAX_IN_FLIGHT * 2).find((r) => !inFlight.has(r.id));
      if (!due) break;
      attempt(due);
      if (!inFlight.has(due.id)) break;
    }
    arm();
  }

  /** From a timer or a settled attempt, where a throw would take the owner down: a store that fails is asked again later. */
  function pumpSafely(): void {
    try {
      pump();
    } catch {
      if (!started || disposed) return;
      if (timer !== null) timers.clearTimeout(timer);
      timer = timers.setTimeout(() => {
        timer = null;
        pumpSafely();
      }, TIMER_CAP_MS);
    }
  }

  return {
    enqueue(entry) {
      const row = store.add({ scheduleId: entry.scheduleId, runId: entry.runId, url: entry.url, body: JSON.stringify(entry.body) }, clock.now().toISOString());
      if (disposed) return;
      if (inFlight.size < MAX_IN_FLIGHT) attempt(row);
      arm();
    },
    start() {
      if (started || disposed) return;
      started = true;
      pump();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      const running = [...inFlight.values()];
      for (const { abort } of running) abort.abort(stopped);
      await Promise.all(running.map((r) => r.settled));
    },
  };
}
