// Event-loop benchmark: the longest the owner's event loop is blocked (monitorEventLoopDelay, 1 ms resolution)
// while each kind of call runs against an owner holding the seeds and a history, for every method a window or the
// CLI uses day to day, and a cold SSH connection (ssh2's key exchange) to a real sshd when there is one. Goal: no
// call blocks it for more than 20 ms. The 1 MB import through the worker is measured in import.bench.ts.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RunDetail } from '../shared/contract/schemas.js';
import { makeClientKey, startSshd, type Sshd } from '../test/helpers/sshd.js';
import { fmt, importTrueStep, openDeck, runStep, startRun, type Deck, type TrueStep } from './ssh-bench-helpers.js';

const GOAL_MS = 20;
/** Repetitions of each call: the worst of many is what a user meets. */
const REPEAT = 30;

/** Imports a one-step runbook running `script`. */
async function importScript(d: Deck, file: string, script: string): Promise<TrueStep> {
  writeFileSync(file, `# ${script}\n\n\`\`\`bash\n${script}\n\`\`\`\n`);
  const imported = await d.call('runbooks.import', { path: file });
  const rb = await d.call('runbooks.get', { id: imported.runbookId });
  const section = rb.document.sections.find((s) => s.steps.some((st) => st.kind === 'command'));
  const stepId = section?.steps.find((st) => st.kind === 'command')?.id;
  if (!section || !stepId) throw new Error(`no command step in ${file}`);
  return { runbookId: imported.runbookId, sectionId: section.id, stepId };
}

export async function run(log: (line: string) => void): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-bench-loop-'));
  let deck: Deck | null = null;
  let sshd: Sshd | null = null;
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const rows: Array<[string, number]> = [];
  const measure = async (label: string, op: () => Promise<unknown>, times = REPEAT): Promise<void> => {
    // Let the loop settle, then count only what happens during the calls.
    await new Promise((r) => setTimeout(r, 20));
    h.reset();
    for (let i = 0; i < times; i++) await op();
    await new Promise((r) => setTimeout(r, 5));
    rows.push([label, h.max / 1e6]);
  };
  try {
    deck = await openDeck(join(tmp, 'data'), []);
    const d = deck;
    const seeds = join(import.meta.dirname, '../test/fixtures/seeds');
    const files = readdirSync(seeds).map((f) => join(seeds, f));
    await measure('runbooks.import (each seed, first time)', async () => {
      for (const f of files) await d.call('runbooks.import', { path: f });
    }, 1);
    await measure('runbooks.import (each seed, unchanged)', async () => {
      for (const f of files) await d.call('runbooks.import', { path: f });
    });
    const list = await d.call('runbooks.list', {});
    await measure('runbooks.list', () => d.call('runbooks.list', {}));
    await measure('runbooks.get (each seed)', async () => {
      for (const rb of list) await d.call('runbooks.get', { id: rb.id });
    });

    const step = await importTrueStep(d, join(tmp, 'true.md'));
    let runId = '';
    await measure('runs.start + steps.run `true` to its recorded end', async () => {
      runId = await startRun(d, step);
      await runStep(d, runId, step.stepId, { kind: 'local' }, 0, 1);
      await d.call('runs.finish', { runId });
    }, 50);
    await measure('runs.list (limit 1000)', () => d.call('runs.list', { limit: 1000 }));
    await measure('runs.get', () => d.call('runs.get', { runId }));
    const detail: RunDetail = await d.call('runs.get', { runId });
    const attemptId = detail.steps.find((s) => s.stepId === step.stepId)?.attempts[0]?.id ?? '';
    await measure('runs.output', () => d.call('runs.output', { runId, attemptId }));
    await measure('hosts.list', () => d.call('hosts.list', {}));
    await measure('term.open (local) + echo + close', async () => {
      const term = await d.call('term.open', { kind: 'local', cols: 80, rows: 24 });
      await d.call('term.close', { id: term.id });
    }, 5);
    const flood = await importScript(d, join(tmp, 'flood.md'), 'seq 1 700000');
    await measure('steps.run printing 4.8 MB (seq 1 700000), to its recorded end', async () => {
      await runStep(d, await startRun(d, flood), flood.stepId, { kind: 'local' }, 0, 1);
    }, 3);

    if (existsSync('/usr/sbin/sshd')) {
      const keyFile = join(tmp, 'client', 'id_ed25519');
      const pub = await makeClientKey(keyFile);
      sshd = await startSshd({ authorizedKeys: [pub], loginShell: 'bash' });
      const fields = { name: 'loop', address: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: keyFile, identityAgent: 'none', jump: [], notes: '', forwardAgent: false };
      const saved = await d.call('hosts.save', { ...fields, tags: [] });
      // The deck accepts no unknown key by itself: accept this server's the way a user would.
      const off = d.host.subscribe((event, payload) => {
        const p = payload as { id: string; kind: string };
        if (event === 'prompt.request' && p.kind === 'host-key') void d.call('prompts.answer', { id: p.id, answer: { kind: 'host-key', accept: true } });
      });
      await d.call('hosts.test', { name: 'loop' });
      off();
      let round = 0;
      await measure('hosts.test on a cold connection (key exchange, auth, `true`)', async () => {
        // Saving a changed entry drops the pooled connection: each test then connects afresh.
        await d.call('hosts.save', { ...fields, id: saved.id, tags: [`round-${round++}`] });
        await d.call('hosts.test', { name: 'loop' });
      }, 10);
    } else {
      log('(no /usr/sbin/sshd here: the SSH key exchange was not measured)');
    }
  } finally {
    h.disable();
    await deck?.close();
    await sshd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  log(`worst event-loop stall of the owner during each call (goal: under ${GOAL_MS} ms)`);
  for (const [label, ms] of rows) log(`${label.padEnd(64)} ${fmt(ms).padStart(7)} ms${ms > GOAL_MS ? '  OVER' : ''}`);
}
