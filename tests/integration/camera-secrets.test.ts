// RTSP camera credentials: stored apart from the URL, never in an answer (to any role) or a log line, every query value
// masked; only admins see the address at all. The RTSP bridge still pulls with the real credentials.
import { existsSync, mkdtempSync, copyFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { roles, type Role } from '../../server/auth/policy.js';
import { migrate, migrationsDir } from '../../server/db/migrate.js';
import { startDemoRtspServer, type DemoRtspServer } from '../../streams/demo-rtsp-server.js';
import { rtpSourceArgs } from '../../streams/ffmpeg/args.js';
import { ChildTracker, testFfmpeg, testLoop, waitFor } from '../../streams/testing/fixtures.js';
import { freshDatabase } from '../support/db.js';
import { ApiClient, capturedLog, startTestRoom, type TestRoom } from '../support/room.js';

const captured = capturedLog('debug');
const demoUser: Record<Role, string> = { observer: 'observer', supervisor: 'supervisor', dispatcher: 'dispatcher', police: 'police', municipality: 'enschede', admin: 'admin' };
let room: TestRoom;
let admin: ApiClient;
let rtsp: DemoRtspServer;
const kids = new ChildTracker();
let dir: string;
const seen: Array<{ method: string; url: string; authorization: string | null }> = [];

// The camera the bridge really pulls: user admin, password "p@ss:w0rd!" (percent-encoded in the URL) and a token.
const PULL_PASSWORD = 'p@ss:w0rd!';
const PULL_TOKEN = 'T0k3n-pull-7f3a';
// ffmpeg appends the track to the content base, query and all (…/cam?token=…/trackID=0).
const hasToken = (url: string) => new RegExp(`[?&]token=${PULL_TOKEN}(?:[&/]|$)`).test(url);

beforeAll(async () => {
  const [ff, loop] = await Promise.all([testFfmpeg(), testLoop()]);
  dir = mkdtempSync(path.join(tmpdir(), 'uitkijk-rtsp-secret-'));
  rtsp = await startDemoRtspServer({
    host: '127.0.0.1', port: 0,
    authorize: (r) => {
      seen.push(r);
      const basic = r.authorization?.startsWith('Basic ') ? Buffer.from(r.authorization.slice(6), 'base64').toString() : null;
      return basic === `admin:${PULL_PASSWORD}` && hasToken(r.url);
    },
  });
  const sdpFile = path.join(dir, 'cam.sdp');
  kids.spawn(ff.path, rtpSourceArgs({ input: loop, ...(await rtsp.addSource('cam', sdpFile)), sdpFile }));
  await waitFor(() => existsSync(sdpFile), 10_000, 'the RTP sender to describe its stream');
  room = await startTestRoom({}, { log: captured.log });
  admin = await new ApiClient(room.url).login('admin');
}, 60_000);

afterAll(async () => {
  await room?.close();
  await kids.stopAll();
  await rtsp?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const camera = (id: string, url: string) => ({
  id, name: `RTSP ${id}`, municipalityId: 'enschede', location: { street: 'Oude Markt', lat: 52.22, lon: 6.89 }, kind: 'permanent', source: { type: 'rtsp', url },
});

// Port 1 on loopback refuses at once: these bridges fail (and log ffmpeg's complaint, URL included) and retry.
const CASES = [
  { id: 'rtsp-userinfo', url: 'rtsp://beheer:Geheim-Userinfo-1@127.0.0.1:1/Streaming/101', secrets: ['beheer', 'Geheim-Userinfo-1'], masked: 'rtsp://***:***@127.0.0.1:1/Streaming/101' },
  { id: 'rtsp-password', url: 'rtsp://127.0.0.1:1/live?channel=1&password=Geheim-Query-2', secrets: ['Geheim-Query-2'], masked: 'rtsp://127.0.0.1:1/live?channel=***&password=***' },
  { id: 'rtsp-pwd', url: 'rtsp://127.0.0.1:1/live?user=kijker&pwd=Geheim-Pwd-3', secrets: ['kijker', 'Geheim-Pwd-3'], masked: 'rtsp://127.0.0.1:1/live?user=***&pwd=***' },
  { id: 'rtsp-token', url: 'rtsp://127.0.0.1:1/live?token=Geheim-Token-4', secrets: ['Geheim-Token-4'], masked: 'rtsp://127.0.0.1:1/live?token=***' },
  { id: 'rtsp-auth', url: 'rtsp://127.0.0.1:1/live?auth=Geheim-Auth-5&subtype=0', secrets: ['Geheim-Auth-5'], masked: 'rtsp://127.0.0.1:1/live?auth=***&subtype=***' },
  { id: 'rtsp-encoded', url: 'rtsp://beheer:Geh%40im%3A6%21@127.0.0.1:1/live', secrets: ['Geh%40im%3A6%21', 'Geh@im:6!', 'Geh%40im'], masked: 'rtsp://***:***@127.0.0.1:1/live' },
];
const ALL_SECRETS = [...CASES.flatMap((c) => c.secrets), 'p%40ss%3Aw0rd%21', PULL_PASSWORD, PULL_TOKEN];

describe('RTSP credentials', () => {
  it('never come back, to any role, in any answer or event; admins see the address with every secret masked, the others no address', async () => {
    const observer = await new ApiClient(room.url).login('observer');
    const events: unknown[] = [];
    const socket = connect(room.url, { transports: ['websocket'], extraHeaders: { cookie: observer.cookie }, reconnection: false });
    socket.on('camera:changed', (c) => events.push(c));
    await new Promise<void>((r) => socket.on('connect', () => r()));
    try {
      const answers: string[] = [];
      for (const c of CASES) {
        const created = await admin.post('/api/cameras', camera(c.id, c.url));
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        expect(created.body.camera.source).toEqual({ type: 'rtsp', url: c.masked });
        answers.push(JSON.stringify(created.body));
      }
      // Changing the URL of one: the answer masks the new one too.
      const changed = await admin.patch('/api/cameras/rtsp-token', { source: { type: 'rtsp', url: 'rtsp://127.0.0.1:1/live?token=Geheim-Token-4&auth=Geheim-Auth-5' } });
      expect(changed.body.camera.source.url).toBe('rtsp://127.0.0.1:1/live?token=***&auth=***');
      answers.push(JSON.stringify(changed.body));
      await admin.patch('/api/cameras/rtsp-token', { source: { type: 'rtsp', url: CASES[3]!.url } });

      for (const role of roles) {
        const api = await new ApiClient(room.url).login(demoUser[role]);
        const list = await api.get('/api/cameras');
        expect(list.status).toBe(200);
        for (const c of CASES) {
          const one = await api.get(`/api/cameras/${c.id}`);
          expect(one.status, `${role} ${c.id}`).toBe(200);
          const fromList = list.body.find((x: { id: string }) => x.id === c.id);
          // Only the role that manages cameras sees where the camera is; every other role: that it is RTSP, nothing more.
          const expected = role === 'admin' ? { type: 'rtsp', url: c.masked } : { type: 'rtsp' };
          expect(one.body.source, `${role} ${c.id}`).toEqual(expected);
          expect(fromList.source, `${role} ${c.id}`).toEqual(expected);
          answers.push(JSON.stringify(one.body), JSON.stringify(fromList));
          if (role !== 'admin') expect(JSON.stringify(one.body)).not.toMatch(/rtsp:|127\.0\.0\.1:1/);
        }
      }
      await waitFor(() => events.length >= CASES.length, 5000, 'camera events');
      for (const e of events) expect(e).toMatchObject({ source: { type: 'rtsp' } });
      expect(JSON.stringify(events)).not.toMatch(/rtsp:\/\//);
      for (const s of ALL_SECRETS) for (const a of answers) expect(a, s).not.toContain(s);

      // Stored apart: the camera row holds the address only; the audit trail never saw the URL.
      const rows = await room.sql`select c.id, c.rtsp_url, s.userinfo, s.query from cameras c left join camera_rtsp_secrets s on s.camera_id = c.id where c.id like 'rtsp-%' order by c.id`;
      expect(rows.find((r) => r.id === 'rtsp-userinfo')).toMatchObject({ rtsp_url: 'rtsp://127.0.0.1:1/Streaming/101', userinfo: 'beheer:Geheim-Userinfo-1', query: '' });
      expect(rows.find((r) => r.id === 'rtsp-auth')).toMatchObject({ rtsp_url: 'rtsp://127.0.0.1:1/live', userinfo: '', query: 'auth=Geheim-Auth-5&subtype=0' });
      for (const r of rows) for (const s of ALL_SECRETS) expect(r.rtsp_url).not.toContain(s);
      const audit = JSON.stringify(await room.sql`select details from audit_log where subject like 'rtsp-%'`);
      for (const s of ALL_SECRETS) expect(audit).not.toContain(s);
    } finally { socket.close(); }
  });

  it('the bridge pulls with the real credentials (user, percent-encoded password, token), and the camera goes live', { timeout: 40_000 }, async () => {
    const url = `rtsp://admin:${encodeURIComponent(PULL_PASSWORD)}@127.0.0.1:${rtsp.port}/cam?token=${PULL_TOKEN}`;
    const created = await admin.post('/api/cameras', camera('rtsp-pull', url));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.camera.source.url).toBe(`rtsp://***:***@127.0.0.1:${rtsp.port}/cam?token=***`);
    await waitFor(() => room.board.get('rtsp-pull').online, 30_000, 'the RTSP camera online through the bridge');
    // The camera saw exactly what the admin typed: the decoded password in Basic auth, the token in the URL.
    const ok = seen.filter((r) => r.authorization && hasToken(r.url));
    expect(ok.map((r) => r.method)).toEqual(expect.arrayContaining(['DESCRIBE', 'SETUP', 'PLAY']));
    expect(Buffer.from(ok[0]!.authorization!.slice(6), 'base64').toString()).toBe(`admin:${PULL_PASSWORD}`);
  });

  it('appear in no log line, at debug level, though ffmpeg failed on those URLs and logged its errors', async () => {
    // The bridges to port 1 have failed and retried by now (each failure is logged with ffmpeg's last lines).
    await waitFor(() => captured.lines.some((l) => l.msg === 'supervised process exited; restarting after backoff'), 10_000, 'a bridge failure logged');
    const text = captured.text();
    expect(text).toContain('RTSP bridge started');
    for (const s of ALL_SECRETS) expect(text, s).not.toContain(s);
    expect(text).toContain('rtsp://[redacted]@127.0.0.1:1/Streaming/101');
    expect(text).toContain('rtsp://127.0.0.1:1/live?auth=[redacted]&subtype=[redacted]');
  });
});

describe('the migration', () => {
  it('moves the credentials of cameras already registered out of their URL', async () => {
    const db = await freshDatabase();
    const old = mkdtempSync(path.join(tmpdir(), 'uitkijk-mig-'));
    try {
      // The database as it was before: only the migrations up to 0005.
      await db.sql.unsafe('drop schema public cascade; create schema public');
      for (const f of readdirSync(migrationsDir).filter((f) => f < '0006')) copyFileSync(path.join(migrationsDir, f), path.join(old, f));
      await migrate(db.sql, old);
      await db.sql`insert into municipalities (id, name) values ('enschede', 'Enschede')`;
      const add = (id: string, url: string) => db.sql`insert into cameras (id, name, municipality_id, street, lat, lon, kind, source_type, rtsp_url, has_sub_stream)
        values (${id}, ${id}, 'enschede', 'x', 52, 6, 'permanent', 'rtsp', ${url}, false)`;
      await add('m-userinfo', 'rtsp://beheer:Ge%40heim@10.1.2.3:554/Streaming/101?channel=1&token=abc');
      await add('m-plain', 'rtsp://10.1.2.4/live');
      expect(await migrate(db.sql)).toContain('0006_camera_rtsp_secrets.sql');
      const rows = await db.sql`select c.id, c.rtsp_url, s.userinfo, s.query from cameras c left join camera_rtsp_secrets s on s.camera_id = c.id order by c.id`;
      expect(rows).toEqual([
        { id: 'm-plain', rtsp_url: 'rtsp://10.1.2.4/live', userinfo: null, query: null },
        { id: 'm-userinfo', rtsp_url: 'rtsp://10.1.2.3:554/Streaming/101', userinfo: 'beheer:Ge%40heim', query: 'channel=1&token=abc' },
      ]);
    } finally {
      rmSync(old, { recursive: true, force: true });
      await db.drop();
    }
  });
});
