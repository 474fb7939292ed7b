/**
 * The only code that touches the search indexes (migration 007): indexing the history's rows in rowid order a batch
 * at a time (what was just appended, and at first all the history recorded before search existed), and the ranked
 * lookups behind `history.search`.
 * Search is bounded per query: each index yields at most CANDIDATES matches, newest first, and only those are
 * ranked, so a word found in a million chunks costs the same as one found in ten thousand.
 */
import type { Statement } from 'better-sqlite3';
import type { HistoryCursor, HistoryFilters } from '../../../shared/contract/search.js';
import type { Target } from '../../../shared/contract/hosts.js';
import type { Runbook } from '../../../shared/model/runbook.js';
import { commandAsRun, indexedSteps, type IndexedStep } from '../search/command-text.js';
import type { ParsedQuery } from '../search/query.js';
import { MATCH_END, MATCH_START, searchableText } from '../search/text.js';
import type { Database } from './db.js';
import { filterSql, hasFilters } from './history-filters.js';
import { INDEXED_TABLES, indexedKey, type IndexedTable } from './migrations/007-search.js';

export type RecordKind = 'command' | 'title' | 'note' | 'host' | 'path';

/** Indexes one row of the history. */
export interface SearchIndexer {
  /** A step's label in a version, from the parsed versions the indexer keeps (undefined: no such step). */
  stepLabel(versionId: string, stepId: string): string | undefined;
  run(run: { id: string; runbookId: string; versionId: string; sectionTitle: string; target: Target; startedAt: string }): void;
  event(event: { runId: string; type: string; stepId: string | null; attemptId: string | null; at: string; data: Record<string, unknown> }): void;
  chunk(rowid: number | bigint, data: string): void;
}

/** Rows indexed of the rows recorded (runs, events, chunks); complete when none is left. */
export interface IndexProgress {
  complete: boolean;
  indexed: number;
  total: number;
}

export interface RawHit {
  source: 'output' | 'words' | 'trigrams';
  /** The chunk's rowid (output) or the record's id. */
  id: number;
  score: number;
  at: string;
  runId: string;
  kind: RecordKind | 'output';
  attemptId: string | null;
  stepId: string | null;
  seq: number | null;
  stream: 'stdout' | 'stderr' | 'system' | null;
}

export interface SearchStore {
  indexer: SearchIndexer;
  stepLabel(versionId: string, stepId: string): string | undefined;
  /** Indexes the next rows not indexed yet, up to `budget`, in one transaction; answers how far the index is then. */
  catchUp(budget: { rows: number; chars: number }): IndexProgress;
  progress(): IndexProgress;
  /** The best `limit` hits of each index among its newest CANDIDATES matches; `capped` if one had more. */
  search(query: ParsedQuery, filters: HistoryFilters | undefined, limit: number): { hits: RawHit[]; capped: boolean };
  /** Each hit's snippet, matches between MATCH_START and MATCH_END. */
  snippets(hits: readonly RawHit[], query: ParsedQuery): Map<RawHit, string>;
  listRuns(filters: HistoryFilters | undefined, limit: number, after: HistoryCursor | undefined): string[];
}

/**
 * Matches of one index ranked per search. More ranks better for common words (the best hit may be older than the
 * newest CANDIDATES) at a few µs each for bm25. Measured on 1M chunks (508 MB): 5,000 or 2,000 cost about the same,
 * as a search is dominated by what FTS5 reads whatever the limit: bm25 counts every match of each term once (its
 * IDF), and a prefix (`roll*`) is expanded into one doclist of all its terms: a word found in every chunk ~16-20 ms,
 * two words ~30 ms, a phrase ~40-48 ms, a common prefix ~70-100 ms (p50-p95). Rare words: under 3 ms.
 */
export const CANDIDATES = 2_000;
/**
 * Matches checked against filters per search, newest first: a filter that few runs pass (one host, last week)
 * otherwise checks every match, two lookups and the filters each (~1 µs: 20,000 is ~20 ms). Past it the answer says `capped`.
 */
export const SCANNED = 20_000;
/** Words shown around a match: enough for a line of output. */
const SNIPPET_TOKENS = 24;
/** Trigram tokens are characters: a snippet of 64 (FTS5's most) is a short line. */
const TRIGRAM_SNIPPET_TOKENS = 64;
/** Parsed versions kept to index attempts: a few documents (large runbooks parse to large objects). */
const VERSIONS_KEPT = 8;

/** Events whose text is an operator's: a note, or the reason given for a skip, an end with steps left, an abort. */
const NOTE_EVENTS: Readonly<Record<string, true>> = { 'note.added': true, 'step.skipped': true, 'run.finished': true, 'run.aborted': true };

/** Registers the function the output index's content view calls (migration 007); any connection that reads snippets needs it. */
export function registerSearchFunctions(db: Database): void {
  db.function('opsdeck_search_text', { deterministic: true }, (data: unknown) => (typeof data === 'string' ? searchableText(data) : ''));
}

export function createSearchIndexer(db: Database): SearchIndexer {
  registerSearchFunctions(db);
  const insertOutput = db.prepare('INSERT INTO search_output (rowid, data) VALUES (?, ?)');
  const insertRecord = db.prepare('INSERT INTO search_records (run_id, kind, attempt_id, step_id, at, text) VALUES (?, ?, ?, ?, ?, ?)');
  const insertWords = db.prepare('INSERT INTO search_words (rowid, text) VALUES (?, ?)');
  const insertTrigrams = db.prepare('INSERT INTO search_trigrams (rowid, text) VALUES (?, ?)');
  const runbookOf = db.prepare<[string], { title: string; path: string }>(
    'SELECT v.title AS title, b.source_path AS path FROM runbook_versions v JOIN runbooks b ON b.id = v.runbook_id WHERE v.id = ?',
  );
  const versionOfRun = db.prepare<[string], { version_id: string }>('SELECT version_id FROM runs WHERE id = ?');
  const documentOf = db.prepare<[string], { document: string }>('SELECT document FROM runbook_versions WHERE id = ?');
  const versions = new Map<string, Map<string, IndexedStep>>();

  const stepsOf = (versionId: string): Map<string, IndexedStep> => {
    let steps = versions.get(versionId);
    if (!steps) {
      const json = documentOf.get(versionId)?.document;
      // Versions are append-only: what a version's steps are never changes, so a parse is kept.
      steps = json ? indexedSteps(JSON.parse(json) as Pick<Runbook, 'sections' | 'params'>) : new Map<string, IndexedStep>();
      versions.set(versionId, steps);
      if (versions.size > VERSIONS_KEPT) versions.delete(versions.keys().next().value as string);
    }
    return steps;
  };
  const record = (runId: string, kind: RecordKind, attemptId: string | null, stepId: string | null, at: string, raw: string): void => {
    const text = searchableText(raw).trim();
    if (text === '') return;
    const id = insertRecord.run(runId, kind, attemptId, stepId, at, text).lastInsertRowid;
    insertWords.run(id, text);
    if (kind === 'command' || kind === 'host' || kind === 'path') insertTrigrams.run(id, text);
  };

  return {
    stepLabel: (versionId, stepId) => stepsOf(versionId).get(stepId)?.label,
    run(run) {
      const book = runbookOf.get(run.versionId);
      record(run.id, 'title', null, null, run.startedAt, run.sectionTitle);
      if (book) {
        record(run.id, 'title', null, null, run.startedAt, book.title);
        record(run.id, 'path', null, null, run.startedAt, book.path);
      }
      if (run.target.kind === 'host') record(run.id, 'host', null, null, run.startedAt, run.target.host);
      if (run.target.kind === 'tag') record(run.id, 'host', null, null, run.startedAt, run.target.tag);
    },
    event(e) {
      if (e.type === 'attempt.started' && e.stepId !== null) {
        const versionId = versionOfRun.get(e.runId)?.version_id;
        const step = versionId ? stepsOf(versionId).get(e.stepId) : undefined;
        if (step) {
          record(e.runId, 'title', e.attemptId, e.stepId, e.at, step.label);
          const params = typeof e.data.params === 'object' && e.data.params !== null ? (e.data.params as Record<string, unknown>) : {};
          record(e.runId, 'command', e.attemptId, e.stepId, e.at, commandAsRun(step, params));
        }
        if (typeof e.data.host === 'string') record(e.runId, 'host', e.attemptId, e.stepId, e.at, e.data.host);
      } else if (NOTE_EVENTS[e.type]) {
        const text = e.type === 'note.added' ? e.data.text : e.data.reason;
        if (typeof text === 'string') record(e.runId, 'note', e.attemptId, e.stepId, e.at, text);
      }
    },
    chunk(rowid, data) {
      const text = searchableText(data);
      // Nothing a word index holds (a prompt, a progress bar's redraw): no row, and no size counted for bm25.
      if (/[\p{L}\p{N}]/u.test(text)) insertOutput.run(rowid, text);
    },
  };
}

interface EventRow {
  rowid: number;
  run_id: string;
  type: string;
  step_id: string | null;
  attempt_id: string | null;
  at: string;
  data: string;
}

export function createSearchStore(db: Database): SearchStore {
  const indexer = createSearchIndexer(db);
  const mark = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMark = db.prepare('UPDATE meta SET value = ? WHERE key = ?');
  const doneOf = (table: IndexedTable): number => Number(mark.get(indexedKey(table))?.value ?? 0);
  const lastRow = Object.fromEntries(INDEXED_TABLES.map((t) => [t, db.prepare(`SELECT COALESCE(MAX(rowid), 0) AS n FROM ${t}`)])) as Record<IndexedTable, Statement>;
  const runsAfter = db.prepare('SELECT rowid, id, runbook_id, version_id, section_title, target, started_at FROM runs WHERE rowid > ? ORDER BY rowid LIMIT ?');
  // Every event is read (and the ones not indexed skipped here): a type filter in SQL would let one slice scan any
  // number of skipped events.
  const eventsAfter = db.prepare('SELECT rowid, run_id, type, step_id, attempt_id, at, data FROM run_events WHERE rowid > ? ORDER BY rowid LIMIT ?');
  const chunksAfter = db.prepare('SELECT rowid, data FROM output_chunks WHERE rowid > ? ORDER BY rowid LIMIT ?');
  const statements = new Map<string, Statement>();
  const prepared = (sql: string): Statement => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };

  const progress = (): IndexProgress => {
    let indexed = 0;
    let total = 0;
    for (const table of INDEXED_TABLES) {
      const last = (lastRow[table].get() as { n: number }).n;
      indexed += Math.min(doneOf(table), last);
      total += last;
    }
    return { complete: indexed >= total, indexed, total };
  };

  /** One table's next rows, indexed, and its mark moved past them. */
  const slice = <R extends { rowid: number }>(table: IndexedTable, read: Statement, budget: { rows: number; chars: number }, index: (row: R) => number): void => {
    if (budget.rows <= 0 || budget.chars <= 0) return;
    const rows = read.all(doneOf(table), budget.rows) as R[];
    let last = 0;
    for (const row of rows) {
      budget.chars -= index(row);
      budget.rows -= 1;
      last = row.rowid;
      if (budget.chars <= 0) break;
    }
    if (last > 0) setMark.run(String(last), indexedKey(table));
  };

  const catchUp = db.transaction((budget: { rows: number; chars: number }): IndexProgress => {
    const left = { ...budget };
    slice<{ rowid: number; id: string; runbook_id: string; version_id: string; section_title: string; target: string; started_at: string }>('runs', runsAfter, left, (r) => {
      indexer.run({ id: r.id, runbookId: r.runbook_id, versionId: r.version_id, sectionTitle: r.section_title, target: JSON.parse(r.target) as Target, startedAt: r.started_at });
      return r.section_title.length + 200;
    });
    slice<EventRow>('run_events', eventsAfter, left, (e) => {
      if (e.type !== 'attempt.started' && !NOTE_EVENTS[e.type]) return 50;
      indexer.event({ runId: e.run_id, type: e.type, stepId: e.step_id, attemptId: e.attempt_id, at: e.at, data: JSON.parse(e.data) as Record<string, unknown> });
      return e.data.length;
    });
    slice<{ rowid: number; data: string }>('output_chunks', chunksAfter, left, (c) => {
      indexer.chunk(c.rowid, c.data);
      return c.data.length;
    });
    return progress();
  });

  const ftsOf = (which: RawHit['source']): string => (which === 'output' ? 'search_output' : which === 'words' ? 'search_words' : 'search_trigrams');
  const source = (which: RawHit['source'], match: string, filters: HistoryFilters | undefined, limit: number): { hits: RawHit[]; capped: boolean } => {
    const output = which === 'output';
    const fts = ftsOf(which);
    const owner = (id: string): string => (output ? `output_chunks c ON c.rowid = ${id}` : `search_records s ON s.id = ${id}`);
    const columns = output
      ? `'output' AS kind, c.at, c.run_id AS runId, c.attempt_id AS attemptId, c.step_id AS stepId, c.seq, c.stream`
      : 's.kind, s.at, s.run_id AS runId, s.attempt_id AS attemptId, s.step_id AS stepId, NULL AS seq, NULL AS stream';
    type Row = Omit<RawHit, 'source'>;
    const hits = (rows: Row[]): RawHit[] => rows.map((hit) => ({ ...hit, source: which }));
    if (!hasFilters(filters)) {
      // Candidates newest first (FTS5 walks its doclists by rowid, no sort), then ranked: bounded whatever matches.
      const sql = `WITH k AS MATERIALIZED (
          SELECT m.rowid AS id, bm25(${fts}) AS score FROM ${fts} m WHERE ${fts} MATCH ? ORDER BY m.rowid DESC LIMIT ${CANDIDATES})
        SELECT k.id, k.score, ${columns}, (SELECT COUNT(*) FROM k) AS n FROM k JOIN ${owner('k.id')} ORDER BY k.score, k.id DESC LIMIT ?`;
      const rows = prepared(sql).all(match, limit) as Array<Row & { n: number }>;
      return { hits: hits(rows.map(({ n: _n, ...row }) => row)), capped: (rows[0]?.n ?? 0) >= CANDIDATES };
    }
    // Filtered: the newest SCANNED matches (rowids only: cheap) are checked against the filters, the newest
    // CANDIDATES that pass are ranked. bm25 is computed for those alone, by a second look at the same rowid range
    // (`+rowid`: the list filters that look; as a constraint, SQLite would run the match once per id).
    const f = filterSql(filters, output ? 'c.attempt_id' : 's.attempt_id');
    const scan = prepared(`WITH scan AS MATERIALIZED (SELECT rowid AS id FROM ${fts} WHERE ${fts} MATCH ? ORDER BY rowid DESC LIMIT ${SCANNED})
      SELECT scan.id, (SELECT COUNT(*) FROM scan) AS n FROM scan JOIN ${owner('scan.id')} JOIN runs r ON r.id = ${output ? 'c' : 's'}.run_id
      WHERE 1${f.sql} ORDER BY scan.id DESC LIMIT ${CANDIDATES}`).all(match, ...f.params) as Array<{ id: number; n: number }>;
    const capped = scan.length >= CANDIDATES || (scan[0]?.n ?? 0) >= SCANNED;
    if (scan.length === 0) return { hits: [], capped };
    const ids = scan.map((r) => r.id);
    const rows = prepared(`WITH k AS MATERIALIZED (
        SELECT m.rowid AS id, bm25(${fts}) AS score FROM ${fts} m
        WHERE ${fts} MATCH ? AND m.rowid BETWEEN ? AND ? AND +m.rowid IN (SELECT value FROM json_each(?)))
      SELECT k.id, k.score, ${columns} FROM k JOIN ${owner('k.id')} ORDER BY k.score, k.id DESC LIMIT ?`).all(
      match, BigInt(Math.min(...ids)), BigInt(Math.max(...ids)), JSON.stringify(ids), limit,
    ) as Row[];
    return { hits: hits(rows), capped };
  };

  return {
    indexer,
    stepLabel: (versionId, stepId) => indexer.stepLabel(versionId, stepId),
    catchUp: (budget) => catchUp.immediate(budget),
    progress,
    search(query, filters, limit) {
      const parts = [
        ...(query.words ? [source('output', query.words, filters, limit), source('words', query.words, filters, limit)] : []),
        ...(query.substrings ? [source('trigrams', query.substrings, filters, limit)] : []),
      ];
      return { hits: parts.flatMap((p) => p.hits), capped: parts.some((p) => p.capped) };
    },
    snippets(hits, query) {
      const out = new Map<RawHit, string>();
      for (const which of ['output', 'words', 'trigrams'] as const) {
        const mine = hits.filter((h) => h.source === which);
        const match = which === 'trigrams' ? query.substrings : query.words;
        if (mine.length === 0 || match === null) continue;
        const fts = ftsOf(which);
        const ids = mine.map((h) => h.id);
        // One look at the rowid range of the page (each match query expands a prefix term again: `roll*` over a big
        // index costs ms each), computing snippets for the page's rows only: `+rowid` keeps the list a filter (as a
        // constraint, SQLite would run the match once per id). Rowids are bound as integers:
        // better-sqlite3 binds a JS number as REAL, and FTS5 (SQLite 3.53) then drops `rowid = ?` beside a MATCH.
        const rows = prepared(
          `SELECT rowid AS id, snippet(${fts}, 0, ?, ?, '…', ${which === 'trigrams' ? TRIGRAM_SNIPPET_TOKENS : SNIPPET_TOKENS}) AS s FROM ${fts}
           WHERE ${fts} MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN (SELECT value FROM json_each(?))`,
        ).all(MATCH_START, MATCH_END, match, BigInt(Math.min(...ids)), BigInt(Math.max(...ids)), JSON.stringify(ids)) as Array<{ id: number; s: string | null }>;
        const byId = new Map(rows.map((r) => [r.id, r.s ?? '']));
        for (const h of mine) out.set(h, byId.get(h.id) ?? '');
      }
      return out;
    },
    listRuns(filters, limit, after) {
      const f = filterSql(filters, null);
      const page = after ? ' AND (r.started_at < ? OR (r.started_at = ? AND r.id < ?))' : '';
      const sql = `SELECT r.id FROM runs r WHERE 1${f.sql}${page} ORDER BY r.started_at DESC, r.id DESC LIMIT ?`;
      const params = [...f.params, ...(after ? [after.startedAt, after.startedAt, after.id] : []), limit];
      return (prepared(sql).all(...params) as Array<{ id: string }>).map((r) => r.id);
    },
  };
}
