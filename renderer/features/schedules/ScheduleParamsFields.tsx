import { DangerBadge } from '../../components/DangerBadge.js';
import { ScheduleField } from './ScheduleField.js';
import { envNameFor, type DraftErrors, type ScheduleDraft, type SectionNeeds } from './schedule-form.js';

interface Props {
  draft: ScheduleDraft;
  errors: DraftErrors;
  needs: SectionNeeds;
  change<K extends keyof ScheduleDraft>(key: K, value: ScheduleDraft[K]): void;
}

/**
 * What the unattended run needs from us: a value for each parameter its command steps use (secrets are never saved:
 * they come from the owner's environment when it fires), and, for destructive steps, an approval of their text.
 */
export function ScheduleParamsFields({ draft, errors, needs, change }: Props) {
  const { params, secrets, destructive } = needs;
  if (params.length === 0 && secrets.length === 0 && destructive.length === 0) return null;
  return (
    <fieldset className="schedule-group">
      <legend>What it runs with</legend>
      {params.length + secrets.length > 0 && (
        <div className="schedule-grid">
          {params.map((param) => (
            <ScheduleField key={param.name} label={param.name} name={`param:${param.name}`} error={errors[`param:${param.name}`]}>
              <input
                className="input mono"
                spellCheck={false}
                autoComplete="off"
                value={draft.params[param.name] ?? ''}
                onChange={(event) => change('params', { ...draft.params, [param.name]: event.target.value })}
                data-testid="schedule-param"
                data-name={param.name}
              />
            </ScheduleField>
          ))}
          {secrets.map((param) => (
            <ScheduleField
              key={param.name}
              label={`${param.name} (secret)`}
              name={`secret:${param.name}`}
              error={errors[`secret:${param.name}`]}
              hint={
                <>
                  From the owner’s environment variable <span className="mono">{draft.secretEnv[param.name] ?? envNameFor(param.name)}</span> when
                  it fires; never stored
                </>
              }
            >
              <input
                className="input mono"
                spellCheck={false}
                autoComplete="off"
                value={draft.secretEnv[param.name] ?? envNameFor(param.name)}
                onChange={(event) => change('secretEnv', { ...draft.secretEnv, [param.name]: event.target.value })}
                aria-label={`Environment variable for ${param.name}`}
                data-testid="schedule-secret-env"
                data-name={param.name}
              />
            </ScheduleField>
          ))}
        </div>
      )}
      {destructive.length > 0 && (
        <div className="schedule-approval" data-testid="schedule-destructive">
          <div>These steps are destructive and will run with nobody watching:</div>
          <ul>
            {destructive.map((step) => (
              <li key={step.id}>
                <DangerBadge danger={step.danger} /> <span className="schedule-step-title">{step.title}</span>
                <pre className="mono schedule-step-script">{step.script}</pre>
              </li>
            ))}
          </ul>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.approveDestructive}
              onChange={(event) => change('approveDestructive', event.target.checked)}
              data-testid="schedule-approve-destructive"
            />
            I approve these destructive steps as written
          </label>
          <span className="hint">If a new version of the runbook changes them, the schedule pauses until someone approves the new text.</span>
        </div>
      )}
    </fieldset>
  );
}
