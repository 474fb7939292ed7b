// Command steps of a section run as if typed into one shell, in real bash through the whole host (contract, run
// service, exec): variables, exports, cd, options and functions carry from step to step; a failure inside a
// pipeline or in the middle of a step fails the step and names the command; finishing with steps left asks why and
// records the run as incomplete. Seed 001's Data Recovery carries RECOVERY_DATE from one step to the next.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../shared/contract/schemas.js';
import type { Section } from '../../shared/model/runbook.js';
import { createHost, type Host } from '../../electron/host/host.js';
import { callerFor } from '../../electron/host/cli-run.js';

let dir: string;
let host: Host;
let call: ReturnType<typeof callerFor>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-session-'));
  host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
  call = callerFor(host);
}, 30_000);

afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

const findSection = (sections: readonly Section[], title: string): Section | undefined => {
  for (const s of sections) {
    if (s.title === title) return s;
    const inner = findSection(s.sections, title);
    if (inner) return inner;
  }
  return undefined;
};

async function importText(name: string, markdown: string) {
  const file = join(dir, name);
  writeFileSync(file, markdown);
  const report = await call('runbooks.import', { path: file });
  return call('runbooks.get', { id: report.runbookId });
}

/** Runs one command step and waits for its end; answers the run as it then is. */
async function runStep(runId: string, stepId: string, params: Record<string, string> = {}, confirmation?: string): Promise<RunDetail> {
  await call('steps.run', { runId, stepId, params, ...(confirmation ? { confirmation } : {}) });
  for (let i = 0; i < 400; i++) {
    const detail = await call('runs.get', { runId });
    if (detail.steps.find((s) => s.stepId === stepId)?.status !== 'running') return detail;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the step did not end');
}

const outputOf = async (runId: string, detail: RunDetail, stepId: string): Promise<string> => {
  const attempt = detail.steps.find((s) => s.stepId === stepId)?.attempts.at(-1);
  if (!attempt) return '';
  return (await call('runs.output', { runId, attemptId: attempt.id })).filter((c) => c.stream === 'stdout').map((c) => c.data).join('');
};

describe('a section session', () => {
  it('carries variables, exports, cd, options and functions from one step to the next', async () => {
    mkdirSync(join(dir, 'work', 'sub'), { recursive: true });
    const rb = await importText('carry.md', [
      '# Carry', '', '## Steps', '',
      '```bash', `cd ${join(dir, 'work')}`, 'NAME=deploy-42', 'export REGION=eu-west-1', 'shopt -s nullglob', 'greet() { echo "hello $1"; }', '```', '',
      '```bash', 'cd sub', 'echo "name=$NAME"', '```', '',
      '```bash', 'pwd', 'bash -c \'echo "child sees $REGION"\'', 'echo "globs: [$(echo /nonexistent-*)]"', 'greet "$NAME"', '```', '',
    ].join('\n'));
    const section = rb.document.sections[0]!.sections[0]!;
    const [setup, enter, use] = section.steps;
    const run = await call('runs.start', { runbookId: rb.id, sectionId: section.id });
    const runId = run.run.id;
    let detail = await runStep(runId, setup!.id);
    expect(detail.steps[0]!.status).toBe('succeeded');
    detail = await runStep(runId, enter!.id);
    expect(await outputOf(runId, detail, enter!.id)).toBe('name=deploy-42\n');
    detail = await runStep(runId, use!.id);
    expect(detail.steps[2]!.status).toBe('succeeded');
    expect(await outputOf(runId, detail, use!.id)).toBe(`${join(dir, 'work', 'sub')}\nchild sees eu-west-1\nglobs: []\nhello deploy-42\n`);
    // The run shows the carried state; the wrapper's report never reaches the recorded output.
    const session = detail.sessions.find((s) => s.where === 'local');
    expect(session).toMatchObject({ cwd: join(dir, 'work', 'sub'), functions: ['greet'] });
    expect(session!.vars).toEqual(expect.arrayContaining([
      { name: 'NAME', value: 'deploy-42', exported: false, redacted: false },
      { name: 'REGION', value: 'eu-west-1', exported: true, redacted: false },
    ]));
    expect(session!.options).toContain('shopt -s nullglob');
    expect(detail.steps[2]!.attempts[0]!.shell).toEqual({ errexit: true, pipefail: true, session: 'carried' });
  });

  it('fails a step on a failure inside a pipeline or in its middle, and says which command failed', async () => {
    const rb = await importText('fail.md', [
      '# Fail', '', '## Steps', '',
      '```bash', '# Compare with backup', 'aws() { echo "Unable to locate credentials" >&2; return 255; }', 'aws s3 ls s3://backups/sessions/ --recursive | tail -10', '```', '',
      '```bash', 'echo first', 'false', 'echo never', '```', '',
    ].join('\n'));
    const section = rb.document.sections[0]!.sections[0]!;
    const [pipeline, middle] = section.steps;
    const run = await call('runs.start', { runbookId: rb.id, sectionId: section.id });
    let detail = await runStep(run.run.id, pipeline!.id);
    expect(detail.steps[0]!.attempts[0]).toMatchObject({ status: 'failed', exitCode: 255, failedCommand: { command: 'aws s3 ls s3://backups/sessions/ --recursive', line: 3 } });
    detail = await runStep(run.run.id, middle!.id);
    expect(detail.steps[1]!.attempts[0]).toMatchObject({ status: 'failed', exitCode: 1, failedCommand: { command: 'false', line: 2 } });
    expect(await outputOf(run.run.id, detail, middle!.id)).toBe('first\n');
  });

  it('lets a step opt out: a fresh shell sees nothing carried, and no-errexit goes on after a failure', async () => {
    const rb = await importText('optout.md', [
      '# Opt out', '', '## Steps', '',
      '```bash', 'export DEPLOY_COLOR=green', '```', '',
      '```bash', '# opsdeck: fresh-shell', 'echo "color=${DEPLOY_COLOR:-unset}"', '```', '',
      '```bash', '# opsdeck: no-errexit, no-pipefail', 'false', 'missing-tool | cat', 'echo "still here, color=$DEPLOY_COLOR"', '```', '',
    ].join('\n'));
    const section = rb.document.sections[0]!.sections[0]!;
    const [set, fresh, lenient] = section.steps;
    const run = await call('runs.start', { runbookId: rb.id, sectionId: section.id });
    await runStep(run.run.id, set!.id);
    let detail = await runStep(run.run.id, fresh!.id);
    expect(detail.steps[1]!.attempts[0]!.shell).toEqual({ errexit: true, pipefail: true, session: 'fresh' });
    expect(await outputOf(run.run.id, detail, fresh!.id)).toBe('color=unset\n');
    detail = await runStep(run.run.id, lenient!.id);
    expect(detail.steps[2]!.attempts[0]).toMatchObject({ status: 'succeeded', shell: { errexit: false, pipefail: false, session: 'carried' } });
    expect(await outputOf(run.run.id, detail, lenient!.id)).toBe('still here, color=green\n');
  });

  it("keeps each step's own errexit, refuses to run where the last step's directory has gone, and carries only what fits", async () => {
    const gone = join(dir, 'gone-later');
    mkdirSync(gone, { recursive: true });
    const rb = await importText('review.md', [
      '# Review', '', '## Steps', '',
      '```bash', 'set +e', 'false', 'IFS=,', `cd ${gone}`, 'BIG=$(head -c 40000 /dev/zero | tr "\\0" x)', 'SMALL=kept', '```', '',
      '```bash', 'false', 'echo "not reached"', '```', '',
      '```bash', 'seq 1 100000 | false', '```', '',
      '```bash', 'echo "${#BIG} $SMALL"', '```', '',
    ].join('\n'));
    const section = rb.document.sections[0]!.sections[0]!;
    const [setup, strict, blame, after] = section.steps;
    const run = await call('runs.start', { runbookId: rb.id, sectionId: section.id });
    let detail = await runStep(run.run.id, setup!.id);
    expect(detail.steps[0]!.status).toBe('succeeded');
    const setupOut = (await call('runs.output', { runId: run.run.id, attemptId: detail.steps[0]!.attempts[0]!.id })).map((c) => c.data).join('');
    expect(setupOut).toMatch(/BIG: too large to carry/);
    // The first step's `set +e` stays its own: the next one still stops at its failure.
    detail = await runStep(run.run.id, strict!.id);
    expect(detail.steps[1]!.attempts[0]).toMatchObject({ status: 'failed', exitCode: 1, failedCommand: { command: 'false', line: 1 } });
    expect(await outputOf(run.run.id, detail, strict!.id)).toBe('');
    // A writer stopped by SIGPIPE is not blamed for its reader's failure, whatever IFS was carried.
    detail = await runStep(run.run.id, blame!.id);
    expect(detail.steps[2]!.attempts[0]).toMatchObject({ status: 'failed', failedCommand: { command: 'false', line: 1 } });
    detail = await runStep(run.run.id, after!.id);
    expect(await outputOf(run.run.id, detail, after!.id)).toBe('0 kept\n');
    rmSync(gone, { recursive: true, force: true });
    detail = await runStep(run.run.id, after!.id);
    expect(detail.steps[3]!.attempts[1]).toMatchObject({ status: 'failed', exitCode: 1 });
    const stderr = (await call('runs.output', { runId: run.run.id, attemptId: detail.steps[3]!.attempts[1]!.id })).map((c) => c.data).join('');
    expect(stderr).toContain(`cannot return to ${gone}`);
  });

  it("carries seed 001's RECOVERY_DATE from Select Recovery Point into Execute Recovery", async () => {
    // The tools the recovery calls are stand-ins on PATH that print how they were called: the shell is real.
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['python', 'systemctl', 'touch', 'rm', 'find', 'xargs']) {
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*"\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    const seed = readFileSync(join(__dirname, '..', 'fixtures', 'seeds', '001.md'), 'utf8');
    const rb = await importText('001.md', seed);
    const recovery = findSection(rb.document.sections, 'Recovery Process');
    expect(recovery).toBeDefined();
    const commands = recovery!.steps.filter((s) => s.kind === 'command');
    const select = commands.find((s) => s.script.includes('RECOVERY_DATE=$(date'));
    const execute = commands.find((s) => s.script.includes('--date $RECOVERY_DATE --type sessions'));
    expect(select && execute).toBeTruthy();
    // The importer knows the earlier step sets it: no parameter to fill in.
    expect(execute!.params).not.toContain('RECOVERY_DATE');
    const run = await call('runs.start', { runbookId: rb.id, sectionId: recovery!.id });
    const runId = run.run.id;
    let detail = await runStep(runId, select!.id);
    expect(detail.steps.find((s) => s.stepId === select!.id)?.status).toBe('succeeded');
    const chosen = detail.sessions[0]!.vars.find((v) => v.name === 'RECOVERY_DATE')?.value ?? '';
    expect(chosen).toMatch(/^\d{8}$/);
    // The operator's PATH (this process's environment, which local steps inherit) has the stand-ins first.
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ''}`;
    try {
      // It restores over live data: destructive, confirmed with this machine's name as the operator would.
      detail = await runStep(runId, execute!.id, Object.fromEntries(execute!.params.map((p) => [p, 'x'])), hostname());
    } finally {
      process.env.PATH = path;
    }
    expect(detail.steps.find((s) => s.stepId === execute!.id)?.status).toBe('succeeded');
    const out = await outputOf(runId, detail, execute!.id);
    expect(out).toContain(`python scripts/restore_data.py --date ${chosen} --type sessions`);
    expect(out).toContain(`python scripts/restore_data.py --date ${chosen} --type telemetry`);
    // Finishing here leaves the rest, each named so that two steps of one numbered item are told apart.
    const finished = await call('runs.finish', { runId, reason: 'drill: recovery rehearsed up to the restore' });
    expect(finished.run.status).toBe('incomplete');
    expect(finished.run.left.map((l) => l.title)).toEqual(expect.arrayContaining(['Assess Data Loss: Check what data is missing', 'Assess Data Loss: Compare with backup']));
  });

  it('carries a secret to the next step in memory only: masked in the run, never in the database', async () => {
    const secret = 'tok-3f9a8b7c6d5e';
    const rb = await importText('secret.md', [
      '# Secret', '', '## Steps', '',
      '```bash', 'export API_TOKEN="${{ secrets.API_TOKEN }}"', '```', '',
      '```bash', 'test "${API_TOKEN:0:4}" = tok- && echo "token length ${#API_TOKEN}"', '```', '',
      '```bash', 'PGPASSWORD=$API_TOKEN', 'echo "using $PGPASSWORD"', '```', '',
    ].join('\n'));
    const section = rb.document.sections[0]!.sections[0]!;
    const [set, use, copy] = section.steps;
    expect(set!.params).toEqual(['API_TOKEN']);
    const run = await call('runs.start', { runbookId: rb.id, sectionId: section.id });
    let detail = await runStep(run.run.id, set!.id, { API_TOKEN: secret });
    expect(detail.sessions[0]!.vars).toContainEqual({ name: 'API_TOKEN', value: '••••', exported: true, redacted: true });
    detail = await runStep(run.run.id, use!.id);
    expect(await outputOf(run.run.id, detail, use!.id)).toBe(`token length ${secret.length}\n`);
    // A later step, given no secret itself, copies and prints it: still masked in its output and its session.
    detail = await runStep(run.run.id, copy!.id);
    expect(await outputOf(run.run.id, detail, copy!.id)).toBe('using ••••\n');
    expect(detail.sessions[0]!.vars).toContainEqual({ name: 'PGPASSWORD', value: '••••', exported: false, redacted: true });
    await host.close();
    try {
      const bytes = readFileSync(join(dir, 'data', 'opsdeck.db'));
      const wal = (() => { try { return readFileSync(join(dir, 'data', 'opsdeck.db-wal')); } catch { return Buffer.alloc(0); } })();
      expect(Buffer.concat([bytes, wal]).includes(secret)).toBe(false);
    } finally {
      host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
      call = callerFor(host);
    }
  });

  it('asks why when finishing with steps left, and records the run as incomplete with them', async () => {
    const rb = await importText('finish.md', '# Finish\n\n## Steps\n\n- [ ] Look at the dashboard\n- [ ] Page the on-call\n\n```bash\necho ok\n```\n');
    const section = rb.document.sections[0]!.sections[0]!;
    const [look, page, echo] = section.steps;
    const run = await call('runs.start', { runbookId: rb.id, sectionId: section.id });
    const runId = run.run.id;
    await call('runs.tick', { runId, stepId: look!.id, done: true });
    await expect(call('runs.finish', { runId })).rejects.toMatchObject({ code: 'reason_required', message: expect.stringContaining('"Page the on-call"') });
    const finished = await call('runs.finish', { runId, reason: 'on-call already paged by phone' });
    expect(finished.run).toMatchObject({
      status: 'incomplete',
      endReason: 'on-call already paged by phone',
      left: [{ id: page!.id, title: page!.title }, { id: echo!.id, title: echo!.title }],
    });
    expect((await call('runs.list', {})).find((r) => r.id === runId)?.status).toBe('incomplete');
    // With everything done, finishing is one call and the run is completed.
    const full = await call('runs.start', { runbookId: rb.id, sectionId: section.id });
    await call('runs.tick', { runId: full.run.id, stepId: look!.id, done: true });
    await call('runs.skip', { runId: full.run.id, stepId: page!.id, reason: 'nobody to page' });
    await runStep(full.run.id, echo!.id);
    expect((await call('runs.finish', { runId: full.run.id })).run).toMatchObject({ status: 'completed', left: [], endReason: null });
  });
});

