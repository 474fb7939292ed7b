#!/usr/bin/env node
// The `opsdeck` command: a thin launcher for the bundled CLI in dist/ (built by scripts/build.mjs), so that
// installing the package needs no TypeScript at run time.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);

if (!existsSync(fileURLToPath(cli))) {
  console.error('opsdeck: dist/cli.js is missing: run `npm run build` first');
  process.exitCode = 70;
} else {
  // A reader that goes away (`opsdeck list | head`) is not an error worth a stack trace.
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const { runCli } = await import(cli.href);
  process.exitCode = await runCli(process.argv);
}
