/**
 * Which runbook an import belongs to (issue 11), decided from this device's library alone so the same file is one
 * runbook however it came in. A file arrives by path (`opsdeck import FILE`, import by path in the UI) or as an
 * upload (browser picker, drop: the store sees `upload:<file name>`, no folder, no file to read again).
 *
 * The cases, and what happens:
 * - The same path again (archived or not): that runbook. A new version if the content changed, else unchanged; an
 *   archived one comes back.
 * - Upload, then the same file by path: the path matches no runbook yet, so an uploaded runbook that has no path
 *   here is taken if its latest content has the same sha256 (preferring the one uploaded under the file's name) or,
 *   the content changed, if it was uploaded under the file's name and has the same title. It gains the path (kept
 *   in runbook_paths) and becomes refreshable.
 * - A path, then the same file uploaded: the upload name matches no uploaded runbook, so this device's runbook
 *   whose latest content has the same sha256 is taken (unchanged), or one whose file has that name and whose title
 *   is the same (a changed upload of a runbook known by path: a new version of it).
 * - The same name uploaded again: the runbook uploaded under that name, whatever its content (the browser gives no
 *   folder to tell two same-named files apart).
 * - Two files with the same title in different folders (prod/deploy.md, staging/deploy.md) imported by path: two
 *   runbooks, always: a runbook known by a path is never taken by another path, even with identical content (copies
 *   drift apart later). An upload of deploy.md that could be either (same title, neither has its content) is refused
 *   as ambiguous, naming both paths: importing it by path says which. Title lookup says `ambiguous` the same way.
 * - What cannot be told apart: an upload whose content and title both changed is a new runbook (nothing left in
 *   common but the name, which two folders may share).
 * Live runbooks are preferred to archived ones, so uploading a file whose duplicate was removed updates the one
 * kept; an archived one is taken only when nothing live matches, and comes back. Libraries imported before this
 * rule may hold an uploaded and a path runbook of the same file: they stay two (Remove one), both still found.
 */
import { basename } from 'node:path';

/** Source paths of runbooks that arrived as text rather than from a file on this machine. */
export const UPLOAD_PREFIX = 'upload:';

/** One of this device's runbooks, as identity sees it. */
export interface KnownRunbook {
  id: string;
  /** The path it was first imported under (`upload:<name>` for an upload). */
  sourcePath: string;
  /** Every real path this device knows for it: its source path unless an upload, and paths learned later. */
  paths: readonly string[];
  /** Of the latest version. */
  sha256: string;
  title: string;
  archived: boolean;
}

export type Identity =
  | { kind: 'known'; runbook: KnownRunbook; learnsPath: boolean }
  | { kind: 'new' }
  | { kind: 'ambiguous'; candidates: KnownRunbook[]; message: string };

export const isUpload = (path: string): boolean => path.startsWith(UPLOAD_PREFIX);

/** The file name a runbook was uploaded under, or of one of its paths. */
const uploadName = (rb: KnownRunbook): string | null => (isUpload(rb.sourcePath) ? rb.sourcePath.slice(UPLOAD_PREFIX.length) : null);
const fileNames = (rb: KnownRunbook): string[] => rb.paths.map((p) => basename(p));

/** The runbook `path` (a real path, or `upload:<name>`) with this content belongs to, among this device's runbooks. */
export function identify(path: string, sha256: string, title: string, known: readonly KnownRunbook[]): Identity {
  const live = known.filter((rb) => !rb.archived);
  const archived = known.filter((rb) => rb.archived);
  return isUpload(path) ? identifyUpload(path, sha256, title, live, archived) : identifyPath(path, sha256, title, known, live, archived);
}

function identifyPath(
  path: string,
  sha256: string,
  title: string,
  known: readonly KnownRunbook[],
  live: readonly KnownRunbook[],
  archived: readonly KnownRunbook[],
): Identity {
  const same = known.find((rb) => rb.paths.includes(path));
  if (same) return { kind: 'known', runbook: same, learnsPath: false };
  const name = basename(path);
  for (const pool of [live, archived]) {
    const uploads = pool.filter((rb) => uploadName(rb) !== null && rb.paths.length === 0);
    const bySha = uploads.filter((rb) => rb.sha256 === sha256);
    const picked = preferNamed(bySha, (rb) => uploadName(rb) === name);
    if (picked.length > 1) {
      return ambiguous(`${name} has the same content as ${picked.length} uploaded runbooks`, picked, 'remove the one you do not want and import it again');
    }
    const [one] = picked.length === 1 ? picked : uploads.filter((rb) => uploadName(rb) === name && rb.title === title);
    if (one) return { kind: 'known', runbook: one, learnsPath: true };
  }
  return { kind: 'new' };
}

function identifyUpload(path: string, sha256: string, title: string, live: readonly KnownRunbook[], archived: readonly KnownRunbook[]): Identity {
  const name = path.slice(UPLOAD_PREFIX.length);
  for (const pool of [live, archived]) {
    const uploaded = pool.find((rb) => rb.sourcePath === path);
    if (uploaded) return { kind: 'known', runbook: uploaded, learnsPath: false };
    const named = (rb: KnownRunbook): boolean => fileNames(rb).includes(name);
    const bySha = preferNamed(
      pool.filter((rb) => rb.sha256 === sha256),
      named,
    );
    if (bySha.length > 1) return ambiguous(`${name} has the same content as ${bySha.length} runbooks`, bySha, BY_PATH);
    const candidates = bySha.length === 1 ? bySha : pool.filter((rb) => named(rb) && rb.title === title);
    if (candidates.length > 1) return ambiguous(`${name} matches ${candidates.length} runbooks titled "${title}"`, candidates, BY_PATH);
    const [one] = candidates;
    if (one) return { kind: 'known', runbook: one, learnsPath: false };
  }
  return { kind: 'new' };
}

/** The ones `preferred` picks if any, else all. */
function preferNamed(list: KnownRunbook[], preferred: (rb: KnownRunbook) => boolean): KnownRunbook[] {
  const named = list.filter(preferred);
  return named.length > 0 ? named : list;
}

const BY_PATH = 'import it by path to say which';

function ambiguous(what: string, candidates: KnownRunbook[], hint: string): Identity {
  const where = candidates.map((rb) => rb.paths[0] ?? rb.sourcePath).join(', ');
  return { kind: 'ambiguous', candidates, message: `${what} (${where}): ${hint}` };
}
