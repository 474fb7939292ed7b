/**
 * A hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014): timestamps that follow the wall clock
 * when it behaves, yet only ever move forward on one device, even when the wall clock is set back, and that order
 * every write of every device once their records are merged (the later stamp wins a mutable row).
 *
 * A stamp is a string that sorts as it orders: `<wall ms, 15 digits>-<counter, 6 digits>-<device id>`, e.g.
 * `001767225600000-000000-0190b6a4-...`. Equal wall and counter (two devices in one millisecond) fall back to the
 * device id, so no two devices' stamps are ever equal. The format is stored in every database: it never changes.
 */

/** Digits of the wall-clock part: milliseconds since 1970 up to the year 33658. */
const WALL_DIGITS = 15;
/** Digits of the counter: stamps issued within one millisecond (or while the wall clock lags) before it carries. */
const COUNTER_DIGITS = 6;
const MAX_WALL = 10 ** WALL_DIGITS - 1;
const MAX_COUNTER = 10 ** COUNTER_DIGITS - 1;
const STAMP = /^(\d{15})-(\d{6})-(.+)$/;

export interface HlcParts {
  /** Milliseconds since 1970: the wall clock's reading, or later when a stamp had to move past it. */
  wall: number;
  /** Orders stamps that share a wall reading. */
  counter: number;
  /** The device that issued the stamp. */
  device: string;
}

export interface Hlc {
  /** A stamp later than every stamp this clock issued or received before. */
  now(): string;
  /** Takes in a stamp from elsewhere (a merged record, another process's last one) and issues one later than it. */
  receive(remote: string): string;
  /** The latest stamp issued or received (or given as `last`), or null if none yet. */
  last(): string | null;
}

export interface HlcOptions {
  /** Who issues the stamps: the last part of each. Must not be empty. */
  deviceId: string;
  /** Milliseconds since 1970; injected so tests can set the clock back. */
  wallClock(): number;
  /** The last stamp issued before (kept across restarts): every new one is later, whatever the wall clock says. */
  last?: string | null | undefined;
}

export function formatHlc({ wall, counter, device }: HlcParts): string {
  if (!Number.isInteger(wall) || wall < 0 || wall > MAX_WALL) throw new RangeError(`HLC wall time out of range: ${wall}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER) throw new RangeError(`HLC counter out of range: ${counter}`);
  if (device === '') throw new RangeError('an HLC stamp needs a device id');
  return `${String(wall).padStart(WALL_DIGITS, '0')}-${String(counter).padStart(COUNTER_DIGITS, '0')}-${device}`;
}

/** Throws a RangeError for a string that is not a stamp. */
export function parseHlc(stamp: string): HlcParts {
  const match = STAMP.exec(stamp);
  if (!match) throw new RangeError(`not an HLC stamp: ${JSON.stringify(stamp)}`);
  const [, wall = '', counter = '', device = ''] = match;
  return { wall: Number(wall), counter: Number(counter), device };
}

/** Negative, zero or positive as `a` is earlier than, equal to or later than `b`: plain string order. */
export function compareHlc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function createHlc(options: HlcOptions): Hlc {
  const { deviceId } = options;
  if (deviceId === '') throw new RangeError('an HLC needs a device id');
  let wall = 0;
  let counter = -1;
  let last: string | null = options.last ?? null;
  if (last !== null) ({ wall, counter } = parseHlc(last));

  const readWall = (): number => {
    const ms = Math.floor(options.wallClock());
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_WALL) : 0;
  };
  /** Moves to (nextWall, nextCounter), carrying a full counter into the next millisecond. */
  const issue = (nextWall: number, nextCounter: number): string => {
    if (nextCounter > MAX_COUNTER) {
      nextWall += 1;
      nextCounter = 0;
    }
    wall = nextWall;
    counter = nextCounter;
    last = formatHlc({ wall, counter, device: deviceId });
    return last;
  };

  return {
    now() {
      const physical = readWall();
      return physical > wall ? issue(physical, 0) : issue(wall, counter + 1);
    },
    receive(remote) {
      const r = parseHlc(remote);
      const physical = readWall();
      const top = Math.max(physical, wall, r.wall);
      if (top === wall && top === r.wall) return issue(top, Math.max(counter, r.counter) + 1);
      if (top === wall) return issue(top, counter + 1);
      if (top === r.wall) return issue(top, r.counter + 1);
      return issue(top, 0);
    },
    last: () => last,
  };
}
