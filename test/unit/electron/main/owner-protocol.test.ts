/** The arguments and messages between main and the owner process (electron/main/owner-protocol.ts). */
import { describe, expect, it } from 'vitest';
import { oneLine, ownerProcessArgs, parseOwnerProcessArgs, readMainMessage, readOwnerProcessMessage } from '../../../../electron/main/owner-protocol.js';

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

  it("include questions to main's keychain, read only when well formed", () => {
    expect(readOwnerProcessMessage({ kind: 'keychain', id: 3, op: 'encrypt', data: 'correct horse' })).toEqual({ kind: 'keychain', id: 3, op: 'encrypt', data: 'correct horse' });
    expect(readOwnerProcessMessage({ kind: 'keychain', id: 0, op: 'available', data: '' })).toEqual({ kind: 'keychain', id: 0, op: 'available', data: '' });
    for (const junk of [
      { kind: 'keychain', id: 1, op: 'export', data: '' },
      { kind: 'keychain', id: '1', op: 'decrypt', data: 'AAAA' },
      { kind: 'keychain', id: -1, op: 'decrypt', data: 'AAAA' },
      { kind: 'keychain', id: 1.5, op: 'decrypt', data: 'AAAA' },
      { kind: 'keychain', id: 1, op: 'decrypt', data: Buffer.from('sealed') },
      { kind: 'keychain', id: 1, op: 'decrypt' },
    ]) {
      expect(readOwnerProcessMessage(junk)).toBeNull();
    }
  });
});

describe('the messages from main', () => {
  it('are close, and answers from the keychain, read only when well formed', () => {
    expect(readMainMessage({ kind: 'close' })).toEqual({ kind: 'close' });
    expect(readMainMessage({ kind: 'keychain-result', id: 3, ok: true, value: false })).toEqual({ kind: 'keychain-result', id: 3, ok: true, value: false });
    expect(readMainMessage({ kind: 'keychain-result', id: 4, ok: true, value: 'djEwAAAA' })).toEqual({ kind: 'keychain-result', id: 4, ok: true, value: 'djEwAAAA' });
    expect(readMainMessage({ kind: 'keychain-result', id: 5, ok: false, message: 'Encryption is not available.' })).toEqual({ kind: 'keychain-result', id: 5, ok: false, message: 'Encryption is not available.' });
    expect(readMainMessage({ kind: 'keychain-result', id: 5, ok: false })).toEqual({ kind: 'keychain-result', id: 5, ok: false, message: 'the OS keychain failed' });
    for (const junk of [
      null,
      'close',
      { kind: 'ready', socket: '/d/owner.sock' },
      { kind: 'keychain-result', ok: true, value: 'x' },
      { kind: 'keychain-result', id: 1, ok: true },
      { kind: 'keychain-result', id: 1, ok: true, value: 42 },
      { kind: 'keychain-result', id: 1, ok: 'yes', value: 'x' },
    ]) {
      expect(readMainMessage(junk)).toBeNull();
    }
  });
});

describe('errors for the user', () => {
  it('put an error in one line, never its stack', () => {
    const error = new Error('SQLITE_CORRUPT: database disk image is malformed\n    at Database.prepare (db.ts:12:3)');
    expect(oneLine(error)).toBe('SQLITE_CORRUPT: database disk image is malformed');
    expect(oneLine('plain')).toBe('plain');
    expect(oneLine(new Error(''))).toBe('unknown error');
  });
});
