/**
 * Searching the recorded history in the contract: full-text search (`history.search`) and a filtered listing of runs
 * (`history.list`), both narrowed by the same filters, and the state of the index that existing history is added to
 * after an upgrade (`history.indexStatus`, event `search.progress`). The owner answers from SQLite FTS5 indexes.
 */
import { z } from 'zod';
import { Id, OutputStream, Run, RunStatus } from './schemas.js';

const Instant = z.string().datetime({ offset: true });

/** Narrow runs by how they ran. Every filter given must hold (AND); a list matches any of its values. */
export const HistoryFilters = z
  .object({
    runbookId: Id.optional(),
    /** A section's id, or its title (case-insensitive, exact). */
    section: z.string().min(1).max(500).optional(),
    /** A host or a tag: the run's target names it, or one of its steps ran on that host. */
    host: z.string().min(1).max(200).optional(),
    operator: z.string().min(1).max(100).optional(),
    deviceId: Id.optional(),
    status: z.array(RunStatus).min(1).max(RunStatus.options.length).optional(),
    origin: z.array(z.enum(['ui', 'cli', 'schedule'])).min(1).max(3).optional(),
    /**
     * A step exited with this code: for a match in an attempt's output, command or title, that attempt; for any
     * other match (a note, a run's title) and in `history.list`, any attempt of the run.
     */
    exitCode: z.number().int().min(-2_147_483_648).max(2_147_483_647).optional(),
    /** Runs started at or after this instant... */
    since: Instant.optional(),
    /** ...and before this one. */
    until: Instant.optional(),
  })
  .strict();
export type HistoryFilters = z.infer<typeof HistoryFilters>;

/** Where a match is: a step's output, a command as it ran, a note, a title (step, section, runbook), a host or tag, the runbook's path. */
export const SearchWhere = z.enum(['output', 'command', 'note', 'title', 'host', 'path']);
export type SearchWhere = z.infer<typeof SearchWhere>;

/**
 * How much of the recorded history the index holds: all of it, but for what was appended in the last few ms and,
 * after an upgrade, the older history it is still taking in.
 */
export const SearchIndexStatus = z.object({
  complete: z.boolean(),
  /** Records (runs, their events, output chunks) indexed so far, of `total` recorded. */
  indexed: z.number().int().min(0),
  total: z.number().int().min(0),
});
export type SearchIndexStatus = z.infer<typeof SearchIndexStatus>;

export const SearchHit = z.object({
  run: Run,
  where: SearchWhere,
  /**
   * The matched text around the match, on one or a few lines, with each match between U+0002 and U+0003 (render
   * the text between as highlighted; there are no other control characters, no escape sequences). `…` marks a cut.
   */
  snippet: z.string(),
  /** bm25: lower is a better match. Hits are ordered by it, then newest first. */
  score: z.number(),
  /** When the matched text was recorded. */
  at: z.string(),
  stepId: z.string().nullable(),
  /** The step's title (with its caption), as in the run's version; null for a run's own records and terminal recordings. */
  stepTitle: z.string().nullable(),
  /** The attempt (or terminal recording) whose output, command or title matched. */
  attemptId: z.string().nullable(),
  /** `output`: the chunk's number in the attempt's output; `runs.output` with afterSeq = seq - 1 starts at it. */
  seq: z.number().int().nullable(),
  stream: OutputStream.nullable(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchRequest = z
  .object({
    /** Words (all must occur in one record), "a phrase", a prefix with a trailing * (`restar*`); see search/query.ts. */
    query: z.string().min(1).max(1000),
    filters: HistoryFilters.optional(),
    limit: z.number().int().min(1).max(100).optional(),
    /** Results to skip (the pages before); ranked results page by offset. */
    offset: z.number().int().min(0).max(1000).optional(),
  })
  .strict();

export const SearchResponse = z.object({
  hits: z.array(SearchHit),
  /** More hits follow this page. */
  more: z.boolean(),
  /**
   * The query matched more than the owner ranks in one search: hits are the best among the newest matches (the
   * limit is in search-service.ts). Narrow the query or add filters to rank older ones.
   */
  capped: z.boolean(),
  /** Incomplete: older history is still being indexed (after an upgrade) and may be missing from the hits. */
  index: SearchIndexStatus,
});
export type SearchResponse = z.infer<typeof SearchResponse>;

/** A page of `history.list` ends at this run; the next page starts after it. */
export const HistoryCursor = z.object({ startedAt: z.string(), id: Id }).strict();
export type HistoryCursor = z.infer<typeof HistoryCursor>;

export const searchMethods = {
  'history.search': { input: SearchRequest, output: SearchResponse },
  /** Runs matching the filters, newest first, a page at a time (no query: every run that matches). */
  'history.list': {
    input: z.object({ filters: HistoryFilters.optional(), limit: z.number().int().min(1).max(500).optional(), after: HistoryCursor.optional() }).strict(),
    output: z.object({ runs: z.array(Run), next: HistoryCursor.nullable() }),
  },
  'history.indexStatus': { input: z.object({}).strict(), output: SearchIndexStatus },
} as const;

export const searchEvents = {
  /** A long catch-up of the index (older history after an upgrade) is this far along: every few hundred ms, and once complete. */
  'search.progress': SearchIndexStatus,
} as const;
