// SQL for bookings, their windows, assigned units and observers, the roster and online periods.
import type { Sql } from '../db/connect.js';
import type { Booking, RosterEntry, RosterObserver, Usage } from './schema.js';
import { formatLocal, hoursBetween } from './local-time.js';

export type Tx = Sql;
export interface Window { id: string; start: Date; end: Date }

const iso = (d: Date | string) => new Date(d).toISOString();
const round2 = (n: number) => Math.round(n * 100) / 100;

function toBooking(r: any): Booking {
  const windows = (r.windows as { id: string; s: string; e: string }[]).map((w) => ({
    id: w.id, start: iso(w.s), end: iso(w.e), startLocal: formatLocal(w.s), endLocal: formatLocal(w.e), hours: round2(hoursBetween(w.s, w.e)),
  })).sort((a, b) => a.start.localeCompare(b.start));
  return {
    id: r.id, reference: r.reference, municipalityId: r.municipality_id, municipalityName: r.municipality_name,
    eventName: r.event_name, address: r.address, location: { lat: r.lat, lon: r.lon }, riskClass: r.risk_class,
    windows, bookedHours: round2(windows.reduce((s, w) => s + w.hours, 0)),
    unitsWanted: r.units_wanted, observersWanted: r.observers_wanted,
    decision: { reference: r.decision_reference, from: r.decision_from, to: r.decision_to },
    contact: { name: r.contact_name, phone: r.contact_phone, email: r.contact_email }, notes: r.notes,
    urgent: r.urgent, status: r.status, statusReason: r.status_reason,
    units: r.units, observers: r.observers, version: r.version,
    createdBy: r.created_by_name, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  };
}

// Dates as text: a date column must not pass through a JS Date (and a time zone) on its way out.
const selectBookings = (sql: Sql) => sql`
  select b.id, b.reference, b.municipality_id, m.name as municipality_name, b.event_name, b.address, b.lat, b.lon, b.risk_class,
    b.units_wanted, b.observers_wanted, b.decision_reference, b.decision_from::text, b.decision_to::text,
    b.contact_name, b.contact_phone, b.contact_email, b.notes, b.urgent, b.status, b.status_reason, b.version,
    u.display_name as created_by_name, b.created_at, b.updated_at,
    coalesce((select json_agg(json_build_object('id', w.id, 's', lower(w.period), 'e', upper(w.period))) from booking_windows w where w.booking_id = b.id), '[]') as windows,
    coalesce((select json_agg(json_build_object('cameraId', c.id, 'name', c.name) order by c.id)
      from (select distinct camera_id from booking_units where booking_id = b.id) x join cameras c on c.id = x.camera_id), '[]') as units,
    coalesce((select json_agg(json_build_object('userId', o.user_id, 'displayName', ou.display_name) order by ou.display_name)
      from booking_observers o join users ou on ou.id = o.user_id where o.booking_id = b.id), '[]') as observers
  from bookings b join municipalities m on m.id = b.municipality_id join users u on u.id = b.created_by`;

export async function getBooking(sql: Sql, id: string, opts: { forUpdate?: boolean } = {}): Promise<Booking | null> {
  if (opts.forUpdate) await sql`select 1 from bookings where id = ${id} for update`;
  const [r] = await sql`${selectBookings(sql)} where b.id = ${id}`;
  return r ? toBooking(r) : null;
}

export async function listBookings(sql: Sql, q: { municipalityId?: string; status?: string; from?: string; to?: string; limit: number }): Promise<Booking[]> {
  const rows = await sql`${selectBookings(sql)}
    where (${q.municipalityId ?? null}::text is null or b.municipality_id = ${q.municipalityId ?? null})
      and (${q.status ?? null}::text is null or b.status = ${q.status ?? null})
      and ((${q.from ?? null}::timestamptz is null and ${q.to ?? null}::timestamptz is null) or exists (select 1 from booking_windows w
           where w.booking_id = b.id and w.period && tstzrange(${q.from ?? null}::timestamptz, ${q.to ?? null}::timestamptz)))
    order by (select min(lower(period)) from booking_windows w where w.booking_id = b.id) nulls last, b.created_at
    limit ${q.limit}`;
  return rows.map(toBooking);
}

/** The booking's fields as the store writes them (the contract's names; status and urgency decided by the rules). */
export interface BookingFields {
  municipalityId: string; eventName: string; address: string; location: { lat: number; lon: number }; riskClass: string;
  unitsWanted: number; observersWanted: number; decision: { reference: string; from: string; to: string };
  contact: { name: string; phone: string; email: string }; notes: string; urgent: boolean; status: Booking['status'];
}

export async function insertBooking(sql: Sql, b: BookingFields, createdBy: string): Promise<{ id: string; reference: string }> {
  const [row] = await sql`insert into bookings (municipality_id, event_name, address, lat, lon, risk_class, units_wanted, observers_wanted,
      decision_reference, decision_from, decision_to, contact_name, contact_phone, contact_email, notes, urgent, status, created_by)
    values (${b.municipalityId}, ${b.eventName}, ${b.address}, ${b.location.lat}, ${b.location.lon}, ${b.riskClass}, ${b.unitsWanted},
      ${b.observersWanted}, ${b.decision.reference}, ${b.decision.from}, ${b.decision.to}, ${b.contact.name}, ${b.contact.phone},
      ${b.contact.email}, ${b.notes}, ${b.urgent}, ${b.status}, ${createdBy})
    returning id, reference`;
  return row as { id: string; reference: string };
}

/** Writes a changed booking (all its fields but the municipality) and counts a new version. */
export async function updateBooking(sql: Sql, id: string, b: Omit<BookingFields, 'municipalityId'>) {
  await sql`update bookings set
      event_name = ${b.eventName}, address = ${b.address}, lat = ${b.location.lat}, lon = ${b.location.lon}, risk_class = ${b.riskClass},
      units_wanted = ${b.unitsWanted}, observers_wanted = ${b.observersWanted},
      decision_reference = ${b.decision.reference}, decision_from = ${b.decision.from}, decision_to = ${b.decision.to},
      contact_name = ${b.contact.name}, contact_phone = ${b.contact.phone}, contact_email = ${b.contact.email},
      notes = ${b.notes}, urgent = ${b.urgent}, status = ${b.status}, version = version + 1, updated_at = now()
    where id = ${id}`;
}

/** A decision (approved, rejected, cancelled) with its reason; a new version. */
export async function setStatus(sql: Sql, id: string, status: Booking['status'], reason: string) {
  await sql`update bookings set status = ${status}, status_reason = ${reason}, version = version + 1, updated_at = now() where id = ${id}`;
}

export async function countBookings(sql: Sql): Promise<number> {
  const [r] = await sql`select count(*)::int as n from bookings`;
  return r!.n;
}

/**
 * The demo seed's booking times, by the database's clock and time zone: the current hour's window (one hour back,
 * seven ahead), the decision period's days (yesterday to 60 days on, Amsterdam dates) and two evenings ahead.
 */
export async function demoTimes(sql: Sql) {
  const [w] = await sql<{ s: Date; e: Date; d0: unknown; d1: unknown; s2: Date; e2: Date; s3: Date; e3: Date }[]>`
    select date_trunc('hour', now()) - interval '1 hour' as s, date_trunc('hour', now()) + interval '7 hours' as e,
      (now() at time zone 'Europe/Amsterdam')::date - 1 as d0, (now() at time zone 'Europe/Amsterdam')::date + 60 as d1,
      date_trunc('day', now()) + interval '21 days 19 hours' as s2, date_trunc('day', now()) + interval '22 days 1 hour' as e2,
      date_trunc('day', now()) + interval '5 days 18 hours' as s3, date_trunc('day', now()) + interval '5 days 23 hours' as e3`;
  return w!;
}

/** Who last did something to the booking (the "already decided by" of a refusal). */
export async function lastEvent(sql: Sql, bookingId: string): Promise<{ actorName: string | null; at: Date } | null> {
  const [last] = await sql`select actor_name, at from booking_events where booking_id = ${bookingId} order by id desc limit 1`;
  return last ? { actorName: last.actor_name, at: last.at } : null;
}

export async function insertWindows(sql: Sql, bookingId: string, windows: { start: Date; end: Date }[]) {
  for (const w of windows) await sql`insert into booking_windows (booking_id, period) values (${bookingId}, tstzrange(${w.start}, ${w.end}, '[)'))`;
}

export async function windowsOf(sql: Sql, bookingId: string): Promise<Window[]> {
  const rows = await sql`select id, lower(period) as s, upper(period) as e from booking_windows where booking_id = ${bookingId} order by lower(period)`;
  return rows.map((r) => ({ id: r.id, start: r.s, end: r.e }));
}

export async function replaceWindows(sql: Sql, bookingId: string, windows: { start: Date; end: Date }[]) {
  await sql`delete from booking_windows where booking_id = ${bookingId}`;
  await insertWindows(sql, bookingId, windows);
}

// actor id null: a name without an account (the demo seed).
export async function addEvent(sql: Sql, bookingId: string, actor: { id: string | null; displayName: string } | null, kind: string, details: Record<string, unknown> = {}) {
  await sql`insert into booking_events (booking_id, actor_id, actor_name, kind, details) values (${bookingId}, ${actor?.id ?? null}, ${actor?.displayName ?? null}, ${kind}, ${sql.json(details as never)})`;
}

export async function history(sql: Sql, bookingId: string) {
  const rows = await sql`select at, actor_name, kind, details from booking_events where booking_id = ${bookingId} order by id`;
  return rows.map((r) => ({ at: iso(r.at), actor: r.actor_name, kind: r.kind, details: r.details }));
}

export async function flexibleUnits(sql: Sql): Promise<{ id: string; name: string; enabled: boolean }[]> {
  return sql<{ id: string; name: string; enabled: boolean }[]>`select id, name, enabled from cameras where kind = 'flexible' order by id`;
}

/** Units assigned to other approved bookings during the window. */
export async function unitsTaken(sql: Sql, w: Window, exceptBookingId: string) {
  return sql<{ cameraId: string; bookingId: string; reference: string; eventName: string }[]>`
    select distinct u.camera_id as "cameraId", b.id as "bookingId", b.reference, b.event_name as "eventName"
    from booking_units u join bookings b on b.id = u.booking_id
    where u.period && tstzrange(${w.start}, ${w.end}) and b.id <> ${exceptBookingId} and b.status = 'approved'`;
}

/** Observers rostered over the whole window, and whether another approved booking in that time already has them. */
export async function rosteredObservers(sql: Sql, w: Window, exceptBookingId: string) {
  return sql<{ userId: string; displayName: string; assignedElsewhere: boolean }[]>`
    select distinct u.id as "userId", u.display_name as "displayName",
      exists (select 1 from booking_observers o join bookings b on b.id = o.booking_id join booking_windows bw on bw.booking_id = b.id
              where o.user_id = u.id and b.status = 'approved' and b.id <> ${exceptBookingId} and bw.period && tstzrange(${w.start}, ${w.end})) as "assignedElsewhere"
    from roster_entries r join users u on u.id = r.user_id
    where u.role = 'observer' and not u.disabled and r.period @> tstzrange(${w.start}, ${w.end})
    order by u.display_name`;
}

export async function otherBookingsOverlapping(sql: Sql, w: Window, exceptBookingId: string): Promise<number> {
  const [r] = await sql`select count(distinct b.id)::int as n from bookings b join booking_windows bw on bw.booking_id = b.id
    where b.status in ('requested','approved') and b.id <> ${exceptBookingId} and bw.period && tstzrange(${w.start}, ${w.end})`;
  return r!.n;
}

export async function assignUnits(sql: Sql, bookingId: string, windows: Window[], cameraIds: string[]) {
  for (const w of windows) for (const c of cameraIds) {
    await sql`insert into booking_units (booking_id, window_id, camera_id, period) values (${bookingId}, ${w.id}, ${c}, tstzrange(${w.start}, ${w.end}, '[)'))`;
  }
}

export async function addObserver(sql: Sql, bookingId: string, userId: string) {
  await sql`insert into booking_observers (booking_id, user_id) values (${bookingId}, ${userId})`;
}

export async function releaseAssignments(sql: Sql, bookingId: string) {
  await sql`delete from booking_units where booking_id = ${bookingId}`;
  await sql`delete from booking_observers where booking_id = ${bookingId}`;
}

// ---- roster -------------------------------------------------------------------------------------------------------

function toRoster(r: any): RosterEntry {
  return { id: r.id, userId: r.user_id, displayName: r.display_name, start: iso(r.s), end: iso(r.e), startLocal: formatLocal(r.s), endLocal: formatLocal(r.e) };
}
export async function listRoster(sql: Sql, from: string, to: string): Promise<RosterEntry[]> {
  const rows = await sql`select r.id, r.user_id, u.display_name, lower(r.period) as s, upper(r.period) as e from roster_entries r join users u on u.id = r.user_id
    where r.period && tstzrange(${from}::timestamptz, ${to}::timestamptz) order by lower(r.period), u.display_name`;
  return rows.map(toRoster);
}
// by null: rostered without an account (the demo seed).
export async function insertRoster(sql: Sql, e: { userId: string; start: Date; end: Date; by: string | null }): Promise<RosterEntry> {
  const [r] = await sql`with ins as (insert into roster_entries (user_id, period, created_by) values (${e.userId}, tstzrange(${e.start}, ${e.end}, '[)'), ${e.by}) returning *)
    select ins.id, ins.user_id, u.display_name, lower(ins.period) as s, upper(ins.period) as e from ins join users u on u.id = ins.user_id`;
  return toRoster(r);
}

/** The roster entry removed, or null when there was none. */
export async function removeRoster(sql: Sql, id: string): Promise<{ userId: string } | null> {
  const [r] = await sql`delete from roster_entries where id = ${id} returning user_id`;
  return r ? { userId: r.user_id } : null;
}

export async function isActiveObserver(sql: Sql, userId: string): Promise<boolean> {
  const [u] = await sql`select role, disabled from users where id = ${userId}`;
  return !!u && u.role === 'observer' && !u.disabled;
}

export async function activeObservers(sql: Sql): Promise<RosterObserver[]> {
  return sql<RosterObserver[]>`select id as "userId", display_name as "displayName" from users where role = 'observer' and not disabled order by display_name`;
}

// ---- activation: which flexible units may publish now -----------------------------------------------------------

export async function activeUnits(sql: Sql, at: Date, marginsMs: { setup: number; teardown: number }) {
  return sql<{ cameraId: string; bookingId: string; reference: string; eventName: string; until: Date }[]>`
    select distinct on (u.camera_id) u.camera_id as "cameraId", b.id as "bookingId", b.reference, b.event_name as "eventName",
      upper(u.period) + make_interval(secs => ${marginsMs.teardown / 1000}) as until
    from booking_units u join bookings b on b.id = u.booking_id join cameras c on c.id = u.camera_id
    where b.status = 'approved' and c.kind = 'flexible'
      and tstzrange(lower(u.period) - make_interval(secs => ${marginsMs.setup / 1000}), upper(u.period) + make_interval(secs => ${marginsMs.teardown / 1000})) @> ${at}::timestamptz
    order by u.camera_id, upper(u.period) desc`;
}

/** Windows of approved bookings starting in (from, to] whose "starts soon" notifications are not all sent yet (three audiences). */
export async function windowsStartingBetween(sql: Sql, from: Date, to: Date) {
  return sql<{ bookingId: string; reference: string; eventName: string; municipalityId: string; windowId: string; starts: Date }[]>`
    select b.id as "bookingId", b.reference, b.event_name as "eventName", b.municipality_id as "municipalityId", w.id as "windowId", lower(w.period) as starts
    from booking_windows w join bookings b on b.id = w.booking_id
    where b.status = 'approved' and lower(w.period) > ${from} and lower(w.period) <= ${to}
      and (select count(*) from notifications n where n.kind = 'booking.starts_soon' and n.booking_id = b.id and n.details->>'windowId' = w.id::text) < 3`;
}

// ---- usage ------------------------------------------------------------------------------------------------------

const hours = (seconds: unknown) => Math.round((Number(seconds) / 3600) * 100) / 100;

/** Per approved booking with a window in [from, to): booked and supervised hours (multirange arithmetic), incidents and alerts. */
export async function usageRows(sql: Sql, q: { from: Date; to: Date; municipalityId: string | null; now: Date }): Promise<Usage['rows']> {
  const { from, to } = q;
  const rows = await sql`
    with b as (
      select b.id, b.reference, b.municipality_id, m.name as municipality_name, b.event_name, b.risk_class
      from bookings b join municipalities m on m.id = b.municipality_id
      where b.status = 'approved' and (${q.municipalityId}::text is null or b.municipality_id = ${q.municipalityId})
        and exists (select 1 from booking_windows w where w.booking_id = b.id and w.period && tstzrange(${from}, ${to}))
    ), win as (
      select w.booking_id, count(*)::int as n, range_agg(w.period * tstzrange(${from}, ${to})) as mr
      from booking_windows w join b on b.id = w.booking_id where w.period && tstzrange(${from}, ${to}) group by w.booking_id
    ), units as (
      select u.booking_id, array_agg(distinct u.camera_id) as ids from booking_units u join b on b.id = u.booking_id group by u.booking_id
    ), online as (
      select x.booking_id, range_agg(tstzrange(p.started_at, greatest(p.started_at, coalesce(p.ended_at, ${q.now})))) as mr
      from (select distinct u.booking_id, u.camera_id from booking_units u join b on b.id = u.booking_id) x
      join camera_online_periods p on p.camera_id = x.camera_id
      group by x.booking_id
    ), tagged as (
      select b.id as booking_id, i.id as incident_id
      from b join win on win.booking_id = b.id join units on units.booking_id = b.id
      join incidents i on win.mr @> i.tagged_at
      where exists (select 1 from incident_cameras ic where ic.incident_id = i.id and ic.camera_id = any(units.ids))
    )
    select b.*, win.n as windows, coalesce(cardinality(units.ids), 0) as units,
      (select coalesce(sum(extract(epoch from upper(r) - lower(r))), 0) from unnest(win.mr) r) as booked_s,
      (select coalesce(sum(extract(epoch from upper(r) - lower(r))), 0) from unnest(win.mr * coalesce(online.mr, '{}'::tstzmultirange)) r) as supervised_s,
      (select count(*) from tagged t where t.booking_id = b.id)::int as incidents,
      (select count(*) from alerts a join tagged t on t.incident_id = a.incident_id and t.booking_id = b.id)::int as alerts
    from b join win on win.booking_id = b.id left join units on units.booking_id = b.id left join online on online.booking_id = b.id
    order by b.municipality_id, lower(win.mr), b.reference`;
  return rows.map((r) => ({
    bookingId: r.id, reference: r.reference, municipalityId: r.municipality_id, municipalityName: r.municipality_name, eventName: r.event_name, riskClass: r.risk_class,
    windows: r.windows, units: r.units, bookedHours: hours(r.booked_s), supervisedHours: hours(r.supervised_s), incidents: r.incidents, alerts: r.alerts,
  }));
}
