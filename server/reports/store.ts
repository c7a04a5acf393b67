// SQL of the shift log and the figures.
import type { Sql } from '../db/connect.js';
import type { Shift } from './schema.js';

// A night is named by the date of its evening: subtract 12 hours in Amsterdam time.
const NIGHT = `((i.tagged_at at time zone 'Europe/Amsterdam') - interval '12 hours')::date`;

const toShift = (r: Record<string, any>): Shift => ({
  id: r.id, userId: r.user_id, userName: r.display_name, startedAt: r.started_at.toISOString(), endedAt: r.ended_at?.toISOString() ?? null,
  cameraIds: r.camera_ids, handoverNotes: r.handover_notes,
});

export async function getShift(sql: Sql, id: string): Promise<Shift | null> {
  const [r] = await sql`select s.*, u.display_name from shifts s join users u on u.id = s.user_id where s.id = ${id}`;
  return r ? toShift(r) : null;
}

export async function openShiftOf(sql: Sql, userId: string): Promise<Shift | null> {
  const [r] = await sql`select s.*, u.display_name from shifts s join users u on u.id = s.user_id where s.user_id = ${userId} and s.ended_at is null`;
  return r ? toShift(r) : null;
}

export async function listShifts(sql: Sql, q: { userId: string | null; limit: number }): Promise<Shift[]> {
  const rows = await sql`select s.*, u.display_name from shifts s join users u on u.id = s.user_id
    where (${q.userId}::uuid is null or s.user_id = ${q.userId}) order by s.started_at desc limit ${q.limit}`;
  return rows.map(toShift);
}

export async function insertShift(tx: Sql, userId: string, cameraIds: string[]): Promise<string> {
  const [r] = await tx`insert into shifts (user_id, camera_ids) values (${userId}, ${cameraIds}) returning id`;
  return r!.id;
}

export async function updateShift(tx: Sql, id: string, set: { camera_ids?: string[]; handover_notes?: string; ended_at?: Date }): Promise<void> {
  await tx`update shifts set ${tx(set as Record<string, unknown>)} where id = ${id}`;
}

export interface ReportRow {
  id: string; number: string; tagged_at: Date; category_id: string; priority: 1 | 2 | 3; street: string; location_text: string; municipality: string;
  cameras: string; status: string; alert_status: string | null; raised_at: Date | null; acknowledged_at: Date | null; on_scene_at: Date | null;
  closed_at: Date | null; escalated_at: Date | null;
}

/** Incidents (with their latest alert) tagged by one user in a time window, oldest first. */
export async function incidentsOf(sql: Sql, userId: string, from: Date, to: Date): Promise<ReportRow[]> {
  return sql<ReportRow[]>`
    select i.id, i.number, i.tagged_at, i.category_id, i.priority, i.street, i.location_text, m.name as municipality, i.status,
      coalesce((select string_agg(c.name, ', ' order by ic.position) from incident_cameras ic join cameras c on c.id = ic.camera_id where ic.incident_id = i.id), '') as cameras,
      a.status as alert_status, a.raised_at, a.acknowledged_at, a.on_scene_at, a.closed_at, a.escalated_at
    from incidents i join municipalities m on m.id = i.municipality_id
    left join lateral (select * from alerts a where a.incident_id = i.id order by a.raised_at desc limit 1) a on true
    where i.created_by = ${userId} and i.created_at >= ${from} and i.created_at <= ${to}
    order by i.tagged_at`;
}

export async function figures(sql: Sql, from: string, to: string) {
  const perNight = await sql<{ night: string; incidents: number; alerts: number }[]>`
    select to_char(n.night, 'YYYY-MM-DD') as night, count(*)::int as incidents, count(a.id)::int as alerts
    from (select i.id, ${sql.unsafe(NIGHT)} as night from incidents i) n
    left join lateral (select id from alerts where incident_id = n.id order by raised_at limit 1) a on true
    where n.night between ${from}::date and ${to}::date group by n.night order by n.night`;
  const perMunicipality = await sql<{ municipality_id: string; name: string; incidents: number }[]>`
    select i.municipality_id, m.name, count(*)::int as incidents from incidents i join municipalities m on m.id = i.municipality_id
    where ${sql.unsafe(NIGHT)} between ${from}::date and ${to}::date group by i.municipality_id, m.name order by incidents desc, m.name`;
  const perCategory = await sql<{ category_id: string; incidents: number }[]>`
    select i.category_id, count(*)::int as incidents from incidents i
    where ${sql.unsafe(NIGHT)} between ${from}::date and ${to}::date group by i.category_id order by incidents desc, i.category_id`;
  // Two times, not one: the room's (the key press to the raise to the dispatch centre, first raise of an incident only)
  // and the dispatch centre's (each raise to its acknowledgement); a raise again later is not the room's slowness.
  const [resp] = await sql<{ raise_n: number; raise_med: number | null; raise_p90: number | null; ack_n: number; ack_med: number | null; ack_p90: number | null;
    scene_n: number; scene_med: number | null; scene_p90: number | null }[]>`
    with r as (
      select case when not exists (select 1 from alerts e where e.incident_id = a.incident_id and e.raised_at < a.raised_at)
          then extract(epoch from a.raised_at - i.tagged_at) end as tag_to_raise,
        extract(epoch from a.acknowledged_at - a.raised_at) as raise_to_ack, extract(epoch from a.on_scene_at - a.acknowledged_at) as ack_to_scene
      from alerts a join incidents i on i.id = a.incident_id
      where ${sql.unsafe(NIGHT)} between ${from}::date and ${to}::date)
    select count(tag_to_raise)::int as raise_n, percentile_cont(0.5) within group (order by tag_to_raise) as raise_med, percentile_cont(0.9) within group (order by tag_to_raise) as raise_p90,
      count(raise_to_ack)::int as ack_n, percentile_cont(0.5) within group (order by raise_to_ack) as ack_med, percentile_cont(0.9) within group (order by raise_to_ack) as ack_p90,
      count(ack_to_scene)::int as scene_n, percentile_cont(0.5) within group (order by ack_to_scene) as scene_med, percentile_cont(0.9) within group (order by ack_to_scene) as scene_p90
    from r`;
  return { perNight, perMunicipality, perCategory, resp: resp! };
}
