import { describe, expect, it } from 'vitest';
import { runFanout } from '../../../../electron/services/ssh/fanout.js';
import { summarizeFanout, unifiedLineDiff } from '../../../../shared/ssh/fanout-summary.js';

const hostsNamed = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);
const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));

/** A runOne that counts how many run at once, ends after a short random-ish delay, and fails the given hosts. */
function counting(fail: string[] = []) {
  let running = 0;
  let peak = 0;
  const started: string[] = [];
  const aborted: string[] = [];
  const runOne = async (host: string, signal: AbortSignal) => {
    started.push(host);
    running++;
    peak = Math.max(peak, running);
    try {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2 + (host.length % 3) * 3 + (fail.includes(host) ? 0 : 5));
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          aborted.push(host);
          resolve();
        });
      });
      return { ok: !fail.includes(host) && !signal.aborted };
    } finally {
      running--;
    }
  };
  return { runOne, started, aborted, peak: () => peak };
}

describe('runFanout', () => {
  it('never runs more than `concurrency` hosts at once, and reports every host in order', async () => {
    const c = counting();
    const results = await runFanout(hostsNamed(25), c.runOne, { concurrency: 4 });
    expect(c.peak()).toBe(4);
    expect([...results.keys()]).toEqual(hostsNamed(25));
    expect([...results.values()].every((r) => r.result?.ok === true && !r.skipped)).toBe(true);
  });

  it('defaults to 10 at once', async () => {
    const c = counting();
    await runFanout(hostsNamed(30), c.runOne, {});
    expect(c.peak()).toBe(10);
  });

  it('runs the canary alone first, and skips the rest when it fails', async () => {
    const c = counting(['h1']);
    const events: string[] = [];
    const results = await runFanout(hostsNamed(5), c.runOne, {
      canary: true,
      onStart: (h) => events.push(`start ${h}`),
      onResult: (h, r, skipped) => events.push(`${skipped ? 'skip' : 'done'} ${h} ${r?.ok ?? '-'}`),
    });
    expect(c.started).toEqual(['h1']);
    expect(results.get('h1')).toEqual({ result: { ok: false }, skipped: false });
    expect(results.get('h3')).toEqual({ result: null, skipped: true, reason: 'not started: the canary h1 did not succeed' });
    expect(events).toEqual(['start h1', 'done h1 false', 'skip h2 -', 'skip h3 -', 'skip h4 -', 'skip h5 -']);
  });

  it('runs the rest after a successful canary, the canary strictly first', async () => {
    const c = counting();
    let canaryDone = false;
    const seenBeforeCanaryDone: string[] = [];
    const results = await runFanout(hostsNamed(6), c.runOne, {
      canary: true,
      concurrency: 3,
      onStart: (h) => {
        if (!canaryDone) seenBeforeCanaryDone.push(h);
      },
      onResult: (h) => {
        if (h === 'h1') canaryDone = true;
      },
    });
    expect(seenBeforeCanaryDone).toEqual(['h1']);
    expect([...results.values()].every((r) => r.result?.ok)).toBe(true);
  });

  it('with stopOnFailure, starts nothing after the first failure and aborts hosts in flight', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const aborted: string[] = [];
    const runOne = async (host: string, signal: AbortSignal) => {
      if (host === 'h2') {
        await tick(5);
        return { ok: false };
      }
      await Promise.race([gate, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))]);
      if (signal.aborted) aborted.push(host);
      return { ok: !signal.aborted };
    };
    const results = await runFanout(hostsNamed(8), runOne, { concurrency: 3, stopOnFailure: true });
    release();
    expect(aborted.sort()).toEqual(['h1', 'h3']);
    expect(results.get('h1')).toEqual({ result: { ok: false }, skipped: false, reason: 'aborted: h2 failed and stopOnFailure is set' });
    expect(results.get('h2')).toEqual({ result: { ok: false }, skipped: false });
    for (const h of ['h4', 'h5', 'h6', 'h7', 'h8']) {
      expect(results.get(h)).toEqual({ result: null, skipped: true, reason: 'not started: h2 failed and stopOnFailure is set' });
    }
  });

  it('without stopOnFailure, a failure or a throw does not stop the others', async () => {
    const results = await runFanout(['a', 'b', 'c'], async (host) => {
      if (host === 'b') throw new Error('connection refused');
      return { ok: host !== 'c' };
    });
    expect(results.get('a')).toEqual({ result: { ok: true }, skipped: false });
    expect(results.get('b')).toEqual({ result: null, skipped: false, reason: 'failed: connection refused' });
    expect(results.get('c')).toEqual({ result: { ok: false }, skipped: false });
  });

  it('cancelling through opts.signal aborts hosts in flight and skips the rest', async () => {
    const controller = new AbortController();
    const c = counting();
    const pending = runFanout(hostsNamed(6), c.runOne, { concurrency: 2, signal: controller.signal });
    await tick(1);
    controller.abort();
    const results = await pending;
    expect(c.started).toEqual(['h1', 'h2']);
    expect(c.aborted.sort()).toEqual(['h1', 'h2']);
    expect(results.get('h6')).toEqual({ result: null, skipped: true, reason: 'not started: the run was cancelled' });
  });

  it('counts a duplicated host once and copes with no hosts', async () => {
    const c = counting();
    const results = await runFanout(['a', 'b', 'a'], c.runOne, {});
    expect(c.started.sort()).toEqual(['a', 'b']);
    expect(results.size).toBe(2);
    expect((await runFanout([], c.runOne, { canary: true })).size).toBe(0);
  });
});

describe('summarizeFanout', () => {
  it('groups hosts with identical output (CRLF and trailing whitespace ignored), exit code and status, largest first', () => {
    const groups = summarizeFanout([
      { host: 'a', exitCode: 0, status: 'done', output: 'nginx 1.24\nactive\n' },
      { host: 'b', exitCode: 1, status: 'failed', output: 'nginx 1.22\ninactive\n' },
      { host: 'c', exitCode: 0, status: 'done', output: 'nginx 1.24  \r\nactive\r\n\r\n' },
      { host: 'd', exitCode: 0, status: 'done', output: 'nginx 1.24\nactive' },
      { host: 'e', exitCode: 2, status: 'failed', output: 'nginx 1.24\nactive' },
    ]);
    expect(groups.map((g) => [g.hosts, g.exitCode, g.status])).toEqual([
      [['a', 'c', 'd'], 0, 'done'],
      [['b'], 1, 'failed'],
      [['e'], 2, 'failed'],
    ]);
    expect(groups[0]?.output).toBe('nginx 1.24\nactive');
    expect(groups[0]?.diff).toBeNull();
    expect(groups[1]?.diff).toBe('@@ -1,2 +1,2 @@\n-nginx 1.24\n-active\n+nginx 1.22\n+inactive');
    expect(groups[2]?.diff).toBe('');
  });

  it('returns nothing for no results', () => {
    expect(summarizeFanout([])).toEqual([]);
  });
});

describe('unifiedLineDiff', () => {
  it('matches diff -U2: only changed regions with two lines of context, separate hunks when far apart', () => {
    const base = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const changed = [...base];
    changed[2] = 'line three';
    changed.splice(15, 1);
    changed.push('extra');
    expect(unifiedLineDiff(base.join('\n'), changed.join('\n'))).toBe(
      [
        '@@ -1,5 +1,5 @@',
        ' line 1',
        ' line 2',
        '-line 3',
        '+line three',
        ' line 4',
        ' line 5',
        '@@ -14,7 +14,7 @@',
        ' line 14',
        ' line 15',
        '-line 16',
        ' line 17',
        ' line 18',
        ' line 19',
        ' line 20',
        '+extra',
      ].join('\n'),
    );
  });

  it('handles empty sides', () => {
    expect(unifiedLineDiff('', 'a\nb')).toBe('@@ -0,0 +1,2 @@\n+a\n+b');
    expect(unifiedLineDiff('a', '')).toBe('@@ -1,1 +0,0 @@\n-a');
    expect(unifiedLineDiff('same', 'same')).toBe('');
  });

  it('stays correct (if not minimal) on outputs too large for the LCS table', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n');
    const diff = unifiedLineDiff(a, b).split('\n');
    expect(diff[0]).toBe('@@ -1,3000 +1,3000 @@');
    expect(diff.filter((l) => l.startsWith('-'))).toHaveLength(3000);
    expect(diff.filter((l) => l.startsWith('+'))).toHaveLength(3000);
  });
});
