/**
 * Reads OpenSSH known_hosts text (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT") so Opsdeck trusts what the user's own ssh
 * already trusts: plain, wildcard, negated, `[host]:port` and hashed host fields, `@revoked` and `@cert-authority`.
 * Read-only by design: Opsdeck keeps the keys it accepts in its own store and never writes these files.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type KnownHostMarker = 'revoked' | 'cert-authority';

/** The host field: a comma-separated pattern list as written, or one `|1|salt|hash` (HMAC-SHA1) entry. */
export type KnownHostNames = { kind: 'patterns'; patterns: string[] } | { kind: 'hashed'; salt: Buffer; hash: Buffer };

export interface KnownHostEntry {
  /** The file (or other label) the text came from, for messages such as "remove line 3 of ~/.ssh/known_hosts". */
  source: string;
  /** 1-based. */
  line: number;
  marker: KnownHostMarker | null;
  /** The host field as written. */
  hostField: string;
  hosts: KnownHostNames;
  keyType: string;
  /** Base64 as written. */
  key: string;
  keyBlob: Buffer;
  comment: string;
}

export interface KnownHostsProblem {
  source: string;
  line: number;
  message: string;
}

/** HMAC-SHA1 output and salt length: OpenSSH rejects hashed entries whose salt or hash is any other size. */
const SHA1_BYTES = 20;
/** Longest key type name we accept inside a key blob; real ones are < 50 chars, so this only rejects garbage. */
const MAX_KEY_TYPE_LENGTH = 64;

const LINE_RE = /^(?:(@\S+)[ \t]+)?(\S+)[ \t]+(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const HASHED_RE = /^\|1\|([A-Za-z0-9+/]+={0,2})\|([A-Za-z0-9+/]+={0,2})$/;

/**
 * Parses known_hosts text. Never throws: a line that cannot be read is left out, and said why in `problems` when the
 * caller passes a list to collect them in.
 */
export function parseKnownHosts(text: string, source: string, problems?: KnownHostsProblem[]): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parsed = parseLine(line);
    if (typeof parsed === 'string') problems?.push({ source, line: i + 1, message: parsed });
    else entries.push({ source, line: i + 1, ...parsed });
  });
  return entries;
}

type ParsedLine = Omit<KnownHostEntry, 'source' | 'line'>;

/** One non-comment line, or why it cannot be used. */
function parseLine(line: string): ParsedLine | string {
  const m = LINE_RE.exec(line);
  if (!m) return 'expected [marker] hosts key-type base64-key [comment]';
  const [, markerText, hostField = '', keyType = '', key = '', comment = ''] = m;
  let marker: KnownHostMarker | null = null;
  if (markerText !== undefined) {
    if (markerText === '@revoked') marker = 'revoked';
    else if (markerText === '@cert-authority') marker = 'cert-authority';
    else return `unknown marker ${markerText} (only @revoked and @cert-authority exist)`;
  }
  if (/^\d+$/.test(keyType)) return 'an SSH-1 RSA key (bits, exponent, modulus): not supported';
  const hosts = parseHostField(hostField);
  if (typeof hosts === 'string') return hosts;
  if (!BASE64_RE.test(key)) return `the key of type ${keyType} is not base64`;
  const keyBlob = Buffer.from(key, 'base64');
  const inner = keyTypeOf(keyBlob);
  if (inner === null) return `the ${keyType} key does not decode to an SSH public key`;
  if (inner !== keyType) return `the line says ${keyType} but the key inside is ${inner}`;
  return { marker, hostField, hosts, keyType, key, keyBlob, comment: comment.trim() };
}

function parseHostField(field: string): KnownHostNames | string {
  if (field.startsWith('|')) {
    const m = HASHED_RE.exec(field);
    if (!m) return 'a hashed host field must look like |1|base64-salt|base64-hash';
    const salt = Buffer.from(m[1] ?? '', 'base64');
    const hash = Buffer.from(m[2] ?? '', 'base64');
    if (salt.length !== SHA1_BYTES || hash.length !== SHA1_BYTES) return `a hashed host's salt and hash must be ${SHA1_BYTES} bytes`;
    return { kind: 'hashed', salt, hash };
  }
  const patterns = field.split(',').filter((p) => p !== '' && p !== '!');
  if (patterns.length === 0) return 'no host names before the key';
  return { kind: 'patterns', patterns };
}

/** The string ssh looks hosts up by: `host` on port 22, else `[host]:port`; lowercase, as OpenSSH does. */
export function hostPortString(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/**
 * Whether an entry names this host on this port. As in OpenSSH: a negated pattern that matches excludes the host
 * whatever else matches; otherwise one matching pattern suffices. A non-22 port only matches `[host]:port` patterns
 * (or wildcards that cover that string, such as `*`).
 */
export function matchHost(entry: Pick<KnownHostEntry, 'hosts'>, host: string, port: number): boolean {
  const subject = hostPortString(host, port);
  const names = entry.hosts;
  if (names.kind === 'hashed') {
    const mac = createHmac('sha1', names.salt).update(subject).digest();
    return mac.length === names.hash.length && timingSafeEqual(mac, names.hash);
  }
  let matched = false;
  for (const pattern of names.patterns) {
    const negated = pattern.startsWith('!');
    const body = (negated ? pattern.slice(1) : pattern).toLowerCase();
    if (!wildcardMatch(body, subject)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `*` is any run of characters (even none), `?` exactly one; everything else literal. Iterative, no regex. */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let starText = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '?' || (pc !== undefined && pc !== '*' && pc === text[t])) {
      p++;
      t++;
    } else if (pc === '*') {
      star = p++;
      starText = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** `SHA256:` and the unpadded base64 of the blob's SHA-256, exactly as `ssh-keygen -l` prints it. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH public key blob (`ssh-ed25519`, ...), or null if it is not one. */
export function keyTypeOf(keyBlob: Buffer): string | null {
  if (keyBlob.length < 4) return null;
  const length = keyBlob.readUInt32BE(0);
  if (length === 0 || length > MAX_KEY_TYPE_LENGTH || length > keyBlob.length - 4) return null;
  const type = keyBlob.subarray(4, 4 + length).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : null;
}

/** A known_hosts line as `ssh` would add it (unhashed). Throws on a host or key that would make a broken line. */
export function formatKnownHostsLine(host: string, port: number, keyType: string, keyBase64: string): string {
  if (host === '' || /[\s,]/.test(host) || host.startsWith('|') || host.startsWith('@')) throw new Error(`not a host name for known_hosts: ${JSON.stringify(host)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a port: ${port}`);
  if (!/^\S+$/.test(keyType) || !BASE64_RE.test(keyBase64)) throw new Error('key type or base64 key is malformed');
  return `${hostPortString(host, port)} ${keyType} ${keyBase64}`;
}
