import { z } from 'zod';
import { roleSchema } from '../auth/policy.js';
import { passwordSchema, usernameSchema } from '../auth/schema.js';
import { municipalityIdSchema } from '../cameras/schema.js';

export const userSchema = z.object({
  id: z.string(), username: z.string(), displayName: z.string(), role: roleSchema,
  municipalityId: z.string().nullable(), disabled: z.boolean(), createdAt: z.string(),
}).meta({ id: 'User' });
export type User = z.infer<typeof userSchema>;

const municipalityBinding = (o: { role?: string; municipalityId?: string | null }) =>
  o.role === undefined || (o.role === 'municipality') === (o.municipalityId != null);
const bindingMessage = { message: 'a municipality user needs a municipalityId; other roles must not have one', path: ['municipalityId'] };

export const userCreateSchema = z.object({
  username: usernameSchema,
  displayName: z.string().trim().min(1).max(120),
  role: roleSchema,
  municipalityId: municipalityIdSchema.nullable().default(null),
  password: passwordSchema,
}).strict().refine(municipalityBinding, bindingMessage).meta({ id: 'UserCreate' });
export type UserCreate = z.infer<typeof userCreateSchema>;

export const userUpdateSchema = z.object({
  displayName: z.string().trim().min(1).max(120),
  role: roleSchema,
  municipalityId: municipalityIdSchema.nullable(),
  disabled: z.boolean(),
  password: passwordSchema,
}).partial().strict()
  // The municipality binding of an update is checked by the database constraint (it needs the stored role).
  .refine((o) => Object.keys(o).length > 0, 'give at least one field to change')
  .meta({ id: 'UserUpdate' });
export type UserUpdate = z.infer<typeof userUpdateSchema>;

export const userIdParams = z.object({ id: z.uuid() });
