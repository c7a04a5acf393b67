// SQL of live video: the record of every live view, each camera's online periods, who is watching (the users rows
// the play checks read) and the console preferences (the wall layout, kept on the user's row).
import type { Sql } from '../db/connect.js';
import type { Role } from '../auth/policy.js';
import { appendAudit } from '../audit/store.js';
import { preferencesSchema, type LiveView, type Preferences } from './schema.js';

// The record of every live view: who watched which camera, from when to when (Wpg: every consultation is logged).

/** The view and its audit row in one transaction: a view is never on record without its trail entry. */
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

// Who is watching: the users rows the play checks read.

export interface ViewerRow { id: string; username: string; role: Role; disabled: boolean }

export async function getViewer(sql: Sql, userId: string): Promise<ViewerRow | null> {
  return (await sql<ViewerRow[]>`select id, username, role, disabled from users where id = ${userId}`)[0] ?? null;
}

export async function getViewers(sql: Sql, userIds: string[]): Promise<Array<Omit<ViewerRow, 'username'>>> {
  return sql<Omit<ViewerRow, 'username'>[]>`select id, role, disabled from users where id = any(${userIds}::uuid[])`;
}

/** The name a live view is recorded under ('?' when the user is gone). */
export async function usernameOf(sql: Sql, userId: string): Promise<string> {
  const [u] = await sql`select username from users where id = ${userId}`;
  return u?.username ?? '?';
}

// Each camera's online periods (camera_online_periods): see online-log.ts.

/** At start: periods a crash left open end at their last sign of life. */
export async function endDanglingPeriods(sql: Sql): Promise<void> {
  await sql`update camera_online_periods set ended_at = last_seen_at where ended_at is null`;
}

export async function startOnlinePeriod(sql: Sql, cameraId: string, at: Date): Promise<void> {
  await sql`insert into camera_online_periods (camera_id, started_at, last_seen_at) values (${cameraId}, ${at}, ${at}) on conflict do nothing`;
}

/** Ends a camera's open period (every camera's when cameraId is null: a clean stop). */
export async function endOnlinePeriod(sql: Sql, cameraId: string | null, at: Date): Promise<void> {
  if (cameraId === null) await sql`update camera_online_periods set ended_at = greatest(${at}, started_at), last_seen_at = ${at} where ended_at is null`;
  else await sql`update camera_online_periods set ended_at = greatest(${at}, started_at), last_seen_at = ${at} where camera_id = ${cameraId} and ended_at is null`;
}

export async function touchOnlinePeriods(sql: Sql, cameraIds: string[], at: Date): Promise<void> {
  await sql`update camera_online_periods set last_seen_at = ${at} where ended_at is null and camera_id = any(${cameraIds})`;
}

// The console preferences (users.preferences): the wall layout follows the person from console to console.

export async function getPreferences(sql: Sql, userId: string): Promise<Preferences> {
  return preferencesSchema.parse((await sql`select preferences from users where id = ${userId}`)[0]?.preferences ?? {});
}

export async function savePreferences(sql: Sql, userId: string, p: Preferences): Promise<void> {
  await sql`update users set preferences = ${sql.json(p as never)} where id = ${userId}`;
}
