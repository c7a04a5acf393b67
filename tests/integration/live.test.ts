// Live video through the whole room: real node-media-server, real ffmpeg publishers, real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { FlvReader } from '../../streams/flv-reader.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { CameraStatus } from '../../server/live/schema.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher.js';
import { rtmpUrl } from '../support/cameras.js';
import { readWsFlv } from '../../streams/testing/fixtures.js';

let room: TestRoom;
let admin: ApiClient;
const publishers: Publisher[] = [];
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
const statuses: CameraStatus[] = [];

beforeAll(async () => {
  room = await startTestRoom();
  admin = await new ApiClient(room.url).login('admin');
  const obs = await new ApiClient(room.url).login('observer');
  socket = connect(room.url, { transports: ['websocket'], extraHeaders: { cookie: obs.cookie }, reconnection: false });
  socket.on('camera:status', (s) => statuses.push(s));
  await new Promise<void>((r) => socket.on('connect', () => r()));
});
afterAll(async () => { socket?.close(); await Promise.all(publishers.map((p) => p.stop())); await room?.close(); });

const rtmp = (id: string, key: string, sub = false) => rtmpUrl(room, id, key, sub ? 'sub' : 'main');
const publish = (url: string) => { const p = publishTestPattern(url); publishers.push(p); return p; };
async function newCamera(id: string): Promise<string> {
  const r = await admin.post('/api/cameras', { id, name: `Test ${id}`, municipalityId: 'enschede', location: { street: 'Teststraat', lat: 52.2, lon: 6.9 }, kind: 'permanent', source: { type: 'rtmp' } });
  expect(r.status).toBe(201);
  return r.body.publishKey;
}
const refusals = (cameraId: string) => room.sql`select details->>'reason' as reason, remote_addr from audit_log where action = 'live.publish_refused' and subject = ${cameraId}`;

/** Plays HTTP-FLV as a player would, with the console's session cookie (a browser sends it to every port of the host). */
async function readFlv(url: string, wantVideoTags = 5, ms = 8000, cookie?: string) {
  const ctrl = new AbortController();
  const t = setTimeout(() => ctrl.abort(), ms);
  const res = await fetch(url, { signal: ctrl.signal, headers: cookie ? { cookie } : {} });
  if (res.status !== 200) { clearTimeout(t); return { status: res.status, videoTags: 0 }; }
  const reader = new FlvReader();
  let video = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      video += reader.push(Buffer.from(chunk)).filter((x) => x.type === 'video').length;
      if (video >= wantVideoTags) break;
    }
  } catch { /* aborted */ } finally { clearTimeout(t); ctrl.abort(); }
  return { status: 200, videoTags: video };
}

describe('publishing', () => {
  it('accepts a camera with its key, and every console sees it online with its stats', async () => {
    const key = await newCamera('live-ok');
    publish(rtmp('live-ok', key));
    const online = await waitFor('online status', () => statuses.find((s) => s.cameraId === 'live-ok' && s.online));
    expect(online.since).not.toBeNull();
    const withStats = await waitFor('stats', () => statuses.find((s) => s.cameraId === 'live-ok' && s.width === 320 && (s.bitrateKbps ?? 0) > 0), 8000);
    expect(withStats.height).toBe(180);
    const api = await new ApiClient(room.url).login('observer');
    expect((await api.get('/api/live/status')).body.find((s: CameraStatus) => s.cameraId === 'live-ok')).toMatchObject({ online: true });
    await room.board.drain();
    expect((await room.sql`select action from audit_log where subject = 'live-ok' and action = 'camera.online'`).length).toBe(1);
  });

  it('refuses and audits a wrong key, an unknown camera, a disabled camera and a second publisher', async () => {
    const key = await newCamera('live-bad');
    const wrong = publish(rtmp('live-bad', 'not-the-key'));
    const unknown = publish(rtmp('no-such-camera', key));
    const offKey = await newCamera('live-off');
    await admin.post('/api/cameras/live-off/disable');
    const disabled = publish(rtmp('live-off', offKey));
    await Promise.all([wrong.exited, unknown.exited, disabled.exited].map((p) => Promise.race([p, new Promise((r) => setTimeout(r, 8000))])));
    // Refusals are put on record after the publisher is turned away: wait for the three rows, then read them.
    await waitFor('the refusals on record', async () => (await Promise.all(['live-bad', 'no-such-camera', 'live-off'].map(refusals))).every((r) => r.length > 0));
    expect((await refusals('live-bad'))[0]).toMatchObject({ reason: 'wrong-key', remote_addr: '127.0.0.1' });
    expect((await refusals('no-such-camera'))[0]).toMatchObject({ reason: 'unknown-camera' });
    expect((await refusals('live-off'))[0]?.reason).toBe('disabled');
    expect(statuses.some((s) => ['live-bad', 'no-such-camera', 'live-off'].includes(s.cameraId) && s.online)).toBe(false);

    const dupKey = await newCamera('live-dup');
    publish(rtmp('live-dup', dupKey));
    await waitFor('first publisher online', () => statuses.find((s) => s.cameraId === 'live-dup' && s.online));
    const second = publish(rtmp('live-dup', dupKey));
    await Promise.race([second.exited, new Promise((r) => setTimeout(r, 8000))]);
    await waitFor('second publisher refused', async () => (await refusals('live-dup')).find((r) => r.reason === 'already-live'));
    expect(room.board.get('live-dup').online).toBe(true);
  });

  it('refuses and audits a sub-stream publish for a camera registered without a sub stream; its main stream still goes live', async () => {
    const r = await admin.post('/api/cameras', { id: 'live-nosub', name: 'Test live-nosub', municipalityId: 'enschede', location: { street: 'Teststraat', lat: 52.2, lon: 6.9 },
      kind: 'permanent', source: { type: 'rtmp' }, hasSubStream: false });
    expect(r.status).toBe(201);
    const sub = publish(rtmp('live-nosub', r.body.publishKey, true));
    await waitFor('sub stream refused', async () => (await refusals('live-nosub')).find((x) => x.reason === 'no-sub-stream'), 8000);
    await Promise.race([sub.exited, new Promise((res) => setTimeout(res, 5000))]);
    expect(sub.proc.exitCode ?? sub.proc.signalCode).not.toBeNull(); // the media server closed it
    const [row] = await room.sql`select details->>'stream' as stream, remote_addr from audit_log where action = 'live.publish_refused' and subject = 'live-nosub'`;
    expect(row).toMatchObject({ stream: 'sub', remote_addr: '127.0.0.1' });
    expect(room.board.get('live-nosub').subStreamOnline).toBe(false);
    // The right key on the main stream is accepted as before.
    publish(rtmp('live-nosub', r.body.publishKey));
    await waitFor('main online', () => room.board.get('live-nosub').online);
    expect(room.board.get('live-nosub').subStreamOnline).toBe(false);
  });

  it('disabling a live camera or rotating its key cuts the stream at once, and the old key no longer works', async () => {
    const key = await newCamera('live-cut');
    const p = publish(rtmp('live-cut', key));
    await waitFor('online', () => room.board.get('live-cut').online);
    const rotated = (await admin.post('/api/cameras/live-cut/rotate-key')).body.publishKey;
    await waitFor('offline after rotation', () => !room.board.get('live-cut').online, 3000, 50);
    await Promise.race([p.exited, new Promise((r) => setTimeout(r, 5000))]);
    publish(rtmp('live-cut', key));
    await waitFor('old key refused', async () => (await refusals('live-cut')).find((r) => r.reason === 'wrong-key'));
    publish(rtmp('live-cut', rotated));
    await waitFor('online with the new key', () => room.board.get('live-cut').online);
    await admin.post('/api/cameras/live-cut/disable');
    await waitFor('offline after disable', () => !room.board.get('live-cut').online, 3000, 50);
  });

  it('a camera that stops publishing is offline within 5 s, and online again on reconnect, audited each way', async () => {
    const key = await newCamera('live-drop');
    const p = publish(rtmp('live-drop', key));
    await waitFor('online', () => statuses.find((s) => s.cameraId === 'live-drop' && s.online));
    await new Promise((r) => setTimeout(r, 1000));
    const killedAt = Date.now();
    await p.stop('SIGKILL');
    await waitFor('offline', () => statuses.find((s) => s.cameraId === 'live-drop' && !s.online), 5000, 50);
    expect(Date.now() - killedAt).toBeLessThan(5000);
    publish(rtmp('live-drop', key));
    await waitFor('online again', () => room.board.get('live-drop').online, 8000);
    await room.board.drain(); // status changes at once; its audit row is written just after
    const actions = (await room.sql`select action from audit_log where subject = 'live-drop' and action like 'camera.o%' order by id`).map((r) => r.action);
    expect(actions).toEqual(['camera.online', 'camera.offline', 'camera.online']);
  });
});

describe('playing', () => {
  it('plays only with a play token bound to the camera, and records who watched', async () => {
    const key = await newCamera('live-play');
    publish(rtmp('live-play', key));
    await waitFor('online', () => room.board.get('live-play').online);
    const flv = `http://127.0.0.1:${room.media.httpPort}/live/live-play.flv`;
    expect((await readFlv(flv)).status).not.toBe(200);
    expect((await readFlv(`${flv}?token=forged.token`)).status).not.toBe(200);

    const obs = await new ApiClient(room.url).login('observer');
    const grant = await obs.post('/api/cameras/live-play/live', { stream: 'main' });
    expect(grant.status).toBe(200);
    expect(grant.body).toMatchObject({ cameraId: 'live-play', stream: 'main' });
    expect(room.media.playPorts).toContain(grant.body.port);
    const other = await obs.post('/api/cameras/ens-oude-markt/live', { stream: 'main' });
    const wrongCamera = other.body.path.replace('ens-oude-markt', 'live-play');
    expect((await readFlv(`http://127.0.0.1:${room.media.httpPort}${wrongCamera}`, 5, 8000, obs.cookie)).status).not.toBe(200);

    const played = await readFlv(`http://127.0.0.1:${room.media.httpPort}${grant.body.path}`, 5, 8000, obs.cookie);
    expect(played).toMatchObject({ status: 200 });
    expect(played.videoTags).toBeGreaterThanOrEqual(5);
    const view = await waitFor('view closed', async () => (await room.sql`select v.*, u.username from live_views v join users u on u.id = v.user_id where camera_id = 'live-play' and ended_at is not null`)[0]);
    expect(view).toMatchObject({ username: 'observer', stream: 'main' });
    expect((await room.sql`select actor_name from audit_log where action = 'live.view' and subject = 'live-play'`)[0]?.actor_name).toBe('observer');
    expect((await room.sql`select details->>'reason' as reason from audit_log where action = 'live.play_refused' and subject = 'live-play'`).length).toBeGreaterThanOrEqual(3);

    const mine = await obs.get('/api/live/views');
    expect(mine.body.some((v: any) => v.cameraId === 'live-play' && v.username === 'observer')).toBe(true);
    expect((await obs.get('/api/live/views?scope=all')).status).toBe(403);
    const sup = await new ApiClient(room.url).login('supervisor');
    expect((await sup.get('/api/live/views?scope=all')).body.some((v: any) => v.username === 'observer')).toBe(true);
  });

  it('a copied play URL does not play without the session it was granted in (no cookie, another user\'s)', async () => {
    publish(rtmp('live-copied', await newCamera('live-copied')));
    await waitFor('online', () => room.board.get('live-copied').online);
    const obs = await new ApiClient(room.url).login('observer');
    const grant = (await obs.post('/api/live/grants', { streams: [{ cameraId: 'live-copied', stream: 'main' }] })).body.grants[0].grant;
    const http = `http://127.0.0.1:${grant.port}${grant.path}`, ws = `ws://127.0.0.1:${grant.port}${grant.path}`;
    // Within the token's 60 s, as a copied URL: refused over HTTP-FLV and WebSocket-FLV.
    expect((await readFlv(http, 1)).status).toBe(403);
    expect((await readWsFlv(ws, 1, 5000)).status).toBe(403);
    // Someone else's valid session does not make it theirs.
    const sup = await new ApiClient(room.url).login('supervisor');
    expect((await readFlv(http, 1, 8000, sup.cookie)).status).toBe(403);
    expect((await readWsFlv(ws, 1, 5000, { cookie: sup.cookie })).status).toBe(403);
    const refused = await waitFor('refusals audited', async () => {
      const rows = await room.sql`select details->>'reason' as reason from audit_log where action = 'live.play_refused' and subject = 'live-copied'`;
      return rows.length >= 4 && rows;
    }, 3000, 50);
    expect(new Set(refused.map((r) => r.reason))).toEqual(new Set(['not-the-granted-session']));
    // The console it was granted to plays it, over both.
    expect(await readFlv(http, 3, 8000, obs.cookie)).toMatchObject({ status: 200 });
    const played = await readWsFlv(ws, 3, 8000, { cookie: obs.cookie });
    expect(played.status).toBe(101);
    expect(played.tags.filter((t) => t.type === 'video').length).toBeGreaterThanOrEqual(3);
    // No live view was recorded for the refused attempts: only the observer's.
    const views = await waitFor('both views recorded and closed', async () => {
      const rows = await room.sql`select u.username, v.ended_at from live_views v join users u on u.id = v.user_id where v.camera_id = 'live-copied'`;
      return rows.length === 2 && rows.every((r) => r.ended_at) && rows;
    }, 5000);
    expect(views.map((r) => r.username)).toEqual(['observer', 'observer']);
  });

  it('refuses a play grant to roles without live.view (municipality, admin)', async () => {
    const ens = await new ApiClient(room.url).login('enschede');
    expect((await ens.post('/api/cameras/ens-oude-markt/live', { stream: 'sub' })).status).toBe(403);
    const adm = await new ApiClient(room.url).login('admin');
    expect((await adm.post('/api/cameras/ens-oude-markt/live', { stream: 'sub' })).status).toBe(403);
  });

  it('grants a whole wall in one request: each camera checked as alone, refusals per camera, every view recorded', async () => {
    for (const id of ['wall-a', 'wall-b']) publish(rtmp(id, await newCamera(id)));
    await newCamera('wall-off');
    await admin.post('/api/cameras/wall-off/disable');
    await waitFor('online', () => room.board.get('wall-a').online && room.board.get('wall-b').online);
    const obs = await new ApiClient(room.url).login('observer');
    const r = await obs.post('/api/live/grants', { streams: [
      { cameraId: 'wall-a', stream: 'sub' }, { cameraId: 'no-such-camera', stream: 'sub' }, { cameraId: 'wall-off', stream: 'sub' }, { cameraId: 'wall-b', stream: 'main' },
    ] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // In the order asked; a camera without a sub stream gets its main stream, as with one grant.
    expect(r.body.grants.map((g: any) => [g.cameraId, g.ok, g.grant?.stream ?? g.error.status, g.error?.code])).toEqual([
      ['wall-a', true, 'main', undefined], ['no-such-camera', false, 404, 'not_found'], ['wall-off', false, 409, 'camera_disabled'], ['wall-b', true, 'main', undefined],
    ]);
    // Consecutive grants are spread over the media server's play ports (a browser opens one WebSocket per port at a time).
    expect(room.media.playPorts.length).toBeGreaterThan(1);
    expect(r.body.grants[3].grant.port).not.toBe(r.body.grants[0].grant.port);
    for (const g of [r.body.grants[0].grant, r.body.grants[3].grant]) {
      expect(room.media.playPorts).toContain(g.port);
      const played = await readFlv(`http://127.0.0.1:${g.port}${g.path}`, 5, 8000, obs.cookie);
      expect(played).toMatchObject({ status: 200 });
      expect(played.videoTags).toBeGreaterThanOrEqual(5);
    }
    // A token is bound to its camera: wall-a's token does not open wall-b.
    expect((await readFlv(`http://127.0.0.1:${room.media.httpPort}${r.body.grants[0].grant.path.replace('wall-a', 'wall-b')}`, 5, 8000, obs.cookie)).status).not.toBe(200);
    for (const id of ['wall-a', 'wall-b']) {
      const view = await waitFor(`${id} view recorded`, async () => (await room.sql`select u.username from live_views v join users u on u.id = v.user_id where v.camera_id = ${id} and v.ended_at is not null`)[0]);
      expect(view.username).toBe('observer');
    }
    expect((await room.sql`select count(*)::int as n from audit_log where action = 'live.view' and subject in ('wall-a', 'wall-b')`)[0]!.n).toBe(2);
  });

  it('refuses a bad wall-grant request with 400 naming the field, and roles without live.view with 403', async () => {
    const obs = await new ApiClient(room.url).login('observer');
    const bad = async (body: unknown) => { const r = await obs.post('/api/live/grants', body); expect(r.status, JSON.stringify(body)).toBe(400); return r.body.error.field; };
    expect(await bad({})).toBe('streams');
    expect(await bad({ streams: [] })).toBe('streams');
    expect(await bad({ streams: Array.from({ length: 17 }, () => ({ cameraId: 'ens-oude-markt', stream: 'sub' })) })).toBe('streams');
    expect(await bad({ streams: [{ cameraId: 'Bad Id!', stream: 'sub' }] })).toBe('streams.0.cameraId');
    expect(await bad({ streams: [{ cameraId: 'ens-oude-markt', stream: 'hd' }] })).toBe('streams.0.stream');
    expect(await bad({ streams: [{ cameraId: 'ens-oude-markt', stream: 'sub', token: 'x' }] })).toBe('streams.0');
    expect(await bad({ streams: 'ens-oude-markt' })).toBe('streams');
    for (const user of ['enschede', 'admin']) {
      const api = await new ApiClient(room.url).login(user);
      const r = await api.post('/api/live/grants', { streams: [{ cameraId: 'ens-oude-markt', stream: 'sub' }] });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    expect((await new ApiClient(room.url).post('/api/live/grants', { streams: [{ cameraId: 'ens-oude-markt', stream: 'sub' }] })).status).toBe(401);
  });

  it('a play token of an ended session (logout) or of a user disabled since is refused at once, though the user check is cached', async () => {
    publish(rtmp('live-session', await newCamera('live-session')));
    await waitFor('online', () => room.board.get('live-session').online);
    const created = await admin.post('/api/users', { username: 'kijker-tijdelijk', displayName: 'Tijdelijk', role: 'observer', password: 'long-enough-password' });
    expect(created.status).toBe(201);
    const grantOf = async (api: ApiClient) => ({ ...(await api.post('/api/live/grants', { streams: [{ cameraId: 'live-session', stream: 'main' }] })).body.grants[0].grant, cookie: api.cookie });
    // Each grant is played with the cookie of the session it was granted in (kept from before a logout, as a copy would be).
    const play = (g: { path: string; cookie: string }) => readFlv(`http://127.0.0.1:${room.media.httpPort}${g.path}`, 1, 8000, g.cookie);
    // Refusals are audited just after the answer.
    const refusedFor = (reason: string, n: number) => waitFor(`${n} refusals (${reason})`, async () =>
      (await room.sql`select 1 from audit_log where action = 'live.play_refused' and subject = 'live-session' and details->>'reason' = ${reason}`).length === n, 3000, 50);

    // Logout: a token handed out in that session no longer plays; the user's other session still does.
    const a = await new ApiClient(room.url).login('kijker-tijdelijk', 'long-enough-password');
    const b = await new ApiClient(room.url).login('kijker-tijdelijk', 'long-enough-password');
    const [ga, gb] = [await grantOf(a), await grantOf(b)];
    expect((await play(ga)).status).toBe(200); // warms the user check
    expect((await a.delete('/api/session')).status).toBe(204);
    expect((await play(ga)).status).toBe(403);
    await refusedFor('session-ended', 1);
    expect((await play(gb)).status).toBe(200);

    // Disabled: refused at once, within the user check's cache time (tokens from before and the cached row).
    const gb2 = await grantOf(b);
    expect((await admin.patch(`/api/users/${created.body.id}`, { disabled: true })).status).toBe(200);
    expect((await play(gb2)).status).toBe(403);
    expect((await play(gb)).status).toBe(403);
    await refusedFor('session-ended', 3);
    // Enabled again and logged in anew: plays again (a new session, new tokens).
    expect((await admin.patch(`/api/users/${created.body.id}`, { disabled: false })).status).toBe(200);
    const c = await new ApiClient(room.url).login('kijker-tijdelijk', 'long-enough-password');
    expect((await play(await grantOf(c))).status).toBe(200);
  });

  it('remembers the wall layout per user', async () => {
    const obs = await new ApiClient(room.url).login('observer');
    expect((await obs.request('PUT', '/api/me/preferences', { wallLayout: 9, wallCameras: ['ens-oude-markt', null] })).status).toBe(200);
    expect((await obs.request('PUT', '/api/me/preferences', { wallLayout: 5 })).body.error.field).toBe('wallLayout');
    const again = await new ApiClient(room.url).login('observer');
    expect((await again.get('/api/me/preferences')).body).toEqual({ wallLayout: 9, wallCameras: ['ens-oude-markt', null] });
  });
});
