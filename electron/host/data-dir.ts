/**
 * Where Opsdeck keeps its data when the user does not say: OPSDECK_HOME, else the folder each OS sets aside for
 * application data. The Electron app and the CLI must agree on it, so both ask here.
 */
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export interface DataDirContext {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  home: string;
}

export function defaultDataDir(
  { env, platform, home }: DataDirContext = { env: process.env, platform: process.platform, home: homedir() },
): string {
  if (env.OPSDECK_HOME) return env.OPSDECK_HOME;
  switch (platform) {
    case 'win32':
      return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), 'Opsdeck');
    case 'darwin':
      return posix.join(home, 'Library', 'Application Support', 'Opsdeck');
    default: {
      // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
      const xdg = env.XDG_CONFIG_HOME;
      return posix.join(xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.config'), 'opsdeck');
    }
  }
}
