/**
 * Making and changing schedules: what is checked before one is saved (the section exists, the calendar and zone are
 * valid, the target is known, every parameter has a value or a source, destructive steps are approved), where secret
 * values come from when it fires, and how a schedule reads from outside (the contract's Schedule).
 */
import { ContractError } from '../../../shared/contract/errors.js';
import type { AgendaEntry, Schedule, ScheduleFields, SecretSource } from '../../../shared/contract/schedules.js';
import type { Param, Section } from '../../../shared/model/runbook.js';
import type { ExportableSchedule } from '../../../shared/schedule/export-command.js';
import { calendarProblem, nextOccurrences, occurrencesBetween } from '../../../shared/schedule/occurrences.js';
import type { SecretVault } from '../ssh/secret-vault.js';
import { findSection } from '../runs/run-state.js';
import type { HostStore } from '../store/host-store.js';
import type { LibraryStore } from '../store/library-store.js';
import type { ScheduleRow, ScheduleSpec, ScheduleStore } from '../store/schedule-store.js';
import { StoreError } from '../store/store-error.js';
import { approvalOf, commandSteps, foldRecent, type Situation } from './schedule-view.js';

export interface EditorDeps {
  store: ScheduleStore;
  library: LibraryStore;
  hosts?: Pick<HostStore, 'byName' | 'list'>;
  /** Where `keychain` secrets are sealed; absent or unavailable: only environment variables. */
  vault?: SecretVault;
  now(): Date;
  operator(): string;
  deviceId: string;
  /** How a started run ended (`running` while it runs), for the outcome strip. */
  runStatus(runId: string): string | null;
  onError?(error: unknown): void;
}

/** The agenda lists at most this many occurrences: a per-second schedule would otherwise fill a day with 86,400. */
const AGENDA_MAX = 500;
const NEXT_SHOWN = 5;

const vaultKey = (scheduleId: string, name: string): string => `schedule:${scheduleId}:${name}`;
const sorted = (values: Record<string, string>): Array<[string, string]> => Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Whether the occurrences change: the calendar or its zone (not the catch-up, overlap or jitter rules). */
export function calendarChanged(row: ScheduleRow, fields: Pick<ScheduleFields, 'rules'>): boolean {
  return JSON.stringify(fields.rules.calendar) !== JSON.stringify(row.spec.rules.calendar) || fields.rules.timezone !== row.spec.rules.timezone;
}

/** How many occurrences are looked at to find the calendar's shortest gap (a year of a daily one, a month's Mondays). */
const GAP_SAMPLE = 400;

/** The shortest time between two of the calendar's next occurrences, or null with fewer than two. */
function shortestGapMs(rules: ScheduleFields['rules'], from: Date): number | null {
  const next = nextOccurrences(rules, from, GAP_SAMPLE);
  let gap: number | null = null;
  for (let i = 1; i < next.length; i++) {
    const d = (next[i]?.getTime() ?? 0) - (next[i - 1]?.getTime() ?? 0);
    if (gap === null || d < gap) gap = d;
  }
  return gap;
}

export function createScheduleEditor(deps: EditorDeps) {
  const { store, library } = deps;
  /** Keychain secrets read when the schedule was saved or the owner started (the vault is async, firing is not). */
  const sealed = new Map<string, string>();

  function resolve(runbookId: string, sectionId: string): { section: Section; params: Param[]; versionId: string; title: string } {
    let rb;
    try {
      rb = library.get(runbookId);
    } catch (error) {
      if (error instanceof StoreError) throw new ContractError('not_found', `no runbook ${runbookId}`);
      throw error;
    }
    if (rb.archived) throw new ContractError('conflict', `"${rb.document.title}" was removed from the library: import it again to schedule it`);
    const section = findSection(rb.document.sections, sectionId);
    if (!section) throw new ContractError('not_found', `"${rb.document.title}" has no section ${sectionId}`);
    const used = new Set(commandSteps(section).flatMap((s) => s.params));
    return { section, params: rb.document.params.filter((p) => used.has(p.name)), versionId: rb.version.id, title: rb.document.title };
  }

  function check(fields: ScheduleFields, approve: boolean, section: Section, params: Param[]): void {
    const problem = calendarProblem(fields.rules.calendar, fields.rules.timezone);
    if (problem) throw new ContractError('invalid_schedule', problem);
    const gap = shortestGapMs(fields.rules, deps.now());
    if (gap !== null && fields.rules.jitterSec * 1000 >= gap) {
      throw new ContractError('invalid_schedule', `the jitter (${fields.rules.jitterSec} s) must be shorter than the time between occurrences (${Math.round(gap / 1000)} s): a delay that long would run into the next one`);
    }
    const target = fields.target;
    if (target.kind === 'host' && deps.hosts && !deps.hosts.byName(target.host)) {
      throw new ContractError('not_found', `no host named ${target.host} in the inventory: add it first (opsdeck hosts add)`);
    }
    if (target.kind === 'tag' && deps.hosts && !deps.hosts.list().some((h) => h.tags.includes(target.tag))) {
      throw new ContractError('not_found', `no host in the inventory has the tag ${target.tag}`);
    }
    const missing = params.filter((p) => !p.secret && (fields.params[p.name] ?? '') === '').map((p) => p.name);
    if (missing.length > 0) throw new ContractError('missing_params', `the scheduled steps need values for: ${missing.join(', ')}`);
    for (const p of params.filter((q) => q.secret)) {
      if (fields.params[p.name] !== undefined) {
        throw new ContractError('invalid_param', `${p.name} is a secret: a schedule never stores it; give it as an environment variable or a keychain secret`);
      }
      const source = fields.secrets[p.name];
      if (source?.from === 'keychain' && (fields.secretValues?.[p.name] === undefined || !deps.vault?.available)) {
        throw new ContractError('invalid_param', deps.vault?.available ? `give the value of ${p.name} to seal it in the keychain` : `this owner has no OS keychain: take ${p.name} from an environment variable instead`);
      }
    }
    const destructive = commandSteps(section).filter((s) => s.danger.level === 'destructive');
    if (destructive.length > 0 && !approve) {
      const names = destructive.map((s) => `"${s.title}"`).join(', ');
      throw new ContractError('approval_required', `the section has destructive steps (${names}): a schedule runs them unattended, so approve their text as it is now`);
    }
  }

  function specOf(fields: ScheduleFields, params: Param[]): ScheduleSpec {
    const secrets: Record<string, SecretSource> = {};
    for (const p of params.filter((q) => q.secret)) secrets[p.name] = fields.secrets[p.name] ?? { from: 'env', variable: p.name };
    const known = new Set(params.filter((p) => !p.secret).map((p) => p.name));
    const kept = Object.fromEntries(Object.entries(fields.params).filter(([k]) => known.has(k)));
    return { target: fields.target, rules: fields.rules, params: kept, secrets, notify: fields.notify };
  }

  async function seal(id: string, fields: Partial<ScheduleFields>): Promise<void> {
    for (const [name, value] of Object.entries(fields.secretValues ?? {})) {
      if (fields.secrets?.[name]?.from !== 'keychain' || !deps.vault?.available) continue;
      await deps.vault.set(vaultKey(id, name), value);
      sealed.set(vaultKey(id, name), value);
    }
  }

  const fieldsOf = (row: ScheduleRow): ScheduleFields => ({
    runbookId: row.runbookId, sectionId: row.sectionId, target: row.spec.target, rules: row.spec.rules, params: row.spec.params,
    secrets: row.spec.secrets, notify: row.spec.notify,
  });

  return {
    async create(fields: ScheduleFields, createdBy: string): Promise<ScheduleRow> {
      const { section, params, versionId } = resolve(fields.runbookId, fields.sectionId);
      check(fields, fields.approveDestructive === true, section, params);
      const at = deps.now().toISOString();
      const row = store.insert({
        runbookId: fields.runbookId, sectionId: fields.sectionId, spec: specOf(fields, params), approved: approvalOf(section, versionId),
        paused: fields.paused === true, pauseReason: fields.paused ? `created paused by ${createdBy}` : null, activeSince: at, createdAt: at, createdBy,
      });
      await seal(row.id, fields);
      return row;
    },

    async update(id: string, patch: Partial<ScheduleFields>): Promise<ScheduleRow> {
      const row = store.get(id);
      const fields: ScheduleFields = { ...fieldsOf(row), ...patch };
      const { section, params, versionId } = resolve(fields.runbookId, fields.sectionId);
      // The same steps with the same values on the same target keep their approval; anything else is approved again,
      // as at creation (a changed value can turn `rm -rf "/var/backups/$OLD"` into something else entirely).
      const moved =
        fields.runbookId !== row.runbookId || fields.sectionId !== row.sectionId || JSON.stringify(fields.target) !== JSON.stringify(row.spec.target) ||
        JSON.stringify(sorted(specOf(fields, params).params)) !== JSON.stringify(sorted(row.spec.params));
      check(fields, patch.approveDestructive === true || !moved, section, params);
      const rulesChanged = calendarChanged(row, fields);
      await seal(id, fields);
      return store.update(id, {
        runbookId: fields.runbookId, sectionId: fields.sectionId, spec: specOf(fields, params),
        ...(moved || patch.approveDestructive ? { approved: approvalOf(section, versionId) } : {}),
        // A new calendar starts from now: occurrences of the old one are not misses of the new one. (The scheduler
        // accounts for what the old one owed before calling this.)
        ...(rulesChanged ? { activeSince: deps.now().toISOString() } : {}),
        ...(patch.paused !== undefined ? { paused: patch.paused, pauseReason: patch.paused ? `paused by ${deps.operator()}` : null } : {}),
      });
    },

    /** Binds the approval to the section's text now; a schedule held by a change picks up from now. */
    approve(row: ScheduleRow, section: Section, wasHeld: boolean): void {
      const versionId = library.get(row.runbookId).version.id;
      store.update(row.id, { approved: approvalOf(section, versionId), ...(wasHeld ? { activeSince: deps.now().toISOString() } : {}) });
    },

    /** Values of the schedule's secrets, from the owner's environment or the keychain; throws naming what is missing. */
    secretValues(row: ScheduleRow, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
      const out: Record<string, string> = {};
      for (const [name, source] of Object.entries(row.spec.secrets)) {
        const value = source.from === 'env' ? env[source.variable] : sealed.get(vaultKey(row.id, name));
        if (value === undefined || value === '') {
          throw new ContractError(
            'missing_params',
            source.from === 'env' ? `the secret ${name} comes from the environment variable ${source.variable}, which is not set where Opsdeck runs` : `the secret ${name} could not be read from the keychain`,
          );
        }
        out[name] = value;
      }
      return out;
    },

    /** Reads keychain secrets into memory (at owner start): firing never waits on the keychain. */
    async unseal(rows: readonly ScheduleRow[]): Promise<void> {
      if (!deps.vault?.available) return;
      for (const row of rows) {
        for (const [name, source] of Object.entries(row.spec.secrets)) {
          if (source.from !== 'keychain') continue;
          const value = await deps.vault.get(vaultKey(row.id, name));
          if (value !== null) sealed.set(vaultKey(row.id, name), value);
        }
      }
    },

    /** `waiting`: the schedule's occurrences waiting for approval, when the caller has read them for many schedules. */
    view(row: ScheduleRow, situation: (row: ScheduleRow) => Situation, firesHere: (row: ScheduleRow) => boolean, waitingNow?: readonly string[]): Schedule {
      const s = situation(row);
      let runbookTitle = row.runbookId;
      try {
        runbookTitle = library.get(row.runbookId).document.title;
      } catch {
        // A runbook not (yet) synced here: its id stands in for the title.
      }
      const waiting = waitingNow ? [...waitingNow] : store.unsettledOf(row.id).filter((r) => r.kind === 'waiting_approval').map((r) => r.occurrence ?? '');
      return {
        id: row.id, runbookId: row.runbookId, runbookTitle, sectionId: row.sectionId, sectionTitle: s.section?.title ?? row.sectionId,
        target: row.spec.target, rules: row.spec.rules, params: row.spec.params, secrets: row.spec.secrets, notify: row.spec.notify,
        state: s.state, stateReason: s.reason, changes: s.changes, firesHere: firesHere(row),
        next: calendarProblem(row.spec.rules.calendar, row.spec.rules.timezone) ? [] : nextOccurrences(row.spec.rules, deps.now(), NEXT_SHOWN).map((d) => d.toISOString()),
        recent: foldRecent(store.recent(row.id, 200), deps.runStatus),
        waiting, createdAt: row.createdAt, createdBy: row.createdBy, updatedAt: row.updatedAt,
      };
    },

    agenda(rows: readonly ScheduleRow[], hours: number): AgendaEntry[] {
      const now = deps.now();
      const until = new Date(now.getTime() + hours * 3600_000);
      const entries: AgendaEntry[] = [];
      for (const row of rows) {
        let title = row.runbookId;
        let sectionTitle = row.sectionId;
        try {
          const rb = library.get(row.runbookId);
          title = rb.document.title;
          sectionTitle = findSection(rb.document.sections, row.sectionId)?.title ?? row.sectionId;
        } catch {
          // As in view().
        }
        for (const at of occurrencesBetween(row.spec.rules, now, until, AGENDA_MAX)) {
          entries.push({ scheduleId: row.id, at: at.toISOString(), runbookTitle: title, sectionTitle });
        }
      }
      return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(0, AGENDA_MAX);
    },

    exportable(row: ScheduleRow): ExportableSchedule {
      const rb = library.get(row.runbookId);
      const section = findSection(rb.document.sections, row.sectionId);
      const path = rb.path.startsWith('upload:') ? null : rb.path;
      return {
        id: row.id, rules: row.spec.rules, runbook: { path, title: rb.document.title }, section: section?.title ?? row.sectionId,
        target: row.spec.target, params: row.spec.params, secretParams: Object.keys(row.spec.secrets),
      };
    },
  };
}

export type ScheduleEditor = ReturnType<typeof createScheduleEditor>;
