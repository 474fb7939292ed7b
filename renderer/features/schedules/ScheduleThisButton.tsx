import { useState } from 'react';
import type { RunbookDetail } from '../../../shared/contract/schemas.js';
import type { ScheduleHint } from '../../../shared/model/runbook.js';
import { href } from '../../app/route.js';
import { navigate } from '../../app/use-route.js';
import { toast } from '../../stores/toast-store.js';
import { ScheduleDialog } from './ScheduleDialog.js';
import { browserZone, draftFromHint, schedulableSections } from './schedule-form.js';

interface Props {
  detail: RunbookDetail;
  /** The hint to start from (its cron and zone); null to schedule the section by hand. */
  hint: ScheduleHint | null;
  sectionId: string;
  label?: string;
}

/** Opens the schedule dialog prefilled from a schedule hint; a made schedule opens the Schedules page. */
export function ScheduleThisButton({ detail, hint, sectionId, label = 'Schedule this' }: Props) {
  const [open, setOpen] = useState(false);
  const target = hint?.sectionId ?? sectionId;
  const runs = schedulableSections(detail.document.sections).some((choice) => choice.section.id === target);
  const why = detail.archived ? 'The runbook was removed from the library' : runs ? undefined : 'This section has no command steps to run';
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)} data-testid="schedule-this" disabled={why !== undefined} title={why}>
        {label}
      </button>
      {open && (
        <ScheduleDialog
          runbook={detail}
          schedule={null}
          initial={draftFromHint(hint, target, browserZone())}
          onClose={() => setOpen(false)}
          onSaved={(schedule) => {
            setOpen(false);
            toast.success(`Scheduled “${schedule.sectionTitle}”.`);
            navigate(href.schedules());
          }}
        />
      )}
    </>
  );
}
