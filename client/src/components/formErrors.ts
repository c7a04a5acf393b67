// Field errors for forms: the same zod schema the server uses checks the input first; what the server still
// refuses comes back with error.field and is shown next to that field.
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { ApiError } from '../api/http';
import { focusFirstInvalid } from './Field';

export type FieldErrors = Record<string, string>;

/** The field path of the first issue per field, e.g. 'location.lat'. */
export function issuesByField(err: z.ZodError): Map<string, z.core.$ZodIssue> {
  const out = new Map<string, z.core.$ZodIssue>();
  for (const issue of err.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : '';
    if (!out.has(key)) out.set(key, issue);
  }
  return out;
}

/**
 * The form's messages for what zod refused: per field path (an issue without a path is 'form'), the form's text for
 * that field. `into`: errors found before (they stay); `keyOf`: the field a path is shown at, when not the path itself.
 */
export function fieldErrorsOf(err: z.ZodError, fieldText: (field: string) => string,
  { into = {}, keyOf = (path: string) => path || 'form' }: { into?: FieldErrors; keyOf?(path: string): string } = {}): FieldErrors {
  const out: FieldErrors = { ...into };
  for (const [path] of issuesByField(err)) out[keyOf(path)] ??= fieldText(path);
  return out;
}

/** Splits a server error into a field error (when it names a field this form shows) and a form-level error. */
export function splitServerError(err: ApiError, knownFields: readonly string[], fieldText: (field: string, err: ApiError) => string):
  { fields: FieldErrors; form: ApiError | null } {
  if (err.field && knownFields.includes(err.field)) return { fields: { [err.field]: fieldText(err.field, err) }, form: null };
  return { fields: {}, form: err };
}

/**
 * What a form says about a send: the form-level error above its buttons, an info line, whether it is being sent, and
 * the two ways a send fails. `setErrors` sets the field errors (the form keeps them: some forms keep more with them).
 */
export function useFormFeedback(errorText: (err: ApiError) => string, setErrors: (errors: FieldErrors) => void) {
  const { t } = useTranslation();
  const formRef = useRef<HTMLFormElement>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return {
    formRef, formError, setFormError, info, setInfo, busy, setBusy,
    /** A new send: the messages of the last one go. */
    clear() { setFormError(null); setInfo(null); },
    /** Nothing to send: no errors, and the info line says why. */
    unchanged(text: string) { setErrors({}); setInfo(text); },
    /** The form's own checks refused: mark the fields, ask to check them, and put the cursor in the first. */
    invalid(errors: FieldErrors) {
      setErrors(errors);
      setFormError(t('common.checkFields'));
      focusFirstInvalid(formRef.current);
    },
    /** The server refused: next to the field it names (when this form shows it), else above the buttons. */
    refused(err: ApiError, knownFields: readonly string[], fieldText: (field: string, err: ApiError) => string) {
      const split = splitServerError(err, knownFields, fieldText);
      setErrors(split.fields);
      setFormError(split.form ? errorText(split.form) : t('common.checkFields'));
      focusFirstInvalid(formRef.current);
      setBusy(false);
    },
  };
}
