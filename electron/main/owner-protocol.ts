/**
 * What Electron's main process and the owner's utility process (owner-process.ts) say to each other over Electron's
 * parentPort: the child says where its socket is, or in one line why it could not own the data; main asks it to
 * close. The child also asks main's OS keychain to encrypt and decrypt (owner-keychain.ts). Plain data and no
 * Electron import, so each end is tested on its own and the two cannot drift apart.
 */
import type { OwnerInfo } from '../services/store/owner-lock.js';

/** The utility process's bundle, beside main.cjs in dist/electron/. */
export const OWNER_PROCESS_FILE = 'owner-process.cjs';

/** From the utility process to main. */
export type OwnerProcessMessage =
  /** The host is up; clients (main first) connect to `socket`. */
  | { kind: 'ready'; socket: string }
  /** Another process holds the data directory (`owner` is null while it is still starting): main looks again. */
  | { kind: 'busy'; owner: OwnerInfo | null }
  /** The host could not start; `message` is one line, for the user. */
  | { kind: 'failed'; message: string }
  /** Answer to `close`: the host is closed (runs recorded as interrupted, database closed, lock released). */
  | { kind: 'closed' }
  | KeychainRequest;

/** What the utility process asks of main's OS keychain (safeStorage), which exists only in main. */
export type KeychainOp = 'available' | 'encrypt' | 'decrypt';

/** `data`: the plain text for `encrypt`, base64 of the sealed bytes for `decrypt`, '' for `available`. */
export interface KeychainRequest {
  kind: 'keychain';
  id: number;
  op: KeychainOp;
  data: string;
}

/** Main's answer to the request with the same `id`: `value` is a boolean for `available`, else a string (base64 for `encrypt`). */
export type KeychainResult =
  | { kind: 'keychain-result'; id: number; ok: true; value: boolean | string }
  | { kind: 'keychain-result'; id: number; ok: false; message: string };

/** From main to the utility process. */
export type MainMessage = { kind: 'close' } | KeychainResult;

export interface OwnerProcessConfig {
  dataDir: string;
  version: string;
  /** Main's pid: the utility process closes the host if main is gone, rather than hold the data with no window. */
  mainPid: number;
}

const DATA_DIR = '--opsdeck-data-dir=';
const VERSION = '--opsdeck-version=';
const MAIN_PID = '--opsdeck-main-pid=';

/** The utility process's arguments: main decides the data directory and version (app.getVersion is main's). */
export function ownerProcessArgs(config: OwnerProcessConfig): string[] {
  return [`${DATA_DIR}${config.dataDir}`, `${VERSION}${config.version}`, `${MAIN_PID}${config.mainPid}`];
}

/** Reads `ownerProcessArgs` back from anywhere in argv (Electron may put its own switches first); null if absent. */
export function parseOwnerProcessArgs(argv: readonly string[]): OwnerProcessConfig | null {
  const value = (prefix: string): string | undefined => argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
  const dataDir = value(DATA_DIR);
  const mainPid = Number(value(MAIN_PID));
  if (!dataDir || !Number.isInteger(mainPid) || mainPid <= 0) return null;
  return { dataDir, version: value(VERSION) || '0.0.0-dev', mainPid };
}

const KEYCHAIN_OPS: ReadonlySet<KeychainOp> = new Set(['available', 'encrypt', 'decrypt']);
const isId = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The message if `value` is one the utility process sends, else null (main ignores anything else). */
export function readOwnerProcessMessage(value: unknown): OwnerProcessMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  switch (message.kind) {
    case 'ready':
      return typeof message.socket === 'string' && message.socket !== '' ? { kind: 'ready', socket: message.socket } : null;
    case 'busy':
      return { kind: 'busy', owner: typeof message.owner === 'object' && message.owner !== null ? (message.owner as OwnerInfo) : null };
    case 'failed':
      return { kind: 'failed', message: typeof message.message === 'string' && message.message !== '' ? message.message : 'the owner process failed to start' };
    case 'closed':
      return { kind: 'closed' };
    case 'keychain':
      return isId(message.id) && KEYCHAIN_OPS.has(message.op as KeychainOp) && typeof message.data === 'string'
        ? { kind: 'keychain', id: message.id, op: message.op as KeychainOp, data: message.data }
        : null;
    default:
      return null;
  }
}

/** The message if `value` is one main sends, else null (the utility process ignores anything else). */
export function readMainMessage(value: unknown): MainMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  switch (message.kind) {
    case 'close':
      return { kind: 'close' };
    case 'keychain-result':
      if (!isId(message.id)) return null;
      if (message.ok === true) {
        return typeof message.value === 'boolean' || typeof message.value === 'string' ? { kind: 'keychain-result', id: message.id, ok: true, value: message.value } : null;
      }
      if (message.ok === false) {
        return { kind: 'keychain-result', id: message.id, ok: false, message: typeof message.message === 'string' && message.message !== '' ? message.message : 'the OS keychain failed' };
      }
      return null;
    default:
      return null;
  }
}

/** The app's owner could not be started or reached; the message is one line for the user. */
export class OwnerStartError extends Error {
  override readonly name = 'OwnerStartError';
}

/** An error as one line for a dialog: its message's first line, never a stack. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? '').trim() || 'unknown error';
}
