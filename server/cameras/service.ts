// The rules of the camera registry: keys, scoping, audit, events.
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.js';
import { appendAudit } from '../audit/store.js';
import type { AuditAction } from '../audit/schema.js';
import type { EventBus } from '../events.js';
import type { SessionUser } from '../auth/sessions.js';
import { conflict, notFound } from '../errors.js';
import { can } from '../auth/policy.js';
import * as store from './store.js';
import type { Camera, CameraCreate, CameraUpdate } from './schema.js';

export const hashPublishKey = (key: string) => createHash('sha256').update(key).digest('hex');
export const newPublishKey = () => randomBytes(24).toString('base64url');

export const scopeOf = (u: Pick<SessionUser, 'role' | 'municipalityId'>): store.Scope => ({
  municipalityId: u.role === 'municipality' ? u.municipalityId : null, seesRtspAddress: can(u.role, 'cameras.manage'),
});
// The answers to create/change/rotate go to whoever manages cameras; what travels on the bus (and so over socket.io to
// every console) is the view without any RTSP address.
const MANAGER_VIEW: store.Scope = { municipalityId: null, seesRtspAddress: true };
const EVERYONE_VIEW: store.Scope = { municipalityId: null };

export interface Actor { user: SessionUser | null; remoteAddr: string | null }
const audit = (tx: Sql, a: Actor, action: AuditAction, subject: string, details: Record<string, unknown> = {}) =>
  appendAudit(tx, { action, actor: a.user, subject, details, remoteAddr: a.remoteAddr });

export class CameraService {
  constructor(private sql: Sql, private bus: EventBus, private rtmpBaseUrl: (cameraId: string) => Promise<string>) {}

  list(u: SessionUser, f: Parameters<typeof store.listCameras>[2]) { return store.listCameras(this.sql, scopeOf(u), f); }

  async get(u: SessionUser, id: string): Promise<Camera> {
    // Another municipality's camera answers 404, exactly like one that does not exist.
    const c = await store.getCamera(this.sql, scopeOf(u), id);
    if (!c) throw notFound('camera');
    return c;
  }

  async publishUrl(id: string, key: string) { return `${await this.rtmpBaseUrl(id)}/live/${id}?key=${encodeURIComponent(key)}`; }

  async create(a: Actor, input: CameraCreate): Promise<{ camera: Camera; publishKey: string | null; publishUrl: string | null }> {
    const key = input.source.type === 'rtmp' ? newPublishKey() : null;
    const camera = await this.sql.begin(async (tx) => {
      await store.insertCamera(tx as unknown as Sql, input, key ? hashPublishKey(key) : null);
      await audit(tx as unknown as Sql, a, 'camera.created', input.id, { name: input.name, municipalityId: input.municipalityId, kind: input.kind, source: input.source.type });
      return (await store.getCamera(tx as unknown as Sql, MANAGER_VIEW, input.id))!;
    });
    this.bus.emit('camera.changed', (await store.getCamera(this.sql, EVERYONE_VIEW, camera.id))!);
    return { camera, publishKey: key, publishUrl: key ? await this.publishUrl(camera.id, key) : null };
  }

  async update(a: Actor, id: string, u: CameraUpdate): Promise<{ camera: Camera; publishKey: string | null; publishUrl: string | null }> {
    let key: string | null = null;
    const camera = await this.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      const before = await store.getCamera(tx, EVERYONE_VIEW, id);
      if (!before) throw notFound('camera');
      // Switching a camera to RTMP push gives it a fresh key (shown once); switching to RTSP drops it.
      let keyHash: string | null | undefined;
      if (u.source?.type === 'rtmp' && before.source.type !== 'rtmp') { key = newPublishKey(); keyHash = hashPublishKey(key); }
      if (u.source?.type === 'rtsp') keyHash = null;
      await store.updateCamera(tx, id, u, keyHash);
      const changed = Object.keys(u).filter((k) => k !== 'source' || u.source?.type !== 'rtsp').concat(u.source?.type === 'rtsp' ? ['source(rtsp url)'] : []);
      if (u.enabled === false && before.enabled) await audit(tx, a, 'camera.disabled', id);
      else if (u.enabled === true && !before.enabled) await audit(tx, a, 'camera.enabled', id);
      const others = changed.filter((k) => k !== 'enabled');
      if (others.length) await audit(tx, a, 'camera.changed', id, { fields: others });
      if (key) await audit(tx, a, 'camera.key_rotated', id);
      return { before, after: (await store.getCamera(tx, EVERYONE_VIEW, id))!, answer: (await store.getCamera(tx, MANAGER_VIEW, id))! };
    });
    this.bus.emit('camera.changed', camera.after, camera.before.municipalityId !== camera.after.municipalityId ? camera.before.municipalityId : undefined);
    if ((u.enabled === false && camera.before.enabled) || u.source) this.bus.emit('camera.revoked', id);
    return { camera: camera.answer, publishKey: key, publishUrl: key ? await this.publishUrl(id, key) : null };
  }

  async disable(a: Actor, id: string) { return (await this.update(a, id, { enabled: false })).camera; }

  async rotateKey(a: Actor, id: string): Promise<{ camera: Camera; publishKey: string; publishUrl: string }> {
    const key = newPublishKey();
    const camera = await this.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      const before = await store.getCamera(tx, EVERYONE_VIEW, id);
      if (!before) throw notFound('camera');
      if (before.source.type !== 'rtmp') throw conflict('not_rtmp', 'only RTMP-push cameras have a publish key', 'id');
      await store.updateCamera(tx, id, {}, hashPublishKey(key));
      await audit(tx, a, 'camera.key_rotated', id);
      return (await store.getCamera(tx, EVERYONE_VIEW, id))!;
    });
    this.bus.emit('camera.changed', camera);
    this.bus.emit('camera.revoked', id);
    return { camera, publishKey: key, publishUrl: await this.publishUrl(id, key) };
  }
}
