import type { Section } from '../../../shared/model/runbook.js';
import { href } from '../../app/route.js';
import { countSteps, hasDestructive } from '../../components/section-tree.js';

interface Props {
  runbookId: string;
  sections: readonly Section[];
  selectedId: string | null;
}

function OutlineLevel({ runbookId, sections, selectedId }: Props) {
  return (
    <ul className="outline-level">
      {sections.map((section) => {
        const steps = countSteps(section);
        const selected = section.id === selectedId;
        return (
          <li key={section.id}>
            <a
              href={href.runbook(runbookId, section.id)}
              className={`outline-item${selected ? ' selected' : ''}${steps === 0 ? ' empty' : ''}`}
              aria-current={selected ? 'true' : undefined}
              data-testid="section-item"
              data-title={section.title}
              data-section-id={section.id}
            >
              <span className="outline-title">{section.title}</span>
              <span className="outline-meta">
                {hasDestructive(section) && <span className="danger-dot" title="Has destructive steps" aria-label="destructive" />}
                {steps > 0 && <span className="count">{steps}</span>}
              </span>
            </a>
            {section.sections.length > 0 && (
              <OutlineLevel runbookId={runbookId} sections={section.sections} selectedId={selectedId} />
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The document's sections, nested, with step counts (subsections included) and a dot where something is destructive. */
export function SectionOutline(props: Props) {
  return (
    <nav className="outline" aria-label="Sections">
      <OutlineLevel {...props} />
    </nav>
  );
}
