/**
 * What the import parser (import-parser.ts) and its worker (import-worker.ts) say to each other. The document comes
 * back in batches, one at a time: a message is deserialised on the receiving thread in one go, and node hands over
 * all queued messages in one go too, so a 1 MB runbook of 12,000 sections sent at once stalled the main thread for
 * 50-180 ms. The worker sends the next batch when the main thread asks for it (`next`), after handling the last.
 */
import type { ImportWarning, Param, ParamOccurrence, Runbook, ScheduleHint, Section, Step } from '../../../shared/model/runbook.js';
import type { ImportRefusal } from '../../../shared/runbook/import.js';

export interface ParseRequest {
  type: 'parse';
  id: number;
  path: string;
  bytes: Uint8Array;
}

/** To the worker: a runbook to parse, or "send the next batch of request `id`". */
export type WorkerRequest = ParseRequest | { type: 'next'; id: number };

/** From the worker; a request ends with its `last` batch of parts, a refusal or a failure. */
export type WorkerReply =
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'parts'; parts: DocumentPart[]; last: boolean }
  | { id: number; type: 'refused'; error: ImportRefusal }
  | { id: number; type: 'failed'; message: string };

export type SectionHead = Omit<Section, 'steps' | 'sections'>;

/**
 * A document, flattened: sections in document order, each naming its parent by index among the section parts
 * before it (-1 at the top level); steps and parameter occurrences in slices that follow their owner.
 */
export type DocumentPart =
  | { kind: 'head'; title: string; source: Runbook['source'] }
  | { kind: 'section'; parent: number; head: SectionHead }
  | { kind: 'steps'; section: number; steps: Step[] }
  | { kind: 'param'; param: Omit<Param, 'occurrences'> }
  | { kind: 'occurrences'; param: number; occurrences: ParamOccurrence[] }
  | { kind: 'hints'; hints: ScheduleHint[] }
  | { kind: 'warnings'; warnings: ImportWarning[] };

/**
 * Items (sections, steps, occurrences, hints, warnings) per message: more means fewer messages, fewer means a
 * shorter longest deserialisation on the main thread (1,000 items took 2-4 ms here).
 */
export const BATCH_ITEMS = 1000;

/** Cuts a document into batches of parts of about `batchItems` items each (never more than twice that). */
export function splitDocument(runbook: Runbook, batchItems = BATCH_ITEMS): DocumentPart[][] {
  const batches: DocumentPart[][] = [];
  let batch: DocumentPart[] = [];
  let items = 0;
  const add = (part: DocumentPart, count: number): void => {
    batch.push(part);
    items += count;
    if (items >= batchItems) {
      batches.push(batch);
      batch = [];
      items = 0;
    }
  };
  const sliced = <T>(list: T[], emit: (slice: T[]) => DocumentPart): void => {
    for (let i = 0; i < list.length; i += batchItems) {
      const slice = list.slice(i, i + batchItems);
      add(emit(slice), slice.length);
    }
  };

  add({ kind: 'head', title: runbook.title, source: runbook.source }, 1);
  let sectionCount = 0;
  const visit = (section: Section, parent: number): void => {
    const { steps, sections, ...head } = section;
    const index = sectionCount++;
    add({ kind: 'section', parent, head }, 1);
    sliced(steps, (slice) => ({ kind: 'steps', section: index, steps: slice }));
    for (const child of sections) visit(child, index);
  };
  for (const section of runbook.sections) visit(section, -1);
  runbook.params.forEach(({ occurrences, ...param }, index) => {
    add({ kind: 'param', param }, 1);
    sliced(occurrences, (slice) => ({ kind: 'occurrences', param: index, occurrences: slice }));
  });
  sliced(runbook.scheduleHints, (hints) => ({ kind: 'hints', hints }));
  sliced(runbook.warnings, (warnings) => ({ kind: 'warnings', warnings }));
  if (batch.length > 0) batches.push(batch);
  return batches;
}

export interface DocumentAssembler {
  add(parts: DocumentPart[]): void;
  /** The document, equal to the one split (same keys in the same order); throws if the head never came. */
  finish(): Runbook;
}

export function createDocumentAssembler(): DocumentAssembler {
  let head: { title: string; source: Runbook['source'] } | null = null;
  const roots: Section[] = [];
  const sections: Section[] = [];
  const params: Param[] = [];
  const hints: ScheduleHint[] = [];
  const warnings: ImportWarning[] = [];
  const at = <T>(list: T[], index: number, what: string): T => {
    const found = list[index];
    if (found === undefined) throw new Error(`import worker sent a part for ${what} ${index}, which it never sent`);
    return found;
  };
  return {
    add(parts) {
      for (const part of parts) {
        switch (part.kind) {
          case 'head':
            head = { title: part.title, source: part.source };
            break;
          case 'section': {
            const section: Section = { ...part.head, steps: [], sections: [] };
            if (part.parent < 0) roots.push(section);
            else at(sections, part.parent, 'section').sections.push(section);
            sections.push(section);
            break;
          }
          case 'steps':
            at(sections, part.section, 'section').steps.push(...part.steps);
            break;
          case 'param':
            params.push({ ...part.param, occurrences: [] });
            break;
          case 'occurrences':
            at(params, part.param, 'parameter').occurrences.push(...part.occurrences);
            break;
          case 'hints':
            hints.push(...part.hints);
            break;
          case 'warnings':
            warnings.push(...part.warnings);
            break;
          default:
            assertNever(part);
        }
      }
    },
    finish() {
      if (head === null) throw new Error('import worker finished without sending the document');
      return { title: head.title, source: head.source, sections: roots, params, scheduleHints: hints, warnings };
    },
  };
}

function assertNever(x: never): never {
  throw new Error(`unexpected document part ${JSON.stringify(x)}`);
}
