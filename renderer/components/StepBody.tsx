import type { Step } from '../../shared/model/runbook.js';
import { assertNever } from './assert-never.js';
import { CodeBlock } from './CodeBlock.js';
import { DangerBadge } from './DangerBadge.js';

interface Props {
  step: Step;
  placeholders?: readonly string[];
}

/** What a step says, the same in the runbook view and in a run: its code (read-only) and its danger findings. */
export function StepBody({ step, placeholders }: Props) {
  switch (step.kind) {
    case 'check':
      return null;
    case 'command':
      return (
        <div className="step-body">
          {step.remote && (
            <div className="step-remote muted">
              runs on <span className="mono">{step.remote.user ? `${step.remote.user}@` : ''}{step.remote.host}</span> over ssh
            </div>
          )}
          <CodeBlock text={step.script} language={step.language} placeholders={placeholders} shell copy />
          {step.expectedOutput && (
            <div className="expected">
              <div className="label">Expected output</div>
              <CodeBlock text={step.expectedOutput} language={null} />
            </div>
          )}
        </div>
      );
    case 'reference':
    case 'template':
      return (
        <div className="step-body">
          <CodeBlock text={step.script} language={step.language} placeholders={placeholders} copy />
        </div>
      );
    default:
      return assertNever(step.kind);
  }
}

/** Title line pieces shared by both views: kind tag, caption and danger badge. */
export function StepTitleExtras({ step }: { step: Step }) {
  return (
    <>
      {step.kind !== 'check' && <span className={`kind kind-${step.kind}`}>{step.kind}</span>}
      {step.caption && step.caption !== step.title && <span className="caption muted">{step.caption}</span>}
      <span className="danger-slot">
        <DangerBadge danger={step.danger} />
      </span>
    </>
  );
}
