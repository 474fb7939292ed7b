/**
 * What a window does with a `schedule.notice` (a scheduled run ended and its schedule says to tell someone): a toast,
 * and a desktop notification through the browser's Notification API when the user allowed it. In the desktop app the
 * main process shows Electron's own notification, so the window does not show a second one.
 */
import type { ScheduleNotice } from '../../../shared/contract/schedules.js';
import type { ToastKind } from '../../stores/toast-store.js';

/** Statuses a notice can report that are good news; anything else (failed, incomplete, aborted) is not. */
const GOOD = new Set(['completed', 'succeeded']);

export function noticeToast(notice: ScheduleNotice): { kind: ToastKind; text: string } {
  const text = notice.body ? `${notice.title}: ${notice.body}` : notice.title;
  return { kind: GOOD.has(notice.status) ? 'success' : 'error', text };
}

/** As the browser's NotificationPermission (a DOM type; spelled out so node-typed tests can name it). */
export type Permission = 'default' | 'denied' | 'granted';

/** The part of the browser's Notification API used here, so tests pass a fake. */
export interface DesktopNotifier {
  permission(): Permission;
  show(title: string, options: { body: string; tag: string }, onClick: () => void): void;
}

/** Shows the notice on the desktop when allowed; returns whether it did. */
export function showDesktopNotice(notice: ScheduleNotice, notifier: DesktopNotifier | null, open: (runId: string) => void): boolean {
  if (!notifier || notifier.permission() !== 'granted') return false;
  notifier.show(notice.title, { body: notice.body, tag: `opsdeck-run-${notice.runId}` }, () => open(notice.runId));
  return true;
}

/** The browser's notifier, or null where there is none (or in the desktop app, whose main process notifies). */
export function browserNotifier(): DesktopNotifier | null {
  if (typeof window === 'undefined' || window.opsdeck || typeof Notification === 'undefined') return null;
  return {
    permission: () => Notification.permission,
    show(title, options, onClick) {
      const shown = new Notification(title, options);
      shown.onclick = () => {
        window.focus();
        onClick();
        shown.close();
      };
    },
  };
}
