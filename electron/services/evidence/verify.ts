/**
 * Checks an evidence bundle with nothing but the bundle: the manifest's form and its signature by the key it names,
 * every file's size and SHA-256 against the manifest, no file missing or added, and events.jsonl's chain (seq 1, 2,
 * ... and each prev the hash of the line before, ending at the manifest's last hash). The first problem comes first,
 * named by file and line where it can be: a changed line, a removed one, two swapped.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvidenceKey, VerifyProblem, VerifyReport } from '../../../shared/contract/evidence.js';
import { canonicalJson } from './canonical-json.js';
import { genesisHash } from './chain.js';
import { fingerprintOf, verifySignature } from './device-key.js';
import { EVENTS_FILE, FORMAT, MANIFEST_FILE, manifestText, signedBytes, type Manifest } from './manifest.js';

export async function verifyBundle(dir: string): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const report = (extra: Partial<VerifyReport> = {}): VerifyReport => ({ ok: problems.length === 0, problems, exportId: null, deviceId: null, key: null, files: 0, events: 0, ...extra });
  let raw: string;
  try {
    raw = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push({ file: MANIFEST_FILE, line: null, message: code === 'ENOENT' ? 'missing: this is not an evidence bundle, or its manifest was removed' : `cannot be read (${code ?? String(error)})` });
    return report();
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(raw) as Manifest;
  } catch (error) {
    problems.push({ file: MANIFEST_FILE, line: lineOfJsonError(raw, error), message: 'changed: it is not JSON' });
    return report();
  }
  const shape = shapeProblem(manifest);
  if (shape) {
    problems.push({ file: MANIFEST_FILE, line: null, message: shape });
    return report();
  }
  const key: EvidenceKey = manifest.device.key;
  const base = { exportId: manifest.exportId, deviceId: manifest.device.id, key };

  const written = manifestText(manifest);
  if (written !== raw) problems.push({ file: MANIFEST_FILE, line: firstDifferentLine(raw, written), message: 'changed: this line differs from the one form the manifest is written in' });
  let der: Buffer | null = null;
  try {
    der = createPublicKey(key.publicKey).export({ type: 'spki', format: 'der' });
  } catch {
    problems.push({ file: MANIFEST_FILE, line: null, message: 'device.key.publicKey is not a public key' });
  }
  if (der && fingerprintOf(der) !== key.fingerprint) problems.push({ file: MANIFEST_FILE, line: null, message: `device.key.fingerprint (${key.fingerprint}) is not the fingerprint of the key beside it (${fingerprintOf(der)})` });
  if (der && !safeVerify(key.publicKey, signedBytes(manifest), manifest.signature.value)) {
    problems.push({ file: MANIFEST_FILE, line: null, message: 'the signature does not match the manifest: it was changed after it was signed, or signed by another key' });
  }

  const listed = new Set(manifest.files.map((f) => f.name));
  const present = new Set(await readdir(dir));
  for (const name of present) if (name !== MANIFEST_FILE && !listed.has(name)) problems.push({ file: name, line: null, message: 'added: the manifest does not list this file' });
  let events = 0;
  const hashProblems: VerifyProblem[] = [];
  for (const file of manifest.files) {
    if (!present.has(file.name)) {
      problems.push({ file: file.name, line: null, message: 'missing: the manifest lists this file' });
      continue;
    }
    const path = join(dir, file.name);
    const digest = file.name === EVENTS_FILE && manifest.chain ? await checkChain(path, manifest, problems) : await hashFile(path);
    if (file.name === EVENTS_FILE) events = digest.lines;
    if (digest.sha256 !== file.sha256 || digest.bytes !== file.bytes) {
      hashProblems.push({ file: file.name, line: null, message: `the file was changed: its SHA-256 (${digest.sha256.slice(0, 16)}…, ${digest.bytes} bytes) does not match the manifest's (${file.sha256.slice(0, 16)}…, ${file.bytes} bytes)` });
    }
  }
  problems.push(...hashProblems);
  return report({ ...base, files: manifest.files.length, events });
}

interface Digest {
  sha256: string;
  bytes: number;
  lines: number;
}

interface LineInfo {
  n: number;
  seq: number | null;
  linked: boolean;
  hash: string;
}

/** Reads events.jsonl once: its hash and size, and the first break in its chain, diagnosed with one line of lookahead. */
async function checkChain(path: string, manifest: Manifest, problems: VerifyProblem[]): Promise<Digest> {
  const chain = manifest.chain as NonNullable<Manifest['chain']>;
  let prevHash = genesisHash(manifest.exportId);
  let first: LineInfo | null = null;
  let diagnosed = false;
  let last: LineInfo | null = null;
  const problem = (line: number, message: string): void => {
    diagnosed = true;
    problems.push({ file: EVENTS_FILE, line, message });
  };
  const diagnose = (bad: LineInfo, next: LineInfo | null): void => {
    const i = bad.n;
    if (bad.seq === null) return problem(i, 'changed: this line is not an event in canonical JSON');
    if (bad.seq !== i) {
      if (bad.seq === i + 1 && next?.seq === i) return problem(i, `swapped: lines ${i} and ${i + 1} hold events ${i + 1} and ${i}`);
      if (bad.linked) return problem(i, `changed: its seq is ${bad.seq}, where ${i} was expected`);
      if (bad.seq > i) return problem(i, `removed: this line holds event ${bad.seq} where ${i} was expected: ${bad.seq - i === 1 ? `event ${i} is` : `events ${i} to ${bad.seq - 1} are`} missing (removed)`);
      return problem(i, `added or moved: this line holds event ${bad.seq}, where ${i} was expected`);
    }
    if (i === 1) {
      if (next && !next.linked) return problem(1, "changed: its prev is not the export's genesis hash, and line 2's prev no longer matches it");
      return problem(1, "its prev is not the export's genesis hash: the line or the manifest's export id was changed");
    }
    if (next && !next.linked) return problem(i, `changed: its prev does not match line ${i - 1}, and line ${i + 1}'s prev no longer matches it`);
    if (!next && bad.hash !== chain.lastHash) return problem(i, `changed: its prev does not match line ${i - 1}, and its hash is not the manifest's last hash`);
    return problem(i - 1, `changed: its hash no longer matches the prev of line ${i}`);
  };
  const digest = await readLines(path, (bytes, n) => {
    const hash = createHash('sha256').update(bytes).digest('hex');
    let seq: number | null = null;
    let linked = false;
    try {
      const text = bytes.toString('utf8');
      const event = JSON.parse(text) as { seq?: unknown; prev?: unknown };
      if (canonicalJson(event) === text && typeof event.seq === 'number') {
        seq = event.seq;
        linked = event.prev === prevHash;
      }
    } catch {
      seq = null;
    }
    const info: LineInfo = { n, seq, linked, hash };
    prevHash = hash;
    last = info;
    if (diagnosed) return;
    if (first) return diagnose(first, info);
    if (seq !== n || !linked) first = info;
  });
  if (!diagnosed && first) diagnose(first, null);
  const end = last as LineInfo | null;
  if (!diagnosed) {
    if (digest.lines < chain.events) problem(digest.lines + 1, `removed: the manifest counts ${chain.events} events, the file ends after ${digest.lines}`);
    else if (digest.lines > chain.events) problem(chain.events + 1, `added: the manifest counts ${chain.events} events, the file has more`);
    else if ((end?.hash ?? genesisHash(manifest.exportId)) !== chain.lastHash) problem(digest.lines, "changed: the last line's hash is not the manifest's last hash");
  }
  return digest;
}

/** Calls `line` with each line's bytes (without its newline) and its 1-based number; hashes the whole file. */
async function readLines(path: string, line: (bytes: Buffer, n: number) => void): Promise<Digest> {
  const hash = createHash('sha256');
  let bytes = 0;
  let n = 0;
  let carry: Buffer[] = [];
  for await (const chunk of createReadStream(path)) {
    const buf = chunk as Buffer;
    hash.update(buf);
    bytes += buf.length;
    let start = 0;
    for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, start)) {
      carry.push(buf.subarray(start, i));
      line(Buffer.concat(carry), ++n);
      carry = [];
      start = i + 1;
    }
    if (start < buf.length) carry.push(buf.subarray(start));
  }
  if (carry.length > 0) line(Buffer.concat(carry), ++n);
  return { sha256: hash.digest('hex'), bytes, lines: n };
}

async function hashFile(path: string): Promise<Digest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes, lines: 0 };
}

function safeVerify(publicKey: string, data: string, signature: string): boolean {
  try {
    return verifySignature(publicKey, data, signature);
  } catch {
    return false;
  }
}

function shapeProblem(m: Manifest): string | null {
  if (m === null || typeof m !== 'object') return 'not a manifest (not an object)';
  if (m.format !== FORMAT) return `not an Opsdeck evidence manifest (format ${JSON.stringify(m.format)})`;
  if (typeof m.exportId !== 'string') return 'changed: it has no exportId';
  if (!m.device || typeof m.device.id !== 'string' || !m.device.key || typeof m.device.key.publicKey !== 'string' || typeof m.device.key.fingerprint !== 'string') return 'changed: it has no device key';
  if (!m.signature || typeof m.signature.value !== 'string') return 'changed: it has no signature';
  if (!Array.isArray(m.files) || m.files.some((f) => !f || typeof f.name !== 'string' || typeof f.sha256 !== 'string' || typeof f.bytes !== 'number' || f.name.includes('/') || f.name.startsWith('.'))) return 'changed: it has no valid list of files';
  if (m.chain !== null && (typeof m.chain !== 'object' || typeof m.chain.lastHash !== 'string' || typeof m.chain.events !== 'number')) return 'changed: it has no valid chain';
  return null;
}

function firstDifferentLine(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return i + 1;
  return 1;
}

function lineOfJsonError(text: string, error: unknown): number | null {
  const m = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (!m) return null;
  return text.slice(0, Number(m[1])).split('\n').length;
}
