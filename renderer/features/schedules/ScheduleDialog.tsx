import { useMemo, useState } from 'react';
import { ContractError } from '../../../shared/contract/errors.js';
import type { Schedule } from '../../../shared/contract/schedules.js';
import type { RunbookDetail } from '../../../shared/contract/schemas.js';
import { Dialog, DialogActions } from '../../components/Dialog.js';
import { errorMessage } from '../../components/error-message.js';
import { findSection } from '../../components/section-tree.js';
import { useSchedules } from '../../stores/schedule-store.js';
import { ScheduleCalendarFields } from './ScheduleCalendarFields.js';
import { ScheduleParamsFields } from './ScheduleParamsFields.js';
import { ScheduleRulesFields } from './ScheduleRulesFields.js';
import { draftToFields, sectionNeeds, type DraftErrors, type ScheduleDraft, type SectionNeeds } from './schedule-form.js';
import '../../styles/schedules.css';

interface Props {
  runbook: RunbookDetail;
  /** The schedule being edited; null to make a new one. */
  schedule: Schedule | null;
  initial: ScheduleDraft;
  onClose(): void;
  onSaved(schedule: Schedule): void;
}

const NO_NEEDS: SectionNeeds = { params: [], secrets: [], destructive: [] };

/** Why the owner refused, in words that say what to do; its own message is kept. */
function refusal(error: unknown): string {
  const message = errorMessage(error);
  if (error instanceof ContractError && error.code === 'approval_required') return `${message} Tick “I approve these destructive steps as written” to schedule them.`;
  return message;
}

/**
 * Making or editing a schedule: the section, its calendar and zone with the next occurrences, the target and rules,
 * notifications, parameter values and the approval of destructive steps. Saving goes through the owner, whose
 * validation has the last word.
 */
export function ScheduleDialog({ runbook, schedule, initial, onClose, onSaved }: Props) {
  const create = useSchedules((state) => state.create);
  const update = useSchedules((state) => state.update);
  const [draft, setDraft] = useState<ScheduleDraft>(initial);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const sections = runbook.document.sections;
  const section = findSection(sections, draft.sectionId);
  const needs = useMemo(() => (section ? sectionNeeds(section, runbook.document.params) : NO_NEEDS), [section, runbook.document.params]);

  const change = <K extends keyof ScheduleDraft>(key: K, value: ScheduleDraft[K]): void => {
    setDraft((previous) => ({ ...previous, [key]: value }));
    setFailure(null);
    if (Object.keys(errors).length > 0) setErrors({});
  };

  const submit = async (): Promise<void> => {
    const checked = draftToFields(draft, runbook.id, needs);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setSaving(true);
    setFailure(null);
    try {
      const saved = schedule ? await update(schedule.id, checked.fields) : await create(checked.fields);
      onSaved(saved);
    } catch (error) {
      setFailure(refusal(error));
    } finally {
      setSaving(false);
    }
  };

  const title = schedule ? `Edit the schedule of “${schedule.sectionTitle}”` : `Schedule “${section?.title ?? runbook.document.title}”`;
  return (
    <Dialog title={title} onClose={onClose} testId="schedule-dialog" data={{ kind: 'schedule' }}>
      <form
        className="dialog-body schedule-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!saving) void submit();
        }}
      >
        <ScheduleCalendarFields draft={draft} errors={errors} sections={sections} change={change} />
        <ScheduleRulesFields draft={draft} errors={errors} change={change} />
        <ScheduleParamsFields draft={draft} errors={errors} needs={needs} change={change} />
        <DialogActions
          error={failure ?? (Object.keys(errors).length > 0 ? 'Some fields need fixing.' : null)}
          errorTestId="schedule-save-error"
          onCancel={onClose}
          submit={saving ? 'Saving…' : schedule ? 'Save' : 'Create schedule'}
          submitTestId="schedule-save"
          disabled={saving}
          variant="primary"
        />
      </form>
    </Dialog>
  );
}
