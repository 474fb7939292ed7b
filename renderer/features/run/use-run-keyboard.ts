/** Wires the run view's keys (see run-keys.ts) to the stores while the view is mounted. */
import { useEffect } from 'react';
import { assertNever } from '../../components/assert-never.js';
import { allSteps } from '../../components/section-tree.js';
import { useRun } from '../../stores/run-store.js';
import { useRunUi } from '../../stores/run-ui-store.js';
import { requestRun } from './run-actions.js';
import { moveSelection, runKeyAction } from './run-keys.js';

const CONTROLS = 'input, textarea, select, button, a, summary, [contenteditable], .xterm, dialog';

function inControl(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest(CONTROLS) !== null;
}

export function useRunKeyboard(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || (event.repeat && event.key === 'Enter')) return;
      const ui = useRunUi.getState();
      const action = runKeyAction({
        key: event.key,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        altKey: event.altKey,
        inControl: inControl(event.target),
        dialogOpen: ui.dialog !== null,
      });
      if (action === null) return;
      const detail = useRun.getState().detail;
      if (!detail) return;
      const steps = allSteps(detail.section);
      const selected = steps.find((step) => step.id === ui.selectedStepId) ?? null;
      event.preventDefault();
      switch (action) {
        case 'next':
        case 'previous': {
          const ids = steps.map((step) => step.id);
          ui.select(moveSelection(ids, ui.selectedStepId, action === 'next' ? 1 : -1));
          return;
        }
        case 'tick': {
          if (!selected || selected.kind !== 'check' || detail.run.status !== 'running') return;
          const state = detail.steps.find((candidate) => candidate.stepId === selected.id);
          if (state?.status === 'skipped') return;
          void useRun.getState().tick(selected.id, state?.status !== 'done');
          return;
        }
        case 'run':
          if (selected) requestRun(selected.id);
          return;
        case 'note':
          if (selected) ui.focusNote(selected.id);
          return;
        default:
          assertNever(action);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
