import { useMemo } from 'react';
import type { Section } from '../../../shared/model/runbook.js';
import { OccurrenceList } from './OccurrenceList.js';
import { ScheduleField } from './ScheduleField.js';
import { schedulableSections, type CalendarKind, type DraftErrors, type ScheduleDraft } from './schedule-form.js';
import { usePreview } from './use-preview.js';

interface Props {
  draft: ScheduleDraft;
  errors: DraftErrors;
  sections: readonly Section[];
  change<K extends keyof ScheduleDraft>(key: K, value: ScheduleDraft[K]): void;
}

const CALENDAR_HINT: Record<CalendarKind, string> = {
  cron: '5 fields (minute hour day month weekday), or 6 with seconds first',
  oncalendar: 'As systemd’s OnCalendar=, e.g. Mon..Fri *-*-* 09:00:00',
};

function zones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

/** Which section runs, its calendar and zone, and the next occurrences they give (or why the calendar is wrong). */
export function ScheduleCalendarFields({ draft, errors, sections, change }: Props) {
  const choices = useMemo(() => schedulableSections(sections), [sections]);
  const zoneList = useMemo(zones, []);
  const preview = usePreview({ kind: draft.calendarKind, expr: draft.expr }, draft.timezone);
  return (
    <fieldset className="schedule-group">
      <legend>When</legend>
      <ScheduleField label="Section" name="sectionId" error={errors.sectionId} hint="Its command steps run unattended; checks are recorded as not done.">
        <select className="input" value={draft.sectionId} onChange={(event) => change('sectionId', event.target.value)} data-testid="schedule-section">
          {!choices.some((choice) => choice.section.id === draft.sectionId) && <option value={draft.sectionId}>Choose a section…</option>}
          {choices.map(({ section, depth }) => (
            <option key={section.id} value={section.id}>
              {`${'\u2003'.repeat(Math.max(0, depth - 1))}${section.title}`}
            </option>
          ))}
        </select>
      </ScheduleField>
      <div className="schedule-calendar-row">
        <ScheduleField label="Calendar" name="calendarKind">
          <select
            className="input"
            value={draft.calendarKind}
            onChange={(event) => change('calendarKind', event.target.value === 'oncalendar' ? 'oncalendar' : 'cron')}
            data-testid="schedule-calendar-kind"
          >
            <option value="cron">cron</option>
            <option value="oncalendar">systemd OnCalendar=</option>
          </select>
        </ScheduleField>
        <ScheduleField label="Expression" name="expr" error={errors.expr} hint={CALENDAR_HINT[draft.calendarKind]} className="schedule-expr">
          <input
            className="input mono"
            spellCheck={false}
            autoComplete="off"
            value={draft.expr}
            onChange={(event) => change('expr', event.target.value)}
            aria-invalid={errors.expr || preview.state === 'problem' ? true : undefined}
            data-testid="schedule-expr"
          />
        </ScheduleField>
        <ScheduleField label="Time zone" name="timezone" error={errors.timezone} hint="The calendar is read in this zone, wherever the machine is">
          <input
            className="input mono"
            spellCheck={false}
            autoComplete="off"
            list="schedule-zones"
            value={draft.timezone}
            onChange={(event) => change('timezone', event.target.value)}
            data-testid="schedule-timezone"
          />
          <datalist id="schedule-zones">
            {zoneList.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </ScheduleField>
      </div>
      <div className="schedule-preview" data-testid="schedule-preview" data-state={preview.state} aria-live="polite">
        <span className="field-label">Next occurrences</span>
        {preview.state === 'empty' && <span className="muted">Write a calendar to see when it runs.</span>}
        {preview.state === 'loading' && <span className="muted">Computing…</span>}
        {preview.state === 'problem' && (
          <span className="field-error" data-testid="schedule-preview-problem">
            {preview.problem}
          </span>
        )}
        {preview.state === 'ok' &&
          (preview.next.length === 0 ? (
            <span className="muted">This calendar has no more occurrences.</span>
          ) : (
            <OccurrenceList next={preview.next} zone={preview.zone} testId="schedule-preview-list" />
          ))}
      </div>
    </fieldset>
  );
}
