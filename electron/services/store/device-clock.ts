/**
 * The hybrid logical clock that stamps this device's register writes (see merge-classes.ts), kept monotonic across
 * restarts and processes: the last stamp issued is persisted in `meta` ('hlc') and every new one is issued past it,
 * so a restart with the wall clock set back, or a second connection to the same file (a CLI process), never issues
 * a stamp earlier than one already written.
 */
import { createHlc } from '../../../shared/model/hlc.js';
import type { Database } from './db.js';

export const HLC_META_KEY = 'hlc';

export interface DeviceClock {
  /** A new stamp, later than every stamp written to this database before; persisted before it is returned. */
  next(): string;
  /** Takes in a stamp from a merged record, so that this device's next write is later than it. */
  receive(remote: string): string;
}

export function createDeviceClock(db: Database, deviceId: string, wallClock: () => number): DeviceClock {
  const read = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const write = db.prepare<[string, string]>(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const persisted = (): string | null => read.get(HLC_META_KEY)?.value ?? null;
  const hlc = createHlc({ deviceId, wallClock, last: persisted() });
  const stamp = db.transaction((remote: string | null): string => {
    const stored = persisted();
    const known = hlc.last();
    // Another connection may have written a later stamp since: issue past it too.
    if (stored !== null && (known === null || stored > known)) hlc.receive(stored);
    const next = remote === null ? hlc.now() : hlc.receive(remote);
    write.run(HLC_META_KEY, next);
    return next;
  });
  return {
    // Immediate: reading the persisted stamp and writing the next one is one step no other writer can split.
    next: () => stamp.immediate(null),
    receive: (remote) => stamp.immediate(remote),
  };
}
