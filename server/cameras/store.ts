// SQL of the camera registry.
import type { Sql } from '../db/connect.js';
import type { Camera, CameraCreate, CameraUpdate, Municipality } from './schema.js';
import { joinRtspUrl, maskedRtspUrl, splitRtspUrl, type RtspSource } from './rtsp-url.js';

/**
 * Who is asking: a municipality user sees only their own municipality. seesRtspAddress: only those who manage cameras
 * (admins) see where an RTSP camera is (host, path, names of its parameters, every value masked); the others see that
 * it is an RTSP camera, no more. Nobody gets its credentials (they are in camera_rtsp_secrets, read only by the bridge).
 */
export interface Scope { municipalityId: string | null; seesRtspAddress?: boolean }

// The masked URL needs the shape of the secrets (user only or user:password, the parameters' names), never their values:
// those stay in the database.
const CAMERA_ROWS = `select c.*, m.name as municipality_name,
    case when coalesce(s.userinfo, '') = '' then '' when position(':' in s.userinfo) > 0 then 'u:p' else 'u' end as userinfo_shape,
    coalesce(regexp_replace(s.query, '=[^&]*', '=', 'g'), '') as query_names
  from cameras c join municipalities m on m.id = c.municipality_id left join camera_rtsp_secrets s on s.camera_id = c.id`;

function toCamera(r: Record<string, any>, scope: Scope): Camera {
  return {
    id: r.id, name: r.name, municipalityId: r.municipality_id, municipalityName: r.municipality_name,
    location: { street: r.street, lat: r.lat, lon: r.lon }, kind: r.kind,
    source: r.source_type === 'rtmp' ? { type: 'rtmp' }
      : scope.seesRtspAddress ? { type: 'rtsp', url: maskedRtspUrl({ address: r.rtsp_url, userinfo: r.userinfo_shape, query: r.query_names }) }
      : { type: 'rtsp' },
    hasSubStream: r.has_sub_stream, enabled: r.enabled, notes: r.notes,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}

export async function listCameras(sql: Sql, scope: Scope, f: { municipality?: string; q?: string; enabled?: boolean } = {}): Promise<Camera[]> {
  const like = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%` : null;
  const rows = await sql`
    ${sql.unsafe(CAMERA_ROWS)}
    where (${scope.municipalityId}::text is null or c.municipality_id = ${scope.municipalityId})
      and (${f.municipality ?? null}::text is null or c.municipality_id = ${f.municipality ?? null})
      and (${f.enabled ?? null}::boolean is null or c.enabled = ${f.enabled ?? null})
      and (${like}::text is null or c.name ilike ${like} or c.street ilike ${like} or c.id ilike ${like})
    order by m.name, c.name`;
  return rows.map((r) => toCamera(r, scope));
}

export async function getCamera(sql: Sql, scope: Scope, id: string): Promise<Camera | null> {
  const [r] = await sql`
    ${sql.unsafe(CAMERA_ROWS)}
    where c.id = ${id} and (${scope.municipalityId}::text is null or c.municipality_id = ${scope.municipalityId})`;
  return r ? toCamera(r, scope) : null;
}

/** Several cameras in one query (those outside the scope or missing are simply absent), keyed by id. */
export async function getCameras(sql: Sql, scope: Scope, ids: readonly string[]): Promise<Map<string, Camera>> {
  if (ids.length === 0) return new Map();
  const rows = await sql`
    ${sql.unsafe(CAMERA_ROWS)}
    where c.id = any(${[...new Set(ids)]}::text[]) and (${scope.municipalityId}::text is null or c.municipality_id = ${scope.municipalityId})`;
  return new Map(rows.map((r) => [r.id as string, toCamera(r, scope)]));
}

export async function insertCamera(sql: Sql, c: CameraCreate, keyHash: string | null): Promise<void> {
  const rtsp = c.source.type === 'rtsp' ? splitRtspUrl(c.source.url) : null;
  await sql`insert into cameras (id, name, municipality_id, street, lat, lon, kind, source_type, rtsp_url, key_hash, has_sub_stream, notes)
    values (${c.id}, ${c.name}, ${c.municipalityId}, ${c.location.street}, ${c.location.lat}, ${c.location.lon}, ${c.kind},
            ${c.source.type}, ${rtsp?.address ?? null}, ${keyHash}, ${c.hasSubStream}, ${c.notes})`;
  if (rtsp) await setRtspSecrets(sql, c.id, rtsp);
}

/**
 * Registers a camera the seed knows (an RTSP address without secrets). One already registered keeps whatever an admin
 * changed, except that an RTSP camera still RTSP follows the given address (the demo's DEMO_RTSP_PORT across starts).
 */
export async function seedCamera(sql: Sql, c: { id: string; name: string; municipalityId: string; location: { street: string; lat: number; lon: number };
  kind: Camera['kind']; rtspUrl: string | null; keyHash: string | null; hasSubStream: boolean; notes: string }): Promise<void> {
  await sql`insert into cameras (id, name, municipality_id, street, lat, lon, kind, source_type, rtsp_url, key_hash, has_sub_stream, notes)
    values (${c.id}, ${c.name}, ${c.municipalityId}, ${c.location.street}, ${c.location.lat}, ${c.location.lon}, ${c.kind},
            ${c.rtspUrl ? 'rtsp' : 'rtmp'}, ${c.rtspUrl}, ${c.keyHash}, ${c.hasSubStream}, ${c.notes})
    on conflict (id) do update set rtsp_url = excluded.rtsp_url where cameras.source_type = 'rtsp' and excluded.source_type = 'rtsp'`;
}

/** The secret half of an RTSP URL, apart from the camera row (see rtsp-url.ts); null removes it. */
async function setRtspSecrets(sql: Sql, cameraId: string, s: RtspSource | null): Promise<void> {
  if (!s || (!s.userinfo && !s.query)) await sql`delete from camera_rtsp_secrets where camera_id = ${cameraId}`;
  else await sql`insert into camera_rtsp_secrets (camera_id, userinfo, query) values (${cameraId}, ${s.userinfo}, ${s.query})
    on conflict (camera_id) do update set userinfo = excluded.userinfo, query = excluded.query`;
}

/** For the RTSP bridges only: the URLs to pull, secrets included. Never hand these to a route or a log. */
export async function rtspPullUrls(sql: Sql): Promise<Array<{ id: string; url: string }>> {
  const rows = await sql<{ id: string; rtsp_url: string; userinfo: string | null; query: string | null }[]>`
    select c.id, c.rtsp_url, s.userinfo, s.query from cameras c left join camera_rtsp_secrets s on s.camera_id = c.id
    where c.source_type = 'rtsp' and c.enabled`;
  return rows.map((r) => ({ id: r.id, url: joinRtspUrl({ address: r.rtsp_url, userinfo: r.userinfo ?? '', query: r.query ?? '' }) }));
}

export async function updateCamera(sql: Sql, id: string, u: CameraUpdate, keyHash?: string | null): Promise<boolean> {
  const set: Record<string, unknown> = {};
  if (u.name !== undefined) set.name = u.name;
  if (u.municipalityId !== undefined) set.municipality_id = u.municipalityId;
  if (u.location) Object.assign(set, { street: u.location.street, lat: u.location.lat, lon: u.location.lon });
  if (u.kind !== undefined) set.kind = u.kind;
  const rtsp = u.source?.type === 'rtsp' ? splitRtspUrl(u.source.url) : null;
  if (u.source) Object.assign(set, { source_type: u.source.type, rtsp_url: rtsp?.address ?? null });
  if (keyHash !== undefined) set.key_hash = keyHash;
  if (u.hasSubStream !== undefined) set.has_sub_stream = u.hasSubStream;
  if (u.enabled !== undefined) set.enabled = u.enabled;
  if (u.notes !== undefined) set.notes = u.notes;
  const res = await sql`update cameras set ${sql(set)}, updated_at = now() where id = ${id}`;
  if (u.source) await setRtspSecrets(sql, id, rtsp);
  return res.count === 1;
}

/** For the media server: the stored key hash and state of a camera, never exposed over HTTP. */
/** What a publish decision needs of a camera (live/camera-registry.ts keeps these in memory). */
// owner: the node that holds the camera (server/cluster/), null when none has been given it yet.
export interface PublishCredentials { key_hash: string | null; enabled: boolean; kind: 'permanent' | 'flexible'; source_type: 'rtmp' | 'rtsp'; has_sub_stream: boolean; owner: string | null }

export async function getPublishCredentials(sql: Sql, id: string): Promise<PublishCredentials | null> {
  const [r] = await sql<PublishCredentials[]>`
    select key_hash, enabled, kind, source_type, has_sub_stream, o.node_id as owner
    from cameras c left join camera_owners o on o.camera_id = c.id where c.id = ${id}`;
  return r ?? null;
}

export async function allPublishCredentials(sql: Sql): Promise<Map<string, PublishCredentials>> {
  const rows = await sql<Array<PublishCredentials & { id: string }>>`
    select c.id, key_hash, enabled, kind, source_type, has_sub_stream, o.node_id as owner from cameras c left join camera_owners o on o.camera_id = c.id`;
  return new Map(rows.map(({ id, ...c }) => [id, c]));
}

/**
 * Follows camera changes committed by anyone (this node, another node, SQL by hand): migration 0007's trigger
 * notifies the camera id. `onListen` runs at start and again after the listening connection was lost and is back
 * (notifications may have been missed meanwhile: reload everything then).
 */
export async function listenCameraChanges(sql: Sql, onChange: (cameraId: string) => void, onListen: () => void): Promise<{ stop(): Promise<void> }> {
  const l = await sql.listen('camera_changed', onChange, onListen);
  return { stop: () => l.unlisten() };
}

export async function listMunicipalities(sql: Sql, scope: Scope): Promise<Municipality[]> {
  return sql<Municipality[]>`select id, name from municipalities where (${scope.municipalityId}::text is null or id = ${scope.municipalityId}) order by name`;
}

export async function upsertMunicipalities(sql: Sql, list: Municipality[]): Promise<void> {
  for (const m of list) await sql`insert into municipalities (id, name) values (${m.id}, ${m.name}) on conflict (id) do update set name = excluded.name`;
}
