/**
 * The host inventory, the host keys accepted in Opsdeck, and the target remembered per runbook section. All three
 * are registers (merge-classes.ts): every write stamps the row with this device's HLC, and removing a host or
 * forgetting a key leaves a tombstone that no read returns, so the removal survives a merge with another device.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Host, HostFields, Target } from '../../../shared/contract/hosts.js';
import type { Statement } from 'better-sqlite3';
import type { Database } from './db.js';
import { createDeviceClock } from './device-clock.js';
import { hostKeyId } from './host-key-id.js';

export interface StoredKey {
  keyType: string;
  key: string;
  fingerprint: string;
}

export interface HostStore {
  list(): Host[];
  /** The live host of that name; should a merge bring two, the one written last. */
  byName(name: string): Host | undefined;
  byId(id: string): Host | undefined;
  /**
   * Creates, or updates the live host with `id`. Throws HostStoreError `conflict` when another live host has the
   * name (a removed host's name is free again), `not_found` when there is no live host `id`.
   */
  save(fields: HostFields, opts: { id?: string | undefined; source: Host['source'] }): Host;
  /** Leaves a tombstone; false if there was no live host `id`. */
  remove(id: string): boolean;
  /** The TrustStore behind host-key verification. */
  keys: {
    find(host: string, port: number): StoredKey[];
    /** Accepts a key: a forgotten one comes back with a later stamp, an accepted one is left as it is. */
    add(host: string, port: number, keyType: string, key: string, fingerprint: string): void;
    /** Forgets every accepted key of host:port (tombstones); how many. */
    remove(host: string, port: number): number;
  };
  target(runbookId: string, sectionId: string): Target | undefined;
  setTarget(runbookId: string, sectionId: string, target: Target): void;
}

export class HostStoreError extends Error {
  constructor(
    readonly code: 'conflict' | 'not_found',
    message: string,
  ) {
    super(message);
    this.name = 'HostStoreError';
  }
}

interface HostRow {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string | null;
  identity_file: string | null;
  identity_agent: string | null;
  jump: string;
  tags: string;
  notes: string;
  forward_agent: number;
  source: Host['source'];
  updated_at: string;
}

const toHost = (r: HostRow): Host => ({
  id: r.id,
  name: r.name,
  address: r.address,
  port: r.port,
  user: r.user,
  identityFile: r.identity_file,
  identityAgent: r.identity_agent,
  jump: JSON.parse(r.jump) as string[],
  tags: JSON.parse(r.tags) as string[],
  notes: r.notes,
  forwardAgent: r.forward_agent === 1,
  source: r.source,
  updatedAt: r.updated_at,
});

/** Hosts and section targets kept in memory at most; past that the cache starts over. */
const CACHED = 1000;

export function createHostStore(db: Database, deviceId: string, clock: { now(): Date }): HostStore {
  const hlc = createDeviceClock(db, deviceId, () => clock.now().getTime());
  // Statements are prepared once, not per call (~0.1 ms each).
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const one = (sql: string, arg: string): Host | undefined => {
    const row = prepare(sql).get(arg) as HostRow | undefined;
    return row ? toHost(row) : undefined;
  };
  // Every remote step looks its host up twice and its section's target once: answers are kept in memory, dropped
  // when this store writes, and when another connection (a CLI process) committed anything since the last look:
  // SQLite's data_version moves only for other connections' commits.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let seenVersion: unknown = dataVersion.get();
  const hostsByName = new Map<string, Host | null>();
  const targets = new Map<string, string | null>();
  const forget = (): void => {
    hostsByName.clear();
    targets.clear();
  };
  const current = (): void => {
    const version: unknown = dataVersion.get();
    if (version !== seenVersion) forget();
    seenVersion = version;
  };
  const remembered = <V>(map: Map<string, V>, key: string, value: V): V => {
    if (map.size >= CACHED) map.clear();
    map.set(key, value);
    return value;
  };
  const targetKey = (runbookId: string, sectionId: string): string => `${runbookId}\u0000${sectionId}`;
  const storedTarget = (runbookId: string, sectionId: string): string | null => {
    current();
    const key = targetKey(runbookId, sectionId);
    const known = targets.get(key);
    if (known !== undefined) return known;
    const row = prepare('SELECT target FROM section_targets WHERE runbook_id = ? AND section_id = ? AND deleted = 0').get(runbookId, sectionId) as
      | { target: string }
      | undefined;
    return remembered(targets, key, row?.target ?? null);
  };
  return {
    list: () => (prepare('SELECT * FROM hosts WHERE deleted = 0 ORDER BY name, hlc').all() as HostRow[]).map(toHost),
    byName: (name) => {
      current();
      let host = hostsByName.get(name);
      if (host === undefined) {
        const found = one('SELECT * FROM hosts WHERE name = ? AND deleted = 0 ORDER BY hlc DESC LIMIT 1', name);
        // Shared by every caller until the next change: frozen, so none can change it for the others.
        host = remembered(hostsByName, name, found ? Object.freeze({ ...found, jump: Object.freeze(found.jump), tags: Object.freeze(found.tags) }) as Host : null);
      }
      return host ?? undefined;
    },
    byId: (id) => one('SELECT * FROM hosts WHERE id = ? AND deleted = 0', id),
    save(fields, { id, source }) {
      const clashes = prepare('SELECT id FROM hosts WHERE name = ? AND deleted = 0').all(fields.name) as Array<{ id: string }>;
      if (clashes.some((clash) => clash.id !== id)) throw new HostStoreError('conflict', `a host named "${fields.name}" exists already`);
      const at = clock.now().toISOString();
      const stamp = hlc.next();
      const values = [
        fields.name,
        fields.address,
        fields.port,
        fields.user,
        fields.identityFile,
        fields.identityAgent,
        JSON.stringify(fields.jump),
        JSON.stringify([...new Set(fields.tags)]),
        fields.notes,
        fields.forwardAgent ? 1 : 0,
      ];
      if (id) {
        const changed = prepare(
            'UPDATE hosts SET name = ?, address = ?, port = ?, user = ?, identity_file = ?, identity_agent = ?, jump = ?, tags = ?, notes = ?, forward_agent = ?, updated_at = ?, device_id = ?, hlc = ? WHERE id = ? AND deleted = 0',
          )
          .run(...values, at, deviceId, stamp, id);
        forget();
        if (changed.changes === 0) throw new HostStoreError('not_found', `no host ${id}`);
        return toHost(prepare('SELECT * FROM hosts WHERE id = ?').get(id) as HostRow);
      }
      const newId = uuidv7();
      prepare(
        'INSERT INTO hosts (id, device_id, name, address, port, user, identity_file, identity_agent, jump, tags, notes, forward_agent, source, updated_at, hlc, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)',
      ).run(newId, deviceId, ...values, source, at, stamp);
      forget();
      return toHost(prepare('SELECT * FROM hosts WHERE id = ?').get(newId) as HostRow);
    },
    remove: (id) => {
      const removed =
        prepare('UPDATE hosts SET deleted = 1, updated_at = ?, device_id = ?, hlc = ? WHERE id = ? AND deleted = 0').run(clock.now().toISOString(), deviceId, hlc.next(), id)
          .changes > 0;
      forget();
      return removed;
    },
    keys: {
      find: (host, port) =>
        (
          prepare('SELECT key_type, key, fingerprint FROM host_keys WHERE host = ? AND port = ? AND deleted = 0').all(host, port) as Array<{
            key_type: string;
            key: string;
            fingerprint: string;
          }>
        ).map((r) => ({ keyType: r.key_type, key: r.key, fingerprint: r.fingerprint })),
      add(host, port, keyType, key, fingerprint) {
        const id = hostKeyId(host, port, keyType, key);
        const known = prepare('SELECT deleted FROM host_keys WHERE id = ?').get(id) as { deleted: number } | undefined;
        if (known?.deleted === 0) return;
        prepare(
          `INSERT INTO host_keys (id, device_id, host, port, key_type, key, fingerprint, added_at, hlc, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
           ON CONFLICT (id) DO UPDATE SET device_id = excluded.device_id, fingerprint = excluded.fingerprint, added_at = excluded.added_at, hlc = excluded.hlc, deleted = 0`,
        ).run(id, deviceId, host, port, keyType, key, fingerprint, clock.now().toISOString(), hlc.next());
      },
      remove: (host, port) =>
        prepare('UPDATE host_keys SET deleted = 1, device_id = ?, hlc = ? WHERE host = ? AND port = ? AND deleted = 0').run(deviceId, hlc.next(), host, port).changes,
    },
    target(runbookId, sectionId) {
      const value = storedTarget(runbookId, sectionId);
      return value === null ? undefined : (JSON.parse(value) as Target);
    },
    setTarget(runbookId, sectionId, target) {
      // Remembered on every run of a step: written only when the choice changed.
      const value = JSON.stringify(target);
      if (storedTarget(runbookId, sectionId) === value) return;
      prepare(
        `INSERT INTO section_targets (runbook_id, section_id, target, updated_at, device_id, hlc, deleted) VALUES (?, ?, ?, ?, ?, ?, 0)
         ON CONFLICT (runbook_id, section_id) DO UPDATE SET target = excluded.target, updated_at = excluded.updated_at, device_id = excluded.device_id, hlc = excluded.hlc, deleted = 0`,
      ).run(runbookId, sectionId, value, clock.now().toISOString(), deviceId, hlc.next());
      targets.set(targetKey(runbookId, sectionId), value);
    },
  };
}
