// A labelled form control with its hint and its error wired up for assistive technology.
import { useId, type ReactNode } from 'react';

export interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

interface Props {
  label: string;
  hint?: string;
  error?: string;
  className?: string;
  testId?: string;
  children(control: ControlProps): ReactNode;
}

export function Field({ label, hint, error, className, testId, children }: Props) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${className ? ` ${className}` : ''}`} data-testid={testId}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && <p id={hintId} className="hint">{hint}</p>}
      {error && <p id={errorId} className="field-error" data-field-error>{error}</p>}
    </div>
  );
}

/** A group of radio buttons or checkboxes under one legend. */
export function FieldSet({ legend, error, children, className }: { legend: string; error?: string; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <fieldset className={`fieldset${className ? ` ${className}` : ''}`} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      <div className="fieldset__options">{children}</div>
      {error && <p id={`${id}-error`} className="field-error" data-field-error>{error}</p>}
    </fieldset>
  );
}

/** After a failed submit, put the cursor in the first field that has an error. */
export function focusFirstInvalid(form: HTMLElement | null) {
  requestAnimationFrame(() => {
    const el = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    el?.focus();
  });
}
