import { useState, type ReactNode } from 'react';
import type { Host } from '../../../shared/contract/hosts.js';
import { ContractError } from '../../../shared/contract/errors.js';
import { Dialog, DialogActions } from '../../components/Dialog.js';
import { errorMessage } from '../../components/error-message.js';
import { useHosts } from '../../stores/hosts-store.js';
import { toast } from '../../stores/toast-store.js';
import {
  draftFromHost,
  draftToFields,
  emptyDraft,
  errorsFromHost,
  type FormErrors,
  type HostDraft,
  type HostFieldName,
} from './host-form.js';

interface Props {
  /** The host to edit; null to add one. */
  host: Host | null;
  onClose(): void;
}

const NO_ERRORS: FormErrors = { fields: {}, general: null };

function Field(props: { name: HostFieldName; label: string; hint?: string; error: string | undefined; children: ReactNode }) {
  return (
    <label className={`field field-block host-field${props.error ? ' field-invalid' : ''}`}>
      <span className="field-label">{props.label}</span>
      {props.children}
      {props.hint && !props.error && <span className="hint">{props.hint}</span>}
      {props.error && (
        <span className="field-error" role="alert" data-testid="host-field-error" data-name={props.name}>
          {props.error}
        </span>
      )}
    </label>
  );
}

/** Adding or editing one inventory entry; the host's own validation has the last word and is shown by the field. */
export function HostForm({ host, onClose }: Props) {
  const save = useHosts((state) => state.save);
  const [draft, setDraft] = useState<HostDraft>(() => (host ? draftFromHost(host) : emptyDraft()));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saving, setSaving] = useState(false);

  const change = <K extends keyof HostDraft>(key: K, value: HostDraft[K]): void => {
    setDraft((previous) => ({ ...previous, [key]: value }));
    if (key in errors.fields) {
      const { [key as HostFieldName]: _fixed, ...fields } = errors.fields;
      setErrors({ ...errors, fields });
    }
  };

  const submit = async (): Promise<void> => {
    const checked = draftToFields(draft);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setSaving(true);
    setErrors(NO_ERRORS);
    try {
      const saved = await save(checked.fields, host?.id ?? null);
      toast.success(host ? `Host “${saved.name}” saved.` : `Host “${saved.name}” added.`);
      onClose();
    } catch (error) {
      setErrors(errorsFromHost(error instanceof ContractError ? error.code : null, errorMessage(error)));
    } finally {
      setSaving(false);
    }
  };

  const text = (name: Exclude<HostFieldName, 'notes'>, props: { placeholder?: string; mono?: boolean; type?: string } = {}) => (
    <input
      className={`input${props.mono === false ? '' : ' mono'}`}
      type={props.type ?? 'text'}
      spellCheck={false}
      autoComplete="off"
      placeholder={props.placeholder}
      value={draft[name]}
      onChange={(event) => change(name, event.target.value)}
      aria-invalid={errors.fields[name] ? true : undefined}
      data-testid="host-field"
      data-name={name}
    />
  );

  return (
    <Dialog title={host ? `Edit host “${host.name}”` : 'Add a host'} onClose={onClose} testId="host-form-dialog">
      <form
        className="dialog-body host-form"
        data-testid="host-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!saving) void submit();
        }}
      >
        <div className="host-form-grid">
          <Field name="name" label="Name" hint="How runbooks and targets refer to it, e.g. web-1" error={errors.fields.name}>
            {text('name', { placeholder: 'web-1' })}
          </Field>
          <Field name="address" label="Address" hint="DNS name or IP address" error={errors.fields.address}>
            {text('address', { placeholder: 'web-1.example.net' })}
          </Field>
          <Field name="port" label="Port" error={errors.fields.port}>
            {text('port', { type: 'number' })}
          </Field>
          <Field name="user" label="User" hint="Empty: your local user name" error={errors.fields.user}>
            {text('user', { placeholder: 'deploy' })}
          </Field>
          <Field name="identityFile" label="Identity file" hint="Empty: the SSH agent and default keys" error={errors.fields.identityFile}>
            {text('identityFile', { placeholder: '~/.ssh/id_ed25519' })}
          </Field>
          <Field name="jump" label="Jump hosts" hint="Comma-separated, in order: inventory names or user@host:port" error={errors.fields.jump}>
            {text('jump', { placeholder: 'bastion' })}
          </Field>
          <Field name="tags" label="Tags" hint="Comma-separated; a step can run on every host of a tag" error={errors.fields.tags}>
            {text('tags', { placeholder: 'web, prod' })}
          </Field>
        </div>
        <Field name="notes" label="Notes" error={errors.fields.notes}>
          <textarea
            className="input"
            rows={3}
            value={draft.notes}
            onChange={(event) => change('notes', event.target.value)}
            data-testid="host-field"
            data-name="notes"
          />
        </Field>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.forwardAgent}
            onChange={(event) => change('forwardAgent', event.target.checked)}
            data-testid="host-field"
            data-name="forwardAgent"
          />
          Forward the SSH agent to this host
          <span className="hint">only for hosts you trust: root there can use your keys while connected</span>
        </label>
        <DialogActions
          error={errors.general}
          errorTestId="host-form-error"
          onCancel={onClose}
          submit={saving ? 'Saving…' : host ? 'Save' : 'Add host'}
          submitTestId="host-save"
          disabled={saving}
          variant="primary"
        />
      </form>
    </Dialog>
  );
}
