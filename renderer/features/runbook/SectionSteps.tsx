import type { Param, Section } from '../../../shared/model/runbook.js';
import { StepBody, StepTitleExtras } from '../../components/StepBody.js';
import { stepGroups } from '../../components/section-tree.js';
import { placeholdersByStep } from '../../components/step-placeholders.js';

interface Props {
  section: Section;
  params: readonly Param[];
}

/** The section as a checklist to read before running it: its steps and its subsections' steps, read-only. */
export function SectionSteps({ section, params }: Props) {
  const placeholders = placeholdersByStep(params);
  const groups = stepGroups(section);
  const total = groups.reduce((sum, group) => sum + group.steps.length, 0);
  return (
    <div className="section-steps">
      {total === 0 && <div className="empty">This section has no steps.</div>}
      {groups.map((group) => (
        <section key={group.section.id} className={`step-group depth-${Math.min(group.depth, 3)}`}>
          {group.depth > 0 && <h3 className="group-title">{group.section.title}</h3>}
          <ol className="step-list">
            {group.steps.map((step) => (
              <li key={step.id} className={`step step-${step.kind}`} data-testid="step" data-step-id={step.id} data-kind={step.kind}>
                <div className="step-head">
                  {step.kind === 'check' && (
                    <input type="checkbox" disabled checked={step.checked ?? false} aria-label="Ticked in the file" />
                  )}
                  <span className="step-title">{step.title}</span>
                  <StepTitleExtras step={step} />
                </div>
                <StepBody step={step} placeholders={placeholders.get(step.id)} />
              </li>
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
}
