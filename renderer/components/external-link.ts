/**
 * The renderer's side of the house's one link rule: only http(s) links, without credentials in them, may be opened
 * (in a new window; Electron hands those to the OS browser through its own allowlist). Terminal links go through it.
 */

/** Longer than any link a terminal has reason to show; shorter than what some OS handlers choke on. */
const MAX_LINK_LENGTH = 8192;

export function safeExternalUrl(raw: string): URL | null {
  if (raw.length === 0 || raw.length > MAX_LINK_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  // Credentials in a link are a classic disguise (`https://bank.example@evil.example/`).
  if (url.username !== '' || url.password !== '') return null;
  return url;
}
