/**
 * Serves `incidentDraftMethods`: the status update and the post-mortem drafted from an incident and the runbook
 * that describes its response. The post-mortem's required sections are a bold label's list in the runbook, which
 * the document model does not keep, so they are read from the runbook's file as imported, when this device still
 * has that exact file (same sha256); otherwise the sections the model shows, else the default set.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Handlers } from '../../shared/contract/dispatch.js';
import type { IncidentDetail, incidentDraftMethods } from '../../shared/contract/incidents.js';
import { findCommsTemplate, findPostmortemSections } from '../../shared/incident/comms-template.js';
import { draftPostmortem } from '../../shared/incident/postmortem.js';
import { draftStatusUpdate } from '../../shared/incident/status-update.js';
import type { Runbook } from '../../shared/model/runbook.js';
import { decodeRunbookBytes } from '../../shared/runbook/text.js';
import { UPLOAD_PREFIX, type LibraryStore } from '../services/store/library-store.js';

type DraftMethod = Extract<keyof Handlers, keyof typeof incidentDraftMethods>;

export interface IncidentDraftDeps {
  /** incidents.get's answer (throws the contract's `not_found`). */
  getIncident(id: string): IncidentDetail | Promise<IncidentDetail>;
  /** The runbook's latest version, or null when it is gone. */
  runbook(runbookId: string): Runbook | null;
  /** The runbook's Markdown as imported, when it can still be read; null otherwise. */
  runbookText?(runbookId: string): Promise<string | null> | string | null;
  now(): Date;
}

export function createIncidentDraftHandlers(deps: IncidentDraftDeps): Pick<Handlers, DraftMethod> {
  const runbookOf = (incident: IncidentDetail): Runbook | null => (incident.runbookId !== null ? deps.runbook(incident.runbookId) : null);
  return {
    'incidents.draftUpdate': async ({ id }) => {
      const incident = await deps.getIncident(id);
      const template = findCommsTemplate(runbookOf(incident));
      return { text: draftStatusUpdate({ incident, template: template.text, now: deps.now() }), template: template.kind };
    },
    'incidents.postmortem': async ({ id }) => {
      const incident = await deps.getIncident(id);
      const runbook = runbookOf(incident);
      const text = runbook && incident.runbookId !== null && deps.runbookText ? await deps.runbookText(incident.runbookId) : null;
      const { sections } = findPostmortemSections(runbook, text);
      return { markdown: draftPostmortem({ incident, sections, now: deps.now() }) };
    },
  };
}

/** The latest version of a runbook, or null when the library has no such runbook. */
export function latestDocument(library: Pick<LibraryStore, 'get'>, runbookId: string): Runbook | null {
  try {
    return library.get(runbookId).document;
  } catch {
    return null;
  }
}

/**
 * The Markdown of a runbook's latest version, read from its file on this device when the file is still the one
 * imported (its sha256 matches), decoded as the importer decodes it so that the model's line numbers hold. Null
 * for an upload, a file changed or gone since, or a runbook not in the library.
 */
export async function importedText(library: Pick<LibraryStore, 'get'>, runbookId: string): Promise<string | null> {
  let detail: ReturnType<LibraryStore['get']>;
  try {
    detail = library.get(runbookId);
  } catch {
    return null;
  }
  if (detail.path.startsWith(UPLOAD_PREFIX)) return null;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(detail.path);
  } catch {
    return null;
  }
  if (createHash('sha256').update(bytes).digest('hex') !== detail.version.sha256) return null;
  const decoded = decodeRunbookBytes(bytes);
  return decoded.ok ? decoded.text : null;
}
