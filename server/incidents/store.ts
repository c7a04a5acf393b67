// SQL of incidents, their timeline and snapshots. An incident is read with a summary of its latest alert (a join on
// dispatch's alerts table: the status the observer sees); the alerts themselves are dispatch/store.ts's.
import type postgres from 'postgres';
import type { Sql } from '../db/connect.js';
import type { Categories } from './categories.js';
import type { AlertSummary, Incident, SnapshotInfo, TimelineEntry } from './schema.js';

type Fragment = postgres.Fragment;

export interface ActorRef { id: string; name: string }

export const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

export async function findCameras(sql: Sql, ids: string[]) {
  return sql<{ id: string; name: string; municipality_id: string; street: string; lat: number; lon: number }[]>`
    select id, name, municipality_id, street, lat, lon from cameras where id = any(${ids})`;
}

export async function insertIncident(tx: Sql, i: {
  taggedAt: string; createdBy: string; categoryId: string; priority: number; municipalityId: string; street: string; lat: number; lon: number;
  locationText: string; persons: string; notes: string; snapshotId: string | null;
}): Promise<{ id: string; number: number }> {
  const [r] = await tx`insert into incidents (tagged_at, created_by, category_id, priority, municipality_id, street, lat, lon, location_text, persons, notes, snapshot_id)
    values (${i.taggedAt}, ${i.createdBy}, ${i.categoryId}, ${i.priority}, ${i.municipalityId}, ${i.street}, ${i.lat}, ${i.lon}, ${i.locationText}, ${i.persons}, ${i.notes}, ${i.snapshotId})
    returning id, number`;
  return { id: r!.id, number: Number(r!.number) };
}

export async function setIncidentCameras(tx: Sql, incidentId: string, cameraIds: string[]): Promise<void> {
  await tx`delete from incident_cameras where incident_id = ${incidentId}`;
  for (const [position, cameraId] of cameraIds.entries()) {
    await tx`insert into incident_cameras (incident_id, camera_id, position) values (${incidentId}, ${cameraId}, ${position})`;
  }
}

export async function addTimeline(tx: Sql, incidentId: string, actor: ActorRef | null, kind: string, details: Record<string, unknown> = {}): Promise<void> {
  await tx`insert into incident_events (incident_id, actor_id, actor_name, kind, details)
    values (${incidentId}, ${actor?.id ?? null}, ${actor?.name ?? null}, ${kind}, ${tx.json(details as never)})`;
}

export async function listTimeline(sql: Sql, incidentId: string): Promise<TimelineEntry[]> {
  const rows = await sql`select id, at, actor_name, kind, details from incident_events where incident_id = ${incidentId} order by id`;
  return rows.map((r) => ({ id: Number(r.id), at: iso(r.at)!, by: r.actor_name, kind: r.kind, details: r.details }));
}

// ---- reading incidents --------------------------------------------------------------------------------------------

/** The snapshot columns (snap_*) of an incident row; dispatch/ reads its alerts' snapshots with it. */
export const snapshotInfo = (incidentId: string, r: Record<string, any>): SnapshotInfo => r.snap_id
  ? { id: r.snap_id, status: r.snap_status, cameraId: r.snap_camera, takenAt: iso(r.snap_taken_at), url: r.snap_status === 'taken' ? `/api/incidents/${incidentId}/snapshot` : null }
  : { id: null, status: 'none', cameraId: null, takenAt: null, url: null };

/** The alert summary an incident shows; dispatch/ builds its full alerts on it. */
export function alertSummary(a: Record<string, any> | null): AlertSummary | null {
  if (!a) return null;
  return {
    id: a.id, status: a.status, version: a.version, raisedAt: iso(a.raised_at)!, acknowledgedAt: iso(a.acknowledged_at), acknowledgedBy: a.acknowledged_by_name ?? null,
    unitSentAt: iso(a.unit_sent_at), onSceneAt: iso(a.on_scene_at), closedAt: iso(a.closed_at), escalatedAt: iso(a.escalated_at), lastRemark: a.last_remark,
  };
}

function toIncident(r: Record<string, any>, cats: Categories): Incident {
  return {
    id: r.id, number: Number(r.number), taggedAt: iso(r.tagged_at)!, createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!,
    createdBy: { id: r.created_by, name: r.created_by_name }, status: r.status, category: cats.get(r.category_id), priority: r.priority,
    location: { street: r.street, lat: r.lat, lon: r.lon, text: r.location_text, municipalityId: r.municipality_id, municipalityName: r.municipality_name },
    cameras: r.cameras, persons: r.persons, notes: r.notes, snapshot: snapshotInfo(r.id, r), version: r.version, alert: alertSummary(r.alert),
  };
}

async function selectIncidents(sql: Sql, cats: Categories, where: Fragment, tail: Fragment): Promise<Incident[]> {
  const rows = await sql`
    select i.*, u.display_name as created_by_name, m.name as municipality_name,
      coalesce((select json_agg(json_build_object('id', c.id, 'name', c.name) order by ic.position)
                from incident_cameras ic join cameras c on c.id = ic.camera_id where ic.incident_id = i.id), '[]') as cameras,
      s.id as snap_id, s.status as snap_status, s.camera_id as snap_camera, s.taken_at as snap_taken_at,
      (select row_to_json(x) from (
         select a.*, ua.display_name as acknowledged_by_name from alerts a left join users ua on ua.id = a.acknowledged_by
         where a.incident_id = i.id order by a.raised_at desc limit 1) x) as alert
    from incidents i join users u on u.id = i.created_by join municipalities m on m.id = i.municipality_id
    left join snapshots s on s.id = i.snapshot_id
    where ${where} ${tail}`;
  return rows.map((r) => toIncident(r, cats));
}

export async function getIncident(sql: Sql, cats: Categories, id: string, lock = false): Promise<Incident | null> {
  if (lock) await sql`select 1 from incidents where id = ${id} for update`;
  const [i] = await selectIncidents(sql, cats, sql`i.id = ${id}`, sql``);
  return i ?? null;
}

export async function listIncidents(sql: Sql, cats: Categories, q: { status: 'open' | 'closed' | 'all'; camera?: string; from?: string; to?: string; limit: number }): Promise<Incident[]> {
  const where = sql`(${q.status} = 'all' or i.status = ${q.status})
    and (${q.camera ?? null}::text is null or exists (select 1 from incident_cameras c where c.incident_id = i.id and c.camera_id = ${q.camera ?? null}))
    and (${q.from ?? null}::timestamptz is null or i.tagged_at >= ${q.from ?? null}) and (${q.to ?? null}::timestamptz is null or i.tagged_at < ${q.to ?? null})`;
  return selectIncidents(sql, cats, where, sql`order by i.tagged_at desc limit ${q.limit}`);
}

export async function updateIncidentRow(tx: Sql, id: string, set: Record<string, unknown>): Promise<void> {
  await tx`update incidents set ${tx(set)}, updated_at = now(), version = version + 1 where id = ${id}`;
}

// ---- snapshots ----------------------------------------------------------------------------------------------------

export async function insertSnapshot(sql: Sql, s: { cameraId: string; requestedBy: string }): Promise<string> {
  const [r] = await sql`insert into snapshots (camera_id, requested_by, status) values (${s.cameraId}, ${s.requestedBy}, 'pending') returning id`;
  return r!.id;
}

export async function finishSnapshot(sql: Sql, id: string, r: { status: 'taken' | 'no_stream' | 'failed'; takenAt?: Date; file?: string; bytes?: number; sha256?: string; error?: string; maskVersion?: number | null }): Promise<void> {
  await sql`update snapshots set status = ${r.status}, taken_at = ${r.takenAt ?? null}, file = ${r.file ?? null}, bytes = ${r.bytes ?? null}, sha256 = ${r.sha256 ?? null}, error = ${r.error ?? null},
    mask_version = ${r.maskVersion ?? null}
    where id = ${id}`;
}

export async function getSnapshot(sql: Sql, id: string) {
  const [r] = await sql<{ id: string; camera_id: string; requested_by: string; requested_at: Date; taken_at: Date | null; status: string; file: string | null; bytes: number | null; sha256: string | null; error: string | null }[]>`
    select * from snapshots where id = ${id}`;
  return r ?? null;
}

/** The incident a snapshot belongs to (a grab at save belongs to one from the start; a pre-grab once attached). */
export async function incidentOfSnapshot(sql: Sql, snapshotId: string): Promise<{ id: string } | null> {
  const [r] = await sql<{ id: string }[]>`select id from incidents where snapshot_id = ${snapshotId}`;
  return r ?? null;
}

export async function snapshotInUse(sql: Sql, id: string): Promise<boolean> {
  return (await sql`select 1 from incidents where snapshot_id = ${id}`).length > 0;
}

/**
 * Snapshots are recorded images: like recordings they go after RETENTION_DAYS (a case keeps its material as
 * preserved evidence). Pre-grabs never attached to an incident go after a day. Returns the files to delete.
 */
export async function expireSnapshots(sql: Sql, retentionDays: number): Promise<Array<{ id: string; file: string; incident_id: string | null }>> {
  return sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const rows = await tx<{ id: string; file: string; incident_id: string | null }[]>`
      update snapshots s set status = 'purged', file = null
      from (select s2.id, s2.file, i.id as incident_id from snapshots s2 left join incidents i on i.snapshot_id = s2.id
            where s2.status = 'taken' and (s2.requested_at < now() - make_interval(days => ${retentionDays})
                                           or (i.id is null and s2.requested_at < now() - interval '1 day'))
            limit 500 for update of s2) old
      where s.id = old.id
      returning old.id, old.file, old.incident_id`;
    for (const r of rows) if (r.incident_id) await addTimeline(tx, r.incident_id, null, 'snapshot.purged', { snapshotId: r.id, retentionDays });
    return rows;
  });
}

/** A grab cannot outlive the process that started it: after a restart, pending ones have failed. */
export async function failInterruptedSnapshots(sql: Sql): Promise<void> {
  await sql`update snapshots set status = 'failed', error = 'interrupted by a restart' where status = 'pending' and requested_at < now() - interval '1 minute'`;
}
