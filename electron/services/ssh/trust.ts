/**
 * Decides whether to trust the host key an SSH server offers, before any credential is sent: the user's known_hosts
 * files first (read fresh every time, never written), then the keys accepted in Opsdeck, then the user, asked once.
 * A changed or revoked key is refused without asking: a prompt there would teach people to click through an attack.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fingerprintSha256, keyTypeOf, matchHost, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';
import type { HostKeyTarget, HostKeyVerifier as PoolHostKeyVerifier } from './types.js';

/** Host keys accepted in Opsdeck (implemented over SQLite by the store). */
export interface TrustStore {
  find(host: string, port: number): Array<{ keyType: string; key: string; fingerprint: string }>;
  add(host: string, port: number, keyType: string, key: string, fingerprint: string): void;
  remove(host: string, port: number): number;
}

export interface HostKeyPromptRequest {
  host: string;
  address: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

export interface HostKeyVerifierDeps {
  /** Default: OpenSSH's own list, see defaultKnownHostsFiles. */
  knownHostsFiles?: string[];
  /** The file's text, or null when it does not exist. */
  readFile(path: string): Promise<string | null>;
  store: TrustStore;
  /** Ask the user about an unknown key; true to trust it from now on. */
  prompt(p: HostKeyPromptRequest): Promise<boolean>;
}

/** The name used to connect, the address the socket reached, the port, and the raw key blob ssh2 received. */
export type VerifyTarget = HostKeyTarget;

export type VerifyResult =
  | { ok: true; keyType: string; fingerprint: string; source: 'known_hosts' | 'opsdeck' | 'accepted' }
  | { ok: false; reason: 'changed' | 'revoked' | 'refused'; message: string; keyType: string; fingerprint: string };

/** The connection pool's seam (types.ts), answering also where the trust came from. */
export interface HostKeyVerifier extends PoolHostKeyVerifier {
  verify(target: VerifyTarget): Promise<VerifyResult>;
}

/** Where OpenSSH looks by default (UserKnownHostsFile, GlobalKnownHostsFile); missing files are simply skipped. */
export function defaultKnownHostsFiles(home: string): string[] {
  return [
    join(home, '.ssh', 'known_hosts'),
    join(home, '.ssh', 'known_hosts2'),
    '/etc/ssh/ssh_known_hosts',
    '/etc/ssh/ssh_known_hosts2',
  ];
}

/** A key we already know for this host, and where we know it from (for the "how to fix" part of a message). */
interface KnownKey {
  keyType: string;
  blob: Buffer;
  fingerprint: string;
  from: { kind: 'known_hosts'; file: string; line: number; name: string } | { kind: 'opsdeck'; host: string };
}

export function createHostKeyVerifier(deps: HostKeyVerifierDeps): HostKeyVerifier {
  const files = deps.knownHostsFiles ?? defaultKnownHostsFiles(homedir());

  async function readKnownHosts(): Promise<KnownHostEntry[]> {
    const all: KnownHostEntry[] = [];
    for (const file of files) {
      let text: string | null;
      try {
        text = await deps.readFile(file);
      } catch {
        // An unreadable file is treated like a missing one, as ssh does; the other sources still apply.
        text = null;
      }
      if (text !== null) all.push(...parseKnownHosts(text, file));
    }
    return all;
  }

  async function verify(target: VerifyTarget): Promise<VerifyResult> {
    const keyType = keyTypeOf(target.key) ?? 'unknown';
    const fingerprint = fingerprintSha256(target.key);
    const { port } = target;
    const names = uniqueNames(target.host, target.address);
    const entries = await readKnownHosts();

    // A revoked key is refused for every host, whatever else trusts it: a compromised key is compromised everywhere.
    const revoked = entries.find((e) => e.marker === 'revoked' && e.keyBlob.equals(target.key));
    if (revoked) {
      const message =
        `The host key ${keyType} ${fingerprint} offered by ${describe(target)} is marked @revoked ` +
        `in ${revoked.source} line ${revoked.line}. Opsdeck will not connect with a revoked key.`;
      return { ok: false, reason: 'revoked', message, keyType, fingerprint };
    }

    // Only plain entries count. A @cert-authority line trusts host *certificates* signed by that CA, but ssh2 hands us
    // the plain host key, not a certificate, so we cannot check a signature: a host covered only by a CA line is
    // unknown here, and the user is asked.
    const known: KnownKey[] = [];
    for (const e of entries) {
      const name = e.marker === null ? names.find((n) => matchHost(e, n, port)) : undefined;
      if (name === undefined) continue;
      known.push({ keyType: e.keyType, blob: e.keyBlob, fingerprint: fingerprintSha256(e.keyBlob), from: { kind: 'known_hosts', file: e.source, line: e.line, name } });
    }
    for (const name of names) {
      for (const k of deps.store.find(name, port)) {
        known.push({ keyType: k.keyType, blob: Buffer.from(k.key, 'base64'), fingerprint: k.fingerprint, from: { kind: 'opsdeck', host: name } });
      }
    }

    // An exact match anywhere wins, as in OpenSSH: a host may list several keys (one per type, or during rotation).
    const match = known.find((k) => k.blob.equals(target.key));
    if (match) return { ok: true, keyType, fingerprint, source: match.from.kind };

    if (known.length > 0) {
      return { ok: false, reason: 'changed', message: changedMessage(target, keyType, fingerprint, known), keyType, fingerprint };
    }

    let accepted: boolean;
    try {
      accepted = await deps.prompt({ host: target.host, address: target.address, port, keyType, fingerprint });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { ok: false, reason: 'refused', message: `The host key of ${describe(target)} was not accepted: ${why}`, keyType, fingerprint };
    }
    if (!accepted) {
      return { ok: false, reason: 'refused', message: `The host key ${keyType} ${fingerprint} of ${describe(target)} was not accepted.`, keyType, fingerprint };
    }
    // Under the name and the address, as OpenSSH's CheckHostIP does: other inventory names for the same server
    // then share the accepted key instead of asking again.
    deps.store.add(target.host, port, keyType, target.key.toString('base64'), fingerprint);
    if (target.address !== target.host) deps.store.add(target.address, port, keyType, target.key.toString('base64'), fingerprint);
    return { ok: true, keyType, fingerprint, source: 'accepted' };
  }

  return { verify };
}

function uniqueNames(host: string, address: string): string[] {
  return host.toLowerCase() === address.toLowerCase() ? [host] : [host, address];
}

function describe(t: VerifyTarget): string {
  const where = t.port === 22 ? t.address : `${t.address}:${t.port}`;
  return t.host === t.address ? where : `${t.host} (${where})`;
}

function changedMessage(target: VerifyTarget, keyType: string, fingerprint: string, known: KnownKey[]): string {
  const sameType = known.filter((k) => k.keyType === keyType);
  const headline =
    sameType.length > 0
      ? `WARNING: the host key of ${describe(target)} has changed.`
      : `WARNING: ${describe(target)} offered a ${keyType} key, but it is known only with other keys.`;
  const old = known.map((k) => `  ${k.keyType} ${k.fingerprint} (${whereFrom(k)})`);
  const fixes = new Set<string>();
  for (const k of known) {
    if (k.from.kind === 'opsdeck') fixes.add(`run \`opsdeck hosts forget-key ${k.from.host}\``);
    else fixes.add(`remove line ${k.from.line} from ${k.from.file} (or run \`ssh-keygen -R ${hostArg(k.from.name, target.port)} -f ${k.from.file}\`)`);
  }
  return [
    headline,
    `It now offers: ${keyType} ${fingerprint}`,
    'It was known with:',
    ...old,
    'Someone may be intercepting the connection, or the host was reinstalled or its keys replaced.',
    `Check the new fingerprint with the host's administrator. If the change is expected: ${[...fixes].join('; ')}; then connect again.`,
  ].join('\n');
}

function whereFrom(k: KnownKey): string {
  return k.from.kind === 'opsdeck' ? `accepted in Opsdeck for ${k.from.host}` : `${k.from.file} line ${k.from.line}`;
}

function hostArg(name: string, port: number): string {
  return port === 22 ? name : `'[${name}]:${port}'`;
}
