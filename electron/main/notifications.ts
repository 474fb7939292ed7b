/**
 * Desktop notifications for scheduled runs. The owner (the app's own process or a daemon) sends `schedule.notice`
 * when a scheduled run ended and its schedule says to tell someone; main shows it with Electron's Notification,
 * which is passed in so that this is tested without Electron. Clicking one brings the window forward.
 */
import type { NotificationConstructorOptions } from 'electron';
import type { ScheduleNotice } from '../../shared/contract/schedules.js';

/** What this module uses of a shown notification. */
export interface ShownNotification {
  show(): void;
  on(event: 'click' | 'close', listener: () => void): unknown;
}

/** What this module uses of Electron's Notification class. */
export interface NotificationClass {
  new (options: NotificationConstructorOptions): ShownNotification;
  isSupported(): boolean;
}

export interface NoticeOptions {
  /** Someone clicked the notification (the desktop app focuses its window). */
  onClick?(notice: ScheduleNotice): void;
}

/**
 * Notifications kept referenced until closed or clicked: Electron drops the click of one that was garbage collected.
 * Past this many the oldest is let go (the desktop keeps showing it); more costs a little memory per notice.
 */
export const KEPT_NOTIFICATIONS = 20;

/** The event's payload as the contract says, checked by hand: it comes from another process. */
function asNotice(payload: unknown): ScheduleNotice | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as Record<string, unknown>;
  const strings = ['scheduleId', 'runId', 'status', 'title', 'body'] as const;
  if (!strings.every((key) => typeof p[key] === 'string')) return null;
  return { scheduleId: p.scheduleId as string, runId: p.runId as string, status: p.status as string, title: p.title as string, body: p.body as string };
}

/**
 * A listener for the owner's events (owner-session.ts host.subscribe): shows one notification for each
 * `schedule.notice`, where the platform supports them, and ignores every other event. `notificationClass` is asked
 * for at the first notice, not before, so that loading the app never depends on it.
 */
export function scheduleNoticeListener(notificationClass: () => NotificationClass, options: NoticeOptions = {}): (event: string, payload: unknown) => void {
  const kept = new Set<ShownNotification>();
  return (event, payload) => {
    if (event !== 'schedule.notice') return;
    const notice = asNotice(payload);
    if (!notice) return;
    const Notification = notificationClass();
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: notice.title, body: notice.body });
    const forget = (): void => void kept.delete(notification);
    notification.on('click', () => {
      forget();
      options.onClick?.(notice);
    });
    notification.on('close', forget);
    if (kept.size >= KEPT_NOTIFICATIONS) {
      const oldest = kept.values().next().value;
      if (oldest) kept.delete(oldest);
    }
    kept.add(notification);
    notification.show();
  };
}
