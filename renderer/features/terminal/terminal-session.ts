/**
 * One interactive terminal on screen: an xterm.js Terminal with its addons (fit, search, web links, Unicode 11,
 * WebGL where a GPU draws it), its shortcuts (copy, paste, search), flow-control acknowledgements from xterm's
 * write callback, and the "[process exited]" ending. It lives outside React so that output keeps being drawn (and
 * acknowledged) while no panel shows it, and its element moves between the run view's dock and the Terminals page.
 */
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon, type ISearchOptions } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import type { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import { assertNever } from '../../components/assert-never.js';
import { copyText } from '../../components/clipboard.js';
import { safeExternalUrl } from '../../components/external-link.js';
import type { Theme } from '../../stores/app-store.js';
import type { TermSize } from '../../stores/terminal-tabs.js';
import { toast } from '../../stores/toast-store.js';
import { terminalTheme } from '../run/terminal-theme.js';
import { ACK_EVERY_BYTES, createAckBatcher } from './ack-batcher.js';
import { withoutPasteMarkers } from './paste-text.js';
import { terminalShortcut } from './terminal-keys.js';
import { chooseRenderer, type TerminalRenderer } from './webgl-decision.js';

export interface SessionOptions {
  theme: Theme;
  fontSize: number;
  scrollback: number;
}

export interface SessionCallbacks {
  /** Keystrokes and pastes, as xterm encodes them. */
  input(data: string): void;
  /** The terminal's size in cells changed (a fit, a font change). */
  resize(size: TermSize): void;
  /** xterm has processed this many more bytes of output; batched. */
  ack(chars: number): void;
  /** Ctrl+Shift+F was pressed in the terminal. */
  search(): void;
}

export interface TerminalSession {
  readonly id: string;
  readonly search: SearchAddon;
  /** Puts the terminal into `container` (opening xterm the first time). */
  attach(container: HTMLElement): void;
  detach(): void;
  /** Fits the terminal to its container; a changed size is reported through `resize`. */
  fit(): void;
  /** Output from the host: UTF-8 bytes, never ending inside a character; acknowledged once xterm has parsed it. */
  write(data: Uint8Array): void;
  /**
   * Draws the owner's copy of the screen (`term.snapshot`) in a terminal attached to after it started: at the size
   * it was taken at, then fitted to the panel again. Not output of the stream, so not acknowledged.
   */
  restore(snapshot: { data: string; cols: number; rows: number }): void;
  /** Writes "[process exited]" and stops sending keystrokes. */
  markExited(exitCode: number | null, signal: string | null): void;
  /** Pastes as the user would (bracketed when the program asked for it); never presses Enter by itself. */
  paste(text: string): void;
  bracketedPaste(): boolean;
  /** Resolves once the program looks ready for a paste: bracketed paste switched on, or output went quiet. */
  whenReady(): Promise<void>;
  focus(): void;
  setOptions(options: Partial<SessionOptions>): void;
  dispose(): void;
}

const FONT_FAMILY = 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
const HIDE_CURSOR = '\x1b[?25l';

/**
 * A new shell is ready for a paste when it switches bracketed paste on (bash 5.1+, zsh, fish do at their first
 * prompt); a shell that never does is taken as ready once its output has been quiet this long. Longer waits cost
 * a slower first paste; shorter ones risk pasting into an SSH login still printing its banner.
 */
const READY_QUIET_MS = 800;
/** Give up waiting after this long (a slow SSH login, a shell stuck in its rc files) and paste anyway. */
const READY_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 50;

/** Search highlights per theme; the addon wants #RRGGBB. */
const SEARCH_COLOURS: Record<Theme, { match: string; active: string }> = {
  dark: { match: '#5c4813', active: '#b07d12' },
  light: { match: '#fff2a8', active: '#ffb02e' },
};

export function searchOptions(theme: Theme, incremental = false): ISearchOptions {
  const colours = SEARCH_COLOURS[theme];
  return {
    incremental,
    decorations: {
      matchBackground: colours.match,
      matchOverviewRuler: colours.match,
      activeMatchBackground: colours.active,
      activeMatchColorOverviewRuler: colours.active,
    },
  };
}

let probedRenderer: string | null | undefined;

/** The WebGL renderer string of this machine (null: no WebGL 2), probed once and cached. */
function webglRendererString(): string | null {
  if (probedRenderer !== undefined) return probedRenderer;
  probedRenderer = null;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (gl) {
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      const value: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
      probedRenderer = typeof value === 'string' ? value : null;
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    probedRenderer = null;
  }
  return probedRenderer;
}

async function pasteFromClipboard(terminal: Terminal): Promise<void> {
  try {
    const text = await navigator.clipboard.readText();
    if (text) terminal.paste(withoutPasteMarkers(text));
  } catch {
    toast.error('The clipboard cannot be read here; paste with Ctrl+Shift+V.');
  }
}

export function createTerminalSession(id: string, options: SessionOptions, callbacks: SessionCallbacks): TerminalSession {
  let theme = options.theme;
  const terminal = new Terminal({
    // The Unicode version API (wide emoji and CJK widths) is still marked proposed in xterm 6.
    allowProposedApi: true,
    fontFamily: FONT_FAMILY,
    fontSize: options.fontSize,
    scrollback: options.scrollback,
    cursorBlink: true,
    rightClickSelectsWord: false,
    theme: terminalTheme(theme, { cursor: true }),
  });
  const fitAddon = new FitAddon();
  const search = new SearchAddon();
  terminal.loadAddon(fitAddon);
  terminal.loadAddon(search);
  terminal.loadAddon(new Unicode11Addon());
  terminal.unicode.activeVersion = '11';
  terminal.loadAddon(
    new WebLinksAddon((event, uri) => {
      const url = safeExternalUrl(uri);
      if (!url) return;
      event.preventDefault();
      window.open(url.href, '_blank', 'noopener,noreferrer');
    }),
  );

  const host = document.createElement('div');
  host.className = 'term-host';
  let opened = false;
  let disposed = false;
  let exited = false;
  let webgl: WebglAddon | null = null;
  /** Shown on the element (`data-renderer`), for whoever wonders which renderer draws it. */
  const setRenderer = (next: TerminalRenderer): void => {
    host.dataset.renderer = next;
  };
  let firstOutputAt = 0;
  let lastOutputAt = 0;
  const acks = createAckBatcher(callbacks.ack, ACK_EVERY_BYTES, queueMicrotask);

  terminal.onData((data) => {
    if (!exited) callbacks.input(data);
  });
  terminal.onResize(({ cols, rows }) => callbacks.resize({ cols, rows }));
  terminal.attachCustomKeyEventHandler((event) => {
    const shortcut = terminalShortcut(event);
    if (shortcut === null) return true;
    if (event.type !== 'keydown') return false;
    switch (shortcut) {
      case 'copy':
        event.preventDefault();
        if (terminal.hasSelection()) void copyText(terminal.getSelection());
        return false;
      case 'paste':
        // Left to the browser: its paste event reaches xterm, which brackets it; no clipboard permission needed.
        return false;
      case 'search':
        event.preventDefault();
        callbacks.search();
        return false;
      default:
        return assertNever(shortcut);
    }
  });
  host.addEventListener('contextmenu', (event) => {
    event.preventDefault();
    void pasteFromClipboard(terminal);
  });

  /** Loaded only where it is used: most machines that need the DOM renderer never fetch the WebGL code. */
  const loadWebglIfFast = (): void => {
    if (chooseRenderer(webglRendererString()) !== 'webgl') return;
    void import('@xterm/addon-webgl')
      .then(({ WebglAddon }) => {
        if (disposed) return;
        const addon = new WebglAddon();
        addon.onContextLoss(() => {
          // The GPU reset or took the context back: the DOM renderer takes over instead of a blank terminal.
          addon.dispose();
          webgl = null;
          setRenderer('dom');
        });
        terminal.loadAddon(addon);
        webgl = addon;
        setRenderer('webgl');
      })
      .catch(() => setRenderer('dom'));
  };

  const session: TerminalSession = {
    id,
    search,
    attach(container) {
      if (disposed) return;
      container.appendChild(host);
      if (!opened) {
        opened = true;
        terminal.open(host);
        setRenderer('dom');
        loadWebglIfFast();
      } else {
        terminal.refresh(0, terminal.rows - 1);
      }
    },
    detach() {
      host.remove();
    },
    fit() {
      if (disposed || !opened || !host.isConnected || host.clientWidth === 0 || host.clientHeight === 0) return;
      try {
        fitAddon.fit();
      } catch {
        // Not laid out yet: the next resize fits it.
      }
    },
    write(data) {
      if (disposed) return;
      const now = Date.now();
      if (firstOutputAt === 0) firstOutputAt = now;
      lastOutputAt = now;
      terminal.write(data, () => acks.drawn(data.length));
    },
    restore(snapshot) {
      if (disposed) return;
      // The snapshot's lines wrap at its own width: drawn at that size, then reflowed to the panel's by the fit.
      if (snapshot.cols !== terminal.cols || snapshot.rows !== terminal.rows) terminal.resize(snapshot.cols, snapshot.rows);
      terminal.write(snapshot.data, () => session.fit());
    },
    markExited(exitCode, signal) {
      if (exited || disposed) return;
      exited = true;
      terminal.options.disableStdin = true;
      const how = signal ? ` (${signal})` : exitCode !== null && exitCode !== 0 ? ` (exit code ${exitCode})` : '';
      terminal.write(`\r\n${DIM}[process exited]${how}${RESET}\r\n${HIDE_CURSOR}`);
    },
    paste(text) {
      if (!exited && !disposed) terminal.paste(text);
    },
    bracketedPaste: () => terminal.modes.bracketedPasteMode,
    async whenReady() {
      const started = Date.now();
      while (!disposed && !exited && Date.now() - started < READY_TIMEOUT_MS) {
        if (terminal.modes.bracketedPasteMode) return;
        if (firstOutputAt > 0 && Date.now() - lastOutputAt >= READY_QUIET_MS) return;
        await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
      }
    },
    focus() {
      if (opened && host.isConnected) terminal.focus();
    },
    setOptions(next) {
      if (disposed) return;
      if (next.theme !== undefined && next.theme !== theme) {
        theme = next.theme;
        terminal.options.theme = terminalTheme(theme, { cursor: true });
      }
      if (next.fontSize !== undefined && next.fontSize !== terminal.options.fontSize) {
        terminal.options.fontSize = next.fontSize;
        webgl?.clearTextureAtlas();
        session.fit();
      }
      if (next.scrollback !== undefined && next.scrollback !== terminal.options.scrollback) terminal.options.scrollback = next.scrollback;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      host.remove();
      terminal.dispose();
    },
  };
  return session;
}
