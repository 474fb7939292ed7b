/**
 * Electron's security checklist in one place: no permissions, no navigation away from our page, no new windows,
 * a strict CSP, and one allowlist (http and https only) for the links we hand to the OS.
 */
import { shell, type Session, type WebContents } from 'electron';

/** The renderer loads only its own files; inline styles are allowed because components set style attributes. */
export const APP_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const EXTERNAL_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:']);
/** Longer than any link a runbook has reason to hold; shorter than what some OS handlers choke on. */
const MAX_EXTERNAL_URL_LENGTH = 8192;

/** The parsed URL when `raw` may be given to the OS to open, else null. */
export function safeExternalUrl(raw: unknown): URL | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_EXTERNAL_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!EXTERNAL_PROTOCOLS.has(url.protocol) || url.hostname === '') return null;
  // Credentials in a link are a classic disguise (`https://bank.example@evil.example/`).
  if (url.username !== '' || url.password !== '') return null;
  return url;
}

/** Opens an http(s) link in the user's browser; anything else is refused. Resolves to whether it was opened. */
export async function openExternalSafely(raw: unknown): Promise<boolean> {
  const url = safeExternalUrl(raw);
  if (!url) return false;
  try {
    await shell.openExternal(url.href);
    return true;
  } catch {
    return false;
  }
}

/** Denies every permission (camera, notifications, clipboard reads, ...): Opsdeck needs none. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders = { ...details.responseHeaders };
    for (const name of Object.keys(responseHeaders)) {
      if (name.toLowerCase() === 'content-security-policy') delete responseHeaders[name];
    }
    responseHeaders['Content-Security-Policy'] = [APP_CSP];
    callback({ responseHeaders });
  });
}

/** True when `raw` is our own page (a different hash or query is still our page). */
export function isAppUrl(raw: string, appIndexUrl: string): boolean {
  try {
    const url = new URL(raw);
    const app = new URL(appIndexUrl);
    return url.protocol === 'file:' && app.protocol === 'file:' && url.host === app.host && url.pathname === app.pathname;
  } catch {
    return false;
  }
}

/**
 * Keeps a web contents on our page: navigation elsewhere is prevented (an http(s) link opens in the browser
 * instead), new windows are denied, and <webview> cannot be attached.
 */
export function hardenWebContents(contents: WebContents, appIndexUrl: string): void {
  const keepOnApp = (event: { url: string; preventDefault(): void }): void => {
    if (isAppUrl(event.url, appIndexUrl)) return;
    event.preventDefault();
    void openExternalSafely(event.url);
  };
  contents.on('will-navigate', (event) => keepOnApp(event));
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url, appIndexUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    void openExternalSafely(url);
    return { action: 'deny' };
  });
}
