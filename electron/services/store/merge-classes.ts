/**
 * How each table merges when an operator's devices sync (a later issue): the one place every table declares its
 * class, checked against the migrated schema by test/integration/merge-classes.test.ts, so a new table cannot ship
 * without a decision.
 * - `append-only`: history. Rows are only inserted (triggers refuse UPDATE and DELETE); devices merge as a union by
 *   `id`, a UUID made by the device that wrote the row (column `device_id`).
 * - `register`: mutable configuration. Each row carries `hlc` (the hybrid logical clock stamp of its last write,
 *   shared/model/hlc.ts), `device_id` (the device of that write) and `deleted` (1: a tombstone, kept so the delete
 *   merges, and left out of every read). Rows are matched by `key`; the later stamp wins the whole row.
 * - `local`: never leaves the device.
 */
export type MergeClass = 'append-only' | 'register' | 'local';

export interface TableMerge {
  class: MergeClass;
  /** The columns that identify a row across devices (the table's primary key). */
  key: readonly string[];
  why: string;
}

/**
 * A search index (migration 007): an FTS5 table and the shadow tables SQLite keeps it in, all `local`: derived from
 * the records on each device, never merged (rows a merge adds are indexed like any others: by rowid, after them).
 */
function ftsIndex<N extends string>(name: N, why: string): Record<N | `${N}_${'data' | 'idx' | 'docsize' | 'config'}`, TableMerge> {
  const shadow = (key: readonly string[], what: string): TableMerge => ({ class: 'local', key, why: `${what} of ${name}, kept by SQLite's FTS5` });
  return {
    [name]: { class: 'local', key: [], why },
    [`${name}_data`]: shadow(['id'], 'the index b-tree'),
    [`${name}_idx`]: shadow(['segid', 'term'], "the segments' term directory"),
    [`${name}_docsize`]: shadow(['id'], 'the token count of each indexed row'),
    [`${name}_config`]: shadow(['k'], 'the settings'),
  } as Record<N | `${N}_${'data' | 'idx' | 'docsize' | 'config'}`, TableMerge>;
}

export const mergeClasses = {
  meta: {
    class: 'local',
    key: ['key'],
    why: "this database's own facts: its device_id (another device's would make two devices one) and the last HLC stamp it issued",
  },
  runbooks: {
    class: 'append-only',
    key: ['id'],
    why:
      'one row per file a device imported: the path is where that device found it, unique per (device_id, source_path), so two ' +
      "devices importing the same path make two runbooks; a lookup by path prefers this device's row. Nothing in it changes; " +
      'mutable parts have tables of their own (runbook_paths, runbook_archive)',
  },
  runbook_paths: {
    class: 'append-only',
    key: ['id'],
    why:
      'a path on one device learned later for a runbook that came in another way (uploaded, then imported by path); written ' +
      'by that device (device_id), which keeps one runbook per path; never changes, so devices merge it as a union',
  },
  runbook_archive: {
    class: 'register',
    key: ['runbook_id'],
    why:
      'whether a runbook is removed from the library (archived; its versions and runs stay): the later stamp wins, so a ' +
      'removal on one device and a re-import bringing it back on another merge to whichever happened last',
  },
  runbook_versions: {
    class: 'append-only',
    key: ['id'],
    why:
      'every version imported, kept forever; ordered by `hlc` (so a version imported with the clock set back, or on another ' +
      'device, still sorts after the one before it), `version` is only the number shown, not unique',
  },
  runs: {
    class: 'append-only',
    key: ['id'],
    why: 'a run as it started (section, operator, target, origin): what happened next is in run_events',
  },
  run_events: {
    class: 'append-only',
    key: ['id'],
    why:
      "a run's history, numbered by `seq` within the run: only the device that started a run appends to it (a trigger refuses " +
      "others; a device recovers only its own interrupted runs), so UNIQUE (run_id, seq) never collides in a union",
  },
  output_chunks: {
    class: 'append-only',
    key: ['id'],
    why: "a step attempt's output, numbered within the attempt; written only by the device that started the run (a trigger refuses others)",
  },
  hosts: {
    class: 'register',
    key: ['id'],
    why:
      'the inventory the user edits; removing a host leaves a tombstone. The host store keeps one live host per name when ' +
      'writing; no UNIQUE (a tombstone keeps its name, and two devices may each add one: a lookup by name takes the one written last)',
  },
  host_keys: {
    class: 'register',
    key: ['id'],
    why:
      'host keys accepted in Opsdeck; the id is derived from (host, port, key_type, key), so every device accepting a key writes ' +
      'the same row, and forgetting it (a tombstone) stays forgotten after a merge until it is accepted again later',
  },
  section_targets: {
    class: 'register',
    key: ['runbook_id', 'section_id'],
    why: 'where a section last ran (this machine, a host, a tag): a choice the user changes',
  },
  param_values: {
    class: 'register',
    key: ['runbook_id', 'name'],
    why: "a runbook's last parameter values (never secrets), offered as defaults next time",
  },
  schedules: {
    class: 'register',
    key: ['id'],
    why:
      'a schedule the user makes, edits, pauses and removes (a tombstone): the later stamp wins. It fires only on its ' +
      'home_device, so a schedule synced to another laptop never runs an occurrence twice',
  },
  schedule_records: {
    class: 'append-only',
    key: ['id'],
    why:
      "each occurrence's outcome and each wake's miss summary; written only by the schedule's home device (a trigger " +
      'refuses others), so a union never holds two outcomes for one occurrence from two devices',
  },
  webhook_outbox: {
    class: 'local',
    key: ['id'],
    why: "notifications this device still has to deliver, with their retry state: the device that ran the schedule delivers them",
  },
  incidents: {
    class: 'append-only',
    key: ['id'],
    why: 'one row per incident, written by the device that declared it; what happened next is in incident_entries',
  },
  incident_entries: {
    class: 'append-only',
    key: ['id'],
    why:
      "an incident's timeline (declared, changes, notes, corrections, linked runs, updates, follow-ups), ordered by `at` and " +
      'then by id: any device may add to any incident, and a correction is a new entry, so a union never conflicts',
  },
  handovers: {
    class: 'append-only',
    key: ['id'],
    why: 'a shift handover exactly as it was signed off; never changes',
  },
  handover_acks: {
    class: 'append-only',
    key: ['id'],
    why: 'who acknowledged a handover and when, on whichever device: a union keeps every acknowledgement',
  },
  settings: {
    class: 'register',
    key: ['key'],
    why: 'preferences (operator name, theme) the user changes',
  },
  search_records: { class: 'local', key: ['id'], why: 'the short texts the search indexes (commands as they ran, titles, notes, hosts, paths), derived from the run history' },
  ...ftsIndex('search_output', 'the word index of output_chunks (its text is read from the chunks, not stored again)'),
  ...ftsIndex('search_words', 'the word index of search_records'),
  ...ftsIndex('search_trigrams', 'the substring (trigram) index of the commands, hosts and paths in search_records'),
} as const satisfies Record<string, TableMerge>;

export type TableName = keyof typeof mergeClasses;

/**
 * Files in the data directory beside the database that never leave the device, and why. Caches live in memory only
 * (host lookups, run folds, parsed versions: rebuilt from the tables); one written to disk later is declared here.
 */
export const localFiles = [
  { name: 'owner.lock', why: "the owner lock: held by this machine's owner process" },
  { name: 'owner.lock-journal', why: "the lock's SQLite journal, there while the lock is held" },
  { name: 'owner.json', why: 'who holds the lock: a pid and addresses on this machine' },
  { name: 'owner.sock', why: "the owner's local socket" },
  { name: 'secrets.json', why: "secrets sealed with this machine's keychain: another machine cannot open them" },
  { name: 'evidence-key.pem', why: "this device's Ed25519 key that signs evidence bundles: a copy elsewhere could sign as this device" },
  { name: 'opsdeck.db-wal', why: "SQLite's write-ahead log: part of this database file, not a record" },
  { name: 'opsdeck.db-shm', why: "SQLite's shared-memory index of the log" },
] as const;
