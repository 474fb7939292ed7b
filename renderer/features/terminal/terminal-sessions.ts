/**
 * The xterm sessions of the terminal tabs, one per tab, created when a tab appears in the store and disposed when
 * it goes. Routes `term.data` to them (output for a terminal whose `term.open` answer is still on its way is held
 * until it arrives), sends their keystrokes, sizes and acknowledgements to the host, and keeps their theme, font
 * and scrollback in step with the app.
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

/** Output held per terminal while its `term.open` answer is on its way; a shell's first prompt is far smaller. */
const EARLY_OUTPUT_MAX_BYTES = 256 * 1024;

const sessions = new Map<string, TerminalSession>();
/** Held output per terminal: whole batches (so never a split character), oldest dropped first past the limit. */
const early = new Map<string, { batches: Uint8Array[]; bytes: number }>();
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
  for (const batch of held?.batches ?? []) session.write(batch);
  if (tab.exited) session.markExited(tab.exit?.exitCode ?? null, tab.exit?.signal ?? null);
  return session;
}

useTerminals.subscribe((state, previous) => {
  if (state.tabs !== previous.tabs) {
    const before = new Map(previous.tabs.map((tab) => [tab.id, tab]));
    for (const tab of state.tabs) {
      const session = sessions.get(tab.id);
      if (!session) create(tab);
      else if (tab.exited && !before.get(tab.id)?.exited) session.markExited(tab.exit?.exitCode ?? null, tab.exit?.signal ?? null);
    }
    const ids = new Set(state.tabs.map((tab) => tab.id));
    for (const [id, session] of sessions) {
      if (ids.has(id)) continue;
      session.dispose();
      sessions.delete(id);
    }
  }
  if (state.opening === 0 && previous.opening > 0) early.clear();
});

client.on('term.data', ({ id, data }) => {
  const session = sessions.get(id);
  if (session) {
    session.write(data);
    return;
  }
  // Another window's terminal (that window draws and acknowledges it), or one whose `term.open` has not answered yet.
  if (useTerminals.getState().opening === 0) return;
  let held = early.get(id);
  if (!held) early.set(id, (held = { batches: [], bytes: 0 }));
  held.batches.push(data);
  held.bytes += data.length;
  while (held.bytes > EARLY_OUTPUT_MAX_BYTES && held.batches.length > 1) held.bytes -= held.batches.shift()?.length ?? 0;
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
