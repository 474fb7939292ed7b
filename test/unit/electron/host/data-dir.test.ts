import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../../electron/host/data-dir.js';

describe('defaultDataDir', () => {
  it('prefers OPSDECK_HOME on every platform', () => {
    expect(defaultDataDir({ env: { OPSDECK_HOME: '/srv/opsdeck', XDG_CONFIG_HOME: '/x' }, platform: 'linux', home: '/home/a' })).toBe('/srv/opsdeck');
    expect(defaultDataDir({ env: { OPSDECK_HOME: 'D:\\ops' }, platform: 'win32', home: 'C:\\Users\\a' })).toBe('D:\\ops');
  });

  it('uses XDG_CONFIG_HOME on Linux when it is absolute, else ~/.config', () => {
    expect(defaultDataDir({ env: { XDG_CONFIG_HOME: '/cfg' }, platform: 'linux', home: '/home/a' })).toBe('/cfg/opsdeck');
    expect(defaultDataDir({ env: { XDG_CONFIG_HOME: 'relative' }, platform: 'linux', home: '/home/a' })).toBe('/home/a/.config/opsdeck');
    expect(defaultDataDir({ env: {}, platform: 'linux', home: '/home/a' })).toBe('/home/a/.config/opsdeck');
  });

  it("uses macOS's Application Support and Windows' APPDATA", () => {
    expect(defaultDataDir({ env: {}, platform: 'darwin', home: '/Users/a' })).toBe('/Users/a/Library/Application Support/Opsdeck');
    expect(defaultDataDir({ env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\a' })).toBe(
      'C:\\Users\\a\\AppData\\Roaming\\Opsdeck',
    );
    expect(defaultDataDir({ env: {}, platform: 'win32', home: 'C:\\Users\\a' })).toBe('C:\\Users\\a\\AppData\\Roaming\\Opsdeck');
  });
});
