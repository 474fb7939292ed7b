// The owner lock on a real directory: one holder at a time, released on release(), and a data directory made
// private only when it is Opsdeck's own.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, readOwner, tryAcquireOwnership } from '../../../../electron/services/store/owner-lock.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-lock-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const mode = (dir: string): number => statSync(dir).mode & 0o777;

describe('the owner lock', () => {
  it('has one holder at a time, named in owner.json, and is free again once released', () => {
    const dir = join(tmp, 'data');
    const first = tryAcquireOwnership(dir, { kind: 'daemon', version: 't' });
    expect(first).not.toBeNull();
    expect(tryAcquireOwnership(dir, { kind: 'serve', version: 't' })).toBeNull();
    expect(readOwner(dir)).toMatchObject({ kind: 'daemon', pid: process.pid });
    first!.update({ socket: join(dir, 'owner.sock') });
    expect(readOwner(dir)?.socket).toBe(join(dir, 'owner.sock'));
    first!.release();
    expect(readOwner(dir)).toBeNull();
    const second = tryAcquireOwnership(dir, { kind: 'cli', command: 'list', version: 't' });
    expect(second).not.toBeNull();
    second!.release();
  });

  it('makes a new or an Opsdeck data directory private, and leaves a folder of other things as it was', () => {
    const fresh = join(tmp, 'fresh');
    ensurePrivateDir(fresh);
    expect(mode(fresh)).toBe(0o700);
    const ours = join(tmp, 'ours');
    mkdirSync(ours);
    writeFileSync(join(ours, 'opsdeck.db'), '');
    chmodSync(ours, 0o755);
    ensurePrivateDir(ours);
    expect(mode(ours)).toBe(0o700);
    const theirs = join(tmp, 'theirs');
    mkdirSync(theirs);
    writeFileSync(join(theirs, 'notes.txt'), 'mine');
    chmodSync(theirs, 0o755);
    ensurePrivateDir(theirs);
    expect(mode(theirs)).toBe(0o755);
  });
});
