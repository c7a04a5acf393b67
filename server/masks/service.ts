// The rules of privacy masks: who sees a camera's masks, saving a new version (optimistic concurrency), the admin's
// fresh frame to draw on, lifting liftable masks for a limited time. Every change and every frame viewed goes into
// the audit chain in the same transaction. No express, no ffmpeg, no clock here: they come in through the deps.
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { SessionUser } from '../auth/sessions.js';
import { appendAudit } from '../audit/store.js';
import type { AuditAction } from '../audit/schema.js';
import { conflict, DomainError, invalid, notFound } from '../errors.js';
import * as store from './store.js';
import type { CameraMasks, MaskLift, MaskLiftInput, MaskVersion, MaskVersionInput } from './schema.js';

export interface Actor { user: SessionUser; remoteAddr: string | null }

export interface MaskServiceDeps {
  sql: Sql;
  bus: EventBus;
  now: () => Date;
  /** A fresh JPEG of the camera's main stream, or null when the camera is not live. Throws when the grab fails. */
  grabFrame(cameraId: string): Promise<Buffer | null>;
  /** Told of every new lift, so its end at `until` is announced to the consoles. */
  onLift?(lift: MaskLift): void;
}

const MIN = 60_000;

export class MaskService {
  constructor(private d: MaskServiceDeps) {}

  /** The camera's municipality, when this person may see the camera; otherwise 404, exactly as for a missing one. */
  private async visible(u: SessionUser, cameraId: string): Promise<string> {
    const municipalityId = await store.cameraMunicipality(this.d.sql, cameraId);
    if (!municipalityId || (u.role === 'municipality' && u.municipalityId !== municipalityId)) throw notFound('camera');
    return municipalityId;
  }

  private audit(tx: Sql, a: Actor, action: AuditAction, cameraId: string, details: Record<string, unknown>) {
    return appendAudit(tx, { action, actor: a.user, subject: cameraId, details, remoteAddr: a.remoteAddr });
  }

  /** What a console covers now: the current version and the lifts in force on it. */
  async current(u: SessionUser, cameraId: string): Promise<CameraMasks> {
    await this.visible(u, cameraId);
    return this.masksOf(cameraId);
  }

  async masksOf(cameraId: string): Promise<CameraMasks> {
    const current = await store.currentVersion(this.d.sql, cameraId);
    return { current, lifts: current.version === 0 ? [] : await store.liftsInForce(this.d.sql, cameraId, current.version, this.d.now()) };
  }

  async versions(u: SessionUser, cameraId: string): Promise<MaskVersion[]> {
    await this.visible(u, cameraId);
    return store.listVersions(this.d.sql, cameraId);
  }

  /** The versions in force while [from, to) was recorded (evidence clips, snapshots). */
  inForce(cameraId: string, from: Date, to: Date): Promise<MaskVersion[]> {
    return store.versionsInForce(this.d.sql, cameraId, from, to);
  }

  /** A new version, in force from now. Refused (409) when another save came after the version the drawing started from. */
  async save(a: Actor, cameraId: string, input: MaskVersionInput): Promise<MaskVersion> {
    const municipalityId = await this.visible(a.user, cameraId);
    const now = this.d.now();
    const saved = await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      if (!(await store.lockCamera(tx, cameraId))) throw notFound('camera');
      const before = await store.currentVersion(tx, cameraId);
      if (input.baseVersion !== before.version) {
        throw conflict('mask_version_conflict', `the masks were changed meanwhile (now version ${before.version}, you started from ${input.baseVersion}): reload and draw again`, 'baseVersion');
      }
      // valid_from only moves forward, so "the version in force at a moment" is always the latest that began before it.
      const validFrom = before.validFrom && Date.parse(before.validFrom) >= now.getTime() ? new Date(Date.parse(before.validFrom) + 1) : now;
      const version = before.version + 1;
      await store.insertVersion(tx, { cameraId, version, masks: input.masks, validFrom, changedBy: a.user.id, changeReason: input.changeReason });
      const ids = (v: { masks: { id: string }[] }) => new Set(v.masks.map((m) => m.id));
      const [was, is] = [ids(before), ids(input)];
      await this.audit(tx, a, 'mask.changed', cameraId, {
        version, previousVersion: before.version, changeReason: input.changeReason,
        masks: input.masks.map((m) => ({ id: m.id, kind: m.kind, reason: m.reason, points: m.points.length })),
        added: [...is].filter((id) => !was.has(id)), removed: [...was].filter((id) => !is.has(id)),
      });
      return store.currentVersion(tx, cameraId);
    });
    this.d.bus.emit('masks.changed', cameraId, municipalityId);
    return saved;
  }

  /** A fresh frame of the camera for the admin's editor; the view is on record (Wpg: every consultation of images). */
  async frame(a: Actor, cameraId: string): Promise<Buffer> {
    await this.visible(a.user, cameraId);
    let jpeg: Buffer | null;
    try { jpeg = await this.d.grabFrame(cameraId); } catch (e) {
      throw new DomainError('unavailable', 'frame_failed', `no frame could be taken: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!jpeg) throw new DomainError('unavailable', 'camera_offline', 'the camera is not live: a frame to draw on needs it live');
    await this.audit(this.d.sql, a, 'mask.frame_viewed', cameraId, { bytes: jpeg.length, purpose: 'draw privacy masks' });
    return jpeg;
  }

  /** Lifts liftable masks of the current version for `minutes`, with a reason; visible to every console as a marker. */
  async lift(a: Actor, cameraId: string, input: MaskLiftInput): Promise<MaskLift> {
    const municipalityId = await this.visible(a.user, cameraId);
    const now = this.d.now();
    const lift = await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      if (!(await store.lockCamera(tx, cameraId))) throw notFound('camera');
      const current = await store.currentVersion(tx, cameraId);
      const kinds = new Map(current.masks.map((m) => [m.id, m.kind]));
      const bad = input.maskIds.filter((id) => kinds.get(id) !== 'liftable');
      if (bad.length) {
        throw invalid('mask_not_liftable', `only liftable masks of the current version can be lifted: ${bad.map((id) => `${id} (${kinds.get(id) ?? 'no such mask'})`).join(', ')}`, 'maskIds');
      }
      const until = new Date(now.getTime() + input.minutes * MIN);
      const maskIds = [...new Set(input.maskIds)];
      const id = await store.insertLift(tx, { cameraId, version: current.version, maskIds, reason: input.reason, liftedBy: a.user.id, liftedAt: now, until });
      await this.audit(tx, a, 'mask.lifted', cameraId, { liftId: id, version: current.version, maskIds, reason: input.reason, until: until.toISOString() });
      return (await store.getLift(tx, id))!;
    });
    this.d.bus.emit('masks.changed', cameraId, municipalityId);
    const { version: _v, ...out } = lift;
    this.d.onLift?.(out);
    return out;
  }

  /** Ends a lift before its time. */
  async endLift(a: Actor, cameraId: string, liftId: string): Promise<MaskLift> {
    const municipalityId = await this.visible(a.user, cameraId);
    const now = this.d.now();
    const ended = await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      const l = await store.getLift(tx, liftId);
      if (!l || l.cameraId !== cameraId) throw notFound('lift');
      if (!(await store.endLift(tx, liftId, a.user.id, now))) throw conflict('lift_not_in_force', 'this lift has already ended');
      await this.audit(tx, a, 'mask.lift_ended', cameraId, { liftId, maskIds: l.maskIds, reason: l.reason, liftedBy: l.liftedBy, plannedUntil: l.until });
      return (await store.getLift(tx, liftId))!;
    });
    this.d.bus.emit('masks.changed', cameraId, municipalityId);
    const { version: _v, ...out } = ended;
    return out;
  }
}
