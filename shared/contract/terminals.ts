/**
 * Terminals in the contract: local shells (node-pty) and SSH shells over the pooled connection, their data as
 * events, keystrokes and resizes as calls, and the acknowledgements that drive flow control end to end.
 */
import { z } from 'zod';
import { HostName } from './hosts.js';

export const TermSize = z.object({ cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) });

export const TermOpen = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local'), cwd: z.string().max(4096).optional(), ...TermSize.shape }).strict(),
  z.object({ kind: z.literal('ssh'), host: HostName, ...TermSize.shape }).strict(),
]);
export type TermOpen = z.infer<typeof TermOpen>;

export const TermInfo = z.object({
  id: z.string(),
  kind: z.enum(['local', 'ssh']),
  title: z.string(),
  /** The run whose history receives the transcript, when recording is on. */
  recordingRunId: z.string().nullable(),
  exited: z.boolean(),
  /** When it was opened (ISO 8601). */
  openedAt: z.string(),
  /** Windows showing it now (browser tabs, desktop windows), as they last told the owner (`term.view`). */
  windows: z.number().int().min(0),
  /** Since when no window shows it (ISO 8601): the last window let go of it then, or none ever showed it; null while one does. */
  unwatchedSince: z.string().nullable(),
  /** When the owner will close it for having been left with no window (ISO 8601); null while a window shows it. */
  closesAt: z.string().nullable(),
});
export type TermInfo = z.infer<typeof TermInfo>;

/**
 * A batch of a terminal's output: UTF-8 bytes, never ending inside a character, handed to xterm.js as they are (it
 * decodes them). Bytes, not a string, so neither side decodes, escapes or re-encodes megabytes of output; the web
 * host sends it as a binary WebSocket frame (wire.ts), Electron's IPC as a Uint8Array.
 */
export const TermData = z.object({ id: z.string(), data: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes') });
export type TermData = z.infer<typeof TermData>;

/** What a window redraws on attaching to a running terminal: escape sequences to write before any later output. */
export const TermSnapshot = z.object({ data: z.string(), ...TermSize.shape });
export type TermSnapshot = z.infer<typeof TermSnapshot>;

export const TermExit = z.object({ id: z.string(), exitCode: z.number().int().nullable(), signal: z.string().nullable() });
export type TermExit = z.infer<typeof TermExit>;
