// The contract over the real web host (`opsdeck serve`): every method answers over the WebSocket, bad input gets
// `invalid_input`, no token gets 401 and no data, and a WebSocket from a foreign Origin is refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods, type MethodName } from '../../shared/contract/methods.js';
import type { Handover, HandoverDraft, IncidentDetail } from '../../shared/contract/incidents.js';
import type { RunDetail } from '../../shared/contract/schemas.js';
import type { TermData } from '../../shared/contract/terminals.js';
import { startApp, type RunningApp } from '../e2e/harness.js';
import { connect, type WsClient } from '../helpers/ws-client.js';

let app: RunningApp;
let client: WsClient;
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-contract-'));
const file = join(dir, 'contract.md');
writeFileSync(file, '# Contract\n\n## Steps\n\n- [ ] Look\n- [ ] Look again\n\n```bash\n# 1. Echo\necho "hi <name>"\n\n# 2. Sleep\nsleep 600\n```\n');

beforeAll(async () => {
  app = await startApp(join(dir, 'data'));
  client = await connect(app.origin, app.token);
}, 30_000);

afterAll(async () => {
  await client?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
};

describe('the contract over the WebSocket', () => {
  it('answers every method', async () => {
    const answered = new Set<MethodName>();
    const call = async <M extends MethodName>(method: M, input: Parameters<WsClient['call']>[1]) => {
      const result = await client.call(method, input as never);
      answered.add(method);
      return result;
    };
    /** A method that answers this input with a contract error (its code), which is an answer too. */
    const refused = async <M extends MethodName>(method: M, input: Parameters<WsClient['call']>[1], code: string) => {
      await expect(client.call(method, input as never)).rejects.toMatchObject({ code });
      answered.add(method);
    };
    expect(await call('app.info', {})).toMatchObject({ mode: 'web', settings: { theme: 'dark' } });
    expect(await call('settings.update', { operator: 'ana' })).toMatchObject({ operator: 'ana' });
    const imported = (await call('runbooks.import', { path: file })) as { runbookId: string; status: string };
    expect(imported.status).toBe('new');
    expect(await call('runbooks.import', { fileName: 'uploaded.md', content: '# Up\n\n- [ ] x\n' })).toMatchObject({ status: 'new' });
    expect(await call('runbooks.list', {})).toHaveLength(2);
    const upload = (await client.call('runbooks.list', {})).find((r) => r.title === 'Up');
    expect(await call('runbooks.remove', { id: upload!.id })).toEqual({ archived: true });
    expect((await client.call('runbooks.list', {})).map((r) => r.title)).toEqual(['Contract']);
    const rb = (await call('runbooks.get', { id: imported.runbookId })) as { document: { sections: Array<{ sections: Array<{ id: string; steps: Array<{ id: string; kind: string }> }> }> } };
    expect(await call('runbooks.refresh', { id: imported.runbookId })).toMatchObject({ status: 'unchanged' });
    const section = rb.document.sections[0]!.sections[0]!;
    const [look, lookAgain, echo, sleep] = section.steps;
    let run = (await call('runs.start', { runbookId: imported.runbookId, sectionId: section.id })) as RunDetail;
    const runId = run.run.id;
    expect(run.run).toMatchObject({ status: 'running', operator: 'ana', origin: 'ui' });
    expect(await call('runs.tick', { runId, stepId: look!.id, done: true })).toMatchObject({ steps: [{ status: 'done' }, {}, {}, {}] });
    expect(await call('runs.skip', { runId, stepId: lookAgain!.id, reason: 'not today' })).toMatchObject({ steps: [{}, { status: 'skipped', skipReason: 'not today' }, {}, {}] });
    expect(((await call('runs.note', { runId, stepId: null, text: 'all calm' })) as RunDetail).notes).toMatchObject([{ text: 'all calm', operator: 'ana' }]);
    await call('steps.run', { runId, stepId: echo!.id, params: { name: 'world' } });
    await until(() => client.events.some((e) => e.event === 'run.updated' && (e.payload as RunDetail).steps[2]?.status === 'succeeded'));
    expect(await call('runbooks.lastParams', { id: imported.runbookId })).toEqual({ name: 'world' });
    run = (await call('runs.get', { runId })) as RunDetail;
    const attempt = run.steps[2]!.attempts[0]!;
    expect(((await call('runs.output', { runId, attemptId: attempt.id })) as Array<{ data: string }>).map((c) => c.data).join('')).toBe('hi world\n');
    run = (await call('steps.run', { runId, stepId: sleep!.id, params: {} })) as RunDetail;
    const sleeping = run.steps[3]!.attempts[0]!;
    expect(await call('steps.cancel', { runId, attemptId: sleeping.id })).toMatchObject({ steps: [{}, {}, {}, { status: 'cancelled' }] });
    // The cancelled step is left: finishing asks why, then records the run as incomplete.
    await expect(client.call('runs.finish', { runId })).rejects.toMatchObject({ code: 'reason_required' });
    expect(await call('runs.finish', { runId, reason: 'sleep is not needed' })).toMatchObject({
      run: { status: 'incomplete', progress: { done: 3, total: 4 }, left: [{ id: sleep!.id }], endReason: 'sleep is not needed' },
    });
    await refused('runs.resume', { runId }, 'conflict');
    const second = (await call('runs.start', { runbookId: imported.runbookId, sectionId: section.id })) as RunDetail;
    expect(await call('runs.abort', { runId: second.run.id, reason: 'wrong window' })).toMatchObject({ run: { status: 'aborted' } });
    expect(await call('runs.list', {})).toHaveLength(2);
    // Unattended: the owner runs the command steps in order (echo, then sleep), until aborted from here.
    const unattended = (await call('runs.runSection', { runbookId: imported.runbookId, sectionId: section.id, params: { name: 'again' } })) as RunDetail;
    expect(unattended.run).toMatchObject({ status: 'running', origin: 'ui' });
    const stateOf = (id: string) => client.events.filter((e) => e.event === 'run.updated' && (e.payload as RunDetail).run.id === id).map((e) => e.payload as RunDetail).at(-1);
    await until(() => stateOf(unattended.run.id)?.steps[3]?.status === 'running');
    expect(stateOf(unattended.run.id)?.steps[2]).toMatchObject({ status: 'succeeded' });
    expect(await call('runs.abort', { runId: unattended.run.id, reason: 'enough' })).toMatchObject({ run: { status: 'aborted' }, steps: [{}, {}, {}, { status: 'cancelled' }] });

    // Hosts, targets and prompts.
    const web = (await call('hosts.save', { name: 'web1', address: '127.0.0.1', port: 1, user: 'deploy', identityFile: null, identityAgent: null, jump: [], tags: ['web'], notes: '', forwardAgent: false })) as { id: string };
    await expect(client.call('hosts.save', { name: 'web1', address: 'x', port: 22, user: null, identityFile: null, identityAgent: null, jump: [], tags: [], notes: '', forwardAgent: false })).rejects.toMatchObject({ code: 'conflict' });
    expect(await call('hosts.list', {})).toMatchObject([{ name: 'web1', tags: ['web'], source: 'manual' }]);
    const test = (await call('hosts.test', { name: 'web1' })) as { ok: boolean; message: string };
    expect(test.ok).toBe(false);
    expect(test.message).toMatch(/refused|ECONNREFUSED|connect/i);
    expect(await call('hosts.forgetKey', { name: 'web1' })).toEqual({ removed: 0 });
    const sshConfig = join(dir, 'ssh_config');
    writeFileSync(sshConfig, 'Host db1\n  HostName 10.0.0.7\n  User admin\n  Port 2222\nHost *.internal\n  User ops\n');
    expect(await call('hosts.previewSshConfig', { path: sshConfig })).toMatchObject({ hosts: [{ name: 'db1', address: '10.0.0.7', user: 'admin', port: 2222, exists: false }], skipped: [{ pattern: '*.internal' }] });
    expect(await call('hosts.importSshConfig', { path: sshConfig, names: ['db1'] })).toMatchObject([{ name: 'db1', source: 'ssh-config' }]);
    expect(await call('targets.get', { runbookId: imported.runbookId, sectionId: section.id })).toEqual({ kind: 'local' });
    expect(await call('targets.set', { runbookId: imported.runbookId, sectionId: section.id, target: { kind: 'tag', tag: 'web', concurrency: 5 } })).toMatchObject({ kind: 'tag' });
    expect(await call('targets.get', { runbookId: imported.runbookId, sectionId: section.id })).toEqual({ kind: 'tag', tag: 'web', concurrency: 5 });
    expect(await call('prompts.pending', {})).toEqual([]);
    expect(await call('prompts.answer', { id: 'no-such-prompt', answer: { kind: 'cancel' } })).toEqual({ answered: false });
    expect(await call('hosts.remove', { id: web.id })).toEqual({ removed: true });

    // Terminals, recorded into a run, and a step rendered for pasting.
    const third = (await call('runs.start', { runbookId: imported.runbookId, sectionId: section.id })) as RunDetail;
    expect(await call('steps.render', { runId: third.run.id, stepId: echo!.id, params: { name: "it's $(id)" } })).toEqual({ text: expect.stringContaining('echo "hi ') });
    const term = (await call('term.open', { kind: 'local', cols: 80, rows: 24 })) as { id: string; kind: string };
    expect(term.kind).toBe('local');
    expect(await call('term.record', { id: term.id, runId: third.run.id })).toMatchObject({ recordingRunId: third.run.id });
    await call('term.resize', { id: term.id, cols: 100, rows: 30 });
    await call('term.input', { id: term.id, data: 'echo opsdeck-$((6*7))\r' });
    const termBytes = () => Buffer.concat(client.events.filter((e) => e.event === 'term.data' && (e.payload as TermData).id === term.id).map((e) => (e.payload as TermData).data));
    await until(() => termBytes().toString('utf8').includes('opsdeck-42'));
    await call('term.ack', { id: term.id, chars: termBytes().length });
    expect(await call('term.list', {})).toMatchObject([{ id: term.id, exited: false }]);
    expect(await call('term.view', { viewer: 'contract-test', ids: [term.id] })).toEqual({});
    expect(await call('term.list', {})).toMatchObject([{ id: term.id, windows: 1 }]);
    expect(await call('term.snapshot', { id: term.id })).toMatchObject({ data: expect.stringContaining('opsdeck-42'), cols: 100, rows: 30 });
    const recorded = (await call('runs.get', { runId: third.run.id })) as RunDetail;
    expect(recorded.recordings).toHaveLength(1);
    const transcript = (await call('runs.output', { runId: third.run.id, attemptId: recorded.recordings[0]!.id })) as Array<{ data: string }>;
    expect(transcript.map((c) => c.data).join('')).toContain('opsdeck-42');
    expect(await call('term.close', { id: term.id })).toEqual({});

    // Schedules: made, previewed, listed, paused, resumed, run now, approved, exported, removed.
    const rules = { calendar: { kind: 'cron' as const, expr: '0 3 1 1 *' }, timezone: 'Europe/Berlin', catchUp: 'latest' as const, catchUpWindowSec: null, overlap: 'skip' as const, jitterSec: 0 };
    expect(await call('schedules.preview', { rules, count: 2, from: '2026-06-01T00:00:00Z' })).toEqual({ next: ['2027-01-01T02:00:00.000Z', '2028-01-01T02:00:00.000Z'], problem: null });
    const made = (await call('schedules.create', { runbookId: imported.runbookId, sectionId: section.id, target: { kind: 'local' }, rules, params: { name: 'cron' }, secrets: {}, notify: { on: 'never', webhook: null } })) as { id: string };
    expect(await call('schedules.list', {})).toMatchObject([{ id: made.id, state: 'active', params: { name: 'cron' } }]);
    expect(await call('schedules.update', { id: made.id, fields: { notify: { on: 'always', webhook: null } } })).toMatchObject({ notify: { on: 'always' } });
    expect(await call('schedules.pause', { id: made.id, reason: 'contract test' })).toMatchObject({ state: 'paused', stateReason: 'contract test' });
    expect(await call('schedules.resume', { id: made.id })).toMatchObject({ state: 'active' });
    const { runId: scheduledRun } = (await call('schedules.runNow', { id: made.id })) as { runId: string };
    await client.call('runs.abort', { runId: scheduledRun, reason: 'contract test' });
    expect(await call('schedules.get', { id: made.id })).toMatchObject({ recent: [{ outcome: { kind: 'started', runId: scheduledRun, manual: true } }] });
    expect(await call('schedules.approve', { id: made.id })).toMatchObject({ state: 'active', waiting: [] });
    expect(await call('schedules.agenda', { hours: 24 })).toEqual([]);
    expect(await call('schedules.export', { id: made.id, format: 'cron', opsdeckCommand: ['/usr/bin/opsdeck'] })).toMatchObject({ ok: true, files: [{ content: expect.stringContaining('CRON_TZ=Europe/Berlin') }] });
    expect(await call('schedules.suspend', { suspended: true })).toEqual({ suspended: true });
    expect(await call('schedules.suspend', { suspended: false })).toEqual({ suspended: false });
    expect(await call('schedules.wake', {})).toEqual({});
    expect(await call('schedules.remove', { id: made.id })).toEqual({ removed: true });

    // Evidence: a run exported and verified.
    expect(await call('evidence.publicKey', {})).toMatchObject({ algorithm: 'Ed25519', fingerprint: expect.stringMatching(/^SHA256:/) });
    const bundle = join(dir, 'evidence');
    expect(await call('evidence.export', { selector: { kind: 'run', runId }, output: bundle })).toMatchObject({});
    expect(await call('evidence.verify', { dir: bundle })).toMatchObject({ ok: true });

    // History: searched (the echo's output), listed a page at a time, the index's state.
    const found = (await call('history.search', { query: 'world' })) as { hits: Array<{ run: { id: string }; snippet: string; where: unknown }> };
    // The command as it ran (the value in place of <name>) and its output, both in the first run.
    expect(found.hits.map((h) => [h.where, h.snippet, h.run.id === runId])).toEqual([
      ['command', '# 1. Echo\necho "hi \u0002world\u0003"', true],
      ['output', 'hi \u0002world\u0003\n', true],
    ]);
    expect(await call('history.list', { limit: 1 })).toMatchObject({ runs: [{}], next: expect.objectContaining({ id: expect.any(String) }) });
    expect(await call('history.indexStatus', {})).toMatchObject({ complete: true });

    // Incidents: declared, changed, noted (backdated), corrected, a run linked, an update sent, snoozed, follow-ups.
    expect(await call('incidents.severities', {})).toMatchObject([{ id: 'SEV-1', updateEveryMin: 15 }, { id: 'SEV-2' }, { id: 'SEV-3' }, { id: 'SEV-4' }, { id: 'SEV-5', updateEveryMin: null }]);
    const incident = (await call('incidents.declare', { title: 'Contract is down', severity: 'sev2', service: 'api' })) as IncidentDetail;
    expect(incident).toMatchObject({ severity: 'SEV-2', status: 'investigating', roles: { commander: 'ana', communications: 'ana', scribe: 'ana' } });
    expect(await call('incidents.list', {})).toMatchObject([{ id: incident.id, severity: 'SEV-2', status: 'investigating', nextUpdateDue: expect.any(String) }]);
    expect(await call('incidents.setStatus', { id: incident.id, status: 'identified' })).toMatchObject({ status: 'identified', milestones: { acknowledged: expect.any(String) } });
    expect(await call('incidents.setSeverity', { id: incident.id, severity: 'SEV-1' })).toMatchObject({ severity: 'SEV-1' });
    expect(await call('incidents.milestone', { id: incident.id, milestone: 'detected', at: '2026-01-01T10:00:00Z' })).toMatchObject({ milestones: { detected: '2026-01-01T10:00:00.000Z' } });
    expect(await call('incidents.setRole', { id: incident.id, role: 'scribe', name: 'bo' })).toMatchObject({ roles: { scribe: 'bo', commander: 'ana' } });
    const noted = (await call('incidents.note', { id: incident.id, text: 'alert fired', at: '2026-01-01T10:00:00Z' })) as IncidentDetail;
    const alert = noted.timeline.find((e) => e.kind === 'note')!;
    expect(alert).toMatchObject({ at: '2026-01-01T10:00:00.000Z', text: 'alert fired' });
    expect(((await call('incidents.correct', { id: incident.id, entryId: alert.id, text: 'it fired at 10:01' })) as IncidentDetail).timeline.at(-1)).toMatchObject({ kind: 'correction', entryId: alert.id });
    const linked = (await call('incidents.linkRun', { id: incident.id, runId })) as IncidentDetail;
    expect(linked.runIds).toEqual([runId]);
    expect(linked.timeline.find((e) => e.kind === 'attempt')).toMatchObject({ runId, command: expect.stringContaining('echo "hi world"'), exitCode: 0, status: 'succeeded' });
    expect(await call('incidents.ofRun', { runId })).toEqual({ incidentId: incident.id });
    expect(await call('incidents.sendUpdate', { id: incident.id, text: 'Investigating the contract.' })).toMatchObject({ lastUpdateAt: expect.any(String) });
    expect(((await call('incidents.snooze', { id: incident.id, minutes: 5 })) as IncidentDetail).timeline.at(-1)).toMatchObject({ kind: 'snooze' });
    const withFollowUp = (await call('incidents.followUp', { id: incident.id, text: 'Add a health check', owner: 'bo', due: '2027-01-15T00:00:00Z' })) as IncidentDetail;
    expect(await call('incidents.followUpDone', { id: incident.id, followupId: withFollowUp.followups[0]!.id })).toMatchObject({ followups: [{ owner: 'bo', done: true }] });
    expect(await call('incidents.get', { id: incident.id })).toMatchObject({ id: incident.id, severity: 'SEV-1', status: 'identified' });

    // Handovers: drafted from the shift (the open incident, the runs), signed off carrying a note, acknowledged, listed.
    const draft = (await call('handover.draft', {})) as HandoverDraft;
    expect(draft).toMatchObject({ template: { kind: 'default', runbookId: null }, carry: [] });
    expect(draft.markdown).toContain('- SEV-1 Contract is down: identified; commander ana;');
    expect(draft.markdown).toContain('1 incomplete');
    const signed = (await call('handover.signOff', { markdown: draft.markdown, carry: ['watch the contract'] })) as Handover;
    expect(signed).toMatchObject({ markdown: draft.markdown, carry: ['watch the contract'], signedBy: 'ana', since: draft.since, acknowledgedBy: null });
    expect(await call('handover.draft', { carry: ['watch the contract', 'and the api'] })).toMatchObject({ since: signed.signedAt, carry: ['watch the contract', 'and the api'] });
    await refused('handover.acknowledge', { id: 'no-such-handover' }, 'not_found');
    expect(await call('handover.acknowledge', { id: signed.id })).toMatchObject({ id: signed.id, acknowledgedBy: 'ana', acknowledgedAt: expect.any(String) });
    expect(await call('handover.list', {})).toMatchObject([{ id: signed.id, acknowledgedBy: 'ana' }]);

    // Incident drafts: the status update from the default template, the post-mortem with the default sections.
    expect(await call('incidents.draftUpdate', { id: incident.id })).toEqual({ template: 'default', text: expect.stringContaining('Subject: [SEV-1] Contract is down\n\nStatus: IDENTIFIED') });
    const postmortem = (await call('incidents.postmortem', { id: incident.id })) as { markdown: string };
    expect([...postmortem.markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(['Summary', 'Timeline', 'Root cause', 'Impact', 'Resolution', 'Prevention', 'Action items']);
    await refused('incidents.postmortem', { id: 'no-such-incident' }, 'not_found');

    expect([...answered].sort()).toEqual(Object.keys(methods).sort());
  });

  it.each(Object.keys(methods))('%s: bad input gets invalid_input', async (method) => {
    await expect(client.call(method as MethodName, { surely: 'not valid' } as never)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('an unknown method gets unknown_method; an error is a code and a message, never a stack', async () => {
    await expect(client.call('runs.explode' as MethodName, {} as never)).rejects.toMatchObject({ code: 'unknown_method' });
    const error = await client.call('runs.get', { runId: 'nope' }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'not_found' });
    expect(String((error as Error).message)).not.toMatch(/\n\s+at /);
  });
});

describe('imports seen from a window', () => {
  // The issue's own case, 12,000 small sections (~1 MB): seconds to import here, well past the 1 s before progress shows.
  it('reports the progress of a large import, ending at its total, and says the library changed', async () => {
    const big = join(dir, 'big.md');
    let text = '# Big\n\n';
    for (let i = 0; i < 12_000; i++) text += `## Section ${i}\n\nCheck ${i}.\n\n\`\`\`bash\necho ${i}\n\`\`\`\n\n`;
    writeFileSync(big, text);
    const from = client.events.length;
    const report = (await client.call('runbooks.import', { path: big })) as { runbookId: string; status: string };
    expect(report.status).toBe('new');
    const seen = client.events.slice(from);
    const progress = seen.filter((e) => e.event === 'import.progress').map((e) => e.payload as { source: string; done: number; total: number });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.source === big && p.done <= p.total)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: progress.at(-1)!.total });
    expect(seen.filter((e) => e.event === 'runbooks.changed').map((e) => e.payload)).toEqual([{ runbookId: report.runbookId }]);
    // The same file again changes nothing, and says nothing changed.
    const again = client.events.length;
    expect(await client.call('runbooks.import', { path: big })).toMatchObject({ status: 'unchanged' });
    expect(client.events.slice(again).filter((e) => e.event === 'runbooks.changed')).toEqual([]);
  }, 60_000);
});

describe('the door', () => {
  it('gives 401 and no data without the token', async () => {
    for (const path of ['/', '/index.html', '/rpc', '/assets/x.js']) {
      const res = await fetch(`${app.origin}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.text()).not.toMatch(/Contract|runbook|<script/i);
    }
    const wrong = await fetch(`${app.origin}/?token=wrong`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
  });

  it('lets the printed URL in once, then keeps the session in a cookie', async () => {
    const first = await fetch(app.url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    const page = await fetch(`${app.origin}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
  });

  it('refuses a WebSocket without the token and one from a foreign Origin', async () => {
    const outcome = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`${app.origin.replace('http', 'ws')}/rpc`, { headers });
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.on('error', () => resolve('error'));
      });
    expect(await outcome({})).toBe('401');
    expect(await outcome({ Authorization: `Bearer ${app.token}`, Origin: 'http://evil.example' })).toBe('403');
    expect(await outcome({ Authorization: `Bearer ${app.token}`, Origin: app.origin })).toBe('open');
  });
});
