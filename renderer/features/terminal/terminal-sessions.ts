/**
 * The xterm sessions of the terminal tabs, one per tab, created when a tab appears in the store and disposed when
 * it goes. Routes `term.data` to them (output for a terminal whose `term.open` answer is still on its way is held
 * until it arrives), sends their keystrokes, sizes and acknowledgements to the host, and keeps their theme, font
 * and scrollback in step with the app.
 *
 * A terminal found running (after a reload, or opened in another window) starts from the owner's copy of its screen.
 * Output keeps arriving meanwhile; the order makes it exact: `term.data` is listened to from the start, so while the
 * `term.snapshot` call is out its output is held; the answer covers every batch the owner sent before answering, and
 * travels on the same ordered channel as the events (one WebSocket, or the owner's socket), so every batch that
 * arrived before the answer is in it (dropped, but acknowledged) and every batch after it is new (drawn after it).
 */
import { ContractError } from '../../../shared/contract/errors.js';
import { client } from '../../api/client.js';
import { errorMessage } from '../../components/error-message.js';
import { useApp } from '../../stores/app-store.js';
import { useTerminalSettings } from '../../stores/terminal-settings-store.js';
import { useTerminals, type TermTab } from '../../stores/terminal-store.js';
import { estimateSize, type TermSize } from '../../stores/terminal-tabs.js';
import { inputChunks } from './paste-text.js';
import { createTerminalSession, type TerminalSession } from './terminal-session.js';
import './terminal-views.js';

/** Output held per terminal while its `term.open` answer is on its way; a shell's first prompt is far smaller. */
const EARLY_OUTPUT_MAX_BYTES = 256 * 1024;

const sessions = new Map<string, TerminalSession>();
/** Held output per terminal: whole batches (so never a split character), oldest dropped first past the limit. */
const early = new Map<string, { batches: Uint8Array[]; bytes: number }>();
/** Output of terminals whose `term.snapshot` answer is on its way. */
const restoring = new Map<string, Uint8Array[]>();
/** Ids of terminals heard from that this window shows no tab for (opened in another window): listed once seen. */
const unknown = new Set<string>();
let listing: ReturnType<typeof setTimeout> | null = null;
/** Output for terminals this window shows no tab for is acknowledged as it comes: it would never be drawn here. */
const skip = (id: string, bytes: number): void => {
  if (bytes > 0) client.ack(bytes, id);
};
let lastSize: TermSize | null = null;
let sizingArea: HTMLElement | null = null;

export function sessionFor(id: string): TerminalSession | null {
  return sessions.get(id) ?? null;
}

/** The element terminals are drawn in (the panel's body), to size a new terminal before it is measured. */
export function setSizingArea(element: HTMLElement | null): void {
  sizingArea = element;
}

/** The size to open a new terminal with: the last one fitted, else a guess from the panel's size. */
export function sizeForNewTerminal(): TermSize {
  if (lastSize) return lastSize;
  const rect = sizingArea?.getBoundingClientRect();
  return estimateSize(rect?.width ?? 0, rect?.height ?? 0, useTerminalSettings.getState().fontSize);
}

const isGone = (error: unknown): boolean => error instanceof ContractError && error.code === 'not_found';

function sendInput(id: string, data: string): void {
  for (const chunk of inputChunks(data)) {
    client.call('term.input', { id, data: chunk }).catch((error: unknown) => {
      if (isGone(error)) useTerminals.getState().markExited(id, { exitCode: null, signal: null });
      else useTerminals.getState().setError(`Typing did not reach the terminal: ${errorMessage(error)}`);
    });
  }
}

function create(tab: TermTab): TerminalSession {
  const { fontSize, scrollback } = useTerminalSettings.getState();
  const session = createTerminalSession(
    tab.id,
    { theme: useApp.getState().theme, fontSize, scrollback },
    {
      input: (data) => sendInput(tab.id, data),
      resize(size) {
        lastSize = size;
        const current = useTerminals.getState().tabs.find((candidate) => candidate.id === tab.id);
        if (!current || current.exited) return;
        client.call('term.resize', { id: tab.id, ...size }).catch(() => undefined);
      },
      ack(chars) {
        client.ack(chars, tab.id);
      },
      search: () => useTerminals.getState().setSearchOpen(true),
    },
  );
  sessions.set(tab.id, session);
  const held = early.get(tab.id);
  early.delete(tab.id);
  if (tab.adopted) {
    for (const batch of held?.batches ?? []) skip(tab.id, batch.length);
    restore(tab, session);
  } else {
    for (const batch of held?.batches ?? []) session.write(batch);
    if (tab.exited) session.markExited(tab.exit?.exitCode ?? null, tab.exit?.signal ?? null);
  }
  return session;
}

/** Draws the owner's copy of the screen, then what arrived after it (see the top of this file). */
function restore(tab: TermTab, session: TerminalSession): void {
  restoring.set(tab.id, []);
  const finish = (snapshot: { data: string; cols: number; rows: number } | null): void => {
    const held = restoring.get(tab.id) ?? [];
    restoring.delete(tab.id);
    if (sessions.get(tab.id) !== session) return;
    // Arrived before the answer: already in the snapshot. Without one (an owner too old to take it), better late.
    if (snapshot) {
      for (const batch of held) skip(tab.id, batch.length);
      session.restore(snapshot);
    } else {
      for (const batch of held) session.write(batch);
    }
    const current = useTerminals.getState().tabs.find((candidate) => candidate.id === tab.id);
    if (current?.exited) session.markExited(current.exit?.exitCode ?? null, current.exit?.signal ?? null);
  };
  client.call('term.snapshot', { id: tab.id }).then(finish, (error: unknown) => {
    if (isGone(error)) useTerminals.getState().markExited(tab.id, { exitCode: null, signal: null });
    finish(null);
  });
}

useTerminals.subscribe((state, previous) => {
  if (state.tabs !== previous.tabs) {
    const before = new Map(previous.tabs.map((tab) => [tab.id, tab]));
    for (const tab of state.tabs) {
      const session = sessions.get(tab.id);
      unknown.delete(tab.id);
      if (!session) create(tab);
      // Once its screen is restored (the exit is written after it).
      else if (tab.exited && !before.get(tab.id)?.exited && !restoring.has(tab.id)) session.markExited(tab.exit?.exitCode ?? null, tab.exit?.signal ?? null);
    }
    const ids = new Set(state.tabs.map((tab) => tab.id));
    for (const [id, session] of sessions) {
      if (ids.has(id)) continue;
      session.dispose();
      sessions.delete(id);
    }
  }
  if (state.opening === 0 && previous.opening > 0) {
    for (const [id, held] of early) skip(id, held.bytes);
    early.clear();
  }
});

/** A terminal this window has not heard of: once, ask the host for the list, so the Terminals page shows it. */
function noticeUnknown(id: string): void {
  if (unknown.has(id) || useTerminals.getState().others.some((other) => other.id === id)) return;
  unknown.add(id);
  listing ??= setTimeout(() => {
    listing = null;
    void useTerminals.getState().refresh();
  }, 250);
}

client.on('term.data', ({ id, data }) => {
  const waiting = restoring.get(id);
  if (waiting) {
    waiting.push(data);
    return;
  }
  const session = sessions.get(id);
  if (session) {
    session.write(data);
    return;
  }
  if (useTerminals.getState().opening === 0) {
    // Another window's terminal: acknowledged here, or this window would hold it back (the owner waits for the
    // window furthest behind).
    skip(id, data.length);
    noticeUnknown(id);
    return;
  }
  // Perhaps the first output of a terminal whose `term.open` has not answered yet.
  let held = early.get(id);
  if (!held) early.set(id, (held = { batches: [], bytes: 0 }));
  held.batches.push(data);
  held.bytes += data.length;
  while (held.bytes > EARLY_OUTPUT_MAX_BYTES && held.batches.length > 1) {
    const dropped = held.batches.shift()?.length ?? 0;
    held.bytes -= dropped;
    skip(id, dropped);
  }
});

useApp.subscribe((state, previous) => {
  if (state.theme === previous.theme) return;
  for (const session of sessions.values()) session.setOptions({ theme: state.theme });
});

useTerminalSettings.subscribe((state, previous) => {
  if (state.fontSize === previous.fontSize && state.scrollback === previous.scrollback) return;
  if (state.fontSize !== previous.fontSize) lastSize = null;
  for (const session of sessions.values()) session.setOptions({ fontSize: state.fontSize, scrollback: state.scrollback });
});
