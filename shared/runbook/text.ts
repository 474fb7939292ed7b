/**
 * Turns the bytes of a file into the text the Markdown parser sees: refuses binaries, decodes UTF-8 (or UTF-16 with
 * a BOM, or Windows-1252 as a last resort), normalises line endings and repairs mojibake, the usual
 * "UTF-8 read as Mac Roman / Windows-1252" damage (`‚úÖ` for ✅), reporting every repair as a warning.
 */
import type { ImportWarning } from '../model/runbook.js';

export type DecodeResult =
  | { ok: true; text: string; warnings: ImportWarning[] }
  | { ok: false; message: string };

/** How many leading bytes are sniffed for binary content: enough for any header, cheap on 20 MB files. */
const SNIFF_BYTES = 8192;
/** Share of control characters above which a file is called binary; text files have practically none. */
const MAX_CONTROL_RATIO = 0.02;

export function decodeRunbookBytes(bytes: Uint8Array): DecodeResult {
  const warnings: ImportWarning[] = [];
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else {
    const head = bytes.subarray(0, SNIFF_BYTES);
    if (head.includes(0)) return { ok: false, message: 'not a text file (it contains NUL bytes)' };
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = new TextDecoder('windows-1252').decode(bytes);
      warnings.push({ line: 1, message: 'the file is not valid UTF-8; it was read as Windows-1252' });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (controlRatio(text.slice(0, SNIFF_BYTES)) > MAX_CONTROL_RATIO) {
    return { ok: false, message: 'not a text file (it is mostly control characters)' };
  }
  text = text.replace(/\r\n?/g, '\n');
  const repaired = repairMojibake(text);
  if (repaired.repairs > 0) {
    warnings.push({
      line: repaired.firstLine,
      message: `repaired ${repaired.repairs} garbled character sequence${repaired.repairs === 1 ? '' : 's'} (UTF-8 that had been decoded as ${repaired.encodings.join(' and ')}), e.g. "${repaired.example}"`,
    });
  }
  return { ok: true, text: repaired.text, warnings };
}

function controlRatio(sample: string): number {
  if (sample.length === 0) return 0;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    // Tab, LF, VT, FF, CR and ESC (ANSI colours in pasted output) occur in real text files.
    if (c < 0x20 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13 && c !== 27) control++;
  }
  return control / sample.length;
}

/** Mac Roman's upper half (0x80-0xFF); 0xF0 is the Apple logo in the private use area. */
const MAC_ROMAN =
  'ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø' +
  '¿¡¬√ƒ≈∆«»…\u00a0ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\uf8ffÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ';
/** Windows-1252's 0x80-0x9F; 0xA0-0xFF equal Latin-1. Undefined slots map to the C1 controls, as browsers do. */
const CP1252_LOW = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

interface Codepage {
  name: string;
  toByte: Map<string, number>;
}

const codepages: Codepage[] = [
  { name: 'Mac Roman', toByte: new Map([...MAC_ROMAN].map((ch, i) => [ch, 0x80 + i])) },
  {
    name: 'Windows-1252',
    toByte: new Map([
      // C1 controls first, so that text read as ISO-8859-1 repairs too; the Windows-1252 letters then take over.
      ...Array.from({ length: 0x20 }, (_, i): [string, number] => [String.fromCharCode(0x80 + i), 0x80 + i]),
      ...[...CP1252_LOW].map((ch, i): [string, number] => [ch, 0x80 + i]),
      ...Array.from({ length: 0x60 }, (_, i): [string, number] => [String.fromCharCode(0xa0 + i), 0xa0 + i]),
    ]),
  },
];

/** A lead byte and its continuation bytes, as UTF-8 defines them. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A decoded sequence is accepted only when it is plausible: two-byte results must be Latin letters or common
 * symbols (U+00A0-U+024F), so that real text such as `“É` is never "repaired" into a combining mark.
 */
function decodeSequence(bytes: number[]): string | null {
  let decoded: string;
  try {
    decoded = strictUtf8.decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
  const cp = decoded.codePointAt(0) ?? 0;
  if (bytes.length === 2 && (cp < 0xa0 || cp > 0x24f)) return null;
  return decoded;
}

interface Repair {
  text: string;
  repairs: number;
  firstLine: number;
  example: string;
  encodings: string[];
}

export function repairMojibake(text: string): Repair {
  let repairs = 0;
  let firstOffset = -1;
  let example = '';
  const used = new Set<string>();
  // Only runs of non-ASCII characters can be mojibake: every byte of a multi-byte UTF-8 sequence is >= 0x80.
  const out = text.replace(/[\u0080-\uffff]{2,}/g, (run, offset: number) => {
    for (const page of codepages) {
      const fixed = repairRun(run, page);
      if (fixed !== null) {
        repairs++;
        used.add(page.name);
        if (firstOffset < 0) {
          firstOffset = offset;
          example = `${run} → ${fixed}`;
        }
        return fixed;
      }
    }
    return run;
  });
  const firstLine = firstOffset < 0 ? 1 : text.slice(0, firstOffset).split('\n').length;
  return { text: out, repairs, firstLine, example, encodings: [...used] };
}

/** Re-encodes a run through one code page and decodes the UTF-8 sequences in it; null when nothing decodes. */
function repairRun(run: string, page: Codepage): string | null {
  const chars = [...run];
  let result = '';
  let changed = false;
  let i = 0;
  while (i < chars.length) {
    const lead = page.toByte.get(chars[i] ?? '');
    const len = lead === undefined ? 0 : sequenceLength(lead);
    if (lead !== undefined && len > 0 && i + len <= chars.length) {
      const bytes = [lead];
      for (let k = 1; k < len; k++) {
        const b = page.toByte.get(chars[i + k] ?? '');
        if (b === undefined || b < 0x80 || b > 0xbf) break;
        bytes.push(b);
      }
      const decoded = bytes.length === len ? decodeSequence(bytes) : null;
      if (decoded !== null) {
        result += decoded;
        changed = true;
        i += len;
        continue;
      }
    }
    result += chars[i];
    i++;
  }
  return changed ? result : null;
}
