// A labelled form control with its hint and its error wired up for assistive technology, and the other blocks every
// form has: a value that cannot be changed, the info line, the buttons (cancel, submit).
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

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

/** A value shown where a field would be, that cannot be changed (e.g. the id of a record being edited). */
export function ReadonlyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="field">
      <span className="label">{label}</span>
      <span className="mono readonly-value" data-testid={testId}>{value}</span>
    </div>
  );
}

/** A message about the form that is no failure, e.g. "nothing changed". */
export function FormInfo({ info, className }: { info: string | null; className?: string }) {
  return info ? <p className={`banner banner--info${className ? ` ${className}` : ''}`} role="status">{info}</p> : null;
}

interface ActionsProps {
  busy: boolean;
  onCancel(): void;
  submitLabel: string;
  submitTestId?: string;
  /** The submit button is a danger button (e.g. releasing evidence). */
  danger?: boolean;
  className?: string;
}

/** Cancel and submit; while the form is sent both are disabled and the submit button says so. */
export function FormActions({ busy, onCancel, submitLabel, submitTestId, danger, className }: ActionsProps) {
  const { t } = useTranslation();
  return (
    <div className={`actions${className ? ` ${className}` : ''}`}>
      <button type="button" className="button" onClick={onCancel} disabled={busy}>{t('common.cancel')}</button>
      <button type="submit" className={`button ${danger ? 'button--danger' : 'button--primary'}`} disabled={busy} data-testid={submitTestId}>
        {busy ? t('common.working') : submitLabel}
      </button>
    </div>
  );
}

/** After a failed submit, put the cursor in the first field that has an error. */
export function focusFirstInvalid(form: HTMLElement | null) {
  requestAnimationFrame(() => {
    const el = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    el?.focus();
  });
}
