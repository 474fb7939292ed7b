import { useState } from 'react';
import type { Danger } from '../../shared/model/runbook.js';

interface Props {
  danger: Danger;
}

/** `caution` or `destructive`, with the reasons on hover and listed when clicked; nothing for safe steps. */
export function DangerBadge({ danger }: Props) {
  const [open, setOpen] = useState(false);
  if (danger.level === 'safe') return null;
  const reasons = danger.reasons.length > 0 ? danger.reasons : ['flagged by the danger scan'];
  return (
    <span className="danger">
      <button
        type="button"
        className={`badge danger-${danger.level}`}
        title={reasons.join('\n')}
        aria-expanded={open}
        data-testid="danger-badge"
        data-level={danger.level}
        onClick={() => setOpen(!open)}
      >
        {danger.level}
      </button>
      {open && (
        <ul className="danger-reasons" data-testid="danger-reasons">
          {reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
    </span>
  );
}
