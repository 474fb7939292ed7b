/** Keeping a newest-first list of runs current as `run.updated` events arrive. */
import type { Run } from '../../../shared/contract/schemas.js';

/** `runs` with `run` put in its place: replaced if known, else inserted where its start time sorts it (newest first). */
export function withRun(runs: readonly Run[], run: Run): Run[] {
  const rest = runs.filter((r) => r.id !== run.id);
  const at = rest.findIndex((r) => r.startedAt < run.startedAt || (r.startedAt === run.startedAt && r.id < run.id));
  return at === -1 ? [...rest, run] : [...rest.slice(0, at), run, ...rest.slice(at)];
}
