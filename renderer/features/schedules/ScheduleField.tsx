import type { ReactNode } from 'react';

interface Props {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  /** Names the field's error for tests (`data-name`). */
  name: string;
  className?: string;
  children: ReactNode;
}

/** A labelled form field with its hint, or its error instead of the hint. */
export function ScheduleField({ label, hint, error, name, className, children }: Props) {
  return (
    <label className={`field field-block schedule-field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <span className="field-label">{label}</span>
      {children}
      {hint && !error && <span className="hint">{hint}</span>}
      {error && (
        <span className="field-error" role="alert" data-testid="schedule-field-error" data-name={name}>
          {error}
        </span>
      )}
    </label>
  );
}
