/**
 * Small text pieces the incident drafts (status update, post-mortem) share: times in UTC, durations, a command as
 * inline Markdown code, how an attempt ended, and a note as corrected. Pure.
 */
import type { IncidentDetail, TimelineEntry } from '../contract/incidents.js';

const toDate = (iso: string | Date): Date | null => {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return Number.isNaN(d.getTime()) ? null : d;
};

/** "2026-03-02 14:02 UTC". */
export function utcMinute(iso: string | Date): string {
  const d = toDate(iso);
  return d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : String(iso);
}

/** "2026-03-02". */
export function utcDay(iso: string | Date): string {
  const d = toDate(iso);
  return d ? d.toISOString().slice(0, 10) : String(iso);
}

/** "14:02:05". */
export function utcClock(iso: string | Date): string {
  const d = toDate(iso);
  return d ? d.toISOString().slice(11, 19) : String(iso);
}

/** "14:02". */
export function utcHourMinute(iso: string | Date): string {
  return utcClock(iso).slice(0, 5);
}

/** "2.1 s", "45 s", "8 min", "3 min 20 s", "1 h 05 min", "2 d 03 h". */
export function durationText(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${String(s % 60).padStart(2, '0')} s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${String(h % 24).padStart(2, '0')} h`;
}

/** `text` as inline Markdown code, fenced with more backticks than it holds. */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** `text` as a fenced Markdown block, fenced with more backticks than any run it holds (at least three). */
export function codeBlock(text: string, indent = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}sh`, ...text.split('\n'), fence].map((line) => (line === '' ? line : indent + line)).join('\n');
}

/** The lines of a command that do something: without blank lines and comment-only lines. */
export function commandLines(command: string): string[] {
  return command.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

/** A command in one line: its first line that does something, "… (+2 lines)" when it has more. */
export function commandInline(command: string): string {
  const lines = commandLines(command);
  const first = lines[0] ?? command.trim();
  return lines.length > 1 ? `${inlineCode(first)} … (+${lines.length - 1} lines)` : inlineCode(first);
}

type Attempt = Extract<TimelineEntry, { kind: 'attempt' }>;

/** How an attempt ended: "exit 0", "exit 1 (failed)", "still running", "timed out". */
export function attemptOutcome(a: Attempt): string {
  if (a.exitCode !== null) return a.status === 'succeeded' || a.status === 'failed' ? `exit ${a.exitCode}` : `exit ${a.exitCode} (${a.status.replace(/_/g, ' ')})`;
  if (a.status === 'running') return 'still running';
  return a.status.replace(/_/g, ' ');
}

/** Where an attempt ran: its host, else its run's target, else this machine. */
export function attemptTarget(a: Attempt, timeline: readonly TimelineEntry[]): string {
  if (a.host) return a.host;
  const run = timeline.find((e): e is Extract<TimelineEntry, { kind: 'run' }> => e.kind === 'run' && e.runId === a.runId);
  return run?.target || 'local';
}

/** The latest correction of each corrected entry, by the corrected entry's id. */
export function latestCorrections(timeline: readonly TimelineEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  const corrections = timeline.filter((e): e is Extract<TimelineEntry, { kind: 'correction' }> => e.kind === 'correction');
  // By when each was written: a later correction supersedes an earlier one.
  for (const c of [...corrections].sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt))) out.set(c.entryId, c.text);
  return out;
}

/** The incident's severity level, with its label, when the incident's levels define it. */
export function severityLabel(incident: Pick<IncidentDetail, 'severity' | 'severityLevels'>): string {
  const level = incident.severityLevels.find((l) => l.id === incident.severity);
  return level?.label ? `${incident.severity} (${level.label})` : incident.severity;
}

/** Whitespace (newlines too) folded to single spaces. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
