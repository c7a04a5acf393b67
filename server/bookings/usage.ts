// Usage per municipality per month, for cost sharing: per approved booking the booked hours (its windows inside
// the month), the hours actually supervised (inside those windows, at least one assigned unit online), and the
// incidents tagged on its units inside its windows with the alerts raised for them. Months are Amsterdam months;
// hours are computed on UTC ranges, so a window across a daylight-saving change counts the hours that really passed.
import type { Sql } from '../db/connect.js';
import { toCsv } from '../http/csv.js';
import { formatLocal, monthRange } from './local-time.js';
import type { Usage } from './schema.js';
import { usageRows } from './store.js';

export async function usageReport(sql: Sql, q: { month: string; municipalityId?: string; now: Date }): Promise<Usage> {
  const { from, to } = monthRange(q.month);
  const list = await usageRows(sql, { from, to, municipalityId: q.municipalityId ?? null, now: q.now });
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
