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
 * Nothing is indexed here: existing history is indexed afterwards by the owner in slices (search/backfill.ts), up to
 * the boundaries recorded in `meta` now; whatever is appended after this migration is indexed as it is appended.
 * No prefix indexes (`prefix=`): they would roughly double the word index, and a prefix of 2+ characters is found by
 * scanning the terms' b-tree range, fast enough for a history's vocabulary.
 */
import type { Migration } from './migration.js';

/** `meta` keys: the last rowid of a table the backfill indexes (`end`), and the last it has indexed so far (`done`). */
export const BACKFILL_TABLES = ['runs', 'run_events', 'output_chunks'] as const;
export type BackfillTable = (typeof BACKFILL_TABLES)[number];
export const backfillKey = (table: BackfillTable, mark: 'end' | 'done'): string => `search.backfill.${table}.${mark}`;

const boundaries = BACKFILL_TABLES.map(
  (table) => `
    INSERT INTO meta (key, value) SELECT '${backfillKey(table, 'end')}', CAST(COALESCE(MAX(rowid), 0) AS TEXT) FROM ${table};
    INSERT INTO meta (key, value) VALUES ('${backfillKey(table, 'done')}', '0');`,
).join('');

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
    ${boundaries}
  `,
};
