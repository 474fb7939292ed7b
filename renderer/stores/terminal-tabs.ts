/**
 * The terminal tabs' bookkeeping as pure functions: what a tab was opened as (so a closed one can be opened again),
 * the stack of recently closed tabs, which tab becomes active when one closes, and the size to ask for before
 * xterm has measured anything.
 */
import type { TermOpen } from '../../shared/contract/terminals.js';

/** How a terminal was opened, without its size: enough to open it again. */
export type TermSpec = { kind: 'local'; cwd?: string } | { kind: 'ssh'; host: string };

export interface ClosedTab {
  spec: TermSpec;
  title: string;
}

/** How many closed tabs can be reopened, most recent first; older ones are forgotten. */
export const MAX_CLOSED_TABS = 10;

/** Remembers a closed tab on top of the stack (a spec already on it moves to the top instead of doubling). */
export function rememberClosed(closed: readonly ClosedTab[], tab: ClosedTab): ClosedTab[] {
  const key = specKey(tab.spec);
  return [...closed.filter((entry) => specKey(entry.spec) !== key), tab].slice(-MAX_CLOSED_TABS);
}

/** The tab "reopen" opens again, and the stack without it. */
export function takeLastClosed(closed: readonly ClosedTab[]): { tab: ClosedTab | null; rest: ClosedTab[] } {
  if (closed.length === 0) return { tab: null, rest: [] };
  return { tab: closed[closed.length - 1] ?? null, rest: closed.slice(0, -1) };
}

/** The tab to show after closing `closing`: the active one stays; else the right neighbour, else the left one. */
export function activeAfterClose(ids: readonly string[], closing: string, active: string | null): string | null {
  if (active !== closing && active !== null && ids.includes(active)) return active;
  const index = ids.indexOf(closing);
  const rest = ids.filter((id) => id !== closing);
  if (rest.length === 0) return null;
  if (index < 0) return rest[0] ?? null;
  return rest[Math.min(index, rest.length - 1)] ?? null;
}

export function specKey(spec: TermSpec): string {
  return spec.kind === 'local' ? `local:${spec.cwd ?? ''}` : `ssh:${spec.host}`;
}

/** How a spec reads on a button: `shell`, `shell in /srv/app`, `ssh web-1`. */
export function describeSpec(spec: TermSpec): string {
  if (spec.kind === 'ssh') return `ssh ${spec.host}`;
  return spec.cwd ? `shell in ${spec.cwd}` : 'shell';
}

/** A spec as `term.open` takes it; an empty working directory means the default one. */
export function openRequest(spec: TermSpec, size: TermSize): TermOpen {
  if (spec.kind === 'ssh') return { kind: 'ssh', host: spec.host, ...size };
  const cwd = spec.cwd?.trim();
  return cwd ? { kind: 'local', cwd, ...size } : { kind: 'local', ...size };
}

export interface TermSize {
  cols: number;
  rows: number;
}

/** The contract's bounds for a terminal's size. */
const COLS = { min: 2, max: 1000 };
const ROWS = { min: 1, max: 500 };
/** A monospace cell is about 0.6 em wide; lines are ~1.2 em with xterm's default line height. */
const CELL_WIDTH_EM = 0.6;
const CELL_HEIGHT_EM = 1.2;
export const FALLBACK_SIZE: TermSize = { cols: 80, rows: 24 };

/**
 * The size to open a terminal with before xterm has measured its cells: from the space it will get and the font
 * size. The first fit corrects it (one `term.resize`); a close guess only spares the shell a redraw.
 */
export function estimateSize(width: number, height: number, fontSize: number): TermSize {
  if (!(width > 0) || !(height > 0) || !(fontSize > 0)) return FALLBACK_SIZE;
  return {
    cols: Math.min(COLS.max, Math.max(COLS.min, Math.floor(width / (fontSize * CELL_WIDTH_EM)))),
    rows: Math.min(ROWS.max, Math.max(ROWS.min, Math.floor(height / (fontSize * CELL_HEIGHT_EM)))),
  };
}
