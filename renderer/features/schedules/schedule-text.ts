/** How a schedule's state and rules read on the Schedules page: a badge per state and a one-line summary. */
import type { Schedule, ScheduleState } from '../../../shared/contract/schedules.js';
import { assertNever } from '../../components/assert-never.js';
import type { Tone } from '../../components/status.js';
import { targetLabel } from '../run/target-value.js';
import { formatSeconds } from './duration-text.js';

export function stateView(state: ScheduleState): { tone: Tone; label: string } {
  switch (state) {
    case 'active':
      return { tone: 'ok', label: 'active' };
    case 'paused':
      return { tone: 'muted', label: 'paused' };
    case 'needs_approval':
      return { tone: 'warn', label: 'needs approval' };
    case 'broken':
      return { tone: 'bad', label: 'broken' };
    default:
      return assertNever(state);
  }
}

/** `0 9 * * * in America/New_York, on this machine; catch up latest (window 1 period), overlap skip, notify on failure`. */
export function rulesSummary(schedule: Pick<Schedule, 'rules' | 'target' | 'notify'>): string[] {
  const { rules, notify } = schedule;
  const window = rules.catchUpWindowSec === null ? 'one period' : formatSeconds(rules.catchUpWindowSec);
  const parts = [
    `on ${targetLabel(schedule.target)}`,
    `catch-up ${rules.catchUp} within ${window}`,
    `overlap ${rules.overlap}`,
  ];
  if (rules.jitterSec > 0) parts.push(`jitter up to ${formatSeconds(rules.jitterSec)}`);
  parts.push(notify.on === 'never' ? 'no notifications' : `notify ${notify.on === 'always' ? 'after every run' : 'on failure'}${notify.webhook ? ' + webhook' : ''}`);
  return parts;
}
