// Field errors for forms: the same zod schema the server uses checks the input first; what the server still
// refuses comes back with error.field and is shown next to that field.
import type { z } from 'zod';
import type { ApiError } from '../api/http';

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

/** Splits a server error into a field error (when it names a field this form shows) and a form-level error. */
export function splitServerError(err: ApiError, knownFields: readonly string[], fieldText: (field: string, err: ApiError) => string):
  { fields: FieldErrors; form: ApiError | null } {
  if (err.field && knownFields.includes(err.field)) return { fields: { [err.field]: fieldText(err.field, err) }, form: null };
  return { fields: {}, form: err };
}
