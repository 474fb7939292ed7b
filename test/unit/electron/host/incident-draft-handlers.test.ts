// The draft handlers with a real file on disk: the post-mortem takes seed 004's required sections from the file as
// imported, and the default set once the file changed since (or for an upload, which has no file); the update says
// which template it used.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentDraftHandlers, importedText } from '../../../../electron/host/incident-draft-handlers.js';
import type { LibraryStore } from '../../../../electron/services/store/library-store.js';
import type { Runbook } from '../../../../shared/model/runbook.js';
import { root } from '../../../helpers/cli.js';
import { importText } from '../../../helpers/importer.js';
import { KNOWN_INCIDENT } from '../../shared/incident/known-incident.js';

const SEED_004 = join(root, 'test', 'fixtures', 'seeds', '004.md');
const ctx = { origin: 'cli' as const };
const headings = (markdown: string): string[] => [...markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1] ?? '');

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-drafts-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A library of one runbook imported from `path` with these bytes' sha256. */
function libraryOf(path: string, document: Runbook): Pick<LibraryStore, 'get'> {
  const sha256 = createHash('sha256').update(readFileSync(SEED_004)).digest('hex');
  return {
    get: (id) => {
      if (id !== KNOWN_INCIDENT.runbookId) throw new Error('not found');
      return { path, document, version: { sha256 } } as ReturnType<LibraryStore['get']>;
    },
  };
}

describe('the incident draft handlers', () => {
  it("use seed 004's required sections while its file is the one imported, the default set once it changed or for an upload", async () => {
    const path = join(tmp, '004.md');
    copyFileSync(SEED_004, path);
    const document = await importText(readFileSync(path), path);
    const library = libraryOf(path, document);
    const handlers = createIncidentDraftHandlers({
      getIncident: () => KNOWN_INCIDENT,
      runbook: () => document,
      runbookText: (id) => importedText(library, id),
      now: () => new Date('2026-03-03T09:00:00Z'),
    });
    const { markdown } = await handlers['incidents.postmortem']({ id: KNOWN_INCIDENT.id }, ctx);
    expect(headings(markdown)).toEqual(['Timeline', 'Root cause', 'Impact assessment', 'Resolution steps', 'Prevention measures', 'Action items']);
    expect(await handlers['incidents.draftUpdate']({ id: KNOWN_INCIDENT.id }, ctx)).toMatchObject({ template: 'runbook', text: expect.stringMatching(/^Subject: \[P1\] Checkout API errors\n/) });

    writeFileSync(path, `${readFileSync(path, 'utf8')}\nedited since\n`);
    expect(await importedText(library, 'rb-0001')).toBeNull();
    expect(headings((await handlers['incidents.postmortem']({ id: KNOWN_INCIDENT.id }, ctx)).markdown)).toEqual(['Summary', 'Timeline', 'Root cause', 'Impact', 'Resolution', 'Prevention', 'Action items']);
    expect(await importedText(libraryOf('upload:004.md', document), 'rb-0001')).toBeNull();
    expect(await importedText(library, 'no-such-runbook')).toBeNull();
  });

  it('use the default template and sections for an incident declared without a runbook', async () => {
    const handlers = createIncidentDraftHandlers({ getIncident: () => ({ ...KNOWN_INCIDENT, runbookId: null }), runbook: () => null, now: () => new Date() });
    expect(await handlers['incidents.draftUpdate']({ id: KNOWN_INCIDENT.id }, ctx)).toMatchObject({ template: 'default' });
    expect(headings((await handlers['incidents.postmortem']({ id: KNOWN_INCIDENT.id }, ctx)).markdown)[0]).toBe('Summary');
  });
});
