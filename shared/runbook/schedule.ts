/**
 * Runbooks say when they run in many dialects: crontab lines, systemd OnCalendar= values, and free text such as
 * "Daily, 9:00 AM EST". The cockpit schedules with one dialect only (5-field cron as croner reads it, plus an IANA
 * zone), so this module translates, and says why when it cannot (or what it had to assume).
 */
export { crontabEnvLine, crontabZone, parseCrontabLine, readCrontab } from './schedule-crontab.js';
export type { CrontabEntry, CrontabLine } from './schedule-crontab.js';
export { onCalendarToCron } from './schedule-oncalendar.js';
export { zoneFromText } from './schedule-zones.js';
export { frequencyToCron } from './schedule-frequency.js';
export type { CronDerivation } from './schedule-cron.js';
