/**
 * Which wall-clock days a calendar matches, computed once per block of days with croner's matcher and kept, so
 * counting a month of a weekday schedule or stepping to its next matching day reads a small array instead of
 * asking croner again for every day of every plan.
 */

/**
 * Days per block. Trades the cost of a block (this many croner matches, ~0.5 us each) against how many blocks a
 * plan touches (a 30-day sleep: one or two).
 */
const BLOCK_DAYS = 64;
/** Blocks kept per calendar; beyond this all are dropped (a planner looks at a few months around now). */
const MAX_BLOCKS = 256;

interface Block {
  marks: Uint8Array;
  count: number;
}

export class DayIndex {
  private readonly blocks = new Map<number, Block>();

  /** `matches(day)`: whether the calendar matches on UTC day number `day` (days since 1970-01-01 on the wall clock). */
  constructor(private readonly matches: (day: number) => boolean) {}

  private block(index: number): Block {
    let b = this.blocks.get(index);
    if (!b) {
      const marks = new Uint8Array(BLOCK_DAYS);
      let count = 0;
      for (let i = 0; i < BLOCK_DAYS; i++) {
        if (this.matches(index * BLOCK_DAYS + i)) {
          marks[i] = 1;
          count++;
        }
      }
      if (this.blocks.size >= MAX_BLOCKS) this.blocks.clear();
      b = { marks, count };
      this.blocks.set(index, b);
    }
    return b;
  }

  has(day: number): boolean {
    const index = Math.floor(day / BLOCK_DAYS);
    return this.block(index).marks[day - index * BLOCK_DAYS] === 1;
  }

  /** Matching days in [from, to], both inclusive. */
  countBetween(from: number, to: number): number {
    let n = 0;
    let day = from;
    while (day <= to) {
      const index = Math.floor(day / BLOCK_DAYS);
      const start = index * BLOCK_DAYS;
      const b = this.block(index);
      const last = Math.min(to, start + BLOCK_DAYS - 1);
      if (day === start && last === start + BLOCK_DAYS - 1) n += b.count;
      else for (let d = day; d <= last; d++) n += b.marks[d - start] ?? 0;
      day = last + 1;
    }
    return n;
  }

  /** The first matching day after `day`, looking at most `within` days ahead; null when there is none that close. */
  nextAfter(day: number, within: number): number | null {
    let d = day + 1;
    const end = day + within;
    while (d <= end) {
      const index = Math.floor(d / BLOCK_DAYS);
      const start = index * BLOCK_DAYS;
      const b = this.block(index);
      if (b.count > 0) {
        for (let i = d - start; i < BLOCK_DAYS && start + i <= end; i++) if (b.marks[i] === 1) return start + i;
      }
      d = start + BLOCK_DAYS;
    }
    return null;
  }

  /** The last matching day before `day`, looking at most `within` days back; null when there is none that close. */
  prevBefore(day: number, within: number): number | null {
    let d = day - 1;
    const end = day - within;
    while (d >= end) {
      const index = Math.floor(d / BLOCK_DAYS);
      const start = index * BLOCK_DAYS;
      const b = this.block(index);
      if (b.count > 0) {
        for (let i = d - start; i >= 0 && start + i >= end; i--) if (b.marks[i] === 1) return start + i;
      }
      d = start - 1;
    }
    return null;
  }
}
