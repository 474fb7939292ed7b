/**
 * Previews the hosts in an OpenSSH client config (~/.ssh/config) for import into the inventory: every concrete Host
 * name with its effective options, computed the way ssh would (wildcard blocks applied, Includes followed), and a
 * list of what could not become a host and why. Read-only, and never throws on a bad file: it says what it skipped.
 */
import { dirname, isAbsolute, join } from 'node:path';
import SSHConfig, { LineType, type Line, type Section } from 'ssh-config';
import { HostFields } from '../../../shared/contract/hosts.js';
import { wildcardMatch } from './known-hosts.js';

export interface SshConfigDeps {
  /** The file's text, or null when it does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Names (not paths) of the entries in a directory; may reject when the directory does not exist. */
  listDir(dir: string): Promise<string[]>;
  home: string;
}

export interface SkippedEntry {
  pattern: string;
  reason: string;
}

export interface SshConfigPreviewResult {
  file: string;
  hosts: HostFields[];
  skipped: SkippedEntry[];
}

/** OpenSSH's own limit on nested Includes (READCONF_MAX_DEPTH). */
const MAX_INCLUDE_DEPTH = 16;
/**
 * Files read per preview at most: two Includes of the file itself would otherwise read 2^16 files before the depth
 * limit stops them. Real configs read a handful; this only bounds a mistake.
 */
const MAX_FILES = 256;

export const PATTERN_REASON = 'a pattern, not a host: its options apply to the hosts it matches';

export async function readSshConfigPreview(file: string, deps: SshConfigDeps): Promise<SshConfigPreviewResult> {
  const skipped: SkippedEntry[] = [];
  const skip = (pattern: string, reason: string): void => {
    if (!skipped.some((s) => s.pattern === pattern && s.reason === reason)) skipped.push({ pattern, reason });
  };
  const path = expandHome(file, deps.home);
  // Relative Include paths are relative to ~/.ssh in a user's config, and to /etc/ssh in the system's (ssh_config(5)).
  const includeBase = path.startsWith('/etc/ssh/') ? '/etc/ssh' : join(deps.home, '.ssh');
  const loader = { deps, skip, includeBase, filesRead: 0 };

  const lines = await loadFile(loader, path, 0, 'file not found');
  const config = new SSHConfig();
  config.push(...(lines ?? []));

  const names: string[] = [];
  for (const line of config) {
    if (line.type !== LineType.DIRECTIVE || !('config' in line)) continue;
    if (/^match$/i.test(line.param)) {
      skip(`Match ${valueText(line.value)}`, 'a Match block, not a host: its options apply where it matches');
      continue;
    }
    for (const name of values(line.value)) {
      if (/[*?!]/.test(name)) skip(name, PATTERN_REASON);
      else if (!names.includes(name)) names.push(name);
    }
  }

  const hosts: HostFields[] = [];
  for (const name of names) {
    const host = hostFor(config, name);
    if ('reason' in host) skip(name, host.reason);
    else hosts.push(host);
  }
  return { file, hosts, skipped };
}

interface Loader {
  deps: SshConfigDeps;
  skip(pattern: string, reason: string): void;
  includeBase: string;
  filesRead: number;
}

/**
 * One file's lines with its Includes replaced by the included files' lines. An Include inside a Host block adds the
 * included file's leading options to that block; Host blocks inside the included file follow as blocks of their own
 * (ssh would apply them only when the enclosing block matches too; that rare nesting is approximated).
 */
async function loadFile(loader: Loader, path: string, depth: number, missing: string): Promise<Line[] | null> {
  if (loader.filesRead >= MAX_FILES) {
    loader.skip(path, `more than ${MAX_FILES} files included: not read`);
    return null;
  }
  loader.filesRead++;
  let text: string | null;
  try {
    text = await loader.deps.readFile(path);
  } catch (err) {
    loader.skip(path, `could not read: ${messageOf(err)}`);
    return null;
  }
  if (text === null) {
    loader.skip(path, missing);
    return null;
  }
  let parsed: SSHConfig;
  try {
    parsed = SSHConfig.parse(text);
  } catch (err) {
    loader.skip(path, `could not parse: ${messageOf(err)}`);
    return null;
  }

  const out: Line[] = [];
  for (const line of parsed) {
    if (isInclude(line)) {
      out.push(...(await loadIncludes(loader, line, depth)));
    } else if (line.type === LineType.DIRECTIVE && 'config' in line) {
      out.push(...(await expandSection(loader, line, depth)));
    } else {
      out.push(line);
    }
  }
  return out;
}

async function expandSection(loader: Loader, section: Section, depth: number): Promise<Line[]> {
  let current: Section = { ...section, config: new SSHConfig() };
  const out: Line[] = [current];
  for (const sub of section.config) {
    if (!isInclude(sub)) {
      current.config.push(sub);
      continue;
    }
    const included = await loadIncludes(loader, sub, depth);
    let trailingSections = false;
    for (const line of included) {
      if (line.type === LineType.DIRECTIVE && 'config' in line) {
        out.push(line);
        trailingSections = true;
      } else if (!trailingSections) {
        current.config.push(line);
      }
    }
    if (trailingSections) {
      // The enclosing block's options after the Include still belong to it: continue it as a copy of its header.
      current = { ...section, config: new SSHConfig() };
      out.push(current);
    }
  }
  return out;
}

async function loadIncludes(loader: Loader, include: Line, depth: number): Promise<Line[]> {
  const out: Line[] = [];
  if (include.type !== LineType.DIRECTIVE) return out;
  for (const spec of values(include.value)) {
    if (depth + 1 > MAX_INCLUDE_DEPTH) {
      loader.skip(`Include ${spec}`, `Includes nested more than ${MAX_INCLUDE_DEPTH} deep (an Include loop?): not read`);
      continue;
    }
    for (const path of await resolveInclude(loader, spec)) {
      const lines = await loadFile(loader, path, depth + 1, `included file not found (Include ${spec})`);
      if (lines) out.push(...lines);
    }
  }
  return out;
}

/** The files an Include names, in the order ssh reads them (glob matches sorted). */
async function resolveInclude(loader: Loader, spec: string): Promise<string[]> {
  const expanded = expandHome(spec, loader.deps.home);
  const path = isAbsolute(expanded) ? expanded : join(loader.includeBase, expanded);
  const dir = dirname(path);
  const base = path.slice(dir.length + (dir.endsWith('/') ? 0 : 1));
  if (/[*?]/.test(dir)) {
    loader.skip(`Include ${spec}`, 'wildcards are supported in the file name only, not in directories');
    return [];
  }
  if (!/[*?]/.test(base)) return [path];
  let entries: string[];
  try {
    entries = await loader.deps.listDir(dir);
  } catch (err) {
    loader.skip(`Include ${spec}`, `could not list ${dir}: ${messageOf(err)}`);
    return [];
  }
  // As glob(3): a wildcard does not match a leading dot. No match is no error, as in ssh.
  return entries
    .filter((name) => (base.startsWith('.') || !name.startsWith('.')) && wildcardMatch(base, name))
    .sort()
    .map((name) => join(dir, name));
}

/** The effective options for one concrete name, as HostFields, or why it cannot be imported. */
function hostFor(config: SSHConfig, name: string): HostFields | { reason: string } {
  let opts: Record<string, string | string[]>;
  try {
    // matchExec: false - a preview must never run the `Match exec` commands of a file it is only reading.
    opts = config.compute(name, { ignoreCase: true, matchExec: false });
  } catch (err) {
    return { reason: `could not compute its options: ${messageOf(err)}` };
  }
  const get = (key: string): string | undefined => {
    const v = opts[key];
    return Array.isArray(v) ? v[0] : v;
  };

  const portText = get('port') ?? '22';
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { reason: `Port ${portText} is not a number from 1 to 65535` };

  const notes: string[] = [];
  const proxyCommand = get('proxycommand');
  if (proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none') {
    notes.push(`ProxyCommand is not supported (only ProxyJump); this host's ProxyCommand was not imported: ${proxyCommand}`);
  }
  const jumpText = get('proxyjump');
  const jump = jumpText === undefined || jumpText.toLowerCase() === 'none' ? [] : jumpText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const identityFile = get('identityfile');
  const identityAgent = get('identityagent');

  const candidate = {
    name,
    address: expandTokens(get('hostname') ?? name, name),
    port,
    user: get('user') ?? null,
    identityFile: identityFile === undefined || identityFile.toLowerCase() === 'none' ? null : identityFile,
    identityAgent: identityAgent === undefined || identityAgent === 'SSH_AUTH_SOCK' ? null : identityAgent,
    jump,
    forwardAgent: (get('forwardagent') ?? 'no').toLowerCase() === 'yes',
    tags: [],
    notes: notes.join('\n'),
  };
  const checked = HostFields.safeParse(candidate);
  if (!checked.success) {
    return { reason: checked.error.issues.map((i) => `${i.path.join('.') || 'host'}: ${i.message}`).join('; ') };
  }
  return checked.data;
}

function isInclude(line: Line): boolean {
  return line.type === LineType.DIRECTIVE && /^include$/i.test(line.param);
}

function values(value: string | Array<{ val: string }>): string[] {
  return typeof value === 'string' ? [value] : value.map((v) => v.val);
}

function valueText(value: string | Array<{ val: string }>): string {
  return values(value).join(' ');
}

/** HostName's `%h` is the name typed on the command line; `%%` a literal percent. Other tokens are left as written. */
function expandTokens(hostName: string, name: string): string {
  return hostName.replace(/%([%h])/g, (_, t: string) => (t === 'h' ? name : '%'));
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  return path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
