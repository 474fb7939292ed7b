/**
 * Web mode: the same host the Electron app runs, served to a browser on 127.0.0.1 instead of a window. Used where
 * Electron cannot run (no binary here) and by `opsdeck serve`; stops cleanly on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startWebServer, type HostLike } from './ws-server.js';

/** The host as web mode uses it: served, then closed. */
export interface WebHostLike extends HostLike {
  close(): Promise<void>;
  /** The owner lock: the web address goes into owner.json, so that a refused second owner can name it. */
  owner?: { update(patch: { url?: string }): void };
}

export interface WebModeOptions {
  dataDir: string;
  port: number;
  /** Open the address in the default browser. */
  open?: boolean;
  log: (line: string) => void;
  createHost: (opts: { dataDir: string; mode: 'electron' | 'web' }) => Promise<WebHostLike>;
  /** The built renderer: dist/renderer/ (the CLI passes it from its own place, dist/cli.js). */
  staticDir: string | URL;
  /** Stop on SIGINT and SIGTERM (default true; tests turn it off). */
  handleSignals?: boolean;
}

export interface WebMode {
  url: string;
  stop(): Promise<void>;
  /** Settles once stopped, by stop() or by a signal; rejects if stopping failed. */
  done: Promise<void>;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** Exit status after a second Ctrl-C while stopping: 128 + SIGINT, as shells report it. */
const FORCED_EXIT_CODE = 130;

export async function runWebMode(opts: WebModeOptions): Promise<WebMode> {
  const staticDir = toPath(opts.staticDir);
  const host = await opts.createHost({ dataDir: opts.dataDir, mode: 'web' });
  let server: Awaited<ReturnType<typeof startWebServer>>;
  try {
    server = await startWebServer({ host, staticDir, port: opts.port });
  } catch (error) {
    await host.close().catch(() => undefined);
    throw error;
  }

  let resolveDone!: () => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  // Awaiting `done` is optional: a failed stop must not also surface as an unhandled rejection.
  done.catch(() => undefined);

  const handleSignals = opts.handleSignals ?? true;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    if (!stopping) {
      stopping = (async () => {
        try {
          await server.close();
        } finally {
          try {
            await host.close();
          } finally {
            // Only now: until everything is closed, a second Ctrl-C must still be able to force the exit.
            if (handleSignals) for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
          }
        }
      })();
      stopping.then(resolveDone, rejectDone);
    }
    return stopping;
  };

  function onSignal(signal: NodeJS.Signals): void {
    if (stopping) process.exit(FORCED_EXIT_CODE);
    opts.log(`Stopping (${signal})…`);
    stop().catch((error: unknown) => opts.log(`Opsdeck did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`));
  }
  if (handleSignals) for (const signal of STOP_SIGNALS) process.on(signal, onSignal);

  host.owner?.update({ url: `http://127.0.0.1:${server.port}/` });
  opts.log(`Opsdeck is running at ${server.url}`);
  opts.log('Open it in your browser; stop with Ctrl-C.');
  if (opts.open) openInBrowser(server.url, opts.log);

  return { url: server.url, stop, done };
}

function toPath(dir: string | URL): string {
  return typeof dir === 'string' ? dir : fileURLToPath(dir);
}

/** Best effort: a machine with no desktop still has the printed address. */
function openInBrowser(url: string, log: (line: string) => void): void {
  const [command, ...args]: string[] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? // Not `cmd /c start`: cmd would read characters of the address as its own syntax.
          ['rundll32', 'url.dll,FileProtocolHandler', url]
        : ['xdg-open', url];
  try {
    const child = spawn(command ?? 'xdg-open', args, { stdio: 'ignore', detached: true });
    child.on('error', () => log(`Could not open a browser (${command}); open the address above yourself.`));
    child.unref();
  } catch {
    log('Could not open a browser; open the address above yourself.');
  }
}
