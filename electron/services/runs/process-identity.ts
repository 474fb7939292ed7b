/**
 * Tells whether a process recorded earlier is still the same, living process: a pid alone is not enough (pids are
 * reused, and a crashed process may linger as a zombie). On Linux the start time in /proc/PID/stat pins it down;
 * elsewhere only `kill(pid, 0)` is available.
 */
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (Linux); null where /proc is not available. */
  start: string | null;
}

function readStat(pid: number): { state: string; start: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', start: fields[19] ?? '' };
  } catch {
    return null;
  }
}

export function identify(pid: number): ProcessIdentity {
  return { pid, start: readStat(pid)?.start ?? null };
}

export function isSameProcessAlive(id: ProcessIdentity): boolean {
  const stat = readStat(id.pid);
  if (stat) return stat.state !== 'Z' && (id.start === null || stat.start === id.start);
  if (id.start !== null) return false; // it was seen in /proc once and is gone now
  try {
    process.kill(id.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sends `signal` to the process group led by the recorded process, unless its pid now belongs to another process.
 * The leader may be gone while its group lives on; the kernel does not reuse a pid whose group still exists.
 * Returns whether any process got the signal.
 */
export function signalGroupIfAlive(id: ProcessIdentity, signal: NodeJS.Signals): boolean {
  const stat = readStat(id.pid);
  if (stat && id.start !== null && stat.start !== id.start) return false;
  try {
    process.kill(-id.pid, signal);
    return true;
  } catch {
    return false;
  }
}
