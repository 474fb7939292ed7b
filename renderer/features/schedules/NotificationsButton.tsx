import { useState } from 'react';
import { errorMessage } from '../../components/error-message.js';
import { toast } from '../../stores/toast-store.js';

/**
 * In a browser, scheduled runs notify through the Notification API only once the user allowed it: this offers to
 * ask. In the desktop app the main process notifies, so nothing is shown.
 */
export function NotificationsButton() {
  const supported = typeof Notification !== 'undefined' && !window.opsdeck;
  const [permission, setPermission] = useState<NotificationPermission>(() => (supported ? Notification.permission : 'denied'));
  if (!supported) return null;
  if (permission === 'granted') {
    return (
      <span className="muted small" data-testid="notifications-state" data-permission={permission}>
        Desktop notifications on
      </span>
    );
  }
  if (permission === 'denied') {
    return (
      <span className="muted small" data-testid="notifications-state" data-permission={permission} title="Allow notifications for this page in the browser's site settings">
        Desktop notifications blocked
      </span>
    );
  }
  return (
    <button
      type="button"
      className="btn btn-small"
      data-testid="notifications-enable"
      onClick={() => {
        Notification.requestPermission()
          .then(setPermission)
          .catch((error: unknown) => toast.error(errorMessage(error)));
      }}
    >
      Enable desktop notifications
    </button>
  );
}
