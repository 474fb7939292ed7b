// `npm run bench`: runs every bench/*.bench.ts (through tsx) one after another and prints its lines. A benchmark
// prints ratios against its anchor measured in the same run; it asserts nothing.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(`${root}bench`).filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o))));
let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const code = `const m = await import(${JSON.stringify(`${root}bench/${file}`)}); await m.run((l) => console.log(l));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
