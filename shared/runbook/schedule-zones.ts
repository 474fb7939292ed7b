/**
 * Time zones named in free text ("9:00 AM EST", "UTC+2", "Pacific time", "00:15Z") mapped to IANA names, so a
 * frequency written for people fires at the hour they meant.
 */
import { isValidZone } from './schedule-cron.js';

const ZONE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  EST: 'America/New_York',
  EDT: 'America/New_York',
  ET: 'America/New_York',
  CST: 'America/Chicago',
  CDT: 'America/Chicago',
  CT: 'America/Chicago',
  MST: 'America/Denver',
  MDT: 'America/Denver',
  MT: 'America/Denver',
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  PT: 'America/Los_Angeles',
  UTC: 'UTC',
  GMT: 'UTC',
  // CET is shared by much of Europe; Paris stands for all of it (same offsets and DST rules as Berlin).
  CET: 'Europe/Paris',
  CEST: 'Europe/Paris',
  BST: 'Europe/London',
  IST: 'Asia/Kolkata',
  JST: 'Asia/Tokyo',
  AEST: 'Australia/Sydney',
  AEDT: 'Australia/Sydney',
};

const ZONE_REGIONS: Readonly<Record<string, string>> = {
  eastern: 'America/New_York',
  central: 'America/Chicago',
  mountain: 'America/Denver',
  pacific: 'America/Los_Angeles',
};

/**
 * Earliest zone mention wins. Abbreviations match only as uppercase whole words ("est" in "latest" never does;
 * UTC/GMT followed by an offset are read as that offset, whole hours only). "Eastern"/"Central"/... count only
 * with "time" after them or right after a clock time, so "Central logging" names no zone. "Z" counts only glued
 * to a clock time ("00:15Z").
 */
export function zoneFromText(text: string): string | null {
  const found: { index: number; zone: string }[] = [];
  const add = (index: number, zone: string): void => {
    found.push({ index, zone });
  };
  for (const m of text.matchAll(/\b[A-Z][A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+/g)) {
    if (isValidZone(m[0])) add(m.index, m[0]);
  }
  for (const m of text.matchAll(/\b(UTC|GMT)\s?([+-])(\d{1,2})(?::?(\d{2}))?(?![\d:])/g)) {
    const hours = Number(m[3]);
    if (Number(m[4] ?? '0') !== 0 || hours > 14) continue;
    // Etc/GMT zones use the POSIX sign: UTC+2 is Etc/GMT-2.
    add(m.index, hours === 0 ? 'UTC' : `Etc/GMT${m[2] === '+' ? '-' : '+'}${hours}`);
  }
  for (const m of text.matchAll(/\b([A-Z]{2,4})\b(?!\s?[+-]\d)/g)) {
    const zone = ZONE_ABBREVIATIONS[m[1] ?? ''];
    if (zone !== undefined) add(m.index, zone);
  }
  for (const m of text.matchAll(/\b(Eastern|Central|Mountain|Pacific)(?:\s+(?:Standard|Daylight))?\s+[Tt]ime\b/g)) {
    add(m.index, ZONE_REGIONS[(m[1] ?? '').toLowerCase()] ?? 'UTC');
  }
  for (const m of text.matchAll(/\d(?:\s*[AaPp]\.?[Mm]\.?)?\s+(Eastern|Central|Mountain|Pacific)\b/g)) {
    add(m.index + m[0].length - (m[1] ?? '').length, ZONE_REGIONS[(m[1] ?? '').toLowerCase()] ?? 'UTC');
  }
  for (const m of text.matchAll(/\bZulu\b|\d:\d{2}(?::\d{2})?\s?(Z)\b/g)) add(m.index, 'UTC');
  found.sort((a, b) => a.index - b.index);
  return found[0]?.zone ?? null;
}
