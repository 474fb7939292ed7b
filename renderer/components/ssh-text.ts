/**
 * How SSH facts read in the UI, the way OpenSSH prints them: key types as `ED25519`/`ECDSA`/`RSA`, fingerprints as
 * `SHA256:…` (shortened where space is tight), and where a remote attempt ran.
 */
import type { RemoteEndpoint } from '../../shared/contract/hosts.js';

/** `ssh-ed25519` -> `ED25519`, `ecdsa-sha2-nistp256` -> `ECDSA`, `ssh-rsa`/`rsa-sha2-512` -> `RSA`. */
export function keyTypeLabel(keyType: string): string {
  const type = keyType.toLowerCase();
  if (type.includes('ed25519')) return 'ED25519';
  if (type.includes('ed448')) return 'ED448';
  if (type.includes('ecdsa')) return 'ECDSA';
  if (type.includes('rsa')) return 'RSA';
  if (type.includes('dss') || type.includes('dsa')) return 'DSA';
  return keyType.replace(/^ssh-/, '').toUpperCase();
}

/**
 * Enough of a fingerprint to tell keys apart at a glance (12 base64 characters, 72 bits); the full one is in the
 * tooltip and the dialogs, where it is compared character by character.
 */
const SHORT_FINGERPRINT_CHARS = 12;

export function shortFingerprint(fingerprint: string): string {
  const match = /^(SHA256:|MD5:)?(.*)$/s.exec(fingerprint);
  const prefix = match?.[1] ?? '';
  const body = match?.[2] ?? fingerprint;
  return body.length > SHORT_FINGERPRINT_CHARS ? `${prefix}${body.slice(0, SHORT_FINGERPRINT_CHARS)}…` : fingerprint;
}

/** `on web-1 (deploy@10.0.0.5, ED25519 SHA256:AbCdEf012345…)`; just `on web-1` before the connection was made. */
export function describeRemote(host: string, endpoint: RemoteEndpoint | null): string {
  if (!endpoint) return `on ${host}`;
  const port = endpoint.port === 22 ? '' : `:${endpoint.port}`;
  return `on ${host} (${endpoint.user}@${endpoint.address}${port}, ${keyTypeLabel(endpoint.keyType)} ${shortFingerprint(endpoint.fingerprint)})`;
}
