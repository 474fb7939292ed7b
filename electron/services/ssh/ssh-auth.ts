/**
 * Logging in to one SSH hop the way OpenSSH does: agent, key files (asking for passphrases), password, then
 * keyboard-interactive, each only while the server still offers it; and, when all fail, one message saying what was
 * refused and why nothing more was tried. Secrets stay in memory: unlocked keys in a cache the pool owns.
 */
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import type { AuthPrompts, ResolvedHost } from './types.js';

const { OpenSSHAgent, utils } = ssh2;

/** Wrong passphrases or passwords accepted before giving up on that method. */
const SECRET_TRIES = 3;
/** The keys OpenSSH tries when a host names none (those that exist). */
const DEFAULT_KEYS = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];

export interface AuthDeps {
  prompts: AuthPrompts;
  readFile(path: string): Promise<Buffer>;
  home: string;
}

/**
 * Keys unlocked with a passphrase, by absolute path, in memory for the pool's life (never written anywhere):
 * reconnecting neither asks again nor pays bcrypt again. Concurrent connects share one prompt.
 */
export interface KeyCache {
  unlocked: Map<string, { passphrase: string; data: Buffer; key: ParsedKey }>;
  unlocking: Map<string, Promise<ParsedKey | null>>;
}

export function createKeyCache(): KeyCache {
  return { unlocked: new Map(), unlocking: new Map() };
}

/** user@address:port, as the login is named in messages. */
export const hostLabel = (h: ResolvedHost): string => `${h.user}@${h.address}:${h.port}`;

function listJoin(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export const expandHome = (path: string, home: string): string => (path === '~' || path.startsWith('~/') ? home + path.slice(1) : path);
const showHome = (path: string, home: string): string => (path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path);

/** The agent to use for `host`: its IdentityAgent (`none`: no agent), else `defaultAgent`. */
export function agentSocketFor(host: ResolvedHost, defaultAgent: string | null, home: string): string | null {
  return host.identityAgent && host.identityAgent !== 'none' ? expandHome(host.identityAgent, home) : host.identityAgent === 'none' ? null : defaultAgent;
}

/** Authentication for one connection attempt to one hop. */
export interface HopAuth {
  /** ssh2's authHandler: offers the next method, told which ones the server still accepts. */
  handler: AuthHandlerMiddleware;
  /** Something that went wrong on the way; told to the user if login fails. */
  note(message: string): void;
  /** "the server refused the agent's 2 keys and the key ~/.ssh/id_ed25519 for deploy@10.0.0.5:22", plus why not more. */
  failure(): string;
}

/**
 * `asking` waits for a person with the caller's connect clock stopped. `agentPath` is the agent for this hop (see
 * agentSocketFor), null for none.
 */
export function createHopAuth(
  host: ResolvedHost,
  agentPath: string | null,
  deps: AuthDeps,
  keys: KeyCache,
  asking: <T>(question: () => Promise<T>) => Promise<T>,
): HopAuth {
  const { unlocked, unlocking } = keys;
  const expand = (path: string): string => expandHome(path, deps.home);
  const shown = (path: string): string => showHome(path, deps.home);
  let methodsLeft: string[] | null = null;
  const tried = { agentKeys: 0, keys: [] as string[], passwords: 0, keyboard: false };
  const notes: string[] = [];
  const allows = (method: string): boolean => methodsLeft === null || methodsLeft.includes(method);

  async function unlock(path: string, data: Buffer): Promise<ParsedKey | null> {
    const parse = (passphrase: string): ParsedKey | null => {
      const parsed = utils.parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error;
      return parsed instanceof Error ? null : Array.isArray(parsed) ? (parsed[0] ?? null) : parsed;
    };
    const known = unlocked.get(path);
    if (known?.data.equals(data)) return known.key;
    if (known) {
      // The file changed: the same passphrase may still open it (bcrypt makes each try cost ~300 ms, hence the cache).
      const key = parse(known.passphrase);
      if (key) {
        unlocked.set(path, { passphrase: known.passphrase, data, key });
        return key;
      }
      unlocked.delete(path);
    }
    let pending = unlocking.get(path);
    if (!pending) {
      pending = (async () => {
        for (let attempt = 0; attempt < SECRET_TRIES; attempt++) {
          const passphrase = await asking(() => deps.prompts.passphrase(host.name, shown(path), attempt > 0));
          if (passphrase === null) return null;
          const key = parse(passphrase);
          if (key) {
            unlocked.set(path, { passphrase, data, key });
            return key;
          }
        }
        return null;
      })().finally(() => unlocking.delete(path));
      unlocking.set(path, pending);
    }
    const key = await pending;
    if (!key) notes.push(`the key ${shown(path)} stayed locked (no right passphrase given)`);
    return key;
  }

  async function loadKey(file: string, explicit: boolean): Promise<ParsedKey | null> {
    const path = expand(file);
    let data: Buffer;
    try {
      data = await deps.readFile(path);
    } catch (error) {
      if (explicit) notes.push(`the key ${shown(path)} could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      return null;
    }
    const parsed = utils.parseKey(data) as ParsedKey | ParsedKey[] | Error;
    if (!(parsed instanceof Error)) return Array.isArray(parsed) ? (parsed[0] ?? null) : parsed;
    if (/passphrase/i.test(parsed.message)) return unlock(path, data);
    notes.push(`${shown(path)} is not a private key we can use (${parsed.message})`);
    return null;
  }

  /** The order OpenSSH uses: agent, key file, password, keyboard-interactive; each only if the server offers it. */
  async function* attempts(): AsyncGenerator<AnyAuthMethod> {
    const username = host.user;
    yield { type: 'none', username }; // learns which methods the server accepts, as OpenSSH does
    if (agentPath && allows('publickey')) {
      const agent = new OpenSSHAgent(agentPath);
      const count = await new Promise<number>((resolve) => {
        agent.getIdentities((error, keys) => {
          if (error) notes.push(`the agent at ${shown(agentPath)} did not answer (${error.message})`);
          resolve(keys?.length ?? 0);
        });
      });
      if (count > 0) {
        tried.agentKeys = count;
        yield { type: 'agent', username, agent };
      }
    }
    for (const file of host.identityFile ? [host.identityFile] : DEFAULT_KEYS) {
      if (!allows('publickey')) break;
      const key = await loadKey(file, host.identityFile !== null);
      if (!key) continue;
      tried.keys.push(shown(expand(file)));
      yield { type: 'publickey', username, key };
    }
    for (let attempt = 0; attempt < SECRET_TRIES && allows('password'); attempt++) {
      const password = await asking(() => deps.prompts.password(host.name, username, attempt > 0));
      if (password === null) break;
      tried.passwords++;
      yield { type: 'password', username, password };
    }
    for (let attempt = 0; attempt < SECRET_TRIES && allows('keyboard-interactive'); attempt++) {
      let declined = false;
      tried.keyboard = true;
      yield {
        type: 'keyboard-interactive',
        username,
        prompt: (name, instructions, _lang, prompts, finish) => {
          void asking(() => deps.prompts.keyboardInteractive(host.name, name, instructions, prompts.map((p) => ({ prompt: p.prompt, echo: p.echo ?? false }))))
            .then((answers) => {
              declined = answers === null;
              finish(answers ?? []);
            }, () => finish([]));
        },
      };
      if (declined) break;
    }
  }

  const authFailure = (): string => {
    const refused = [
      ...(tried.agentKeys === 1 ? ["the agent's key"] : tried.agentKeys > 1 ? [`the agent's ${tried.agentKeys} keys`] : []),
      ...tried.keys.map((k) => `the key ${k}`),
      ...(tried.passwords === 1 ? ['the password'] : tried.passwords > 1 ? [`${tried.passwords} passwords`] : []),
      ...(tried.keyboard ? ['the keyboard-interactive answers'] : []),
    ];
    const offered = methodsLeft ? ` (it accepts: ${methodsLeft.join(', ')})` : '';
    const what = refused.length > 0 ? `the server refused ${listJoin(refused)}` : `nothing to log in with${offered}`;
    return `${what} for ${hostLabel(host)}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`;
  };

  const gen = attempts();
  return {
    handler: (left, _partial, next) => {
      if (left) methodsLeft = left;
      const proceed = next as (m: AnyAuthMethod | false) => void;
      gen.next().then((r) => proceed(r.done ? false : r.value), (error: unknown) => {
        notes.push(error instanceof Error ? error.message : String(error));
        proceed(false);
      });
    },
    note: (message) => void notes.push(message),
    failure: authFailure,
  };
}
