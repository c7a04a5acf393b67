// All SQL of privacy masks: the versions of a camera's masks and the lifts of liftable ones.
import type { Sql } from '../db/connect.js';
import type { MaskLift, MaskVersion, PrivacyMask } from './schema.js';

const toVersion = (r: Record<string, any>): MaskVersion => ({
  cameraId: r.camera_id, version: r.version, masks: r.masks as PrivacyMask[], validFrom: r.valid_from.toISOString(),
  changedBy: r.changed_by_name ?? null, changeReason: r.change_reason,
});
const noMasks = (cameraId: string): MaskVersion => ({ cameraId, version: 0, masks: [], validFrom: null, changedBy: null, changeReason: null });

const toLift = (r: Record<string, any>): MaskLift => ({
  id: r.id, cameraId: r.camera_id, maskIds: r.mask_ids, reason: r.reason, liftedBy: r.lifted_by_name,
  liftedAt: r.lifted_at.toISOString(), until: r.until.toISOString(), endedAt: r.ended_at?.toISOString() ?? null,
});

/** The camera's municipality, or null when no such camera exists. */
export async function cameraMunicipality(sql: Sql, cameraId: string): Promise<string | null> {
  const [r] = await sql`select municipality_id from cameras where id = ${cameraId}`;
  return r ? (r.municipality_id as string) : null;
}

/** Locks the camera's row so two saves of its masks take turns (the second sees the first's version). */
export async function lockCamera(tx: Sql, cameraId: string): Promise<boolean> {
  const [r] = await tx`select 1 from cameras where id = ${cameraId} for update`;
  return !!r;
}

const VERSION_ROWS = (sql: Sql) => sql`select v.*, u.username as changed_by_name from camera_mask_versions v left join users u on u.id = v.changed_by`;

export async function currentVersion(sql: Sql, cameraId: string): Promise<MaskVersion> {
  const [r] = await sql`${VERSION_ROWS(sql)} where v.camera_id = ${cameraId} order by v.version desc limit 1`;
  return r ? toVersion(r) : noMasks(cameraId);
}

export async function listVersions(sql: Sql, cameraId: string): Promise<MaskVersion[]> {
  return (await sql`${VERSION_ROWS(sql)} where v.camera_id = ${cameraId} order by v.version desc`).map(toVersion);
}

/**
 * The versions in force at some moment of [from, to): the last one that began at or before `from`, and every one
 * that began inside the range. Footage is exported with these (the masks in force when it was recorded).
 */
export async function versionsInForce(sql: Sql, cameraId: string, from: Date, to: Date): Promise<MaskVersion[]> {
  return (await sql`${VERSION_ROWS(sql)}
    where v.camera_id = ${cameraId}
      and v.valid_from < ${to}
      and v.version >= coalesce((select max(version) from camera_mask_versions where camera_id = ${cameraId} and valid_from <= ${from}), 0)
    order by v.version`).map(toVersion);
}

export async function insertVersion(tx: Sql, v: { cameraId: string; version: number; masks: PrivacyMask[]; validFrom: Date; changedBy: string; changeReason: string }): Promise<void> {
  await tx`insert into camera_mask_versions (camera_id, version, masks, valid_from, changed_by, change_reason)
    values (${v.cameraId}, ${v.version}, ${tx.json(v.masks as never)}, ${v.validFrom}, ${v.changedBy}, ${v.changeReason})`;
}

const LIFT_ROWS = (sql: Sql) => sql`select l.*, u.username as lifted_by_name from camera_mask_lifts l join users u on u.id = l.lifted_by`;

/** Lifts in force at `now` on the given version (a new version ends the lifts made on the one before). */
export async function liftsInForce(sql: Sql, cameraId: string, version: number, now: Date): Promise<MaskLift[]> {
  return (await sql`${LIFT_ROWS(sql)}
    where l.camera_id = ${cameraId} and l.version = ${version} and l.ended_at is null and l.until > ${now}
    order by l.lifted_at`).map(toLift);
}

/** Every lift that has not ended early and is not yet past its end (any camera): their ends are announced. */
export async function openLifts(sql: Sql, now: Date): Promise<MaskLift[]> {
  return (await sql`${LIFT_ROWS(sql)} where l.ended_at is null and l.until > ${now}`).map(toLift);
}

export async function getLift(sql: Sql, id: string): Promise<(MaskLift & { version: number }) | null> {
  const [r] = await sql`${LIFT_ROWS(sql)} where l.id = ${id}`;
  return r ? { ...toLift(r), version: r.version } : null;
}

export async function insertLift(tx: Sql, l: { cameraId: string; version: number; maskIds: string[]; reason: string; liftedBy: string; liftedAt: Date; until: Date }): Promise<string> {
  const [r] = await tx`insert into camera_mask_lifts (camera_id, version, mask_ids, reason, lifted_by, lifted_at, until)
    values (${l.cameraId}, ${l.version}, ${l.maskIds}, ${l.reason}, ${l.liftedBy}, ${l.liftedAt}, ${l.until}) returning id`;
  return r!.id as string;
}

/** Ends a lift early; false when it had already ended (early or by itself). */
export async function endLift(tx: Sql, id: string, endedBy: string, at: Date): Promise<boolean> {
  const r = await tx`update camera_mask_lifts set ended_at = ${at}, ended_by = ${endedBy} where id = ${id} and ended_at is null and until > ${at}`;
  return r.count === 1;
}
