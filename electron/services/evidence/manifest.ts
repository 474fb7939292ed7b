/**
 * manifest.json: what a bundle holds and how it was made, signed. The signature is over the canonical JSON of the
 * manifest without its `signature` field; the file itself is that same value written with sorted keys and two-space
 * indentation, so it reads well and still has exactly one form (verify rewrites it and compares the bytes).
 */
import type { EvidenceFile, EvidenceKey, EvidenceSelector } from '../../../shared/contract/evidence.js';
import { canonicalJson, sortedKeys } from './canonical-json.js';

export const MANIFEST_FILE = 'manifest.json';
export const EVENTS_FILE = 'events.jsonl';
export const REPORT_FILE = 'report.md';
export const FORMAT = 'opsdeck-evidence';
export const FORMAT_VERSION = 1;

export interface Manifest {
  format: typeof FORMAT;
  formatVersion: typeof FORMAT_VERSION;
  exportId: string;
  createdAt: string;
  app: { name: 'opsdeck'; version: string };
  /** The database's schema version (PRAGMA user_version) the history was read from. */
  schemaVersion: number;
  device: { id: string; key: EvidenceKey };
  /** As asked, with the run's full id and the range's end filled in. */
  selector: EvidenceSelector;
  files: EvidenceFile[];
  counts: { runs: number; events: number; attempts: number; notes: number };
  /** The runs exported, oldest first. */
  runs: string[];
  /** Null when events.jsonl was not written (--format md). */
  chain: { algorithm: 'sha256'; genesis: string; events: number; lastHash: string } | null;
  /** How to read the bundle: what was recorded as it was, and what was left out. */
  notes: string[];
  signature: { algorithm: 'Ed25519'; value: string };
}

export type UnsignedManifest = Omit<Manifest, 'signature'>;

/** The bytes the signature covers. */
export function signedBytes(manifest: UnsignedManifest | Manifest): string {
  const { signature: _signature, ...rest } = manifest as Manifest;
  return canonicalJson(rest);
}

/** The file's text: sorted keys, two-space indentation, a final newline. */
export function manifestText(manifest: unknown): string {
  return `${JSON.stringify(sortedKeys(manifest), null, 2)}\n`;
}

export function signManifest(manifest: UnsignedManifest, sign: (data: string) => string): Manifest {
  return { ...manifest, signature: { algorithm: 'Ed25519', value: sign(signedBytes(manifest)) } };
}
