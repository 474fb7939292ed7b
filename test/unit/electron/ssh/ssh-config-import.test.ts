import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATTERN_REASON, readSshConfigPreview } from '../../../../electron/services/ssh/ssh-config-import.js';

const HOME = '/home/a';
const CONFIG = '/home/a/.ssh/config';

/** An in-memory file tree: readFile and listDir over a map of absolute paths. */
function fakeFs(files: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    deps: {
      home: HOME,
      readFile: async (path: string) => {
        reads.push(path);
        return files[path] ?? null;
      },
      listDir: async (dir: string) => {
        const names = Object.keys(files)
          .filter((p) => posix.dirname(p) === dir)
          .map((p) => posix.basename(p));
        if (names.length === 0) throw new Error(`ENOENT: ${dir}`);
        return names;
      },
    },
  };
}

describe('readSshConfigPreview', () => {
  it('lists concrete hosts with their effective options, applying wildcard blocks and skipping them', async () => {
    const { deps } = fakeFs({
      [CONFIG]: [
        'Host web1 web2',
        '  HostName %h.example.com',
        '  User deploy',
        'Host db',
        '  HostName 10.0.0.7',
        '  Port 2222',
        '  IdentityFile ~/.ssh/db_ed25519',
        '  IdentityFile ~/.ssh/other',
        '  ForwardAgent yes',
        'Host *.example.com web?',
        '  User ops',
        'Host *',
        '  User nobody',
        '  IdentityAgent ~/.1password/agent.sock',
      ].join('\n'),
    });
    const preview = await readSshConfigPreview(CONFIG, deps);
    expect(preview.file).toBe(CONFIG);
    expect(preview.hosts).toEqual([
      { name: 'web1', address: 'web1.example.com', port: 22, user: 'deploy', identityFile: null, identityAgent: '~/.1password/agent.sock', jump: [], forwardAgent: false, tags: [], notes: '' },
      { name: 'web2', address: 'web2.example.com', port: 22, user: 'deploy', identityFile: null, identityAgent: '~/.1password/agent.sock', jump: [], forwardAgent: false, tags: [], notes: '' },
      { name: 'db', address: '10.0.0.7', port: 2222, user: 'nobody', identityFile: '~/.ssh/db_ed25519', identityAgent: '~/.1password/agent.sock', jump: [], forwardAgent: true, tags: [], notes: '' },
    ]);
    expect(preview.skipped).toEqual([
      { pattern: '*.example.com', reason: PATTERN_REASON },
      { pattern: 'web?', reason: PATTERN_REASON },
      { pattern: '*', reason: PATTERN_REASON },
    ]);
  });

  it('defaults: HostName is the name, port 22, no user, no identity, no jump, no agent forwarding', async () => {
    const { deps } = fakeFs({ [CONFIG]: 'Host plain\n' });
    const { hosts } = await readSshConfigPreview(CONFIG, deps);
    expect(hosts).toEqual([
      { name: 'plain', address: 'plain', port: 22, user: null, identityFile: null, identityAgent: null, jump: [], forwardAgent: false, tags: [], notes: '' },
    ]);
  });

  it('splits ProxyJump on commas, treats none as no jump, and notes an unsupported ProxyCommand', async () => {
    const { deps } = fakeFs({
      [CONFIG]: [
        'Host inner',
        '  ProxyJump bastion, admin@gate.example.com:2200',
        'Host direct',
        '  ProxyJump none',
        'Host old',
        '  ProxyCommand ssh -W %h:%p gate',
        'Host *',
        '  ProxyJump bastion',
      ].join('\n'),
    });
    const { hosts } = await readSshConfigPreview(CONFIG, deps);
    const byName = new Map(hosts.map((h) => [h.name, h]));
    expect(byName.get('inner')?.jump).toEqual(['bastion', 'admin@gate.example.com:2200']);
    expect(byName.get('direct')?.jump).toEqual([]);
    expect(byName.get('old')?.jump).toEqual(['bastion']);
    expect(byName.get('old')?.notes).toContain('ProxyCommand is not supported');
    expect(byName.get('old')?.notes).toContain('ssh -W %h:%p gate');
    expect(byName.get('inner')?.notes).toBe('');
  });

  it('follows Include with a glob (sorted, relative to ~/.ssh), nested Includes, and Include inside a Host block', async () => {
    const { deps } = fakeFs({
      [CONFIG]: ['Include conf.d/*.conf', 'Host top', '  Include ~/.ssh/top-extra', '  Port 2200', 'Host *', '  User fallback'].join('\n'),
      '/home/a/.ssh/conf.d/20-db.conf': 'Host db\n  HostName db.internal\n  Include nested/more\n',
      '/home/a/.ssh/conf.d/10-web.conf': 'Host web\n  User www\n',
      '/home/a/.ssh/conf.d/README': 'Host not-included\n',
      '/home/a/.ssh/conf.d/.hidden.conf': 'Host hidden\n',
      '/home/a/.ssh/nested/more': 'User dbadmin\nHost deep\n  Port 2022\n',
      '/home/a/.ssh/top-extra': 'HostName top.example.com\n',
    });
    const { hosts, skipped } = await readSshConfigPreview(CONFIG, deps);
    expect(hosts.map((h) => [h.name, h.address, h.user, h.port])).toEqual([
      ['web', 'web', 'www', 22],
      ['db', 'db.internal', 'dbadmin', 22],
      ['deep', 'deep', 'fallback', 2022],
      ['top', 'top.example.com', 'fallback', 2200],
    ]);
    expect(skipped).toEqual([{ pattern: '*', reason: PATTERN_REASON }]);
  });

  it('skips a missing include with a reason and keeps the rest', async () => {
    const { deps } = fakeFs({ [CONFIG]: 'Include missing.conf /etc/ssh/nothere/*\nHost web\n' });
    const { hosts, skipped } = await readSshConfigPreview(CONFIG, deps);
    expect(hosts.map((h) => h.name)).toEqual(['web']);
    expect(skipped).toEqual([
      { pattern: '/home/a/.ssh/missing.conf', reason: 'included file not found (Include missing.conf)' },
      { pattern: 'Include /etc/ssh/nothere/*', reason: expect.stringContaining('could not list /etc/ssh/nothere') },
    ]);
  });

  it('stops an Include loop at 16 levels', async () => {
    const { deps, reads } = fakeFs({ [CONFIG]: 'Include config config\nHost web\n' });
    const { hosts, skipped } = await readSshConfigPreview(CONFIG, deps);
    expect(hosts.map((h) => h.name)).toEqual(['web']);
    expect(skipped.some((s) => s.reason.includes('nested more than 16'))).toBe(true);
    expect(reads.length).toBeLessThanOrEqual(256);
  });

  it('never throws: a missing file, an unparsable file, and an invalid port become skipped entries', async () => {
    const missing = await readSshConfigPreview('/nope/config', fakeFs({}).deps);
    expect(missing).toEqual({ file: '/nope/config', hosts: [], skipped: [{ pattern: '/nope/config', reason: 'file not found' }] });

    const { deps } = fakeFs({ [CONFIG]: 'Include bad.conf\nHost ok\nHost badport\n  Port ssh\n', '/home/a/.ssh/bad.conf': 'Host "unterminated\n' });
    const preview = await readSshConfigPreview(CONFIG, deps);
    expect(preview.hosts.map((h) => h.name)).toEqual(['ok']);
    expect(preview.skipped).toEqual([
      { pattern: '/home/a/.ssh/bad.conf', reason: expect.stringContaining('could not parse') },
      { pattern: 'badport', reason: 'Port ssh is not a number from 1 to 65535' },
    ]);
  });

  it('does not run Match exec commands while previewing', async () => {
    const { deps } = fakeFs({ [CONFIG]: 'Match exec "exit 0"\n  User matched\nHost web\n' });
    const { hosts, skipped } = await readSshConfigPreview(CONFIG, deps);
    expect(hosts[0]?.user).toBeNull();
    expect(skipped[0]?.pattern).toBe('Match exec exit 0');
  });
});
