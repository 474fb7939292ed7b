/** The arguments and messages between main and the owner process (electron/main/owner-protocol.ts). */
import { describe, expect, it } from 'vitest';
import { oneLine, ownerProcessArgs, parseOwnerProcessArgs, readOwnerProcessMessage } from '../../../../electron/main/owner-protocol.js';

describe('the owner process arguments', () => {
  it('carry a data directory with spaces and = signs through, wherever Electron puts its own switches', () => {
    const config = { dataDir: '/home/a b/Opsdeck=x/data', version: '1.2.3', mainPid: 4242 };
    const argv = ['/opt/Opsdeck/opsdeck', '--type=utility', '--lang=en-US', ...ownerProcessArgs(config), '--enable-features=X'];
    expect(parseOwnerProcessArgs(argv)).toEqual(config);
  });

  it('are refused without a data directory or with a pid that is not one', () => {
    expect(parseOwnerProcessArgs(['node', 'owner-process.cjs'])).toBeNull();
    expect(parseOwnerProcessArgs(['--opsdeck-data-dir=/d', '--opsdeck-main-pid=nope'])).toBeNull();
    expect(parseOwnerProcessArgs(['--opsdeck-data-dir=', '--opsdeck-main-pid=7'])).toBeNull();
  });
});

describe('the messages from the owner process', () => {
  it('are read only when they are ours', () => {
    expect(readOwnerProcessMessage({ kind: 'ready', socket: '/d/owner.sock' })).toEqual({ kind: 'ready', socket: '/d/owner.sock' });
    expect(readOwnerProcessMessage({ kind: 'ready' })).toBeNull();
    expect(readOwnerProcessMessage({ kind: 'busy' })).toEqual({ kind: 'busy', owner: null });
    expect(readOwnerProcessMessage({ kind: 'failed' })).toEqual({ kind: 'failed', message: 'the owner process failed to start' });
    for (const junk of [null, 'ready', 42, { kind: 'hello' }]) expect(readOwnerProcessMessage(junk)).toBeNull();
  });

  it('put an error in one line, never its stack', () => {
    const error = new Error('SQLITE_CORRUPT: database disk image is malformed\n    at Database.prepare (db.ts:12:3)');
    expect(oneLine(error)).toBe('SQLITE_CORRUPT: database disk image is malformed');
    expect(oneLine('plain')).toBe('plain');
    expect(oneLine(new Error(''))).toBe('unknown error');
  });
});
