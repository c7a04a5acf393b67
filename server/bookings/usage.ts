// Usage per municipality per month, for cost sharing: per approved booking the booked hours (its windows inside
// the month), the hours actually supervised (inside those windows, at least one assigned unit online), and the
// incidents tagged on its units inside its windows with the alerts raised for them. Months are Amsterdam months;
// hours are computed on UTC ranges, so a window across a daylight-saving change counts the hours that really passed.
import type { Sql } from '../db/connect.js';
import { toCsv } from '../http/csv.js';
import { formatLocal, monthRange } from './local-time.js';
import type { Usage } from './schema.js';

const hours = (seconds: unknown) => Math.round((Number(seconds) / 3600) * 100) / 100;

export async function usageReport(sql: Sql, q: { month: string; municipalityId?: string; now: Date }): Promise<Usage> {
  const { from, to } = monthRange(q.month);
  const muni = q.municipalityId ?? null;
  const rows = await sql`
    with b as (
      select b.id, b.reference, b.municipality_id, m.name as municipality_name, b.event_name, b.risk_class
      from bookings b join municipalities m on m.id = b.municipality_id
      where b.status = 'approved' and (${muni}::text is null or b.municipality_id = ${muni})
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
  const list = rows.map((r) => ({
    bookingId: r.id, reference: r.reference, municipalityId: r.municipality_id, municipalityName: r.municipality_name, eventName: r.event_name, riskClass: r.risk_class,
    windows: r.windows, units: r.units, bookedHours: hours(r.booked_s), supervisedHours: hours(r.supervised_s), incidents: r.incidents, alerts: r.alerts,
  }));
  const totals = new Map<string, Usage['totals'][number]>();
  for (const r of list) {
    const t = totals.get(r.municipalityId) ?? { municipalityId: r.municipalityId, municipalityName: r.municipalityName, bookings: 0, bookedHours: 0, supervisedHours: 0, incidents: 0, alerts: 0 };
    t.bookings++; t.bookedHours = Math.round((t.bookedHours + r.bookedHours) * 100) / 100; t.supervisedHours = Math.round((t.supervisedHours + r.supervisedHours) * 100) / 100;
    t.incidents += r.incidents; t.alerts += r.alerts;
    totals.set(r.municipalityId, t);
  }
  return { month: q.month, from: from.toISOString(), to: to.toISOString(), rows: list, totals: [...totals.values()] };
}

const decimal = (n: number) => n.toFixed(2);

export function usageCsv(u: Usage): string {
  return toCsv(
    ['month', 'municipality', 'reference', 'event', 'risk_class', 'windows', 'units', 'booked_hours', 'supervised_hours', 'incidents', 'alerts'],
    u.rows.map((r) => [u.month, r.municipalityName, r.reference, r.eventName, r.riskClass, r.windows, r.units, decimal(r.bookedHours), decimal(r.supervisedHours), r.incidents, r.alerts]),
  );
}

export const usagePeriodText = (u: Usage) => `${formatLocal(u.from).slice(0, 10)} – ${formatLocal(new Date(Date.parse(u.to) - 1)).slice(0, 10)} (Europe/Amsterdam)`;
