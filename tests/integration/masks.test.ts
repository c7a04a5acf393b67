// Privacy masks through the whole room: real PostgreSQL, HTTP, socket.io, media server and ffmpeg (the admin's frame).
// Versions and their conflicts, bad input (400 naming the field, nothing changed), who sees which camera's masks,
// lifts (only supervisors live; audited who/why/until; ended early; ended by a new version or by time), the
// realtime 'masks:changed' to the consoles that may see the camera.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera, publishTo } from '../support/cameras.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
let room: TestRoom;
let clock = Date.now();
const api: Record<string, ApiClient> = {};
const sockets: Client[] = [];
const publishers: Publisher[] = [];
const CAM = 'ens-oude-markt';           // Enschede
const HENGELO_CAM = 'hgl-beekstraat';

beforeAll(async () => {
  room = await startTestRoom({}, { now: () => new Date(clock) });
  for (const u of ['admin', 'observer', 'supervisor', 'dispatcher', 'police', 'enschede', 'hengelo']) api[u] = await new ApiClient(room.url).login(u);
});
afterAll(async () => { sockets.forEach((s) => s.close()); await Promise.all(publishers.map((p) => p.stop())); await room?.close(); });

const garden = { id: 'voortuin-12', kind: 'liftable', reason: 'voortuin Oude Markt 12', points: [[0.1, 0.1], [0.4, 0.1], [0.4, 0.5], [0.1, 0.5]] };
const window_ = { id: 'raam-3', kind: 'permanent', reason: 'woning bovenverdieping Oude Markt 3', points: [[0.6, 0.05], [0.9, 0.05], [0.75, 0.3]] };
const save = (body: Record<string, unknown>, cam = CAM, who = 'admin') => api[who]!.request('PUT', `/api/cameras/${cam}/masks`, body);
const auditRows = (action: string, subject = CAM) => room.sql`select actor_name, details from audit_log where action = ${action} and subject = ${subject} order by id`;

function open(cookie: string): Promise<Client> {
  const s: Client = connect(room.url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
  sockets.push(s);
  return new Promise((resolve, reject) => { s.on('connect', () => resolve(s)); s.on('connect_error', reject); });
}
const heard = (s: Client) => { const got: string[] = []; s.on('masks:changed', (c) => got.push(c.cameraId)); return got; };

describe('privacy masks', () => {
  it('a camera without masks has version 0 and no lifts', async () => {
    const r = await api.observer!.get(`/api/cameras/${CAM}/masks`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ current: { cameraId: CAM, version: 0, masks: [], validFrom: null, changedBy: null, changeReason: null }, lifts: [] });
  });

  it('an admin saves a version: in force from now, audited with the reason and version, announced to who sees the camera', async () => {
    const [observer, enschede, hengelo] = await Promise.all([open(api.observer!.cookie), open(api.enschede!.cookie), open(api.hengelo!.cookie)]);
    const [toObserver, toEnschede, toHengelo] = [heard(observer), heard(enschede), heard(hengelo)];
    const r = await save({ masks: [garden, window_], changeReason: 'cameraplan 2026: voortuin en woning', baseVersion: 0 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ cameraId: CAM, version: 1, changedBy: 'admin', changeReason: 'cameraplan 2026: voortuin en woning' });
    expect(Date.parse(r.body.validFrom)).toBe(clock);
    expect(r.body.masks).toEqual([garden, window_]);
    const [row] = await auditRows('mask.changed');
    expect(row).toMatchObject({ actor_name: 'admin', details: { version: 1, previousVersion: 0, changeReason: 'cameraplan 2026: voortuin en woning', added: ['voortuin-12', 'raam-3'], removed: [] } });
    await waitFor('masks:changed to the observer and Enschede', () => toObserver.length > 0 && toEnschede.length > 0);
    expect(toObserver).toEqual([CAM]);
    expect(toEnschede).toEqual([CAM]);
    await new Promise((r) => setTimeout(r, 200));
    expect(toHengelo).toEqual([]);   // another municipality's camera: not theirs to know of
  });

  it('a save from an older version is a 409 conflict and changes nothing', async () => {
    const r = await save({ masks: [window_], changeReason: 'tweede admin tekende tegelijk', baseVersion: 0 });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'mask_version_conflict', field: 'baseVersion' });
    const v = await api.admin!.get(`/api/cameras/${CAM}/masks/versions`);
    expect(v.body.map((x: { version: number }) => x.version)).toEqual([1]);
  });

  it('bad input answers 400 naming the field, and nothing is saved', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ masks: [{ ...garden, points: [[0.1, 0.1], [1.2, 0.1], [0.4, 0.5]] }], changeReason: 'x', baseVersion: 1 }, 'masks.0.points.1.0'],
      [{ masks: [{ ...garden, points: [[0.1, 0.1], [0.2, 0.2]] }], changeReason: 'x', baseVersion: 1 }, 'masks.0.points'],
      [{ masks: [garden, { ...window_, id: garden.id }], changeReason: 'x', baseVersion: 1 }, 'masks'],
      [{ masks: [{ ...garden, id: 'Voortuin 12' }], changeReason: 'x', baseVersion: 1 }, 'masks.0.id'],
      [{ masks: [{ ...garden, kind: 'sometimes' }], changeReason: 'x', baseVersion: 1 }, 'masks.0.kind'],
      [{ masks: [{ ...garden, reason: '  ' }], changeReason: 'x', baseVersion: 1 }, 'masks.0.reason'],
      [{ masks: [garden], changeReason: '', baseVersion: 1 }, 'changeReason'],
      [{ masks: [garden], changeReason: 'x' }, 'baseVersion'],
    ];
    for (const [body, field] of cases) {
      const r = await save(body);
      expect(r.status, `${field}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
    expect((await api.admin!.get(`/api/cameras/${CAM}/masks`)).body.current.version).toBe(1);
    expect(await auditRows('mask.changed')).toHaveLength(1);
  });

  it('every role that may see the camera reads its masks; a municipality only its own cameras; only admins save', async () => {
    for (const u of ['observer', 'supervisor', 'dispatcher', 'police', 'enschede', 'admin']) {
      const r = await api[u]!.get(`/api/cameras/${CAM}/masks`);
      expect(r.status, u).toBe(200);
      expect(r.body.current.version, u).toBe(1);
    }
    expect((await api.hengelo!.get(`/api/cameras/${CAM}/masks`)).status).toBe(404);
    expect((await api.hengelo!.get(`/api/cameras/${CAM}/masks/versions`)).status).toBe(404);
    expect((await api.enschede!.get(`/api/cameras/${CAM}/masks/versions`)).status).toBe(200);
    expect((await api.observer!.get(`/api/cameras/${CAM}/masks/versions`)).status).toBe(403);
    expect((await api.hengelo!.get(`/api/cameras/${HENGELO_CAM}/masks`)).status).toBe(200);
    expect((await api.admin!.get('/api/cameras/no-such-camera/masks')).status).toBe(404);
    for (const u of ['observer', 'supervisor', 'police', 'enschede']) expect((await save({ masks: [], changeReason: 'weg', baseVersion: 1 }, CAM, u)).status, u).toBe(403);
  });

  it('lifting: only a supervisor, only liftable masks of the current version, audited who/why/until; ended early once', async () => {
    const body = { maskIds: ['voortuin-12'], reason: 'vechtpartij loopt de voortuin in', minutes: 15 };
    for (const u of ['observer', 'dispatcher', 'police', 'admin', 'enschede']) {
      const r = await api[u]!.post(`/api/cameras/${CAM}/masks/lifts`, body);
      expect(r.status, u).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    for (const [b, field] of [[{ ...body, maskIds: ['raam-3'] }, 'maskIds'], [{ ...body, maskIds: ['bestaat-niet'] }, 'maskIds'], [{ ...body, minutes: 241 }, 'minutes'], [{ ...body, reason: '' }, 'reason'], [{ ...body, maskIds: [] }, 'maskIds']] as const) {
      const r = await api.supervisor!.post(`/api/cameras/${CAM}/masks/lifts`, b);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
    expect(await auditRows('mask.lifted')).toHaveLength(0);

    const observer = await open(api.observer!.cookie);
    const toObserver = heard(observer);
    const r = await api.supervisor!.post(`/api/cameras/${CAM}/masks/lifts`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const until = new Date(clock + 15 * 60_000).toISOString();
    expect(r.body).toMatchObject({ cameraId: CAM, maskIds: ['voortuin-12'], reason: body.reason, liftedBy: 'supervisor', until, endedAt: null });
    const [row] = await auditRows('mask.lifted');
    expect(row).toMatchObject({ actor_name: 'supervisor', details: { liftId: r.body.id, version: 1, maskIds: ['voortuin-12'], reason: body.reason, until } });
    // Everyone sees the lift (the lifted-mask marker); the console covers the permanent mask still.
    const seen = await api.dispatcher!.get(`/api/cameras/${CAM}/masks`);
    expect(seen.body.lifts).toEqual([r.body]);
    await waitFor('masks:changed after the lift', () => toObserver.length > 0);

    const end = await api.supervisor!.delete(`/api/cameras/${CAM}/masks/lifts/${r.body.id}`);
    expect(end.status, JSON.stringify(end.body)).toBe(200);
    expect(end.body.endedAt).toBe(new Date(clock).toISOString());
    expect((await api.observer!.get(`/api/cameras/${CAM}/masks`)).body.lifts).toEqual([]);
    const [ended] = await auditRows('mask.lift_ended');
    expect(ended).toMatchObject({ actor_name: 'supervisor', details: { liftId: r.body.id, maskIds: ['voortuin-12'] } });
    expect((await api.supervisor!.delete(`/api/cameras/${CAM}/masks/lifts/${r.body.id}`)).status).toBe(409);
    expect((await api.police!.delete(`/api/cameras/${CAM}/masks/lifts/${r.body.id}`)).status).toBe(403);
    await waitFor('masks:changed after the end', () => toObserver.length > 1);
  });

  it('a lift ends by itself at its time, and a new version ends the lifts made on the old one', async () => {
    const lift = await api.supervisor!.post(`/api/cameras/${CAM}/masks/lifts`, { maskIds: ['voortuin-12'], reason: 'achtervolging', minutes: 1 });
    expect(lift.status).toBe(201);
    expect((await api.observer!.get(`/api/cameras/${CAM}/masks`)).body.lifts).toHaveLength(1);
    clock += 61_000;
    expect((await api.observer!.get(`/api/cameras/${CAM}/masks`)).body.lifts).toEqual([]);

    const again = await api.supervisor!.post(`/api/cameras/${CAM}/masks/lifts`, { maskIds: ['voortuin-12'], reason: 'opnieuw', minutes: 30 });
    expect(again.status).toBe(201);
    clock += 1000;
    const v2 = await save({ masks: [{ ...garden, points: [[0.1, 0.1], [0.45, 0.1], [0.45, 0.55], [0.1, 0.55]] }, window_], changeReason: 'voortuin groter', baseVersion: 1 });
    expect(v2.status).toBe(200);
    expect(v2.body.version).toBe(2);
    const now = await api.observer!.get(`/api/cameras/${CAM}/masks`);
    expect(now.body.current.version).toBe(2);
    expect(now.body.lifts).toEqual([]);
    const versions = await api.supervisor!.get(`/api/cameras/${CAM}/masks/versions`);
    expect(versions.body.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(Date.parse(versions.body[0].validFrom)).toBeGreaterThan(Date.parse(versions.body[1].validFrom));
  });

  it("the admin's frame: 503 camera_offline when not live; a JPEG when live, on record in the audit chain", async () => {
    const off = await api.admin!.get(`/api/cameras/${CAM}/masks/frame`);
    expect(off.status).toBe(503);
    expect(off.body.error.code).toBe('camera_offline');
    expect((await api.observer!.get(`/api/cameras/${CAM}/masks/frame`)).status).toBe(403);

    const key = await createRtmpCamera(api.admin!, 'mask-frame-cam');
    publishTo(publishers, room, 'mask-frame-cam', key);
    await waitFor('camera live', () => room.board.get('mask-frame-cam').online, 15_000);
    const res = await fetch(`${room.url}/api/cameras/mask-frame-cam/masks/frame`, { headers: { cookie: api.admin!.cookie, origin: room.url } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toContain('no-store');
    const jpeg = Buffer.from(await res.arrayBuffer());
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    const [row] = await auditRows('mask.frame_viewed', 'mask-frame-cam');
    expect(row).toMatchObject({ actor_name: 'admin', details: { bytes: jpeg.length } });
  }, 40_000);
});
