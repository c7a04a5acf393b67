// The record of every live view: who watched which camera, from when to when (Wpg: every consultation is logged).
import type { Sql } from '../db/connect.js';
import { appendAudit } from '../audit/store.js';
import type { LiveView } from './schema.js';

export async function startLiveView(sql: Sql, v: { userId: string; username: string; cameraId: string; stream: 'main' | 'sub'; remoteAddr: string }): Promise<string> {
  return sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const [row] = await tx`insert into live_views (user_id, camera_id, stream, remote_addr) values (${v.userId}, ${v.cameraId}, ${v.stream}, ${v.remoteAddr}) returning id`;
    await appendAudit(tx, { action: 'live.view', actor: { id: v.userId, username: v.username }, subject: v.cameraId, remoteAddr: v.remoteAddr, details: { stream: v.stream, viewId: row!.id } });
    return row!.id as string;
  });
}

export async function endLiveView(sql: Sql, id: string): Promise<void> {
  await sql`update live_views set ended_at = now() where id = ${id} and ended_at is null`;
}

/** After a crash, views still open cannot have outlived the process: close them at start. */
export async function closeDanglingViews(sql: Sql): Promise<number> {
  return (await sql`update live_views set ended_at = now() where ended_at is null`).count;
}

export async function listLiveViews(sql: Sql, f: { userId: string | null; cameraId?: string; limit: number }): Promise<LiveView[]> {
  const rows = await sql`
    select v.id, u.username, v.camera_id, c.name as camera_name, v.stream, v.started_at, v.ended_at, v.remote_addr
    from live_views v join users u on u.id = v.user_id join cameras c on c.id = v.camera_id
    where (${f.userId}::uuid is null or v.user_id = ${f.userId}) and (${f.cameraId ?? null}::text is null or v.camera_id = ${f.cameraId ?? null})
    order by v.started_at desc limit ${f.limit}`;
  return rows.map((r) => ({ id: r.id, username: r.username, cameraId: r.camera_id, cameraName: r.camera_name, stream: r.stream, startedAt: r.started_at.toISOString(), endedAt: r.ended_at?.toISOString() ?? null, remoteAddr: r.remote_addr }));
}
