// Text the room refuses anywhere in a request: a NUL character (PostgreSQL cannot store it in text, so it used to
// end as a 500 and an error-level stack trace) and a lone UTF-16 surrogate (not Unicode: the database driver
// would store it silently changed into U+FFFD). One refinement, put in front of every route's params, query and body
// schema when the routes are mounted, so no text field of any route can be forgotten, today's or tomorrow's.
import { z } from 'zod';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string is refused, or null when it is clean. */
export function badText(s: string): string | null {
  const m = BAD_TEXT.exec(s);
  if (!m) return null;
  return m[0] === '\u0000' ? 'contains a NUL character' : 'contains a lone UTF-16 surrogate (not valid Unicode)';
}

/** Adds an issue at the path of every string (value or key, at any depth) that holds bad text. */
export function refuseBadText(input: unknown, ctx: z.RefinementCtx): void {
  // Iterative: a deeply nested JSON body must not overflow the stack.
  const todo: Array<{ value: unknown; path: Array<string | number> }> = [{ value: input, path: [] }];
  while (todo.length) {
    const { value, path } = todo.pop()!;
    if (typeof value === 'string') {
      const why = badText(value);
      if (why) ctx.addIssue({ code: 'custom', message: why, path, input: value });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => todo.push({ value: v, path: [...path, i] }));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const why = badText(k);
        if (why) ctx.addIssue({ code: 'custom', message: `a name ${why}`, path: [...path, k], input: k });
        else todo.push({ value: v, path: [...path, k] });
      }
    }
  }
}

/** The schema, after the text check: bad text is reported (naming its field) before anything else is looked at. */
export const withCleanText = <T extends z.ZodType>(schema: T) => z.unknown().superRefine(refuseBadText).pipe(schema);
