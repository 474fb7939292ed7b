import { useEffect } from 'react';
import type { NotifyOn } from '../../../shared/contract/schedules.js';
import type { CatchUp, Overlap } from '../../../shared/model/schedule.js';
import { useHosts } from '../../stores/hosts-store.js';
import { targetOptions, targetToValue, valueToTarget } from '../run/target-value.js';
import { ScheduleField } from './ScheduleField.js';
import type { DraftErrors, ScheduleDraft } from './schedule-form.js';

interface Props {
  draft: ScheduleDraft;
  errors: DraftErrors;
  change<K extends keyof ScheduleDraft>(key: K, value: ScheduleDraft[K]): void;
}

const CATCH_UP_LABEL: Record<CatchUp, string> = {
  latest: 'latest: one run for the newest missed occurrence',
  skip: 'skip: record the misses, run nothing',
  all: 'all: every missed occurrence in order (at most 10)',
};
const OVERLAP_LABEL: Record<Overlap, string> = {
  skip: 'skip the occurrence',
  queue: 'queue it (at most one waiting)',
  allow: 'run both at once',
};
const NOTIFY_LABEL: Record<NotifyOn, string> = {
  failure: 'when a run does not succeed',
  always: 'after every run',
  never: 'never',
};

/** The choices in the order the labels list them (a Record, so a new policy without a label is a compile error). */
const choices = <T extends string>(labels: Record<T, string>): T[] => Object.keys(labels) as T[];

function pick<T extends string>(labels: Record<T, string>, value: string, fallback: T): T {
  return choices(labels).find((candidate) => candidate === value) ?? fallback;
}

/** Where it runs, what happens to missed and overlapping occurrences, and whom to tell. */
export function ScheduleRulesFields({ draft, errors, change }: Props) {
  const hosts = useHosts((state) => state.hosts);
  const loadHosts = useHosts((state) => state.load);
  useEffect(() => {
    void loadHosts();
  }, [loadHosts]);
  const options = targetOptions(hosts, draft.target);
  return (
    <>
      <fieldset className="schedule-group">
        <legend>Where and how</legend>
        <div className="schedule-grid">
          <ScheduleField label="Run on" name="target">
            <select
              className="input"
              value={targetToValue(draft.target)}
              onChange={(event) => {
                const target = valueToTarget(event.target.value, draft.target);
                if (target) change('target', target);
              }}
              data-testid="schedule-target"
            >
              {options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.group === 'tags' ? `every host tagged ${option.label}` : option.label}
                </option>
              ))}
            </select>
          </ScheduleField>
          <ScheduleField label="If the previous run is still running" name="overlap">
            <select className="input" value={draft.overlap} onChange={(event) => change('overlap', pick(OVERLAP_LABEL, event.target.value, 'skip'))} data-testid="schedule-overlap">
              {choices(OVERLAP_LABEL).map((value) => (
                <option key={value} value={value}>
                  {OVERLAP_LABEL[value]}
                </option>
              ))}
            </select>
          </ScheduleField>
          <ScheduleField label="After sleep or downtime" name="catchUp">
            <select className="input" value={draft.catchUp} onChange={(event) => change('catchUp', pick(CATCH_UP_LABEL, event.target.value, 'latest'))} data-testid="schedule-catch-up">
              {choices(CATCH_UP_LABEL).map((value) => (
                <option key={value} value={value}>
                  {CATCH_UP_LABEL[value]}
                </option>
              ))}
            </select>
          </ScheduleField>
          <ScheduleField label="Catch-up window" name="window" error={errors.window} hint="Older misses are recorded, not run. Empty: one period; at most 7d">
            <input
              className="input mono"
              placeholder="one period"
              value={draft.window}
              onChange={(event) => change('window', event.target.value)}
              data-testid="schedule-window"
            />
          </ScheduleField>
          <ScheduleField label="Jitter" name="jitter" error={errors.jitter} hint="A random delay up to this, the same every time (e.g. 5m)">
            <input className="input mono" placeholder="none" value={draft.jitter} onChange={(event) => change('jitter', event.target.value)} data-testid="schedule-jitter" />
          </ScheduleField>
        </div>
      </fieldset>
      <fieldset className="schedule-group">
        <legend>Notify</legend>
        <div className="schedule-grid">
          <ScheduleField label="Tell me" name="notifyOn" hint="A desktop notification, and the webhook if there is one">
            <select
              className="input"
              value={draft.notifyOn}
              onChange={(event) => change('notifyOn', pick(NOTIFY_LABEL, event.target.value, 'failure'))}
              data-testid="schedule-notify"
            >
              {choices(NOTIFY_LABEL).map((value) => (
                <option key={value} value={value}>
                  {NOTIFY_LABEL[value]}
                </option>
              ))}
            </select>
          </ScheduleField>
          <ScheduleField label="Webhook" name="webhook" error={errors.webhook} hint="POSTed the run’s JSON summary; retried while it fails">
            <input
              className="input mono"
              type="url"
              placeholder="https://hooks.example.com/…"
              value={draft.webhook}
              onChange={(event) => change('webhook', event.target.value)}
              data-testid="schedule-webhook"
            />
          </ScheduleField>
        </div>
      </fieldset>
    </>
  );
}
