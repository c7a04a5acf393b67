// SQL of the recording index.
import type { Sql } from '../db/connect.js';
import type { ClosedSegment } from '../../streams/recorder.js';
import type { RecordingView, TimeRange } from './schema.js';

/** nodeId: the node whose MEDIA_DIR holds the file (null: recorded before nodes existed). */
export interface SegmentRow { id: string; cameraId: string; runId: string; seq: number; startedAt: Date; endedAt: Date; bytes: number; path: string; nodeId: string | null }

/** Shared by retention (deleting) and evidence (preserving): the two never interleave (lockRetention). */
const RETENTION_LOCK = 727004;

const toRow = (r: Record<string, any>): SegmentRow => ({
  id: String(r.id), cameraId: r.camera_id, runId: r.run_id, seq: r.seq, startedAt: r.started_at, endedAt: r.ended_at, bytes: Number(r.bytes), path: r.path, nodeId: r.node_id ?? null,
});

/** nodeId: the node whose MEDIA_DIR holds the file (server/cluster/). */
export async function insertSegment(sql: Sql, s: ClosedSegment, nodeId: string): Promise<void> {
  await sql`insert into recording_segments (camera_id, run_id, seq, started_at, ended_at, bytes, path, node_id)
    values (${s.cameraId}, ${s.runId}, ${s.seq}, ${s.startedAt}, ${s.endedAt}, ${s.bytes}, ${s.path}, ${nodeId})
    on conflict (path) do nothing`;
}

export async function previousSegmentEnd(sql: Sql, runId: string, seq: number): Promise<Date | null> {
  const [r] = await sql<{ ended_at: Date }[]>`select ended_at from recording_segments where run_id = ${runId} and seq = ${seq - 1}`;
  return r?.ended_at ?? null;
}

/** Segments of a camera overlapping [from, to), in time order. */
export async function segmentsOverlapping(sql: Sql, cameraId: string, from: Date, to: Date): Promise<SegmentRow[]> {
  // started_at > from - 1 h bounds the index scan: no segment is an hour long.
  const rows = await sql`select * from recording_segments
    where camera_id = ${cameraId} and started_at < ${to} and ended_at > ${from} and started_at > ${new Date(from.getTime() - 3_600_000)}
    order by started_at, seq`;
  return rows.map(toRow);
}

export async function lastSegmentEnd(sql: Sql, cameraId: string): Promise<Date | null> {
  const [r] = await sql<{ ended_at: Date }[]>`select ended_at from recording_segments where camera_id = ${cameraId} order by started_at desc limit 1`;
  return r?.ended_at ?? null;
}

export async function oldestSegmentStart(sql: Sql): Promise<Date | null> {
  const [r] = await sql<{ started_at: Date }[]>`select started_at from recording_segments order by ended_at limit 1`;
  return r?.started_at ?? null;
}

/** Recorded stretches of a camera in a window: segments less than `joinMs` apart merge into one range. */
export async function recordedRanges(sql: Sql, cameraId: string, from: Date, to: Date, joinMs = 1000): Promise<{ ranges: TimeRange[]; gaps: TimeRange[] }> {
  // Gaps-and-islands in SQL, so a day of 2-s segments (43 200 rows) never crosses the wire.
  const rows = await sql<{ s: Date; e: Date }[]>`
    with seg as (
      select greatest(started_at, ${from}::timestamptz) as s, least(ended_at, ${to}::timestamptz) as e from recording_segments
      where camera_id = ${cameraId} and started_at < ${to} and ended_at > ${from} and started_at > ${new Date(from.getTime() - 3_600_000)}
    ), marked as (
      select s, e, case when s - max(e) over (order by s rows between unbounded preceding and 1 preceding) <= ${joinMs} * interval '1 millisecond'
                       then 0 else 1 end as starts from seg
    ), grouped as (select s, e, sum(starts) over (order by s) as g from marked)
    select min(s) as s, max(e) as e from grouped group by g order by 1`;
  const ranges = rows.map((r) => ({ from: r.s.toISOString(), to: r.e.toISOString() }));
  const gaps: TimeRange[] = [];
  let cursor = from.getTime();
  for (const r of rows) {
    if (r.s.getTime() - cursor > joinMs) gaps.push({ from: new Date(cursor).toISOString(), to: r.s.toISOString() });
    cursor = Math.max(cursor, r.e.getTime());
  }
  if (to.getTime() - cursor > joinMs) gaps.push({ from: new Date(cursor).toISOString(), to: to.toISOString() });
  return { ranges, gaps };
}

/**
 * One batch of segments to delete: ended before `cutoff` (null: any age, oldest first — the disk guard), and not
 * inside the range of any evidence item under legal hold for that camera.
 */
/** node: only the segments on this node's disk (local storage); null: all (shared storage). */
export async function selectDeletable(sql: Sql, cutoff: Date | null, limit: number, after: Date | null = null, node: string | null = null): Promise<Array<{ id: string; path: string; bytes: number; endedAt: Date }>> {
  // `after`: where the previous batch stopped, so a sweep never re-walks what it already passed (held segments).
  const rows = await sql<{ id: string; path: string; bytes: string; ended_at: Date }[]>`
    select s.id, s.path, s.bytes, s.ended_at from recording_segments s
    where (${cutoff}::timestamptz is null or s.ended_at < ${cutoff})
      and (${after}::timestamptz is null or s.ended_at >= ${after})
      and (${node}::text is null or s.node_id = ${node} or s.node_id is null)
      and not exists (
        select 1 from evidence_clips c join evidence_items i on i.id = c.item_id
        where i.legal_hold and c.camera_id = s.camera_id and i.requested_from < s.ended_at and i.requested_to > s.started_at)
    order by s.ended_at
    limit ${limit}`;
  return rows.map((r) => ({ id: String(r.id), path: r.path, bytes: Number(r.bytes), endedAt: r.ended_at }));
}

export async function deleteSegmentRows(sql: Sql, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return (await sql`delete from recording_segments where id = any(${ids}::bigint[])`).count;
}

export async function isIndexed(sql: Sql, paths: string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const rows = await sql<{ path: string }[]>`select path from recording_segments where path = any(${paths}::text[])`;
  return new Set(rows.map((r) => r.path));
}

/** After a crash, playbacks still open cannot have outlived the process (their ffmpeg died with it): close them at start. */
export async function closeDanglingPlaybacks(sql: Sql): Promise<number> {
  return (await sql`update recording_views set ended_at = now() where ended_at is null`).count;
}

/** Playbacks of recordings, newest first: everyone's (userId null) or one user's, optionally of one camera. */
export async function listRecordingViews(sql: Sql, f: { userId: string | null; cameraId?: string; limit: number }): Promise<RecordingView[]> {
  const rows = await sql`
    select v.id, u.username, v.camera_id, c.name as camera_name, v.range_from, v.range_to, v.started_at, v.ended_at, v.remote_addr
    from recording_views v join users u on u.id = v.user_id join cameras c on c.id = v.camera_id
    where (${f.userId}::uuid is null or v.user_id = ${f.userId}) and (${f.cameraId ?? null}::text is null or v.camera_id = ${f.cameraId ?? null})
    order by v.started_at desc limit ${f.limit}`;
  return rows.map((r) => ({
    id: r.id, username: r.username, cameraId: r.camera_id, cameraName: r.camera_name,
    rangeFrom: r.range_from.toISOString(), rangeTo: r.range_to.toISOString(),
    startedAt: r.started_at.toISOString(), endedAt: r.ended_at?.toISOString() ?? null, remoteAddr: r.remote_addr,
  }));
}

/** Deleting (retention, the disk guard) and preserving (evidence) take this lock in their transactions: they never interleave. */
export async function lockRetention(tx: Sql): Promise<void> {
  await tx`select pg_advisory_xact_lock(${RETENTION_LOCK})`;
}

/** A playback, opened (inside the transaction that writes its audit row). */
export async function insertRecordingView(tx: Sql, v: { userId: string; cameraId: string; from: Date; to: Date; remoteAddr: string }): Promise<string> {
  const [row] = await tx<{ id: string }[]>`insert into recording_views (user_id, camera_id, range_from, range_to, remote_addr)
    values (${v.userId}, ${v.cameraId}, ${v.from}, ${v.to}, ${v.remoteAddr}) returning id`;
  return row!.id;
}

export async function endRecordingView(sql: Sql, id: string): Promise<void> {
  await sql`update recording_views set ended_at = now() where id = ${id}`;
}

// Retention reaches into evidence's tables here (a store may read and write any table) rather than through
// evidence/: evidence preserves what recordings record, so it stands above recordings and recordings imports none of it.

/** Clips of evidence items whose hold was released and whose range ended before the cutoff: they go like the recording. */
export async function releasedClipsBefore(sql: Sql, cutoff: Date): Promise<Array<{ id: string; itemId: string; cameraId: string; file: string | null; liftableFile: string | null }>> {
  const rows = await sql<{ id: string; item_id: string; camera_id: string; file: string | null; liftable_file: string | null }[]>`
    select c.id, c.item_id, c.camera_id, c.file, c.liftable_file from evidence_clips c join evidence_items i on i.id = c.item_id
    where not i.legal_hold and i.requested_to < ${cutoff} and c.state <> 'purged'`;
  return rows.map((r) => ({ id: r.id, itemId: r.item_id, cameraId: r.camera_id, file: r.file, liftableFile: r.liftable_file }));
}

/** One released clip purged: the clip, its item, and the entry in the item's custody trail (actor: none, the rule). */
export async function markClipPurged(sql: Sql, c: { id: string; itemId: string; cameraId: string }, why: string): Promise<void> {
  await sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    await tx`update evidence_clips set state = 'purged', file = null, liftable_file = null where id = ${c.id}`;
    await tx`update evidence_items set purged_at = coalesce(purged_at, now()), version = version + 1 where id = ${c.itemId}`;
    // The same row evidence/store.ts appendCustody writes, with no actor.
    await tx`insert into evidence_custody (item_id, actor_id, actor_name, actor_role, action, case_number, legal_basis, details, remote_addr)
      values (${c.itemId}, null, null, null, 'purged', null, null, ${tx.json({ cameraId: c.cameraId, why })}, null)`;
  });
}

/** Evidence download links a day past their expiry (their every use is in the custody trail and the audit chain). */
export async function deleteExpiredEvidenceLinks(sql: Sql, now: Date): Promise<number> {
  return (await sql`delete from evidence_links where expires_at < ${new Date(now.getTime() - 24 * 3_600_000)}`).count;
}
