/**
 * Evidence export in the contract: a bundle of runs (events.jsonl, report.md, manifest.json) written by the owner into
 * a new directory, each event chained to the one before by its hash and the manifest signed with this device's
 * Ed25519 key; and the check of such a bundle, which needs nothing but the bundle.
 */
import { z } from 'zod';
import { Id } from './schemas.js';

const Instant = z.string().datetime({ offset: true });

/** Which runs: one run (its id or a unique id prefix), or the runs started in a time range, optionally narrowed. */
export const EvidenceSelector = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run'), runId: Id }).strict(),
  z
    .object({
      kind: z.literal('range'),
      /** Runs started at or after this instant... */
      since: Instant,
      /** ...and before this one (default: when the export starts). */
      until: Instant.optional(),
      runbookId: Id.optional(),
      /** Only runs whose target was this inventory host or that ran a step on it. */
      host: z.string().min(1).max(200).optional(),
    })
    .strict(),
]);
export type EvidenceSelector = z.infer<typeof EvidenceSelector>;

export const EvidenceFormat = z.enum(['jsonl', 'md', 'both']);
export type EvidenceFormat = z.infer<typeof EvidenceFormat>;

/** This device's signing key, public half: what Settings shows and every bundle carries. */
export const EvidenceKey = z.object({
  algorithm: z.literal('Ed25519'),
  /** SPKI, PEM. */
  publicKey: z.string(),
  /** `SHA256:` and the unpadded base64 of the SHA-256 of the key's DER (SPKI) bytes. */
  fingerprint: z.string(),
});
export type EvidenceKey = z.infer<typeof EvidenceKey>;

export const EvidenceFile = z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() });
export type EvidenceFile = z.infer<typeof EvidenceFile>;

export const ExportSummary = z.object({
  dir: z.string(),
  exportId: Id,
  runs: z.number().int(),
  events: z.number().int(),
  files: z.array(EvidenceFile),
  /** The hash of events.jsonl's last line (null without events.jsonl). */
  lastHash: z.string().nullable(),
  key: EvidenceKey,
});
export type ExportSummary = z.infer<typeof ExportSummary>;

/** The first thing in a bundle that does not match comes first. `line` is 1-based, where one can be named. */
export const VerifyProblem = z.object({ file: z.string(), line: z.number().int().nullable(), message: z.string() });
export type VerifyProblem = z.infer<typeof VerifyProblem>;

export const VerifyReport = z.object({
  ok: z.boolean(),
  problems: z.array(VerifyProblem),
  exportId: z.string().nullable(),
  deviceId: z.string().nullable(),
  /** The key the bundle says signed it (compare its fingerprint with the device's own). */
  key: EvidenceKey.nullable(),
  files: z.number().int(),
  events: z.number().int(),
});
export type VerifyReport = z.infer<typeof VerifyReport>;

export const evidenceMethods = {
  /**
   * Writes a bundle into `output` (an absolute path; refused with `conflict` when it exists and is not empty), built in
   * a directory beside it and renamed into place at the end, so a failure leaves no half bundle.
   */
  'evidence.export': {
    input: z.object({ selector: EvidenceSelector, output: z.string().min(1).max(4096), format: EvidenceFormat.optional() }).strict(),
    output: ExportSummary,
  },
  /** This device's public key (made on first use). */
  'evidence.publicKey': { input: z.object({}).strict(), output: EvidenceKey },
  /** Checks a bundle (an absolute path): file hashes, the chain of events and the manifest's signature. */
  'evidence.verify': { input: z.object({ dir: z.string().min(1).max(4096) }).strict(), output: VerifyReport },
} as const;

export const evidenceEvents = {
  /** An export is this far along (`done` of `total` runs); the last one has done === total. */
  'evidence.progress': z.object({ exportId: Id, output: z.string(), done: z.number().int().min(0), total: z.number().int().min(0) }),
} as const;
