/**
 * The hash chain of events.jsonl: each line is one event in canonical JSON carrying its `seq` (1, 2, ...) and `prev`,
 * the SHA-256 (hex) of the line before it as written (its UTF-8 bytes, without the newline); the first line's `prev` is
 * the genesis hash of the export's id. The manifest, which is signed, names the export id and the last line's hash,
 * so a line changed, removed, added or moved anywhere breaks the chain at a line that can be named.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_PREFIX = 'opsdeck-evidence-genesis:';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The `prev` of an export's first event. */
export function genesisHash(exportId: string): string {
  return sha256Hex(`${GENESIS_PREFIX}${exportId}`);
}

export interface Chain {
  /** The event as its line (no newline), numbered and linked to the line before. */
  line(event: Record<string, unknown>): string;
  /** How many lines so far. */
  count(): number;
  /** The hash of the last line (the genesis hash before any). */
  last(): string;
}

export function createChain(exportId: string): Chain {
  let prev = genesisHash(exportId);
  let seq = 0;
  return {
    line(event) {
      if ('seq' in event || 'prev' in event) throw new Error('an event sets neither seq nor prev: the chain does');
      seq += 1;
      const text = canonicalJson({ ...event, seq, prev });
      prev = sha256Hex(text);
      return text;
    },
    count: () => seq,
    last: () => prev,
  };
}
