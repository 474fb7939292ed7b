/**
 * The seams of the SSH layer: what the connection pool needs from host-key trust (trust.ts) and from the person at
 * the keyboard (prompts), the host as resolved from the inventory and ~/.ssh/config, and what callers get back.
 * Kept in a file of their own so trust, prompts and the pool depend on these shapes, not on each other.
 */
import type { RemoteEndpoint } from '../../../shared/contract/hosts.js';

export interface HostKeyTarget {
  /** The name used to connect: the inventory name, or the HostName. */
  host: string;
  /** What the socket connected to. */
  address: string;
  port: number;
  /** The raw host key blob the server offered during key exchange. */
  key: Buffer;
}

export type HostKeyVerdict =
  | { ok: true; keyType: string; fingerprint: string }
  | { ok: false; reason: 'changed' | 'revoked' | 'refused'; message: string; keyType: string; fingerprint: string };

export interface HostKeyVerifier {
  verify(target: HostKeyTarget): Promise<HostKeyVerdict>;
}

/** Questions for the user; null means they declined (or nobody answered). */
export interface AuthPrompts {
  passphrase(host: string, keyFile: string, retry: boolean): Promise<string | null>;
  password(host: string, user: string, retry: boolean): Promise<string | null>;
  keyboardInteractive(host: string, name: string, instructions: string, prompts: Array<{ prompt: string; echo: boolean }>): Promise<string[] | null>;
}

/** A host ready to connect to: every ssh_config default applied, `jump` hops resolved the same way, in order. */
export interface ResolvedHost {
  name: string;
  address: string;
  port: number;
  user: string;
  /** `~` allowed; null: the default keys (~/.ssh/id_ed25519, id_ecdsa, id_rsa) that exist. */
  identityFile: string | null;
  /** Agent socket; null: the pool's default (SSH_AUTH_SOCK). */
  identityAgent: string | null;
  forwardAgent: boolean;
  jump: ResolvedHost[];
}

export type RemoteStream = 'stdout' | 'stderr';

export interface RemoteExecOptions {
  /** Set with `export NAME='value'` before the command (see remote-exec.ts); names must be shell identifiers. */
  env?: Record<string, string>;
  timeoutMs: number;
  onOutput(stream: RemoteStream, data: string): void;
  /** The server accepted the command and runs it (not called if it never started). */
  onStarted?(): void;
}

/** Mirrors local-exec's ExecExit, plus whether the connection went away under the command. */
export interface RemoteExit {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  connectionLost: boolean;
}

export interface RemoteExecHandle {
  cancel(): void;
  /**
   * Stops reading the command's output (flow control): the channel's buffers and SSH window fill and the remote
   * command blocks on its next write. Ignored once the command has exited (or the connection is gone), so what is
   * left is read and the command can end.
   */
  pause(): void;
  /** Reads the output again. */
  resume(): void;
  readonly exited: Promise<RemoteExit>;
}

export interface SshConnection {
  readonly endpoint: RemoteEndpoint;
  exec(command: string, opts: RemoteExecOptions): RemoteExecHandle;
  /** An interactive shell (pty) on this connection, for terminals. */
  shell(opts: ShellOptions): Promise<ShellChannel>;
  /** Ends the pooled connection for all its users (running commands report connectionLost); the next connect makes a new one. */
  close(): void;
  /** How many commands started on a session channel opened ahead, one round trip sooner (session-ahead.ts). */
  readonly startedAhead: number;
}

export interface SshPool {
  connect(host: ResolvedHost): Promise<SshConnection>;
  /**
   * The pooled connection to `host` if it is up now, else null. Synchronous, so a step on a warm connection sends
   * its channel open before anything else runs: recording the step's start then overlaps the network round trip.
   */
  connected(host: ResolvedHost): SshConnection | null;
  dispose(): Promise<void>;
}

/** Why a connection failed, for callers that react differently (offer to review a host key, re-ask a secret). */
export type SshErrorKind = 'host-key' | 'auth' | 'timeout' | 'network' | 'disposed';

/** An interactive shell on a host: a pty channel (TERM xterm-256color), resizable, with backpressure. */
export interface ShellChannel {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  onData(listener: (data: Buffer) => void): void;
  onExit(listener: (exitCode: number | null, signal: string | null) => void): void;
  /** Stop reading from the server (SSH window fills, the remote program blocks) until resume(). */
  pause(): void;
  resume(): void;
  close(): void;
}

export interface ShellOptions {
  cols: number;
  rows: number;
  term?: string;
}
