// Text into a terminal: pastes never press Enter by themselves nor break out of bracketed paste; input fits the contract.
import { describe, expect, it } from 'vitest';
import { inputChunks, isMultiline, pasteText, withoutPasteMarkers } from '../../../renderer/features/terminal/paste-text.js';
import { terminalShortcut } from '../../../renderer/features/terminal/terminal-keys.js';

describe('pasteText', () => {
  it('drops trailing newlines so a pasted command waits for the operator', () => {
    expect(pasteText("systemctl restart 'web app'\n")).toBe("systemctl restart 'web app'");
    expect(pasteText('ls\r\n\n')).toBe('ls');
    expect(pasteText('a\nb\n')).toBe('a\nb');
  });

  it('removes bracketed-paste markers that would end the paste early', () => {
    const hostile = 'echo hi\x1b[201~rm -rf ~\x1b[200~';
    expect(pasteText(hostile)).toBe('echo hirm -rf ~');
    expect(withoutPasteMarkers('keep\n')).toBe('keep\n');
  });

  it('tells multi-line commands apart', () => {
    expect(isMultiline('a && b')).toBe(false);
    expect(isMultiline('for x in 1 2; do\n  echo $x\ndone')).toBe(true);
  });
});

describe('inputChunks', () => {
  it('keeps small input whole and splits large input without breaking a surrogate pair', () => {
    expect(inputChunks('ls -la')).toEqual(['ls -la']);
    const text = 'ab😀cd😀';
    const chunks = inputChunks(text, 3);
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(3);
      expect(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/.test(chunk)).toBe(false);
    }
  });
});

describe('terminalShortcut', () => {
  const press = (key: string, mods: { ctrl?: boolean; shift?: boolean; alt?: boolean; meta?: boolean } = {}) =>
    terminalShortcut({ key, ctrlKey: mods.ctrl ?? false, shiftKey: mods.shift ?? false, altKey: mods.alt ?? false, metaKey: mods.meta ?? false });

  it('takes Ctrl+Shift+C, V and F for copy, paste and search', () => {
    expect(press('C', { ctrl: true, shift: true })).toBe('copy');
    expect(press('V', { ctrl: true, shift: true })).toBe('paste');
    expect(press('F', { ctrl: true, shift: true })).toBe('search');
  });

  it('leaves plain Ctrl+C and Ctrl+V to the shell, and other combinations alone', () => {
    expect(press('c', { ctrl: true })).toBeNull();
    expect(press('v', { ctrl: true })).toBeNull();
    expect(press('C', { shift: true })).toBeNull();
    expect(press('C', { ctrl: true, shift: true, alt: true })).toBeNull();
    expect(press('X', { ctrl: true, shift: true })).toBeNull();
  });
});
