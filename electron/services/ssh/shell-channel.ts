/**
 * An interactive shell over a pooled SSH connection: a pty channel with TERM xterm-256color, window-change on
 * resize, and backpressure (pausing the channel lets the SSH window fill, so the remote program blocks instead of
 * Opsdeck buffering without bound).
 */
import type { Client as SshClient, ClientChannel } from 'ssh2';
import type { ShellChannel, ShellOptions } from './types.js';

export function openShell(client: SshClient, opts: ShellOptions, onClosed: () => void): Promise<ShellChannel> {
  return new Promise<ShellChannel>((resolve, reject) => {
    client.shell({ term: opts.term ?? 'xterm-256color', cols: opts.cols, rows: opts.rows }, (error, channel: ClientChannel) => {
      if (error) {
        onClosed();
        reject(error);
        return;
      }
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      const exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
      channel.on('exit', (code: number | null, signal?: string) => {
        exitCode = code;
        exitSignal = signal ?? null;
      });
      channel.on('close', () => {
        onClosed();
        for (const l of exitListeners) l(exitCode, exitSignal);
      });
      resolve({
        write: (data) => void channel.write(data),
        resize: (cols, rows) => channel.setWindow(rows, cols, 0, 0),
        onData(listener) {
          channel.on('data', listener);
          channel.stderr.on('data', listener);
        },
        onExit: (listener) => void exitListeners.push(listener),
        pause: () => void channel.pause(),
        resume: () => void channel.resume(),
        close: () => void channel.close(),
      });
    });
  });
}
