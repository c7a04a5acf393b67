// Console notifications (bookings requested, approved, rejected, changed, cancelled, starting within 24 h), shared
// by the server, the socket event and the client. The client words them from kind + details in its own language.
import { z } from 'zod';
import type { Role } from '../auth/policy.js';

export type Audience = { role: Role } | { municipalityId: string };
export interface Notify { audience: Audience; notification: Omit<Notification, 'read'> }

declare module '../events.js' {
  interface DomainEvents {
    // A console notification was committed for a role or a municipality.
    'notification.created': [n: Notify];
  }
}

export const notificationKindSchema = z.enum(['booking.requested', 'booking.changed', 'booking.approved', 'booking.rejected', 'booking.cancelled', 'booking.starts_soon']);
export const notificationSchema = z.object({
  id: z.number(), at: z.string(), kind: notificationKindSchema, bookingId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()), read: z.boolean(),
}).meta({ id: 'Notification' });
export type Notification = z.infer<typeof notificationSchema>;

export const notificationQuerySchema = z.object({ unread: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
export const markReadSchema = z.object({ ids: z.array(z.number().int().positive()).max(500).optional(), all: z.boolean().optional() }).strict()
  .refine((b) => b.ids !== undefined || b.all === true, { message: 'give ids or all: true', path: ['ids'] }).meta({ id: 'NotificationsRead' });
