// SQL of the camera registry.
import type { Sql } from '../db/connect.js';
import type { Camera, CameraCreate, CameraUpdate, Municipality } from './schema.js';

/** Who is asking: a municipality user sees only their own municipality. */
export interface Scope { municipalityId: string | null }

export function maskRtspUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch { return 'rtsp://***'; }
}

function toCamera(r: Record<string, any>): Camera {
  return {
    id: r.id, name: r.name, municipalityId: r.municipality_id, municipalityName: r.municipality_name,
    location: { street: r.street, lat: r.lat, lon: r.lon }, kind: r.kind,
    source: r.source_type === 'rtsp' ? { type: 'rtsp', url: maskRtspUrl(r.rtsp_url) } : { type: 'rtmp' },
    hasSubStream: r.has_sub_stream, enabled: r.enabled, notes: r.notes,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}

export async function listCameras(sql: Sql, scope: Scope, f: { municipality?: string; q?: string; enabled?: boolean } = {}): Promise<Camera[]> {
  const like = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%` : null;
  const rows = await sql`
    select c.*, m.name as municipality_name from cameras c join municipalities m on m.id = c.municipality_id
    where (${scope.municipalityId}::text is null or c.municipality_id = ${scope.municipalityId})
      and (${f.municipality ?? null}::text is null or c.municipality_id = ${f.municipality ?? null})
      and (${f.enabled ?? null}::boolean is null or c.enabled = ${f.enabled ?? null})
      and (${like}::text is null or c.name ilike ${like} or c.street ilike ${like} or c.id ilike ${like})
    order by m.name, c.name`;
  return rows.map(toCamera);
}

export async function getCamera(sql: Sql, scope: Scope, id: string): Promise<Camera | null> {
  const [r] = await sql`
    select c.*, m.name as municipality_name from cameras c join municipalities m on m.id = c.municipality_id
    where c.id = ${id} and (${scope.municipalityId}::text is null or c.municipality_id = ${scope.municipalityId})`;
  return r ? toCamera(r) : null;
}

/** Several cameras in one query (those outside the scope or missing are simply absent), keyed by id. */
export async function getCameras(sql: Sql, scope: Scope, ids: readonly string[]): Promise<Map<string, Camera>> {
  if (ids.length === 0) return new Map();
  const rows = await sql`
    select c.*, m.name as municipality_name from cameras c join municipalities m on m.id = c.municipality_id
    where c.id = any(${[...new Set(ids)]}::text[]) and (${scope.municipalityId}::text is null or c.municipality_id = ${scope.municipalityId})`;
  return new Map(rows.map((r) => [r.id as string, toCamera(r)]));
}

export async function insertCamera(sql: Sql, c: CameraCreate, keyHash: string | null): Promise<void> {
  await sql`insert into cameras (id, name, municipality_id, street, lat, lon, kind, source_type, rtsp_url, key_hash, has_sub_stream, notes)
    values (${c.id}, ${c.name}, ${c.municipalityId}, ${c.location.street}, ${c.location.lat}, ${c.location.lon}, ${c.kind},
            ${c.source.type}, ${c.source.type === 'rtsp' ? c.source.url : null}, ${keyHash}, ${c.hasSubStream}, ${c.notes})`;
}

export async function updateCamera(sql: Sql, id: string, u: CameraUpdate, keyHash?: string | null): Promise<boolean> {
  const set: Record<string, unknown> = {};
  if (u.name !== undefined) set.name = u.name;
  if (u.municipalityId !== undefined) set.municipality_id = u.municipalityId;
  if (u.location) Object.assign(set, { street: u.location.street, lat: u.location.lat, lon: u.location.lon });
  if (u.kind !== undefined) set.kind = u.kind;
  if (u.source) Object.assign(set, { source_type: u.source.type, rtsp_url: u.source.type === 'rtsp' ? u.source.url : null });
  if (keyHash !== undefined) set.key_hash = keyHash;
  if (u.hasSubStream !== undefined) set.has_sub_stream = u.hasSubStream;
  if (u.enabled !== undefined) set.enabled = u.enabled;
  if (u.notes !== undefined) set.notes = u.notes;
  const res = await sql`update cameras set ${sql(set)}, updated_at = now() where id = ${id}`;
  return res.count === 1;
}

/** For the media server: the stored key hash and state of a camera, never exposed over HTTP. */
export async function getPublishCredentials(sql: Sql, id: string) {
  const [r] = await sql<{ key_hash: string | null; enabled: boolean; kind: 'permanent' | 'flexible'; source_type: 'rtmp' | 'rtsp'; rtsp_url: string | null; has_sub_stream: boolean }[]>`
    select key_hash, enabled, kind, source_type, rtsp_url, has_sub_stream from cameras where id = ${id}`;
  return r ?? null;
}

export async function listMunicipalities(sql: Sql, scope: Scope): Promise<Municipality[]> {
  return sql<Municipality[]>`select id, name from municipalities where (${scope.municipalityId}::text is null or id = ${scope.municipalityId}) order by name`;
}

export async function upsertMunicipalities(sql: Sql, list: Municipality[]): Promise<void> {
  for (const m of list) await sql`insert into municipalities (id, name) values (${m.id}, ${m.name}) on conflict (id) do update set name = excluded.name`;
}
