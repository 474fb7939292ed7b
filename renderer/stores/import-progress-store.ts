/**
 * Imports under way that have taken more than a second, as the host reports them (`import.progress`), so the
 * library can show how far a large runbook has got instead of a button that just says "Importing…".
 */
import { create } from 'zustand';
import { client } from '../api/client.js';

export interface ImportProgress {
  source: string;
  /** 0 to 1. */
  fraction: number;
}

interface ImportProgressState {
  active: ImportProgress[];
}

export const useImportProgress = create<ImportProgressState>()(() => ({ active: [] }));

/** A source's name as the user knows it: the file name, without the folders or the `upload:` mark. */
export function shownSource(source: string): string {
  const name = source.replace(/^upload:/, '');
  return name.split(/[\\/]/).pop() || name;
}

client.on('import.progress', ({ source, done, total }) => {
  useImportProgress.setState((state) => {
    const others = state.active.filter((p) => p.source !== source);
    return { active: done >= total ? others : [...others, { source, fraction: Math.min(done / total, 1) }] };
  });
});
