// Finds every text field a zod schema accepts and builds the smallest input that puts a value there, so a test can
// be generated from the route list (a new route or field is covered without anyone remembering to add it).
import type { z } from 'zod';

export interface TextField {
  /** Where the value sits, as zod names it in an issue (and the API in error.field). */
  path: Array<string | number>;
  /** An input holding `value` at `path`: discriminators set, so the field is really checked. */
  build(value: string): unknown;
}

type Def = { type: string; [k: string]: any };
const defOf = (s: z.ZodType): Def => (s as any)._zod.def;

export function textFields(schema: z.ZodType | undefined): TextField[] {
  if (!schema) return [];
  const found = new Map<string, TextField>();
  walk(schema, [], (v) => v, found, 0);
  return [...found.values()];
}

function walk(schema: z.ZodType, path: Array<string | number>, build: (v: unknown) => unknown, out: Map<string, TextField>, depth: number): void {
  if (depth > 12) return;
  const d = defOf(schema);
  switch (d.type) {
    case 'string':
      if (!out.has(path.join('.'))) out.set(path.join('.'), { path, build: (v) => build(v) });
      return;
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional':
      return walk(d.innerType, path, build, out, depth + 1);
    case 'pipe':
      return walk(d.in, path, build, out, depth + 1);
    case 'lazy':
      return walk(d.getter(), path, build, out, depth + 1);
    case 'array':
      return walk(d.element, [...path, 0], (v) => build([v]), out, depth + 1);
    case 'record':
      return walk(d.valueType, [...path, 'x'], (v) => build({ x: v }), out, depth + 1);
    case 'intersection':
      walk(d.left, path, build, out, depth + 1);
      return walk(d.right, path, build, out, depth + 1);
    case 'object':
      return walkObject(d, path, build, out, depth, {});
    case 'union':
      for (const option of d.options as z.ZodType[]) {
        const od = defOf(option);
        // A discriminated union checks the fields of the option its discriminator names: set it.
        if (d.discriminator && od.type === 'object') {
          const tag = defOf(od.shape[d.discriminator]);
          walkObject(od, path, build, out, depth, tag.type === 'literal' ? { [d.discriminator]: tag.values[0] } : {});
        } else walk(option, path, build, out, depth + 1);
      }
      return;
    default:
      return; // numbers, booleans, enums, literals, dates: no free text
  }
}

function walkObject(d: Def, path: Array<string | number>, build: (v: unknown) => unknown, out: Map<string, TextField>, depth: number, extra: Record<string, unknown>) {
  for (const [key, field] of Object.entries(d.shape as Record<string, z.ZodType>)) {
    if (key in extra) continue;
    walk(field, [...path, key], (v) => build({ ...extra, [key]: v }), out, depth + 1);
  }
}
