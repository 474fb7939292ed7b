/**
 * "Send to terminal": a command step with its parameter values filled in and quoted by the host (`steps.render`),
 * pasted into the active terminal (or a new one: an SSH shell on the run's target host, else a local shell) for the
 * operator to read and run. Never presses Enter: a pasted multi-line command goes in as one bracketed paste, and
 * where the program cannot take that it is copied to the clipboard instead of running line by line.
 */
import { client } from '../../api/client.js';
import { copyText } from '../../components/clipboard.js';
import { errorMessage } from '../../components/error-message.js';
import { useRun } from '../../stores/run-store.js';
import { useRunUi } from '../../stores/run-ui-store.js';
import { useTarget } from '../../stores/target-store.js';
import { useTerminals } from '../../stores/terminal-store.js';
import { toast } from '../../stores/toast-store.js';
import { isMultiline, pasteText } from '../terminal/paste-text.js';
import { planSend, remoteHintFor } from '../terminal/send-plan.js';
import { focusTerminal, openTerminal } from '../terminal/terminal-actions.js';
import { sessionFor } from '../terminal/terminal-sessions.js';
import { findStep, stepParams } from './run-actions.js';
import { offersRemoteHint } from './target-value.js';

export async function sendToTerminal(stepId: string): Promise<void> {
  const step = findStep(stepId);
  const runId = useRun.getState().runId;
  if (!step || step.kind !== 'command' || !runId) return;
  const target = useTarget.getState().target;
  const terminals = useTerminals.getState();
  const active = terminals.tabs.find((tab) => tab.id === terminals.activeId) ?? null;
  const plan = planSend(active, target);
  const offered = target !== null && offersRemoteHint(step, target);
  const useRemoteHint = remoteHintFor(offered, useRunUi.getState().remoteHints[step.id] ?? true, plan);

  let text: string;
  try {
    ({ text } = await client.call('steps.render', {
      runId,
      stepId,
      params: stepParams(step),
      ...(useRemoteHint === undefined ? {} : { useRemoteHint }),
    }));
  } catch (error) {
    toast.error(`Could not send “${step.title}” to the terminal: ${errorMessage(error)}`);
    return;
  }

  const id = plan.kind === 'existing' ? plan.id : (await openTerminal(plan.spec))?.id;
  const session = id ? sessionFor(id) : null;
  if (!id || !session) return;
  if (plan.kind === 'open') await session.whenReady();
  const paste = pasteText(text);
  if (isMultiline(paste) && !session.bracketedPaste()) {
    const copied = await copyText(paste);
    toast.info(
      copied
        ? 'This terminal would run a multi-line command line by line, so it was copied to the clipboard instead of pasted.'
        : 'This terminal would run a multi-line command line by line, so it was not pasted.',
    );
  } else {
    session.paste(paste);
  }
  focusTerminal(id);
}
