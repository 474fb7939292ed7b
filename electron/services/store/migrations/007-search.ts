/**
 * Full-text search over the recorded history (issue 14): derived indexes, class `local` (merge-classes.ts), rebuilt
 * from the records and never merged. Only ../search-store.ts reads or writes them.
 * - `search_output`: a word index (unicode61, diacritics folded) over output_chunks. External content: the text is
 *   not stored a second time. Its content table is the view `search_output_text`, the chunks' text as indexed (ANSI
 *   escape sequences and control characters removed by the SQL function `opsdeck_search_text`, which the search
 *   store registers on its connection), so snippet() tokenizes exactly what was indexed and highlights the right
 *   words. The function is part of the index's format: changing what it returns needs a rebuild of the index.
 * - `search_records`: the short texts worth finding besides output, one row each, with where they belong: a command
 *   as it ran (the version's step script with the recorded parameters, secrets masked), a step's, section's or
 *   runbook's title, a note (or a reason given for a skip, an end, an abort), a host or tag, a runbook's path.
 * - `search_words`: the word index over search_records; `search_trigrams`: a trigram index (substring search, such
 *   as `ploy-2026` in `deploy-20261202`) over the commands, hosts and paths among them only: trigrams cost ~3x the
 *   text, and output and prose are found well enough by words.
 * Nothing is indexed here. The owner indexes rows in rowid order, a batch at a time, shortly after they are appended
 * (search/indexer.ts), and `meta` keeps, per table, the last rowid indexed, moved in the same transaction as the
 * batch: exactly once, whatever crashes. Existing history is simply the first rows it has to catch up with, and rows
 * another device's merge adds later are caught up with the same way. Indexing is kept out of the append itself: one
 * FTS5 write transaction costs ~0.1-0.15 ms per index touched (a new segment each), ~0.5 ms on a step's start and
 * ~0.2 ms per output chunk here, against a ~3-5 ms step; batched, a step's records share one.
 * No prefix indexes (`prefix=`): they would roughly double the word index, and a prefix of 2+ characters is found by
 * scanning the terms' b-tree range, fast enough for a history's vocabulary.
 */
import type { Migration } from './migration.js';

/** The tables whose rows are indexed, and the `meta` key of each: the last rowid indexed so far. */
export const INDEXED_TABLES = ['runs', 'run_events', 'output_chunks'] as const;
export type IndexedTable = (typeof INDEXED_TABLES)[number];
export const indexedKey = (table: IndexedTable): string => `search.indexed.${table}`;

const marks = INDEXED_TABLES.map((table) => `
    INSERT INTO meta (key, value) VALUES ('${indexedKey(table)}', '0');`).join('');

export const migration007: Migration = {
  version: 7,
  name: 'search',
  up: `
    CREATE VIEW search_output_text AS
      SELECT rowid AS chunk_rowid, opsdeck_search_text(data) AS data FROM output_chunks;
    CREATE VIRTUAL TABLE search_output USING fts5(
      data,
      content = 'search_output_text', content_rowid = 'chunk_rowid',
      tokenize = 'unicode61 remove_diacritics 2'
    );

    CREATE TABLE search_records (
      id         INTEGER PRIMARY KEY,
      run_id     TEXT NOT NULL REFERENCES runs (id),
      kind       TEXT NOT NULL CHECK (kind IN ('command', 'title', 'note', 'host', 'path')),
      attempt_id TEXT,
      step_id    TEXT,
      at         TEXT NOT NULL,
      text       TEXT NOT NULL
    ) STRICT;
    CREATE VIRTUAL TABLE search_words USING fts5(
      text,
      content = 'search_records', content_rowid = 'id',
      tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE search_trigrams USING fts5(
      text,
      content = 'search_records', content_rowid = 'id',
      tokenize = 'trigram'
    );
    ${marks}
  `,
};
