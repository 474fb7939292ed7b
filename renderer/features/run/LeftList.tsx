import { leftPreview } from './run-end.js';

/** The steps a Finish would leave, named (up to LEFT_SHOWN, then "and N more"). */
export function LeftList({ left, testId }: { left: ReadonlyArray<{ id: string; title: string }>; testId: string }) {
  const { shown, more } = leftPreview(left);
  return (
    <ul className="left-steps" data-testid={testId}>
      {shown.map((step) => (
        <li key={step.id} data-testid="left-step" data-step-id={step.id}>
          {step.title}
        </li>
      ))}
      {more > 0 && (
        <li className="muted" data-testid="left-more">
          and {more} more
        </li>
      )}
    </ul>
  );
}
