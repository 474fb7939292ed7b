import { describe, expect, it } from 'vitest';
import { decodeRunbookBytes, repairMojibake } from '../../../../shared/runbook/text.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Produces the damage the importer must undo: UTF-8 bytes read back through a single-byte code page. */
function garble(s: string, encoding: 'macintosh' | 'windows-1252'): string {
  return new TextDecoder(encoding).decode(utf8(s));
}

describe('decoding runbook bytes', () => {
  it('refuses a file with NUL bytes as not text', () => {
    const r = decodeRunbookBytes(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/not a text file/) });
  });

  it('refuses a file of control characters', () => {
    const bytes = new Uint8Array(200).map((_, i) => (i % 7) + 1);
    expect(decodeRunbookBytes(bytes).ok).toBe(false);
  });

  it('normalises CRLF and lone CR line endings and drops a BOM', () => {
    const r = decodeRunbookBytes(utf8('\ufeff# T\r\n\r\n- [ ] a\rb'));
    expect(r).toEqual({ ok: true, text: '# T\n\n- [ ] a\nb', warnings: [] });
  });

  it('reads UTF-16 with a BOM', () => {
    const body = '# Titel äö\n';
    const bytes = new Uint8Array(2 + body.length * 2);
    bytes[0] = 0xff;
    bytes[1] = 0xfe;
    for (let i = 0; i < body.length; i++) bytes[2 + i * 2] = body.charCodeAt(i);
    expect(decodeRunbookBytes(bytes)).toMatchObject({ ok: true, text: body });
  });

  it('reads invalid UTF-8 as Windows-1252, with a warning', () => {
    const r = decodeRunbookBytes(new Uint8Array([0x23, 0x20, 0x43, 0x61, 0x66, 0xe9, 0x0a]));
    expect(r).toMatchObject({ ok: true, text: '# Café\n', warnings: [{ line: 1, message: expect.stringMatching(/not valid UTF-8/) }] });
  });
});

describe('mojibake repair', () => {
  it.each(['✅ done', '🛠️ Scheduled maintenance', '❌ failed', 'naïve café “quoted” — dash', '🚨 Emergency'])(
    'undoes UTF-8 read as Mac Roman: %s',
    (original) => {
      const r = repairMojibake(`echo "${garble(original, 'macintosh')}"`);
      expect(r.text).toBe(`echo "${original}"`);
      expect(r.repairs).toBeGreaterThan(0);
      expect(r.encodings).toContain('Mac Roman');
    },
  );

  it.each(['✅ done', 'it’s “quoted”', 'café'])('undoes UTF-8 read as Windows-1252: %s', (original) => {
    expect(repairMojibake(garble(original, 'windows-1252')).text).toBe(original);
  });

  it('leaves real accented and symbolic text alone', () => {
    for (const text of ['Größe für Änderungen', '“Équipe” – déjà vu', 'π ≈ 3.14, 5 °C, © 2025', '日本語のテキスト', '✅ ❌ 🛠️']) {
      expect(repairMojibake(text)).toMatchObject({ text, repairs: 0 });
    }
  });

  it('reports the line of the first repair', () => {
    const r = decodeRunbookBytes(utf8(`# T\n\nok\n${garble('✅', 'macintosh')} yes\n`));
    expect(r).toMatchObject({ ok: true, warnings: [{ line: 4, message: expect.stringMatching(/garbled.*Mac Roman/) }] });
  });
});
