/**
 * The summary of a fan-out: hosts grouped by identical output and exit status, largest group first, with each
 * other group's output as a line diff against the largest. Pure, so the cockpit and the CLI show the same thing.
 */
export interface FanoutHostResult {
  host: string;
  exitCode: number | null;
  status: string;
  output: string;
}

export interface FanoutGroup {
  hosts: string[];
  exitCode: number | null;
  status: string;
  /** The group's output, normalised (CRLF to LF, trailing whitespace and blank lines removed). */
  output: string;
  /**
   * Unified line diff (hunks only, no file headers) from the largest group's output to this group's; null for the
   * largest group itself, '' when the outputs are the same and only exit code or status differ.
   */
  diff: string | null;
}

/** Groups hosts with the same exit code, status and (normalised) output; largest group first, ties by first seen. */
export function summarizeFanout(results: FanoutHostResult[]): FanoutGroup[] {
  const groups = new Map<string, FanoutGroup>();
  for (const r of results) {
    const output = normalizeOutput(r.output);
    const key = JSON.stringify([r.exitCode, r.status, output]);
    const group = groups.get(key);
    if (group) group.hosts.push(r.host);
    else groups.set(key, { hosts: [r.host], exitCode: r.exitCode, status: r.status, output, diff: null });
  }
  const sorted = [...groups.values()].sort((a, b) => b.hosts.length - a.hosts.length);
  const base = sorted[0];
  if (base) for (const g of sorted.slice(1)) g.diff = unifiedLineDiff(base.output, g.output);
  return sorted;
}

export function normalizeOutput(output: string): string {
  return output
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n+$/, '');
}

/** Unchanged lines shown around each change: enough to place it, short enough that 40 hosts' diffs stay readable. */
const DIFF_CONTEXT = 2;
/**
 * Largest LCS table (lines x lines, after the common head and tail are removed) we fill: 4M cells is 8 MB and tens of
 * ms. Beyond it the changed middle is shown as all removed then all added: correct, only less minimal.
 */
const MAX_LCS_CELLS = 4_000_000;

interface Op {
  kind: ' ' | '-' | '+';
  text: string;
  /** 0-based position in the old and new text where this line sits. */
  a: number;
  b: number;
}

/** A compact unified diff of two texts by lines (`@@ -l,n +l,n @@` hunks); '' when they are equal. */
export function unifiedLineDiff(oldText: string, newText: string): string {
  const ops = diffLines(splitLines(oldText), splitLines(newText));
  const changed = ops.flatMap((op, i) => (op.kind === ' ' ? [] : [i]));
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    let last = changed[k] as number;
    const start = Math.max(0, last - DIFF_CONTEXT);
    while (k + 1 < changed.length && (changed[k + 1] as number) - last <= 2 * DIFF_CONTEXT + 1) last = changed[++k] as number;
    k++;
    const end = Math.min(ops.length, last + DIFF_CONTEXT + 1);
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    const first = hunk[0] as Op;
    out.push(`@@ -${first.a + (aLen > 0 ? 1 : 0)},${aLen} +${first.b + (bLen > 0 ? 1 : 0)},${bLen} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.text}`);
  }
  return out.join('\n');
}

function splitLines(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

function diffLines(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;

  const ops: Op[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: ' ', text: a[i] as string, a: i, b: i });
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  ops.push(...middleOps(midA, midB, head, head));
  for (let t = tail; t > 0; t--) {
    ops.push({ kind: ' ', text: a[a.length - t] as string, a: a.length - t, b: b.length - t });
  }
  return ops;
}

/** Longest-common-subsequence diff of the part that differs; offsets place it in the whole texts. */
function middleOps(a: string[], b: string[], offA: number, offB: number): Op[] {
  const n = a.length;
  const m = b.length;
  const ops: Op[] = [];
  if (n * m > MAX_LCS_CELLS) {
    a.forEach((text, i) => ops.push({ kind: '-', text, a: offA + i, b: offB }));
    b.forEach((text, j) => ops.push({ kind: '+', text, a: offA + n, b: offB + j }));
    return ops;
  }
  // lcs[i][j] = length of the LCS of a[i..] and b[j..]; Uint16 is enough because the cell cap keeps min(n, m) < 2^16.
  const w = m + 1;
  const lcs = new Uint16Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? (lcs[(i + 1) * w + j + 1] as number) + 1 : Math.max(lcs[(i + 1) * w + j] as number, lcs[i * w + j + 1] as number);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i] as string, a: offA + i, b: offB + j });
      i++;
      j++;
    } else if (i < n && (j === m || (lcs[(i + 1) * w + j] as number) >= (lcs[i * w + j + 1] as number))) {
      ops.push({ kind: '-', text: a[i] as string, a: offA + i, b: offB + j });
      i++;
    } else {
      ops.push({ kind: '+', text: b[j] as string, a: offA + i, b: offB + j });
      j++;
    }
  }
  return ops;
}
