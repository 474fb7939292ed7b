/**
 * Shift handovers: the draft (what happened since the last handover was signed off, on any device, or since the
 * first record, filled into a runbook's handover template or the default one), the sign-off (kept exactly as
 * signed, with the notes carried forward to the next one), and the incoming operator's acknowledgement (a record of
 * its own, on this device or another after sync).
 */
import type { Handover, HandoverDraft } from '../../../shared/contract/incidents.js';
import { draftHandover } from '../../../shared/handover/draft.js';
import type { HandoverState } from '../../../shared/handover/state.js';
import { DEFAULT_TEMPLATE, findHandoverTemplate, type HandoverTemplate } from '../../../shared/handover/template.js';
import type { HandoverRow, HandoverStore } from '../store/handover-store.js';
import type { LibraryStore } from '../store/library-store.js';
import { readRuns, shiftIncidents, shiftRuns, shiftSchedules, type ShiftSources } from './shift-state.js';

export interface HandoverServiceDeps extends ShiftSources {
  store: HandoverStore;
  /** Where handover templates come from: the runbooks of the library. */
  library: Pick<LibraryStore, 'list' | 'get'>;
  clock: { now(): Date };
  operator(): string;
  deviceId: string;
  emit(event: 'handover.changed', payload: { handoverId: string }): void;
}

export type HandoverService = ReturnType<typeof createHandoverService>;

export function createHandoverService(deps: HandoverServiceDeps) {
  const { store } = deps;
  // A runbook version never changes: its template (or that it has none) is read once per version.
  const templates = new Map<string, { sectionId: string; text: string } | null>();

  /**
   * The handover template: the one of the runbook imported most recently that has one (seed 001's "Handover
   * Template"), else the default.
   */
  const template = (): HandoverTemplate => {
    const entries = [...deps.library.list()].sort((a, b) => b.importedAt.localeCompare(a.importedAt) || a.id.localeCompare(b.id));
    for (const entry of entries) {
      const key = `${entry.id}@${entry.latestVersion}`;
      let found = templates.get(key);
      if (found === undefined) {
        found = findHandoverTemplate(deps.library.get(entry.id).document);
        templates.set(key, found);
      }
      if (found) return { kind: 'runbook', runbookId: entry.id, sectionId: found.sectionId, text: found.text };
    }
    return DEFAULT_TEMPLATE;
  };

  const view = (row: HandoverRow, ack = store.acks([row.id])[0]): Handover => ({
    id: row.id,
    markdown: row.markdown,
    carry: row.carry,
    signedBy: row.signedBy,
    signedAt: row.signedAt,
    since: row.since,
    acknowledgedBy: ack?.by ?? null,
    acknowledgedAt: ack?.at ?? null,
    deviceId: row.deviceId,
  });

  /** What the next handover reports: since the last sign-off, or since the first record. */
  const gather = async (carry: readonly string[] | undefined): Promise<HandoverState> => {
    const now = deps.clock.now().toISOString();
    const last = store.latest();
    const read = readRuns(deps);
    const open = (await deps.incidents?.open()) ?? [];
    const firsts = [...(read.oldest ? [read.oldest] : []), ...open.map((i) => i.declaredAt)].sort();
    const since = last?.signedAt ?? firsts[0] ?? now;
    const runs = shiftRuns(deps, read.runs, since);
    return {
      since,
      now,
      operator: deps.operator(),
      previous: last ? { signedBy: last.signedBy, signedAt: last.signedAt } : null,
      incidents: shiftIncidents(open),
      runs,
      // Only when the oldest run read is itself of the shift can older ones be missing.
      runsTruncated: read.truncated && read.oldest !== null && read.oldest >= since,
      schedules: shiftSchedules(deps, since),
      carry: cleanCarry(carry ?? last?.carry ?? []),
    };
  };

  return {
    /** The handover as it would be signed off now; `carry` replaces the notes carried from the previous one. */
    async draft(carry?: readonly string[]): Promise<HandoverDraft> {
      const state = await gather(carry);
      const t = template();
      return {
        since: state.since,
        markdown: draftHandover(state, t.text),
        template: { kind: t.kind, runbookId: t.runbookId, sectionId: t.sectionId },
        carry: state.carry,
      };
    },

    /** Keeps `markdown` exactly as given; `carry` goes to the next handover's draft. */
    async signOff(markdown: string, carry: readonly string[]): Promise<Handover> {
      const last = store.latest();
      const since = last?.signedAt ?? (await gather(carry)).since;
      const row = store.insert({ since, markdown, carry: cleanCarry(carry), signedBy: deps.operator(), signedAt: deps.clock.now().toISOString() });
      deps.emit('handover.changed', { handoverId: row.id });
      return view(row, undefined);
    },

    /** The incoming operator has read it. Acknowledged already (here or on another device): answered as it is. */
    acknowledge(query: string): Handover {
      const row = store.get(query);
      const first = store.acks([row.id])[0];
      if (first) return view(row, first);
      const ack = store.addAck({ handoverId: row.id, by: deps.operator(), at: deps.clock.now().toISOString() });
      deps.emit('handover.changed', { handoverId: row.id });
      return view(row, ack);
    },

    /** Newest first. */
    list(limit = 50): Handover[] {
      const rows = store.list(limit);
      const acks = new Map<string, ReturnType<HandoverStore['acks']>[number]>();
      for (const a of store.acks(rows.map((r) => r.id))) if (!acks.has(a.handoverId)) acks.set(a.handoverId, a);
      return rows.map((r) => view(r, acks.get(r.id)));
    },

    dispose(): void {
      templates.clear();
    },
  };
}

/** Notes as typed, trimmed; empty ones and repeats dropped. */
function cleanCarry(carry: readonly string[]): string[] {
  return [...new Set(carry.map((c) => c.trim()).filter((c) => c !== ''))];
}
