/**
 * Output as plain text, the way it ends up on a terminal screen line by line: colour and cursor escape sequences
 * dropped, and a line rewritten with `\r` (progress bars) reduced to its last state. Used to compare hosts' outputs
 * in a fan-out summary, where two hosts printing the same thing in different colours should read as the same.
 */

/** CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ST`) and two-character escapes. */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g;

export function terminalText(data: string): string {
  return data
    .replace(ESCAPES, '')
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      const cut = line.lastIndexOf('\r', line.endsWith('\r') ? line.length - 2 : line.length);
      return (cut >= 0 ? line.slice(cut + 1) : line).replace(/\r/g, '').replace(OTHER_CONTROLS, '');
    })
    .join('\n');
}
