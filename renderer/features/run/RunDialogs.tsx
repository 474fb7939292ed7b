import { useState } from 'react';
import { CodeBlock } from '../../components/CodeBlock.js';
import { Dialog, DialogActions } from '../../components/Dialog.js';
import { assertNever } from '../../components/assert-never.js';
import { useApp } from '../../stores/app-store.js';
import { runKey, useRun } from '../../stores/run-store.js';
import { useRunUi } from '../../stores/run-ui-store.js';
import { useTarget } from '../../stores/target-store.js';
import { LeftList } from './LeftList.js';
import { stepsLeft } from './run-end.js';
import { findStep, runConfirmed } from './run-actions.js';
import { confirmationName, confirmationWhat, offersRemoteHint, targetLabel } from './target-value.js';

function ConfirmDialog({ stepId, onClose }: { stepId: string; onClose(): void }) {
  const step = findStep(stepId);
  const hostname = useApp((state) => state.info?.hostname);
  const target = useTarget((state) => state.target);
  const hint = useRunUi((state) => state.remoteHints[stepId] ?? true);
  const error = useRun((state) => state.stepErrors[stepId]);
  const busy = useRun((state) => state.busy[stepId] ?? false);
  const [typed, setTyped] = useState('');
  const expected = target ? confirmationName(target, hostname) : null;
  if (!step) return null;
  const matches = expected !== null && typed === expected;
  const inner = target !== null && hint && offersRemoteHint(step, target) ? step.remote : null;
  return (
    <Dialog title="Run a destructive step" onClose={onClose} testId="confirm-dialog">
      <form
        className="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          if (!matches || busy) return;
          void runConfirmed(stepId, typed).then((ok) => ok && onClose());
        }}
      >
        <div className="dialog-step-title">{step.title}</div>
        <ul className="danger-reasons danger-reasons-block">
          {(step.danger.reasons.length > 0 ? step.danger.reasons : ['flagged as destructive']).map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
        <CodeBlock text={inner ? inner.command : step.script} language={inner ? null : step.language} shell />
        <div className="confirm-where" data-testid="confirm-where">
          Runs on <strong>{target ? targetLabel(target) : '…'}</strong>
          {inner ? ' over Opsdeck’s connection' : ''}
        </div>
        <label className="field field-block">
          <span>
            Type {target ? confirmationWhat(target) : 'the target'}{' '}
            <strong className="mono" data-testid="confirm-expected">
              {expected ?? (target ? '(machine name unknown)' : '(loading the target…)')}
            </strong>{' '}
            to confirm
          </span>
          <input
            className="input mono"
            spellCheck={false}
            autoComplete="off"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            data-testid="confirm-input"
          />
        </label>
        <DialogActions error={error} onCancel={onClose} submit={busy ? 'Starting…' : 'Run'} submitTestId="confirm-run" disabled={!matches || busy} variant="danger" />
      </form>
    </Dialog>
  );
}

function ReasonDialog(props: {
  title: string;
  label: string;
  action: string;
  required: boolean;
  errorKey: string;
  testId: string;
  onSubmit(reason: string): Promise<boolean>;
  onClose(): void;
}) {
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  const error = useRun((state) => state.stepErrors[props.errorKey]);
  const ready = !props.required || reason.trim() !== '';
  return (
    <Dialog title={props.title} onClose={props.onClose} testId={props.testId}>
      <form
        className="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          if (!ready || sending) return;
          setSending(true);
          void props.onSubmit(reason).then((ok) => {
            setSending(false);
            if (ok) props.onClose();
          });
        }}
      >
        <label className="field field-block">
          <span>{props.label}</span>
          <textarea
            className="input"
            rows={3}

            value={reason}
            onChange={(event) => setReason(event.target.value)}
            data-testid={`${props.testId}-reason`}
          />
        </label>
        <DialogActions
          error={error}
          onCancel={props.onClose}
          submit={props.action}
          submitTestId={`${props.testId}-submit`}
          disabled={!ready || sending}
          variant="danger"
        />
      </form>
    </Dialog>
  );
}

/** Finishing with steps left: they are listed, and the run ends only with a reason, which the record keeps. */
function FinishDialog({ onClose }: { onClose(): void }) {
  const detail = useRun((state) => state.detail);
  const finish = useRun((state) => state.finish);
  const error = useRun((state) => state.stepErrors[runKey]);
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  const left = detail ? stepsLeft(detail.section, detail.steps) : [];
  // The host records a run whose step failed as failed, left steps or not.
  const failed = detail?.run.failedStep ?? null;
  const ready = reason.trim() !== '' && !sending;
  const count = `${left.length} step${left.length === 1 ? '' : 's'}`;
  return (
    <Dialog title="Finish with steps left" onClose={onClose} testId="finish-dialog">
      <form
        className="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          if (!ready) return;
          setSending(true);
          void finish(reason).then((outcome) => {
            setSending(false);
            if (outcome === 'finished') onClose();
          });
        }}
      >
        <p className="dialog-text">
          {left.length > 0 ? (
            <>
              <strong>{count}</strong> {left.length === 1 ? 'is' : 'are'} neither done nor skipped. The run will be recorded as{' '}
              <strong>{failed ? 'failed' : 'incomplete'}</strong>
              {failed ? ` (“${failed.title}” failed)` : ''}, with {left.length === 1 ? 'it' : 'them'} listed and your reason.
            </>
          ) : (
            'Every step is done or skipped now.'
          )}
        </p>
        {left.length > 0 && <LeftList left={left} testId="finish-left" />}
        <label className="field field-block">
          <span>Why does the run end here? (required)</span>
          <textarea className="input" rows={3} value={reason} onChange={(event) => setReason(event.target.value)} data-testid="finish-reason" />
        </label>
        <DialogActions
          error={error}
          onCancel={onClose}
          submit={sending ? 'Finishing…' : left.length > 0 ? `Finish with ${count} left` : 'Finish'}
          submitTestId="finish-submit"
          disabled={!ready}
          variant="primary"
        />
      </form>
    </Dialog>
  );
}

/**
 * Whichever dialog the run view has open: confirm a destructive step, skip a step with a reason, abort the run,
 * finish it with steps left.
 */
export function RunDialogs() {
  const dialog = useRunUi((state) => state.dialog);
  const close = useRunUi((state) => state.closeDialog);
  const skip = useRun((state) => state.skip);
  const abort = useRun((state) => state.abort);
  if (dialog === null) return null;
  switch (dialog.kind) {
    case 'confirm':
      return <ConfirmDialog key={dialog.stepId} stepId={dialog.stepId} onClose={close} />;
    case 'skip':
      return (
        <ReasonDialog
          key={dialog.stepId}
          title={`Skip “${findStep(dialog.stepId)?.title ?? 'step'}”`}
          label="Why is this step skipped?"
          action="Skip step"
          required
          errorKey={dialog.stepId}
          testId="skip"
          onSubmit={(reason) => skip(dialog.stepId, reason)}
          onClose={close}
        />
      );
    case 'abort':
      return (
        <ReasonDialog
          title="Abort this run"
          label="Reason (recorded with the run)"
          action="Abort run"
          required={false}
          errorKey={runKey}
          testId="abort"
          onSubmit={abort}
          onClose={close}
        />
      );
    case 'finish':
      return <FinishDialog onClose={close} />;
    default:
      return assertNever(dialog);
  }
}
