/**
 * Tells the owner which terminals this window shows (`term.view`), so that it can list the ones nobody has open and
 * close those left alone for a day: whenever the tabs change, again every VIEW_REPORT_MS (the owner forgets a window
 * it has not heard from for a lease, terminal-viewers.ts), after a reconnect, and "none" as the page goes away.
 */
import { client, connection } from '../../api/client.js';
import { useTerminals, type TermTab } from '../../stores/terminal-store.js';

/**
 * How often a window says so again. Must stay well below the owner's lease (VIEW_LEASE_MS, 150 s), including a
 * background tab's throttled timers (once a minute); shorter: more calls for nothing.
 */
export const VIEW_REPORT_MS = 30_000;

/** This window, for the owner: random per page load (a reload is a new window that takes the old one's tabs). */
const viewer = crypto.randomUUID();
let reported: string | null = null;

const shownIds = (tabs: readonly TermTab[]): string[] => tabs.filter((tab) => !tab.exited).map((tab) => tab.id);

function report(ids: string[], force = false): void {
  const key = ids.join(',');
  if (!force && key === reported) return;
  reported = key;
  client.call('term.view', { viewer, ids }).catch(() => {
    // Not reachable now: the reconnect reports again.
    reported = null;
  });
}

useTerminals.subscribe((state, previous) => {
  if (state.tabs !== previous.tabs) report(shownIds(state.tabs));
});

setInterval(() => {
  const ids = shownIds(useTerminals.getState().tabs);
  if (ids.length > 0 || reported !== '') report(ids, true);
}, VIEW_REPORT_MS);

connection.onState((state) => {
  if (state === 'connected') report(shownIds(useTerminals.getState().tabs), true);
});

// A closing page tells nobody by itself: say "none" while the socket is still open (best effort; the lease covers the rest).
addEventListener('pagehide', () => report([], true));
