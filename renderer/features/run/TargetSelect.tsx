import { useEffect, useState } from 'react';
import type { Target } from '../../../shared/contract/hosts.js';
import { href } from '../../app/route.js';
import { useHosts } from '../../stores/hosts-store.js';
import { useTarget } from '../../stores/target-store.js';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, parseConcurrency, targetOptions, targetToValue, valueToTarget } from './target-value.js';

type TagTarget = Extract<Target, { kind: 'tag' }>;

function TagOptions({ target }: { target: TagTarget }) {
  const choose = useTarget((state) => state.choose);
  const saved = String(target.concurrency ?? DEFAULT_CONCURRENCY);
  const [typed, setTyped] = useState(saved);
  useEffect(() => setTyped(saved), [saved, target.tag]);
  const valid = parseConcurrency(typed) !== null;
  return (
    <span className="target-tag-options">
      <label className="inline-field" title={`Hosts at once (1–${MAX_CONCURRENCY})`}>
        at once
        <input
          className={`input mono target-concurrency${valid ? '' : ' invalid'}`}
          type="number"
          min={1}
          max={MAX_CONCURRENCY}
          value={typed}
          aria-invalid={valid ? undefined : true}
          onChange={(event) => {
            setTyped(event.target.value);
            const value = parseConcurrency(event.target.value);
            if (value !== null) choose({ ...target, concurrency: value }, true);
          }}
          onBlur={() => {
            if (!valid) setTyped(saved);
          }}
          data-testid="target-concurrency"
        />
      </label>
      <label className="checkbox" title="After the first host fails, start no more and stop the ones running">
        <input
          type="checkbox"
          checked={target.stopOnFailure ?? false}
          onChange={(event) => choose({ ...target, stopOnFailure: event.target.checked })}
          data-testid="target-stop-on-failure"
        />
        stop on first failure
      </label>
      <label className="checkbox" title="Run on one host first; the rest only if it succeeded">
        <input
          type="checkbox"
          checked={target.canary ?? false}
          onChange={(event) => choose({ ...target, canary: event.target.checked })}
          data-testid="target-canary"
        />
        canary
      </label>
    </span>
  );
}

/**
 * Where this run's command steps go: this machine, one host, or every host of a tag (with how many at once,
 * stop on first failure, canary). Remembered per runbook section on the host.
 */
export function TargetSelect() {
  const target = useTarget((state) => state.target);
  const error = useTarget((state) => state.error);
  const choose = useTarget((state) => state.choose);
  const hosts = useHosts((state) => state.hosts);
  const loadHosts = useHosts((state) => state.load);
  useEffect(() => {
    void loadHosts();
  }, [loadHosts]);

  const options = targetOptions(hosts, target);
  const groups: Array<{ key: 'hosts' | 'tags'; label: string }> = [
    { key: 'hosts', label: 'Host' },
    { key: 'tags', label: 'Every host with the tag' },
  ];
  return (
    <div className="target-select" data-testid="target">
      <label className="inline-field">
        Run on
        <select
          className="input"
          value={target ? targetToValue(target) : ''}
          disabled={target === null}
          onChange={(event) => {
            const next = valueToTarget(event.target.value, target);
            if (next) choose(next);
          }}
          data-testid="target-select"
        >
          {target === null && <option value="">Loading…</option>}
          {options
            .filter((option) => option.group === 'local')
            .map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          {groups.map((group) => {
            const inGroup = options.filter((option) => option.group === group.key);
            return inGroup.length === 0 ? null : (
              <optgroup key={group.key} label={group.label}>
                {inGroup.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </optgroup>
            );
          })}
        </select>
      </label>
      {target?.kind === 'tag' && <TagOptions target={target} />}
      {hosts.length === 0 && target?.kind === 'local' && (
        <a className="small" href={href.hosts()}>
          Add hosts…
        </a>
      )}
      {error && (
        <span className="inline-error target-error" role="alert" data-testid="target-error">
          {error}
        </span>
      )}
    </div>
  );
}
