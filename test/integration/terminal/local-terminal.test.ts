/**
 * Local terminals through the terminal service with real node-pty and a real login bash, drawn by a headless xterm
 * standing in for the renderer: typing, resizing, flow control under a flood, Ctrl-C, exit, recording, UTF-8, and a
 * rendered step typed at the interactive prompt.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HIGH_WATERMARK_BYTES } from '../../../electron/services/terminal/flow-control.js';
import { renderStep } from '../../../electron/services/terminal/render-step.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import { shellParser } from '../../helpers/importer.js';
import { createHarness, PROMPT, settle, waitFor, type Harness } from './harness.js';

/** What one read of the pty can add after the pause: node reads up to 64 KiB at a time. */
const ONE_READ = 65_536;

let h: Harness;

beforeEach(() => {
  h = createHarness();
});
afterEach(async () => {
  await h.dispose();
});

describe('a local terminal', () => {
  it('runs the login shell in the asked folder: type a command, see its output', async () => {
    const s = await h.open({ cwd: join(h.home, 'work') });
    expect(h.terms.list()).toEqual([expect.objectContaining({ id: s.id, kind: 'local', title: 'bash', exited: false })]);
    await h.ready(s);
    h.terms.input(s.id, 'echo hello; pwd; echo "$TERM"\r');
    await waitFor(() => h.lines(s).includes('hello') && h.cursorLine(s) === PROMPT, 10_000, 'hello');
    const lines = h.lines(s);
    const at = lines.indexOf('hello');
    expect(lines.slice(at, at + 2)).toEqual(['hello', join(h.home, 'work')]);
    expect(lines[at + 2]).toBe('xterm-256color');
  });

  it('resizes the pty: tput cols prints the new width', async () => {
    const s = await h.open({ cols: 80, rows: 24 });
    await h.ready(s);
    h.terms.resize(s.id, 97, 31);
    s.xterm.resize(97, 31);
    h.terms.input(s.id, 'tput cols; tput lines\r');
    // Both answers: under load `tput lines` may print a moment after `tput cols`.
    const after97 = (): string | undefined => h.lines(s)[h.lines(s).indexOf('97') + 1];
    await waitFor(() => h.lines(s).includes('97') && Boolean(after97()), 10_000, 'tput cols; tput lines');
    expect(after97()).toBe('31');
  });

  it('pauses a flood that nobody acknowledges, resumes on ack, and Ctrl-C brings the prompt back quickly', async () => {
    const s = await h.open({ autoAck: true });
    await h.ready(s);
    s.autoAck = false;
    h.ackAll(s);
    const before = s.bytes;
    h.terms.input(s.id, 'yes\r');
    // The renderer draws nothing: output must stop near the high watermark, not run on.
    const stalled = await settle(() => s.bytes, 500);
    const unacked = stalled - before;
    expect(unacked).toBeGreaterThan(HIGH_WATERMARK_BYTES);
    expect(unacked).toBeLessThanOrEqual(HIGH_WATERMARK_BYTES + ONE_READ);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.bytes).toBe(stalled);

    // The renderer catches up: the source resumes and the flood flows again.
    s.autoAck = true;
    h.ackAll(s);
    await waitFor(() => s.bytes > stalled + 2 * HIGH_WATERMARK_BYTES, 10_000, 'the flood to resume');

    // Stop acknowledging again, press Ctrl-C while paused, then catch up: the prompt is back within moments.
    s.autoAck = false;
    await settle(() => s.bytes, 300);
    h.terms.input(s.id, '\x03');
    const pressed = Date.now();
    s.autoAck = true;
    h.ackAll(s);
    await h.ready(s, 5_000);
    expect(Date.now() - pressed).toBeLessThan(3_000);
    const done = await settle(() => s.bytes, 300);
    expect(s.bytes).toBe(done); // yes is gone: nothing more arrives
  });

  it('exit ends the shell: term.exit is emitted and the terminal stays listed, marked exited, until closed', async () => {
    const s = await h.open();
    await h.ready(s);
    h.terms.input(s.id, 'exit 3\r');
    await waitFor(() => s.exits.length > 0, 10_000, 'term.exit');
    expect(s.exits).toEqual([{ id: s.id, exitCode: 3, signal: null }]);
    expect(h.terms.list()).toEqual([expect.objectContaining({ id: s.id, exited: true })]);
    h.terms.close(s.id);
    expect(h.terms.list()).toEqual([]);
  });

  it('close hangs up a running shell', async () => {
    const s = await h.open();
    await h.ready(s);
    h.terms.close(s.id);
    await h.terms.dispose();
    expect(h.terms.list()).toEqual([]);
    expect(s.exits).toEqual([]); // closed by us: no exit event for a terminal nobody shows any more
  });

  it('records output with timestamps, and never what was typed at a prompt that does not echo', async () => {
    const s = await h.open();
    await h.ready(s);
    const start = Date.now();
    expect(h.terms.record(s.id, 'run-7').recordingRunId).toBe('run-7');
    // The prompt text is split in the command so that its echo does not match what `read` prints.
    h.terms.input(s.id, `read -rs -p 'Sec''ret: ' answer; echo; echo "got \${#answer} chars"\r`);
    await waitFor(() => s.raw.includes('Secret: '), 10_000, 'the read prompt');
    h.terms.input(s.id, 'hunter2-s3cr3t\r');
    await waitFor(() => s.raw.includes('got 14 chars'), 10_000, 'the answer');
    await h.ready(s);
    h.terms.record(s.id, null);
    h.terms.input(s.id, 'echo after-recording\r');
    await waitFor(() => h.lines(s).includes('after-recording'), 10_000, 'output after recording');

    const text = h.recorded.map((r) => r.data).join('');
    expect(h.recorded.length).toBeGreaterThan(1);
    expect(h.recorded.every((r) => r.runId === 'run-7')).toBe(true);
    expect(text).toContain('Secret: ');
    expect(text).toContain('got 14 chars');
    expect(text).not.toContain('hunter2');
    expect(s.raw).not.toContain('hunter2'); // not shown, so not recordable
    expect(text).not.toContain('after-recording');
    expect(s.raw).toContain(text); // exactly what the terminal showed, in order
    const times = h.recorded.map((r) => Date.parse(r.at));
    expect(times.every((t, i) => t >= start - 5 && t <= Date.now() && (i === 0 || t >= (times[i - 1] ?? 0)))).toBe(true);
    expect(h.recorded.every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(r.at))).toBe(true);
  });

  it('passes UTF-8 through intact, typed and printed, even when characters straddle reads', async () => {
    const s = await h.open({ cols: 120 });
    await h.ready(s);
    const text = 'héllo wörld — ✓ 日本語';
    h.terms.input(s.id, `echo '${text}'\r`);
    await waitFor(() => h.lines(s).includes(text), 10_000, 'the echoed text');
    h.terms.input(s.id, `printf '日本語🚀%.0s' $(seq 4000); echo; echo done-printing\r`);
    await waitFor(() => h.lines(s).includes('done-printing'), 15_000, 'the bulk output');
    expect(s.raw).not.toContain('\uFFFD');
    expect(s.raw.split('日本語🚀').length - 1).toBeGreaterThanOrEqual(4_000);
  });

  it('a rendered step typed at the interactive prompt prints its values verbatim, ! and $(...) included', async () => {
    const parser = await shellParser();
    const value = `it's "quoted" $(echo pwned) \`echo bt\` !! a!b`;
    const script = `printf '[%s]\\n' <v> "in double <v> quotes" 'in single <v> quotes'`;
    const detail = {
      section: { id: 'sec', title: 'S', level: 2, line: 1, meta: {}, sections: [], steps: [{
        id: 'st', kind: 'command', title: 'print', caption: null, line: 1, endLine: 1, script, language: 'bash', params: ['v'],
        danger: { level: 'safe', reasons: [] }, remote: null, checked: null, expectedOutput: null,
      }] },
      params: [{ name: 'v', kind: 'placeholder', secret: false, occurrences: [{ stepId: 'st', line: 1, text: '<v>' }] }],
    } as unknown as RunDetail;
    const text = renderStep(detail, { stepId: 'st', params: { v: value } }, parser);
    const s = await h.open({ cols: 200 });
    await h.ready(s);
    h.terms.input(s.id, 'set -o history; set -H; echo earlier-command\r'); // history expansion on, with history to expand
    await h.ready(s);
    h.terms.input(s.id, `${text}\r`);
    await waitFor(() => h.lines(s).some((l) => l.startsWith('[in single')), 10_000, 'the printed values');
    const lines = h.lines(s);
    const at = lines.indexOf(`[${value}]`);
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at, at + 3)).toEqual([`[${value}]`, `[in double ${value} quotes]`, `[in single ${value} quotes]`]);
  });
});
