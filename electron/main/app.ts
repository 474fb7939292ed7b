/**
 * The Electron entry (bundled to dist/electron/main.cjs). Main draws the window and relays the contract; the data
 * is owned elsewhere: by an `opsdeck daemon` or `serve` already running, or by the app's own utility process
 * (owner-process.ts). desktop-app.ts holds the app's life; this file only supplies its paths.
 */
import { resolve } from 'node:path';
import { defaultDataDir } from '../host/data-dir.js';
import { startDesktopApp } from './desktop-app.js';

// From this bundle's own place (dist/electron/main.cjs), not app.getAppPath(): that is the script's folder when
// launched as `electron dist/electron/main.cjs` (npm start) and the package root when launched as `electron .`.
startDesktopApp({ appRoot: resolve(__dirname, '..', '..'), bundleDir: __dirname, dataDir: defaultDataDir() });
