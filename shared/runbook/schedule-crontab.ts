/**
 * Crontab lines ("30 2 * * 1-5 cmd", "@daily cmd"): each field is checked against the portable (Vixie) syntax and the
 * command split off, so a runbook that ships its own crontab is scheduled as written.
 */
import { CRON_NICKNAMES, verified } from './schedule-cron.js';

export interface CrontabEntry {
  cron: string | null;
  /** The rest of the line after the schedule, verbatim. */
  command: string;
  reason: string | null;
}

interface FieldSpec {
  min: number;
  max: number;
  names?: readonly string[];
  /** Index in names that stands for min (month names start at 1). */
  nameBase: number;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DOW_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const CRON_FIELDS: readonly FieldSpec[] = [
  { min: 0, max: 59, nameBase: 0 },
  { min: 0, max: 23, nameBase: 0 },
  { min: 1, max: 31, nameBase: 0 },
  { min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { min: 0, max: 7, names: DOW_NAMES, nameBase: 0 },
];

const CRONTAB_MACROS: Readonly<Record<string, string | null>> = { ...CRON_NICKNAMES, '@reboot': null };

function cronValue(token: string, spec: FieldSpec): number | null {
  if (/^\d{1,2}$/.test(token)) {
    const n = Number(token);
    return n >= spec.min && n <= spec.max ? n : null;
  }
  if (!spec.names) return null;
  const index = spec.names.indexOf(token.toUpperCase());
  return index < 0 ? null : index + spec.nameBase;
}

/** One cron field in the portable (Vixie) syntax: lists of *, N, A-B, each optionally /STEP (not N/STEP). */
function isCronField(field: string, spec: FieldSpec): boolean {
  return field.split(',').every((item) => {
    const match = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(item);
    if (!match) return false;
    const [, base = '', step] = match;
    if (step !== undefined && (Number(step) < 1 || Number(step) > spec.max)) return false;
    if (base === '*') return true;
    const range = base.split('-');
    if (range.length === 1) return step === undefined && cronValue(base, spec) !== null;
    if (range.length !== 2) return false;
    const from = cronValue(range[0] ?? '', spec);
    const to = cronValue(range[1] ?? '', spec);
    return from !== null && to !== null && from <= to;
  });
}

export function parseCrontabLine(line: string): CrontabEntry | null {
  const text = line.trim();
  const macro = /^(@[A-Za-z]+)\s+(\S.*)$/s.exec(text);
  if (macro) {
    const name = (macro[1] ?? '').toLowerCase();
    const command = macro[2] ?? '';
    if (!(name in CRONTAB_MACROS)) return null;
    const cron = CRONTAB_MACROS[name] ?? null;
    if (cron === null) return { cron: null, command, reason: `${name} runs once at boot, not on a schedule` };
    return { cron, command, reason: null };
  }
  const match = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S.*)$/s.exec(text);
  if (!match) return null;
  const fields = match.slice(1, 6) as string[];
  if (!fields.every((field, i) => isCronField(field, CRON_FIELDS[i] as FieldSpec))) return null;
  const command = match[6] ?? '';
  const result = verified(fields.join(' '), null, null);
  return { cron: result.cron, command, reason: result.reason };
}

/** A crontab's environment line, `NAME=value` (cron allows spaces around `=`); null for anything else. */
export function crontabEnvLine(line: string): { name: string; value: string } | null {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
  if (!m) return null;
  return { name: m[1] ?? '', value: (m[2] ?? '').replace(/^(["'])(.*)\1$/, '$2') };
}

/** The zone an environment line sets for the crontab lines after it: CRON_TZ (cronie), or TZ as some crons read it. */
export function crontabZone(env: { name: string; value: string }): string | null {
  return (env.name === 'CRON_TZ' || env.name === 'TZ') && /^[\w/+-]+$/.test(env.value) ? env.value : null;
}

export interface CrontabLine {
  row: number;
  text: string;
  /** From the CRON_TZ= line above it, or null. */
  zone: string | null;
}

/**
 * A whole crontab: every line blank, a comment, an environment line or an entry, with at least one entry. Returns
 * the entries, each with the zone the environment lines above it set; null when the text is anything else.
 */
export function readCrontab(text: string): CrontabLine[] | null {
  const entries: CrontabLine[] = [];
  let zone: string | null = null;
  for (const [row, line] of text.split('\n').entries()) {
    if (/^\s*(#|$)/.test(line)) continue;
    const env = crontabEnvLine(line);
    if (env) {
      zone = crontabZone(env) ?? zone;
    } else if (parseCrontabLine(line)) {
      entries.push({ row, text: line, zone });
    } else {
      return null;
    }
  }
  return entries.length > 0 ? entries : null;
}
