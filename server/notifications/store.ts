// Notifications are rows addressed to a role or to one municipality's users, written in the transaction of the
// change they announce (so none is lost or sent for a change that rolled back), then pushed live.
import type { Sql } from '../db/connect.js';
import type { SessionUser } from '../auth/sessions.js';
import type { Audience, Notification, Notify } from './schema.js';

export type { Audience, Notify };

const toNote = (r: any): Omit<Notification, 'read'> => ({ id: Number(r.id), at: new Date(r.at).toISOString(), kind: r.kind, bookingId: r.booking_id, details: r.details });

export async function notify(sql: Sql, audience: Audience, kind: Notification['kind'], bookingId: string | null, details: Record<string, unknown>): Promise<Notify> {
  const role = 'role' in audience ? audience.role : null, municipalityId = 'municipalityId' in audience ? audience.municipalityId : null;
  const [r] = await sql`insert into notifications (role, municipality_id, kind, booking_id, details)
    values (${role}, ${municipalityId}, ${kind}, ${bookingId}, ${sql.json(details as never)}) returning *`;
  return { audience, notification: toNote(r) };
}

/** Once only (the unique index notifications_once): null when it was sent before. */
export async function notifyOnce(sql: Sql, audience: Audience, kind: Notification['kind'], bookingId: string, details: Record<string, unknown>): Promise<Notify | null> {
  const role = 'role' in audience ? audience.role : null, municipalityId = 'municipalityId' in audience ? audience.municipalityId : null;
  const [r] = await sql`insert into notifications (role, municipality_id, kind, booking_id, details)
    values (${role}, ${municipalityId}, ${kind}, ${bookingId}, ${sql.json(details as never)}) on conflict do nothing returning *`;
  return r ? { audience, notification: toNote(r) } : null;
}

// A municipality user gets what is addressed to their municipality; everyone else what is addressed to their role.
const mine = (sql: Sql, u: SessionUser) => u.municipalityId ? sql`n.municipality_id = ${u.municipalityId}` : sql`n.role = ${u.role}`;

export async function listFor(sql: Sql, u: SessionUser, q: { unread?: 'true' | 'false'; limit: number }): Promise<Notification[]> {
  const rows = await sql`select n.*, (r.user_id is not null) as read from notifications n
    left join notification_reads r on r.notification_id = n.id and r.user_id = ${u.id}
    where ${mine(sql, u)} and (${q.unread ?? null}::text is null or (${q.unread === 'true'} = (r.user_id is null)))
    order by n.id desc limit ${q.limit}`;
  return rows.map((r) => ({ ...toNote(r), read: r.read }));
}

export async function markRead(sql: Sql, u: SessionUser, b: { ids?: number[]; all?: boolean }): Promise<number> {
  const rows = await sql`insert into notification_reads (notification_id, user_id)
    select n.id, ${u.id} from notifications n where ${mine(sql, u)} and (${b.all === true} or n.id = any(${b.ids ?? []}::bigint[]))
    on conflict do nothing returning notification_id`;
  return rows.length;
}
