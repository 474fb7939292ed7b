/**
 * How a command step's shell is described to the operator: the attempt's shell options when they are not the usual
 * ones, which command failed, and the carried session state (where it is, its variables with secrets masked).
 */
import type { Attempt, SessionState } from '../../../shared/contract/schemas.js';

/** What stands for a redacted variable's value: never its length or any part of it. */
export const MASKED_VALUE = '••••••';

/**
 * The notes worth a glance on an attempt's exit line: a fresh shell (its steps did not share the section's
 * session) and errexit or pipefail turned off. Nothing for the usual case, or for attempts recorded before.
 */
export function shellNotes(shell: Attempt['shell']): string[] {
  if (shell === null) return [];
  const notes: string[] = [];
  if (shell.session === 'fresh') notes.push('fresh shell');
  if (!shell.errexit) notes.push('errexit off');
  if (!shell.pipefail) notes.push('pipefail off');
  return notes;
}

/** "Failed at line 3:" or, when the shell could not tell the line, "Failed at:"; the command follows it. */
export function failedAtLabel(failed: NonNullable<Attempt['failedCommand']>): string {
  return failed.line === null ? 'Failed at:' : `Failed at line ${failed.line}:`;
}

/** A session's `where` as a heading: "this machine", or the host's name. */
export function sessionWhere(where: string): string {
  if (where === 'local') return 'this machine';
  return where.startsWith('host:') ? where.slice('host:'.length) : where;
}

/** A variable as the panel shows it: secrets masked whatever the host sent. */
export function variableValue(variable: SessionState['vars'][number]): string {
  return variable.redacted ? MASKED_VALUE : variable.value;
}

/** One line summing a session up for its collapsed heading: "cwd /srv/app · 3 variables · 1 function". */
export function sessionSummary(session: SessionState): string {
  const parts: string[] = [];
  if (session.cwd !== null) parts.push(session.cwd);
  const count = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
  if (session.vars.length > 0) parts.push(count(session.vars.length, 'variable'));
  if (session.options.length > 0) parts.push(count(session.options.length, 'option'));
  if (session.functions.length > 0) parts.push(count(session.functions.length, 'function'));
  return parts.length > 0 ? parts.join(' · ') : 'nothing carried yet';
}
