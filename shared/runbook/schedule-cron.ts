/**
 * The one dialect the cockpit schedules with: 5-field cron as croner reads it, plus an IANA zone. Every translator
 * (crontab, OnCalendar=, free text) ends in verified() here, so no cron that croner rejects or that never fires gets out.
 */
import { Cron } from 'croner';

export interface CronDerivation {
  /** 5-field cron as croner understands it, or null when none could be derived. */
  cron: string | null;
  /** IANA zone the cron is meant in; null = none stated (the host's zone applies). */
  timezone: string | null;
  /** Why cron is null, or what was assumed to derive it; null when nothing was assumed. */
  reason: string | null;
}

/** Input a translator understands but 5-field cron cannot express; the message says why. */
export class Unsupported extends Error {}

/** Cron's nicknames as the 5-field cron each stands for (croner reads the same); `@reboot` is no calendar. */
export const CRON_NICKNAMES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}

export function derivation(cron: string | null, timezone: string | null, reason: string | null): CronDerivation {
  return { cron, timezone, reason };
}

/**
 * The last gate before any cron leaves the translators: croner must parse it and find a next run, so callers never get
 * an expression that throws on scheduling or silently never fires (e.g. "0 0 31 2 *").
 */
export function verified(cron: string, timezone: string | null, reason: string | null): CronDerivation {
  try {
    const job = new Cron(cron, { paused: true, ...(timezone ? { timezone } : {}) });
    if (!job.nextRun()) return derivation(null, timezone, `"${cron}" never matches a real date`);
  } catch (error) {
    return derivation(null, timezone, `croner rejects "${cron}": ${error instanceof Error ? error.message : String(error)}`);
  }
  return derivation(cron, timezone, reason);
}

export function isValidZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
