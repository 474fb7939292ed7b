/**
 * Opening, reopening and closing terminals, shared by the panel's buttons and "Send to terminal": sized for the
 * panel, shown (the run view's dock expands) and focused.
 */
import { useTerminalSettings } from '../../stores/terminal-settings-store.js';
import { useTerminals, type TermTab } from '../../stores/terminal-store.js';
import type { TermSpec } from '../../stores/terminal-tabs.js';
import { sizeForNewTerminal } from './terminal-sessions.js';

function show(tab: TermTab | null): TermTab | null {
  if (tab) {
    useTerminalSettings.getState().setCollapsed(false);
    useTerminals.getState().requestFocus();
  }
  return tab;
}

export async function openTerminal(spec: TermSpec): Promise<TermTab | null> {
  return show(await useTerminals.getState().open(spec, sizeForNewTerminal()));
}

export async function reopenTerminal(): Promise<TermTab | null> {
  return show(await useTerminals.getState().reopen(sizeForNewTerminal()));
}

export function closeTerminal(id: string): void {
  void useTerminals.getState().close(id);
}

/** Shows a tab and gives it the keyboard. */
export function focusTerminal(id: string): void {
  useTerminals.getState().activate(id);
  useTerminalSettings.getState().setCollapsed(false);
  useTerminals.getState().requestFocus();
}
