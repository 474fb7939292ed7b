/**
 * The next occurrences of the calendar being typed, from `schedules.preview` once typing pauses; the owner computes
 * them with the same calculator that fires the schedule, and says what is wrong with a calendar it cannot read.
 */
import { useEffect, useState } from 'react';
import type { Calendar } from '../../../shared/model/schedule.js';
import { client } from '../../api/client.js';
import { errorMessage } from '../../components/error-message.js';

/** Long enough not to ask on every keystroke, short enough to feel live. */
const PREVIEW_DELAY_MS = 300;
/** What the dialog shows, as the Schedules page does. */
export const PREVIEW_COUNT = 5;

export type Preview =
  | { state: 'empty' }
  | { state: 'loading' }
  | { state: 'ok'; next: string[]; zone: string }
  | { state: 'problem'; problem: string };

export function usePreview(calendar: Calendar, timezone: string): Preview {
  const [preview, setPreview] = useState<Preview>({ state: 'empty' });
  const { kind, expr } = calendar;
  useEffect(() => {
    const zone = timezone.trim();
    const text = expr.trim();
    if (text === '' || zone === '') {
      setPreview({ state: 'empty' });
      return;
    }
    let current = true;
    setPreview((previous) => (previous.state === 'ok' ? previous : { state: 'loading' }));
    const timer = setTimeout(() => {
      client
        .call('schedules.preview', { rules: { calendar: { kind, expr: text }, timezone: zone }, count: PREVIEW_COUNT })
        .then((answer) => {
          if (!current) return;
          setPreview(answer.problem !== null ? { state: 'problem', problem: answer.problem } : { state: 'ok', next: answer.next, zone });
        })
        .catch((error: unknown) => {
          if (current) setPreview({ state: 'problem', problem: errorMessage(error) });
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [kind, expr, timezone]);
  return preview;
}
