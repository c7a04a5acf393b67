// SQL of evidence items, clips, custody and links.
import type { Sql } from '../db/connect.js';
import type { AppliedMasks } from '../masks/schema.js';
import type { MaskLiftOrder } from './schema.js';
import { lockRetention, segmentsOverlapping } from '../recordings/store.js';
import type { ClipState, CustodyAction, CustodyEntry, EvidenceClip, EvidenceItem } from './schema.js';

/** Preserving takes the retention sweep's lock: what is checked under it is still recorded when the hold commits. */
export { lockRetention };

/** Whether a camera has anything recorded in [from, to). */
export async function hasRecording(sql: Sql, cameraId: string, from: Date, to: Date): Promise<boolean> {
  return (await segmentsOverlapping(sql, cameraId, from, to)).length > 0;
}

/** Which of these cameras exist. */
export async function knownCameras(sql: Sql, ids: string[]): Promise<Set<string>> {
  const rows = await sql<{ id: string }[]>`select id from cameras where id = any(${ids}::text[])`;
  return new Set(rows.map((c) => c.id));
}

export async function incidentExists(sql: Sql, id: string): Promise<boolean> {
  return (await sql`select 1 from incidents where id = ${id}`).length > 0;
}

/** A new item under legal hold with a waiting clip per camera, in that order. */
export async function insertItem(tx: Sql, i: { from: Date; to: Date; reason: string; incidentId: string | null; createdBy: string; cameras: string[] }): Promise<{ id: string; number: number }> {
  const [row] = await tx`insert into evidence_items (requested_from, requested_to, reason, incident_id, created_by)
    values (${i.from}, ${i.to}, ${i.reason}, ${i.incidentId}, ${i.createdBy}) returning id, number`;
  for (const [position, c] of i.cameras.entries()) await tx`insert into evidence_clips (item_id, camera_id, position) values (${row!.id}, ${c}, ${position})`;
  return { id: row!.id as string, number: Number(row!.number) };
}

/** Locks an item for a change of its hold or its clips; null: there is no such item. */
export async function lockItem(tx: Sql, id: string): Promise<{ legalHold: boolean } | null> {
  const [row] = await tx`select legal_hold from evidence_items where id = ${id} for update`;
  return row ? { legalHold: row.legal_hold } : null;
}

export async function releaseHold(tx: Sql, id: string, by: string, reason: string): Promise<void> {
  await tx`update evidence_items set legal_hold = false, released_at = now(), released_by = ${by}, release_reason = ${reason}, version = version + 1 where id = ${id}`;
}

/** The item's failed clips back to waiting; returns their cameras. */
export async function requeueFailedClips(tx: Sql, itemId: string): Promise<string[]> {
  const rows = await tx<{ camera_id: string }[]>`update evidence_clips set state = 'waiting', error = null where item_id = ${itemId} and state = 'failed' returning camera_id`;
  return rows.map((r) => r.camera_id);
}

/** Whether this user's view of the item is in its custody trail. */
export async function hasViewed(sql: Sql, itemId: string, userId: string): Promise<boolean> {
  return (await sql`select 1 from evidence_custody where item_id = ${itemId} and actor_id = ${userId} and action = 'viewed' limit 1`).length > 0;
}

export interface CustodyActor { id: string; username: string; role: string }

export async function appendCustody(sql: Sql, e: {
  itemId: string; actor: CustodyActor | null; action: CustodyAction; caseNumber?: string | null; legalBasis?: string | null;
  details?: Record<string, unknown>; remoteAddr?: string | null;
}): Promise<void> {
  await sql`insert into evidence_custody (item_id, actor_id, actor_name, actor_role, action, case_number, legal_basis, details, remote_addr)
    values (${e.itemId}, ${e.actor?.id ?? null}, ${e.actor?.username ?? null}, ${e.actor?.role ?? null}, ${e.action},
            ${e.caseNumber ?? null}, ${e.legalBasis ?? null}, ${sql.json((e.details ?? {}) as never)}, ${e.remoteAddr ?? null})`;
}

export async function listCustody(sql: Sql, itemId: string): Promise<CustodyEntry[]> {
  const rows = await sql`select * from evidence_custody where item_id = ${itemId} order by id`;
  return rows.map((r) => ({
    id: Number(r.id), at: r.at.toISOString(), actor: r.actor_name, role: r.actor_role, action: r.action,
    caseNumber: r.case_number, legalBasis: r.legal_basis, details: r.details, remoteAddr: r.remote_addr,
  }));
}

export function itemState(clips: Array<{ state: ClipState }>): EvidenceItem['state'] {
  if (clips.some((c) => c.state === 'waiting' || c.state === 'producing')) return 'pending';
  if (clips.some((c) => c.state === 'failed')) return 'failed';
  if (clips.length > 0 && clips.every((c) => c.state === 'purged')) return 'purged';
  return 'ready';
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

// nodeId: the node whose MEDIA_DIR holds the clip (server/cluster/).
export interface ClipRow extends EvidenceClip { itemId: string; file: string | null; nodeId: string | null; attempts: number; lat: number; lon: number; width: number | null; height: number | null; codec: string | null;
  /** The privacy masks burned in (null: none) and the file with only the permanent ones (for an export with masks lifted). */
  masks: ClipMasks | null; liftableFile: string | null }

/**
 * What a clip row records of its privacy masks: the manifest's AppliedMasks, which ids are liftable or permanent in
 * the versions it was recorded under, and the hash and size of the copy with only the permanent masks burned in.
 */
export interface ClipMasks extends AppliedMasks { liftable: string[]; permanent: string[]; liftableCopy: { sha256: string; bytes: number } | null }

function toClip(r: Record<string, any>, progress: (id: string) => number | undefined): ClipRow {
  return {
    id: r.id, itemId: r.item_id, cameraId: r.camera_id, cameraName: r.camera_name, municipalityId: r.municipality_id, municipalityName: r.municipality_name,
    street: r.street, lat: r.lat, lon: r.lon, state: r.state,
    progress: r.state === 'ready' ? 1 : r.state === 'producing' ? (progress(r.id) ?? 0) : 0,
    error: r.error, actualFrom: iso(r.actual_from), actualTo: iso(r.actual_to), durationMs: r.duration_ms, frames: r.frames,
    bytes: r.bytes === null ? null : Number(r.bytes), sha256: r.sha256, gaps: r.gaps ?? [], file: r.file, nodeId: r.node_id ?? null, attempts: r.attempts,
    width: r.width, height: r.height, codec: r.codec, masks: r.masks ?? null, liftableFile: r.liftable_file ?? null,
  };
}

export async function clipsOf(sql: Sql, itemIds: string[], progress: (id: string) => number | undefined = () => undefined): Promise<ClipRow[]> {
  if (itemIds.length === 0) return [];
  const rows = await sql`
    select c.*, k.name as camera_name, k.municipality_id, m.name as municipality_name, k.street, k.lat, k.lon
    from evidence_clips c join cameras k on k.id = c.camera_id join municipalities m on m.id = k.municipality_id
    where c.item_id = any(${itemIds}::uuid[]) order by c.item_id, c.position`;
  return rows.map((r) => toClip(r, progress));
}

const publicClip = ({ itemId: _i, file: _f, nodeId: _n, attempts: _a, lat: _la, lon: _lo, width: _w, height: _h, codec: _c, masks: _m, liftableFile: _l, ...c }: ClipRow): EvidenceClip => c;

async function hydrate(sql: Sql, rows: Record<string, any>[], progress?: (id: string) => number | undefined): Promise<EvidenceItem[]> {
  const ids = rows.map((r) => r.id as string);
  const clips = await clipsOf(sql, ids, progress);
  const cases = ids.length ? await sql<{ item_id: string; case_number: string }[]>`
    select distinct item_id, case_number from evidence_custody where item_id = any(${ids}::uuid[]) and case_number is not null order by case_number` : [];
  return rows.map((r) => {
    const mine = clips.filter((c) => c.itemId === r.id);
    return {
      id: r.id, number: Number(r.number), version: r.version, state: itemState(mine),
      requestedFrom: r.requested_from.toISOString(), requestedTo: r.requested_to.toISOString(), reason: r.reason,
      incidentId: r.incident_id, createdAt: r.created_at.toISOString(),
      createdBy: { id: r.created_by, username: r.creator_username, displayName: r.creator_display_name },
      legalHold: r.legal_hold, releasedAt: iso(r.released_at), releasedBy: r.releaser_username ?? null, releaseReason: r.release_reason,
      clips: mine.map(publicClip), caseNumbers: cases.filter((c) => c.item_id === r.id).map((c) => c.case_number),
    };
  });
}

const itemSelect = (sql: Sql) => sql`
  select i.*, u.username as creator_username, u.display_name as creator_display_name, ru.username as releaser_username
  from evidence_items i join users u on u.id = i.created_by left join users ru on ru.id = i.released_by`;

export async function getItem(sql: Sql, id: string, progress?: (id: string) => number | undefined): Promise<EvidenceItem | null> {
  const rows = await sql`${itemSelect(sql)} where i.id = ${id}`;
  return (await hydrate(sql, rows, progress))[0] ?? null;
}

export interface ItemFilter { camera?: string; municipality?: string; from?: string; to?: string; incident?: string; caseNumber?: string; state?: EvidenceItem['state']; limit: number }

export async function listItems(sql: Sql, f: ItemFilter, progress?: (id: string) => number | undefined): Promise<EvidenceItem[]> {
  const rows = await sql`${itemSelect(sql)}
    where (${f.camera ?? null}::text is null or exists (select 1 from evidence_clips c where c.item_id = i.id and c.camera_id = ${f.camera ?? null}))
      and (${f.municipality ?? null}::text is null or exists (select 1 from evidence_clips c join cameras k on k.id = c.camera_id where c.item_id = i.id and k.municipality_id = ${f.municipality ?? null}))
      and (${f.from ?? null}::timestamptz is null or i.requested_to > ${f.from ?? null}::timestamptz)
      and (${f.to ?? null}::timestamptz is null or i.requested_from < ${f.to ?? null}::timestamptz)
      and (${f.incident ?? null}::uuid is null or i.incident_id = ${f.incident ?? null}::uuid)
      and (${f.caseNumber ?? null}::text is null or exists (select 1 from evidence_custody e where e.item_id = i.id and upper(e.case_number) = upper(${f.caseNumber ?? null})))
    order by i.created_at desc
    limit ${f.state ? 1000 : f.limit}`;
  const items = await hydrate(sql, rows, progress);
  return (f.state ? items.filter((i) => i.state === f.state) : items).slice(0, f.limit);
}

export async function bumpVersion(sql: Sql, itemId: string): Promise<void> {
  await sql`update evidence_items set version = version + 1 where id = ${itemId}`;
}

/** Clips still to produce, oldest first, with their item's range. */
export async function openClips(sql: Sql) {
  return sql<{ id: string; item_id: string; camera_id: string; state: ClipState; requested_from: Date; requested_to: Date }[]>`
    select c.id, c.item_id, c.camera_id, c.state, i.requested_from, i.requested_to
    from evidence_clips c join evidence_items i on i.id = c.item_id
    where c.state in ('waiting','producing') order by i.created_at, c.position`;
}

export async function setClip(sql: Sql, clipId: string, set: Record<string, unknown>): Promise<void> {
  await sql`update evidence_clips set ${sql(set)} where id = ${clipId}`;
}

export async function markProducing(tx: Sql, clipId: string): Promise<void> {
  await tx`update evidence_clips set state = 'producing', attempts = attempts + 1, error = null where id = ${clipId}`;
}

/** A clip being fed live when the worker stops goes back to waiting (unless it finished meanwhile). */
export async function requeueIfProducing(sql: Sql, clipId: string): Promise<void> {
  await sql`update evidence_clips set state = 'waiting' where id = ${clipId} and state = 'producing'`;
}

export async function insertLink(sql: Sql, l: { tokenHash: string; itemId: string; kind: 'clip' | 'package'; cameraId: string | null; userId: string; caseNumber: string | null; legalBasis: string | null; note: string | null; expiresAt: Date; maskLift?: MaskLiftOrder | null }) {
  await sql`insert into evidence_links (token_hash, item_id, kind, camera_id, user_id, case_number, legal_basis, note, expires_at, mask_lift)
    values (${l.tokenHash}, ${l.itemId}, ${l.kind}, ${l.cameraId}, ${l.userId}, ${l.caseNumber}, ${l.legalBasis}, ${l.note}, ${l.expiresAt}, ${l.maskLift ? sql.json(l.maskLift as never) : null})`;
}

export async function getLink(sql: Sql, tokenHash: string) {
  const [r] = await sql<{ item_id: string; kind: 'clip' | 'package'; camera_id: string | null; user_id: string; case_number: string | null; legal_basis: string | null; note: string | null; expires_at: Date; first_used_at: Date | null; mask_lift: MaskLiftOrder | null }[]>`
    select * from evidence_links where token_hash = ${tokenHash}`;
  return r ?? null;
}

/** true only for the first use of a link (a browser playing a clip asks many byte ranges; that is one view). */
export async function markLinkUsed(sql: Sql, tokenHash: string): Promise<boolean> {
  return (await sql`update evidence_links set first_used_at = now() where token_hash = ${tokenHash} and first_used_at is null`).count === 1;
}

/**
 * The fingerprint of the room's evidence signing key, set by the first node that starts. Every node must sign with
 * that key (its files copied to each node's DATA_DIR/keys): police check packages against one published key.
 */
export async function roomSigningFingerprint(sql: Sql, mine: string, replace: boolean): Promise<string> {
  const fp = Buffer.from(mine, 'hex');
  if (replace) await sql`insert into room_keys (name, secret) values ('evidence-signing-fingerprint', ${fp}) on conflict (name) do update set secret = excluded.secret`;
  else await sql`insert into room_keys (name, secret) values ('evidence-signing-fingerprint', ${fp}) on conflict (name) do nothing`;
  const [row] = await sql<{ secret: Buffer }[]>`select secret from room_keys where name = 'evidence-signing-fingerprint'`;
  return row!.secret.toString('hex');
}
