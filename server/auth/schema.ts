import { z } from 'zod';
import { roleSchema } from './policy.js';

declare module '../events.js' {
  interface DomainEvents {
    // A login session ended (logout, user disabled, role or password changed): its sockets and play tokens stop.
    'session.ended': [who: { tokenHash?: string; userId?: string }];
  }
}

export const usernameSchema = z.string().trim().toLowerCase().regex(/^[a-z0-9._-]{2,40}$/, 'letters, digits, dot, dash or underscore, 2–40 long');
export const passwordSchema = z.string().min(12, 'at least 12 characters').max(200);

export const loginSchema = z.object({ username: z.string().trim().toLowerCase().min(1).max(40), password: z.string().min(1).max(200) }).strict().meta({ id: 'Login' });

export const meSchema = z.object({
  id: z.string(), username: z.string(), displayName: z.string(), role: roleSchema, municipalityId: z.string().nullable(),
  actions: z.array(z.string()),
}).meta({ id: 'Me' });
export type Me = z.infer<typeof meSchema>;
