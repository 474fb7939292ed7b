/**
 * Stable ids for sections and steps: the same content at the same place gets the same id on every re-import, so
 * history, notes and remembered parameter values stay attached when a runbook file is edited elsewhere.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/** 16 hex chars (64 bits): collisions within one document are out of reach. */
export function shortHash(...parts: string[]): string {
  return bytesToHex(sha256(utf8ToBytes(parts.join('\u0000')))).slice(0, 16);
}

/** Hands out ids from a key, numbering repeats so that two identical steps in one section still differ. */
export function createIdAllocator(prefix: string): (key: string) => string {
  const seen = new Map<string, number>();
  return (key: string) => {
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return `${prefix}${shortHash(key, String(n))}`;
  };
}
