// A scheduled run's notice: a toast whose kind follows the run's status, and a desktop notification only when the
// user allowed them; clicking it opens the run.
import { describe, expect, it } from 'vitest';
import type { ScheduleNotice } from '../../../shared/contract/schedules.js';
import { noticeToast, showDesktopNotice, type DesktopNotifier, type Permission } from '../../../renderer/features/schedules/schedule-notice.js';

const notice = (status: string): ScheduleNotice => ({ scheduleId: 's1', runId: 'run-7', status, title: 'Nightly backup failed', body: 'Step "dump" exited with 2' });

function fakeNotifier(permission: Permission) {
  const shown: Array<{ title: string; body: string; tag: string; click(): void }> = [];
  const notifier: DesktopNotifier = {
    permission: () => permission,
    show: (title, options, onClick) => shown.push({ title, ...options, click: onClick }),
  };
  return { notifier, shown };
}

describe('schedule notices', () => {
  it('toasts failures as errors and successes as successes', () => {
    expect(noticeToast(notice('failed'))).toEqual({ kind: 'error', text: 'Nightly backup failed: Step "dump" exited with 2' });
    expect(noticeToast(notice('completed')).kind).toBe('success');
    expect(noticeToast(notice('incomplete')).kind).toBe('error');
  });

  it('shows a desktop notification only with permission, and its click opens the run', () => {
    const opened: string[] = [];
    for (const permission of ['default', 'denied'] as const) {
      const { notifier, shown } = fakeNotifier(permission);
      expect(showDesktopNotice(notice('failed'), notifier, (id) => opened.push(id))).toBe(false);
      expect(shown).toEqual([]);
    }
    expect(showDesktopNotice(notice('failed'), null, (id) => opened.push(id))).toBe(false);

    const { notifier, shown } = fakeNotifier('granted');
    expect(showDesktopNotice(notice('failed'), notifier, (id) => opened.push(id))).toBe(true);
    expect(shown).toMatchObject([{ title: 'Nightly backup failed', body: 'Step "dump" exited with 2', tag: 'opsdeck-run-run-7' }]);
    shown[0]?.click();
    expect(opened).toEqual(['run-7']);
  });
});
