// Bad input gets a clear error and changes nothing; sessions, throttling, scoping and keys behave as the law and the room need.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';

let room: TestRoom;
let admin: ApiClient;
beforeAll(async () => { room = await startTestRoom({ LOGIN_MAX_FAILURES: '10', LOGIN_WINDOW_MINUTES: '15' }); admin = await new ApiClient(room.url).login('admin'); });
afterAll(async () => { await room?.close(); });

const newCamera = (id: string, extra: object = {}) => ({
  id, name: 'Test <b>camera</b>', municipalityId: 'enschede', location: { street: "Robert'); DROP TABLE cameras;--", lat: 52.22, lon: 6.89 },
  kind: 'flexible', source: { type: 'rtmp' }, ...extra,
});

const auditCount = async () => Number((await room.sql`select count(*) from audit_log`)[0]!.count);

describe('input validation', () => {
  it('answers 400 naming the field, and changes nothing', async () => {
    const before = await room.sql`select count(*) from cameras`;
    const cases: Array<[object, string]> = [
      [newCamera('Bad Id'), 'id'],
      [newCamera('ok-id', { location: { street: 'x', lat: 91, lon: 6 } }), 'location.lat'],
      [newCamera('ok-id', { kind: 'portable' }), 'kind'],
      [newCamera('ok-id', { source: { type: 'rtsp', url: 'http://example/x' } }), 'source.url'],
      [newCamera('ok-id', { name: '' }), 'name'],
      [{ ...newCamera('ok-id'), surprise: 1 }, 'body'],
    ];
    for (const [body, field] of cases) {
      const r = await admin.post('/api/cameras', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_input' });
      expect(r.body.error.field, JSON.stringify(r.body)).toBe(field === 'body' ? r.body.error.field : field);
    }
    expect(await room.sql`select count(*) from cameras`).toEqual(before);
    const q = await admin.get('/api/audit?limit=abc');
    expect(q.status).toBe(400);
    expect(q.body.error.field).toBe('limit');
  });

  it('malformed JSON is 400, a body over 1 MB is 413, an unknown API route is 404 JSON', async () => {
    const bad = await admin.request('POST', '/api/cameras', '{"id": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('malformed_json');
    const big = await admin.request('POST', '/api/cameras', JSON.stringify({ ...newCamera('big-one'), notes: 'x'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('too_large');
    const nf = await admin.get('/api/nothing-here');
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('not_found');
  });

  it('stores SQL metacharacters and HTML verbatim', async () => {
    const r = await admin.post('/api/cameras', newCamera('verbatim-1', { notes: '<script>alert(1)</script> \' OR 1=1 --' }));
    expect(r.status).toBe(201);
    const g = await admin.get('/api/cameras/verbatim-1');
    expect(g.body.name).toBe('Test <b>camera</b>');
    expect(g.body.notes).toBe('<script>alert(1)</script> \' OR 1=1 --');
    expect(g.body.location.street).toBe("Robert'); DROP TABLE cameras;--");
  });

  it('a duplicate camera id is a 409 conflict and an unknown municipality a 400', async () => {
    const dup = await admin.post('/api/cameras', newCamera('ens-oude-markt'));
    expect(dup.status).toBe(409);
    expect(dup.body.error.field).toBe('id');
    const r = await admin.post('/api/cameras', newCamera('nowhere-1', { municipalityId: 'atlantis' }));
    expect(r.status).toBe(400);
  });
});

describe('camera registry', () => {
  it('shows an RTMP key once and stores only its hash; rotation replaces it; all audited', async () => {
    const n0 = await auditCount();
    const r = await admin.post('/api/cameras', newCamera('keyed-1'));
    expect(r.status).toBe(201);
    const key: string = r.body.publishKey;
    expect(key.length).toBeGreaterThanOrEqual(32);
    expect(r.body.publishUrl).toContain(`/live/keyed-1?key=`);
    const [row] = await room.sql`select key_hash from cameras where id = 'keyed-1'`;
    expect(row!.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify((await admin.get('/api/cameras/keyed-1')).body)).not.toContain(key);
    const rot = await admin.post('/api/cameras/keyed-1/rotate-key');
    expect(rot.body.publishKey).not.toBe(key);
    const [row2] = await room.sql`select key_hash from cameras where id = 'keyed-1'`;
    expect(row2!.key_hash).toBe(createHash('sha256').update(rot.body.publishKey).digest('hex'));
    const dis = await admin.post('/api/cameras/keyed-1/disable');
    expect(dis.body.enabled).toBe(false);
    const actions = (await room.sql`select action from audit_log order by id desc limit 3`).map((x) => x.action).reverse();
    expect(actions).toEqual(['camera.created', 'camera.key_rotated', 'camera.disabled']);
    expect(await auditCount()).toBe(n0 + 3);
  });

  it('never returns RTSP credentials', async () => {
    const r = await admin.post('/api/cameras', newCamera('rtsp-1', { source: { type: 'rtsp', url: 'rtsp://cam:s3cret@10.1.2.3:554/stream1' } }));
    expect(r.status).toBe(201);
    expect(r.body.publishKey).toBeNull();
    expect(JSON.stringify(r.body)).not.toContain('s3cret');
    expect(r.body.camera.source.url).toBe('rtsp://***:***@10.1.2.3:554/stream1');
    expect((await admin.post('/api/cameras/rtsp-1/rotate-key')).status).toBe(409);
  });

  it('a municipality user sees only its own municipality; another one’s camera is 404 like a missing one', async () => {
    const ens = await new ApiClient(room.url).login('enschede');
    const list = await ens.get('/api/cameras');
    expect(list.status).toBe(200);
    expect(list.body.length).toBeGreaterThan(0);
    expect(new Set(list.body.map((c: any) => c.municipalityId))).toEqual(new Set(['enschede']));
    expect((await ens.get('/api/cameras?municipality=hengelo')).body).toEqual([]);
    const other = await ens.get('/api/cameras/hgl-beekstraat');
    const missing = await ens.get('/api/cameras/does-not-exist');
    expect(other.status).toBe(404);
    expect(other.body).toEqual(missing.body);
    expect((await ens.get('/api/municipalities')).body).toEqual([{ id: 'enschede', name: 'Enschede' }]);
  });

  it('lists with search', async () => {
    const obs = await new ApiClient(room.url).login('observer');
    const r = await obs.get('/api/cameras?q=markt');
    expect(r.body.map((c: any) => c.id).sort()).toEqual(expect.arrayContaining(['ens-oude-markt', 'hgl-marktsteeg']));
    expect(r.body.every((c: any) => /markt/i.test(c.name + c.location.street))).toBe(true);
  });
});

describe('sessions', () => {
  it('uses an httpOnly SameSite cookie; logout ends the session', async () => {
    const api = new ApiClient(room.url);
    const r = await api.post('/api/session', { username: 'observer', password: 'uitkijk-demo' });
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await api.get('/api/session')).status).toBe(200);
    const saved = api.cookie;
    expect((await api.delete('/api/session')).status).toBe(204);
    api.cookie = saved;
    expect((await api.get('/api/session')).status).toBe(401);
  });

  it('a forged or expired session cookie is 401', async () => {
    const forged = new ApiClient(room.url);
    forged.cookie = 'uitkijk_session=forged-token-value';
    expect((await forged.get('/api/cameras')).status).toBe(401);
    const idle = await new ApiClient(room.url).login('observer');
    const mine = (c: ApiClient) => createHash('sha256').update(c.cookie.split('=')[1]!).digest('hex');
    await room.sql`update sessions set last_seen_at = now() - interval '2 hours' where token_hash = ${mine(idle)}`;
    expect((await idle.get('/api/cameras')).status).toBe(401);
    const old = await new ApiClient(room.url).login('observer');
    await room.sql`update sessions set expires_at = now() - interval '1 second' where token_hash = ${mine(old)}`;
    expect((await old.get('/api/cameras')).status).toBe(401);
  });

  it('refuses cross-site writes (Origin check)', async () => {
    const api = await new ApiClient(room.url).login('admin');
    const r = await api.request('POST', '/api/cameras/ens-oude-markt/disable', {}, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('bad_origin');
    expect((await room.sql`select enabled from cameras where id = 'ens-oude-markt'`)[0]!.enabled).toBe(true);
  });

  it('a disabled user cannot log in and loses open sessions; the admin cannot lock themselves out', async () => {
    const obs = await new ApiClient(room.url).login('dispatcher');
    const users = (await admin.get('/api/users')).body as any[];
    const d = users.find((u) => u.username === 'dispatcher');
    expect((await admin.patch(`/api/users/${d.id}`, { disabled: true })).status).toBe(200);
    expect((await obs.get('/api/session')).status).toBe(401);
    expect((await new ApiClient(room.url).post('/api/session', { username: 'dispatcher', password: 'uitkijk-demo' })).status).toBe(401);
    const me = users.find((u) => u.username === 'admin');
    expect((await admin.patch(`/api/users/${me.id}`, { disabled: true })).status).toBe(409);
  });

  it('creates users with the municipality binding enforced', async () => {
    const bad = await admin.post('/api/users', { username: 'gem-x', displayName: 'X', role: 'municipality', password: 'long-enough-password' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('municipalityId');
    const short = await admin.post('/api/users', { username: 'shorty', displayName: 'S', role: 'observer', password: 'short' });
    expect(short.body.error.field).toBe('password');
    const ok = await admin.post('/api/users', { username: 'gem-almelo', displayName: 'Almelo OOV', role: 'municipality', municipalityId: 'almelo', password: 'long-enough-password' });
    expect(ok.status).toBe(201);
    expect(JSON.stringify(ok.body)).not.toContain('password');
    const role = await admin.patch(`/api/users/${ok.body.id}`, { role: 'observer' });
    expect(role.status).toBe(200);
    expect(role.body.municipalityId).toBeNull();
    expect((await room.sql`select action from audit_log where subject = 'gem-almelo' order by id`).map((r) => r.action)).toEqual(['user.created', 'user.role_changed']);
  });
});

describe('login throttling', () => {
  it('throttles: 10 failures per account → 429 with Retry-After, even with the right password', async () => {
    await room.sql`delete from login_failures`;
    const api = new ApiClient(room.url);
    for (let i = 0; i < 10; i++) expect((await api.post('/api/session', { username: 'police', password: `wrong-${i}` })).status).toBe(401);
    const r = await api.post('/api/session', { username: 'police', password: 'uitkijk-demo' });
    expect(r.status).toBe(429);
    const wait = Number(r.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(900);
  });

  it('throttles per address too: 10 failures on different accounts from one address → 429', async () => {
    await room.sql`delete from login_failures`;
    const api = new ApiClient(room.url);
    for (let i = 0; i < 10; i++) expect((await api.post('/api/session', { username: `nobody-${i}`, password: 'x' })).status).toBe(401);
    const r = await api.post('/api/session', { username: 'supervisor', password: 'uitkijk-demo' });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await room.sql`select count(*)::int as n from audit_log where action = 'login.failed'`)[0]!.n).toBeGreaterThanOrEqual(20);
  });
});

describe('operations', () => {
  it('serves health, metrics, security headers and an OpenAPI 3.1 document of every route', async () => {
    const h = await fetch(`${room.url}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ status: 'ok', database: 'up' });
    expect(h.headers.get('x-powered-by')).toBeNull();
    expect(h.headers.get('content-security-policy')).toContain("default-src 'self'");
    const m = await (await fetch(`${room.url}/metrics`)).text();
    expect(m).toContain('http_request_duration_seconds_bucket');
    expect(m).toContain('process_cpu_user_seconds_total');
    expect(m).toContain('realtime_sockets');
    const doc = await (await fetch(`${room.url}/api/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const r of room.routes) expect(doc.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method], r.path).toBeDefined();
    expect(doc.components.schemas.CameraCreate.required).toEqual(expect.arrayContaining(['id', 'name', 'municipalityId', 'location', 'kind', 'source']));
  });
});
