// Recording and evidence through the whole room: real node-media-server, real ffmpeg (camera, recorder, clips,
// ffprobe), real PostgreSQL. One simulated camera at a time (2 shared cores).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { runProbe } from '../../streams/ffmpeg/probe.js';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { EvidenceItem } from '../../server/evidence/schema.js';
import { verifyPackage } from '../../server/evidence/verify.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera, publishTo } from '../support/cameras.js';
import { segments, waitReady } from '../support/evidence.js';

const GOP_S = 1; // publishTestPattern: 25 fps, -g 25

let room: TestRoom;
let admin: ApiClient, observer: ApiClient, supervisor: ApiClient, police: ApiClient, municipality: ApiClient;
const publishers: Publisher[] = [];
const sockets: Socket[] = [];
const seen: Record<string, EvidenceItem[]> = { observer: [], police: [] };
const work = mkdtempSync(path.join(tmpdir(), 'uitkijk-evidence-test-'));

const run = (cmd: string, args: string[], opts: { cwd?: string } = {}) => new Promise<{ code: number; out: string }>((resolve) =>
  execFile(cmd, args, { cwd: opts.cwd, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr })));
const ffprobe = (args: string[]) => runProbe(process.env.FFPROBE_PATH ?? 'ffprobe', args);
const ffprobeJson = async (file: string) => JSON.parse(await ffprobe(['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'format=duration:stream=nb_read_packets', '-of', 'json', file]));

beforeAll(async () => {
  room = await startTestRoom();
  [admin, observer, supervisor, police, municipality] = await Promise.all(['admin', 'observer', 'supervisor', 'police', 'enschede'].map((u) => new ApiClient(room.url).login(u)));
  for (const [who, api] of [['observer', observer], ['police', police]] as const) {
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = connect(room.url, { transports: ['websocket'], extraHeaders: { cookie: api.cookie }, reconnection: false });
    s.on('evidence:changed', (i) => seen[who]!.push(i));
    await new Promise<void>((r) => s.on('connect', () => r()));
    sockets.push(s);
  }
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(publishers.map((p) => p.stop()));
  await room?.close();
  rmSync(work, { recursive: true, force: true });
});

const newCamera = (_r: TestRoom, api: ApiClient, id: string) => createRtmpCamera(api, id);
const publish = (r: TestRoom, id: string, key: string) => publishTo(publishers, r, id, key);
const iso = (ms: number) => new Date(ms).toISOString();

describe('recording', () => {
  let key = '';
  it('records a live camera into keyframe-started MPEG-TS segments of ~2 s, indexed as each one closes', async () => {
    key = await newCamera(room, admin, 'rec-one');
    publish(room, 'rec-one', key);
    await waitFor('online', () => room.board.get('rec-one').online);
    const rows = await waitFor('4 segments', async () => { const s = await segments(room, 'rec-one'); return s.length >= 4 ? s : null; }, 20_000, 200);
    const now = Date.now();
    for (const [i, s] of rows.entries()) {
      const abs = path.join(room.config.MEDIA_DIR, s.path);
      expect(s.path).toMatch(/^recordings\/rec-one\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{9}Z-[0-9a-f]{8}-\d{6}\.ts$/);
      expect(s.path.slice(19, 29)).toBe(s.started_at.toISOString().slice(0, 10));
      expect(statSync(abs).size).toBe(Number(s.bytes));
      const ms = s.ended_at - s.started_at;
      if (i > 0 && i < rows.length - 1) expect(ms).toBeGreaterThanOrEqual(1900), expect(ms).toBeLessThanOrEqual(3100);
      if (i > 0) expect(s.started_at.getTime()).toBe(rows[i - 1]!.ended_at.getTime()); // contiguous within a run
    }
    expect(new Set(rows.map((r) => r.path)).size).toBe(rows.length);
    expect(Math.abs(now - rows.at(-1)!.ended_at.getTime())).toBeLessThan(3500); // indexed as it closes, wall-clock times
    // Each segment starts on a keyframe and plays on its own.
    const first = await ffprobe(['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', path.join(room.config.MEDIA_DIR, rows[1]!.path)]);
    expect(first.split('\n')[0]).toMatch(/^K/);
    // The recorder reads with an internal credential: it is not a person, so no live view and no live.view audit.
    expect(await room.sql`select 1 from live_views where camera_id = 'rec-one'`).toHaveLength(0);
    expect(await room.sql`select 1 from audit_log where action = 'live.view' and subject = 'rec-one'`).toHaveLength(0);
    expect(await room.sql`select 1 from audit_log where action = 'live.play_refused' and subject = 'rec-one'`).toHaveLength(0);
  });

  it('shows the timeline (ranges and gaps) and plays recordings to the room (logged), never to a municipality', async () => {
    const r = await observer.get(`/api/recordings/rec-one/ranges?from=${encodeURIComponent(iso(Date.now() - 60_000))}`);
    expect(r.status).toBe(200);
    expect(r.body.ranges).toHaveLength(1);
    expect(r.body.gaps.length).toBeGreaterThanOrEqual(1); // before the camera started
    expect((await municipality.get('/api/recordings/rec-one/ranges')).status).toBe(403);
    // Playback from a moment: fragmented MP4 remuxed on the fly, logged like a live view.
    const t = Date.now();
    const play = await fetch(`${room.url}/api/recordings/rec-one/play?from=${encodeURIComponent(iso(t - 7000))}&to=${encodeURIComponent(iso(t - 3000))}`, { headers: { cookie: observer.cookie } });
    expect(play.status).toBe(200);
    expect(play.headers.get('content-type')).toBe('video/mp4');
    const played = path.join(work, 'played.mp4');
    writeFileSync(played, Buffer.from(await play.arrayBuffer()));
    expect(Math.abs(Number((await ffprobeJson(played)).format.duration) - 4)).toBeLessThanOrEqual(GOP_S + 0.1);
    const view = await waitFor('playback logged', async () => (await room.sql`select v.*, u.username from recording_views v join users u on u.id = v.user_id where camera_id = 'rec-one' and ended_at is not null`)[0]);
    expect(view.username).toBe('observer');
    expect(await room.sql`select 1 from audit_log where action = 'recordings.play' and subject = 'rec-one' and actor_name = 'observer'`).toHaveLength(1);
    expect((await fetch(`${room.url}/api/recordings/rec-one/play?from=${encodeURIComponent(iso(t - 7000))}`, { headers: { cookie: municipality.cookie } })).status).toBe(403);
    expect((await observer.get(`/api/recordings/rec-one/play?from=${encodeURIComponent(iso(t + 60_000))}`)).body.error).toMatchObject({ code: 'range_in_future', field: 'from' });
    const status = await supervisor.get('/api/recordings/status');
    expect(status.body.cameras.find((c: any) => c.cameraId === 'rec-one')).toMatchObject({ state: 'running' });
    expect(status.body.recording).toBe(true);
  });

  it('lists playbacks like the live-view history: own, everyone\'s for supervisors, never for police or municipality', async () => {
    // A second playback, by the supervisor, of a range we know.
    const t = Date.now();
    const play = await fetch(`${room.url}/api/recordings/rec-one/play?from=${encodeURIComponent(iso(t - 6000))}&to=${encodeURIComponent(iso(t - 4000))}`, { headers: { cookie: supervisor.cookie } });
    expect(play.status).toBe(200);
    const played = { from: play.headers.get('x-recording-from'), to: play.headers.get('x-recording-to') };
    await play.arrayBuffer();
    const views = (api: ApiClient, q: string) => api.get(`/api/recordings/views${q}`);

    const everyone = await waitFor('supervisor playback ended', async () => {
      const r = await views(supervisor, '?scope=all');
      return r.body.find?.((v: any) => v.username === 'supervisor' && v.endedAt) ? r : null;
    });
    expect(everyone.status).toBe(200);
    expect(everyone.body.map((v: any) => v.username)).toEqual(['supervisor', 'observer']); // newest first
    expect(everyone.body[0]).toMatchObject({ cameraId: 'rec-one', cameraName: 'Camera rec-one', rangeFrom: played.from, rangeTo: played.to, remoteAddr: expect.any(String) });
    expect(Date.parse(everyone.body[0].endedAt)).toBeGreaterThanOrEqual(Date.parse(everyone.body[0].startedAt));
    const [row] = await room.sql`select v.id from recording_views v join users u on u.id = v.user_id where u.username = 'supervisor'`;
    expect(everyone.body[0].id).toBe(row!.id);

    // Own history: the default scope; each sees only their own.
    const mine = await views(observer, '');
    expect(mine.status).toBe(200);
    expect(mine.body.map((v: any) => v.username)).toEqual(['observer']);
    expect((await views(supervisor, '?scope=mine')).body.map((v: any) => v.username)).toEqual(['supervisor']);
    // Filters: camera and limit.
    expect((await views(supervisor, '?scope=all&camera=ens-oude-markt')).body).toEqual([]);
    expect((await views(supervisor, '?scope=all&camera=rec-one&limit=1')).body.map((v: any) => v.username)).toEqual(['supervisor']);
    expect((await views(supervisor, '?limit=0')).body.error).toMatchObject({ code: 'invalid_input', field: 'limit' });
    // Everyone's needs views.read.all: an observer asking gets 403; an admin (technical oversight) may.
    const observerAll = await views(observer, '?scope=all');
    expect(observerAll.status).toBe(403);
    expect(observerAll.body.error.code).toBe('forbidden');
    expect((await views(admin, '?scope=all')).body.map((v: any) => v.username)).toEqual(['supervisor', 'observer']);
    // Roles without views.read.own: refused outright.
    for (const api of [police, municipality]) {
      const r = await views(api, '');
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    // A dispatcher reads their own history: no playbacks (they cannot play recordings).
    expect((await views(await new ApiClient(room.url).login('dispatcher'), '')).body).toEqual([]);
  });
});

let itemId = '';
describe('evidence items', () => {
  it('produces the clip once the post-roll is recorded: MP4, within one GOP of the request, hashed, read-only, pushed live', async () => {
    const t = Date.now();
    const from = t - 4_000, to = t + 3_000;
    const res = await observer.post('/api/evidence', { cameras: ['rec-one'], from: iso(from), to: iso(to), reason: 'Vechtpartij voor café, twee personen' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'pending', legalHold: true, requestedFrom: iso(from), requestedTo: iso(to) });
    expect(res.body.clips[0]).toMatchObject({ cameraId: 'rec-one', state: 'waiting' });
    itemId = res.body.id;
    const item = await waitReady(observer, itemId);
    expect(item.state).toBe('ready');
    // Ready soon after the segment holding the post-roll closed (the benchmark measures it properly).
    const [lastSeg] = await room.sql`select ended_at from recording_segments where camera_id = 'rec-one' and ended_at >= ${new Date(to)} order by started_at limit 1`;
    const clip = item.clips[0]!;
    expect(clip.state).toBe('ready');
    const file = path.join(room.config.MEDIA_DIR, 'evidence', itemId, 'rec-one.mp4');
    expect(statSync(file).mode & 0o777).toBe(0o444);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(clip.sha256);
    const probe = await ffprobeJson(file);
    const duration = Number(probe.format.duration);
    expect(Math.abs(duration - (to - from) / 1000)).toBeLessThanOrEqual(GOP_S + 0.05);
    expect(clip.frames).toBe(Number(probe.streams[0].nb_read_packets));
    expect(Date.parse(clip.actualFrom!)).toBeLessThanOrEqual(from);
    expect(from - Date.parse(clip.actualFrom!)).toBeLessThanOrEqual(GOP_S * 1000);
    expect(clip.gaps).toEqual([]);
    expect(lastSeg).toBeTruthy();
    // Socket: the room sees progress to ready; police see it without the reason.
    await waitFor('socket ready', () => seen.observer!.find((i) => i.id === itemId && i.state === 'ready'));
    expect(seen.observer!.find((i) => i.id === itemId)!.reason).toBe('Vechtpartij voor café, twee personen');
    await waitFor('police socket', () => seen.police!.find((i) => i.id === itemId && i.state === 'ready'));
    expect(seen.police!.every((i) => i.reason === null)).toBe(true);
    const custody = (await supervisor.get(`/api/evidence/${itemId}`)).body.custody;
    expect(custody.map((c: any) => c.action)).toEqual(['preserved', 'produced', 'viewed']); // 'viewed': this read
    // Produced while the post-roll was recorded (fed segment by segment), not afterwards.
    expect(custody[1].details).toMatchObject({ mode: 'live', sha256: clip.sha256 });
  });

  it('refuses bad input with a clear 4xx naming the field', async () => {
    const now = Date.now();
    const post = (b: Record<string, unknown>) => observer.post('/api/evidence', { cameras: ['rec-one'], reason: 'test reden', ...b });
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [{ from: iso(now + 3_600_000), to: iso(now + 3_700_000) }, 400, 'range_in_future', 'from'],
      [{ from: iso(now - 60_000), to: iso(now - 120_000) }, 400, 'invalid_range', 'to'],
      [{ from: iso(now - 3 * 3_600_000), to: iso(now - 60_000) }, 400, 'range_too_long', 'to'],
      [{ from: iso(now - 29 * 86_400_000), to: iso(now - 29 * 86_400_000 + 60_000) }, 400, 'older_than_retention', 'from'],
      [{ from: iso(now - 60_000) }, 400, 'invalid_range', 'to'],
      [{ moment: iso(now), from: iso(now - 60_000), to: iso(now) }, 400, 'invalid_range', 'moment'],
      [{ moment: iso(now + 3_600_000) }, 400, 'range_in_future', 'moment'],
      [{ cameras: ['no-such-camera'] }, 400, 'unknown_camera', 'cameras.0'],
      [{ cameras: ['../../etc/passwd'] }, 400, 'invalid_input', 'cameras.0'],
      [{ incidentId: '00000000-0000-0000-0000-000000000000' }, 400, 'unknown_incident', 'incidentId'],
      [{ reason: '' }, 400, 'invalid_input', 'reason'],
      [{ cameras: ['ens-oude-markt'], from: iso(now - 3_600_000), to: iso(now - 3_000_000) }, 422, 'no_recording', 'cameras.0'],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error, JSON.stringify(body)).toMatchObject({ code, field });
    }
    // Files are reached by ids and tokens only: a path is not a token.
    expect((await observer.get('/api/evidence/files/..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
    expect((await observer.get('/api/evidence/..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
    expect((await municipality.post('/api/evidence', { cameras: ['rec-one'], reason: 'mag niet' })).status).toBe(403);
  });

  it('observers and supervisors give no case number, but each view of an item and each clip played is in custody and audit', async () => {
    const custodyRows = () => room.sql`select action, actor_name, actor_role, case_number, details from evidence_custody where item_id = ${itemId} order by id`;
    const auditRows = () => room.sql`select action, actor_name, details from audit_log where subject = ${itemId} order by id`;
    const before = (await custodyRows()).length;
    const auditBefore = (await auditRows()).length;

    // A supervisor and an observer open the item: one 'viewed' each, in the answer itself and in the audit chain.
    const sup = await supervisor.get(`/api/evidence/${itemId}`);
    expect(sup.status).toBe(200);
    expect(sup.body.custody.at(-1)).toMatchObject({ action: 'viewed', actor: 'supervisor', role: 'supervisor', caseNumber: null, legalBasis: null });
    const obs = await observer.get(`/api/evidence/${itemId}`);
    expect(obs.status).toBe(200);
    expect(obs.body.custody.at(-1)).toMatchObject({ action: 'viewed', actor: 'observer', role: 'observer', caseNumber: null });
    expect(obs.body.caseNumbers).toEqual([]);

    // The observer plays the clip (no case number asked): one 'played' per link, however many byte ranges.
    const link = await observer.post(`/api/evidence/${itemId}/clip-link`, { cameraId: 'rec-one' });
    expect(link.status).toBe(200);
    for (const range of ['bytes=0-99', 'bytes=100-199']) {
      const r = await fetch(room.url + link.body.url, { headers: { cookie: observer.cookie, range } });
      expect(r.status).toBe(206);
      await r.arrayBuffer();
    }
    const custody = (await custodyRows()).slice(before);
    expect(custody.map((c) => [c.action, c.actor_name, c.actor_role, c.case_number])).toEqual([
      ['viewed', 'supervisor', 'supervisor', null], ['viewed', 'observer', 'observer', null], ['played', 'observer', 'observer', null],
    ]);
    expect(custody[2]!.details).toMatchObject({ cameraId: 'rec-one' });
    const audit = (await auditRows()).slice(auditBefore);
    expect(audit.map((a) => [a.action, a.actor_name])).toEqual([
      ['evidence.viewed', 'supervisor'], ['evidence.viewed', 'observer'], ['evidence.link_issued', 'observer'], ['evidence.played', 'observer'],
    ]);
    expect(audit[0]!.details).toMatchObject({ role: 'supervisor', caseNumber: null });
    // The chain still verifies with these rows in it.
    expect((await admin.get('/api/audit/verify')).body).toMatchObject({ ok: true });

    // An unknown item: 404, and nothing recorded.
    expect((await observer.get('/api/evidence/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect(await room.sql`select 1 from evidence_custody where item_id = '00000000-0000-4000-8000-000000000000'`).toHaveLength(0);
  });

  it('police state a case number and legal basis before any view or download; every one is in custody and audit', async () => {
    const list = await police.get('/api/evidence?camera=rec-one');
    expect(list.status).toBe(200);
    expect(list.body.find((i: EvidenceItem) => i.id === itemId)).toMatchObject({ reason: null, state: 'ready' });
    expect((await police.get(`/api/evidence/${itemId}`)).body.error.code).toBe('purpose_required');
    expect((await police.post(`/api/evidence/${itemId}/access`, { legalBasis: 'order-126nd-sv' })).body.error.field).toBe('caseNumber');
    expect((await police.post(`/api/evidence/${itemId}/access`, { caseNumber: 'PL0600-2026123456', legalBasis: 'other' })).body.error.field).toBe('note');
    expect((await police.post(`/api/evidence/${itemId}/clip-link`, { cameraId: 'rec-one' })).body.error.field).toBe('caseNumber');
    const purpose = { caseNumber: 'PL0600-2026123456', legalBasis: 'order-126nd-sv' };
    const view = await police.post(`/api/evidence/${itemId}/access`, purpose);
    expect(view.status).toBe(200);
    expect(view.body.reason).toBe('Vechtpartij voor café, twee personen');
    expect(view.body.custody.at(-1)).toMatchObject({ action: 'viewed', actor: 'police', role: 'police', caseNumber: 'PL0600-2026123456', legalBasis: 'order-126nd-sv' });
    // Search by case number finds it now.
    expect((await police.get('/api/evidence?caseNumber=pl0600-2026123456')).body.map((i: EvidenceItem) => i.id)).toContain(itemId);

    // A clip link plays (byte ranges) for its own user only; one view per link in the custody trail.
    const clipLink = await police.post(`/api/evidence/${itemId}/clip-link`, { cameraId: 'rec-one', ...purpose });
    expect(clipLink.status).toBe(200);
    const ranged = await fetch(room.url + clipLink.body.url, { headers: { cookie: police.cookie, range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    await fetch(room.url + clipLink.body.url, { headers: { cookie: police.cookie, range: 'bytes=100-199' } }).then((r) => r.arrayBuffer());
    expect((await observer.get(clipLink.body.url)).body.error.code).toBe('link_not_yours');
    expect((await municipality.get(clipLink.body.url)).status).toBe(403);

    // The package: zip with the MP4, manifest.json, manifest.sig; verifies, and fails after one flipped byte.
    const pkgLink = await police.post(`/api/evidence/${itemId}/package-link`, purpose);
    expect(pkgLink.status).toBe(200);
    expect((await observer.post(`/api/evidence/${itemId}/package-link`, purpose)).status).toBe(403);
    const dl = await fetch(room.url + pkgLink.body.url, { headers: { cookie: police.cookie } });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('application/zip');
    const zip = path.join(work, 'bewijs.zip');
    writeFileSync(zip, Buffer.from(await dl.arrayBuffer()));
    const pub = (await new ApiClient(room.url).get('/api/evidence/public-key')).body;
    expect(pub.pem).toMatch(/BEGIN PUBLIC KEY/);
    const report = await verifyPackage(zip, { publicKeyPem: pub.pem });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const m = report.manifest!;
    expect(m.export).toMatchObject({ by: 'police', caseNumber: 'PL0600-2026123456', legalBasis: 'order-126nd-sv' });
    expect(m.files[0]).toMatchObject({ camera: { id: 'rec-one', name: 'Camera rec-one', municipality: 'Enschede', street: 'Oude Markt' } });
    expect(m.files[0]!.actual.from.amsterdam).toMatch(/\+0[12]:00$/);
    expect(m.requested.from.utc).toBe(new Date(Date.parse(m.requested.from.utc!)).toISOString());
    // The room's reads (no case number) and the police's (with one), in order.
    expect(m.custody.map((c) => [c.action, c.actor, c.caseNumber])).toEqual([
      ['preserved', 'observer', null], ['produced', null, null], ['viewed', 'supervisor', null],
      ['viewed', 'supervisor', null], ['viewed', 'observer', null], ['played', 'observer', null],
      ['viewed', 'police', 'PL0600-2026123456'], ['played', 'police', 'PL0600-2026123456'], ['exported', 'police', 'PL0600-2026123456'],
    ]);
    expect(m.evidence.reason).toBe('Vechtpartij voor café, twee personen');

    // With standard tools alone, as the README in the package says.
    const dir = path.join(work, 'unpacked');
    mkdirSync(dir);
    expect((await run('unzip', ['-q', zip, '-d', dir])).code).toBe(0);
    writeFileSync(path.join(work, 'published.pem'), pub.pem);
    const sig = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', path.join(work, 'published.pem'), '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'], { cwd: dir });
    expect(sig.out).toMatch(/Signature Verified Successfully/);
    expect((await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir })).code).toBe(0);

    // One flipped byte in the clip: the hash fails. One in the manifest: the signature fails.
    const mp4 = path.join(dir, m.files[0]!.name);
    const flip = (file: string, at: number) => { const b = readFileSync(file); b[at] = b[at]! ^ 0xff; writeFileSync(file, b); };
    for (const [label, target] of [['clip', m.files[0]!.name], ['manifest', 'manifest.json']] as const) {
      const copy = path.join(work, `${label}-tampered`);
      mkdirSync(copy);
      for (const f of readdirSync(dir)) copyFileSync(path.join(dir, f), path.join(copy, f));
      flip(path.join(copy, target), label === 'clip' ? Math.floor(statSync(mp4).size / 2) : 40);
      const tampered = path.join(work, `${label}-tampered.zip`);
      expect((await run('zip', ['-q', '-0', '-j', tampered, ...readdirSync(copy).map((f) => path.join(copy, f))])).code).toBe(0);
      const bad = await verifyPackage(tampered, { publicKeyPem: pub.pem });
      expect(bad.ok, label).toBe(false);
      if (label === 'clip') { expect(bad.signature).toBe('valid'); expect(bad.files[0]!.ok).toBe(false); }
      else expect(bad.signature).toBe('invalid');
      const cliBad = await run('npx', ['tsx', 'server/evidence/cli-verify.ts', tampered, '--key', path.join(work, 'published.pem')], { cwd: process.cwd() });
      expect(cliBad.code, cliBad.out).toBe(1);
      const sigBad = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', path.join(work, 'published.pem'), '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'], { cwd: copy });
      expect(sigBad.out.includes('Signature Verified Successfully')).toBe(label === 'clip');
    }
    const cli = await run('npx', ['tsx', 'server/evidence/cli-verify.ts', zip, '--key', path.join(work, 'published.pem')]);
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/VERIFIED/);

    // Expired links and other users' links are refused.
    await room.sql`update evidence_links set expires_at = now() - interval '1 second' where item_id = ${itemId} and kind = 'package'`;
    expect((await police.get(pkgLink.body.url)).status).toBe(410);
    const audit = await room.sql`select action, actor_name, details from audit_log where subject = ${itemId} order by id`;
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['evidence.preserved', 'evidence.clip_produced', 'evidence.viewed', 'evidence.link_issued', 'evidence.played', 'evidence.exported']));
    expect(audit.find((a) => a.action === 'evidence.exported')).toMatchObject({ actor_name: 'police', details: { caseNumber: 'PL0600-2026123456', legalBasis: 'order-126nd-sv' } });
    // Municipality users see nothing of it.
    expect((await municipality.get('/api/evidence')).status).toBe(403);
    expect((await municipality.get(`/api/evidence/${itemId}`)).status).toBe(403);
  });

  it('legal hold: only a supervisor releases it, once', async () => {
    expect((await observer.post(`/api/evidence/${itemId}/release`, { reason: 'zaak gesloten' })).status).toBe(403);
    expect((await police.post(`/api/evidence/${itemId}/release`, { reason: 'zaak gesloten' })).status).toBe(403);
    const r = await supervisor.post(`/api/evidence/${itemId}/release`, { reason: 'Geen vervolging: zaak gesloten' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ legalHold: false, releasedBy: 'supervisor', releaseReason: 'Geen vervolging: zaak gesloten' });
    expect((await supervisor.post(`/api/evidence/${itemId}/release`, { reason: 'nog eens' })).body.error.code).toBe('not_held');
  });

  it('a full disk fails the clip with the reason and writes nothing; a retry produces it', async () => {
    const free = room.clips.diskFree;
    room.clips.diskFree = async () => 10 * 1024 * 1024;
    const now = Date.now();
    const res = await observer.post('/api/evidence', { cameras: ['rec-one'], from: iso(now - 5_000), to: iso(now - 1_000), reason: 'Schijf vol test' });
    expect(res.status).toBe(201);
    const failed = await waitReady(observer, res.body.id);
    expect(failed.state).toBe('failed');
    expect(failed.clips[0]!.error).toMatch(/^disk_full: /);
    expect(failed.clips[0]!.sha256).toBeNull();
    expect(existsSync(path.join(room.config.MEDIA_DIR, 'evidence', res.body.id, 'rec-one.mp4'))).toBe(false);
    expect((await observer.post(`/api/evidence/${res.body.id}/package-link`, {})).status).toBe(403);
    room.clips.diskFree = free;
    const retried = await observer.post(`/api/evidence/${res.body.id}/retry`);
    expect(retried.status).toBe(200);
    expect((await waitReady(observer, res.body.id)).state).toBe('ready');
    expect((await observer.post(`/api/evidence/${res.body.id}/retry`)).body.error.code).toBe('nothing_to_retry');
  });
});

describe('recorder killed', () => {
  it('restarts, and the segment it was writing is salvaged into the index (contiguous with the one before)', async () => {
    const before = await segments(room, 'rec-one');
    const [status] = (await room.recorder!.statuses()).filter((s) => s.cameraId === 'rec-one');
    expect(status!.pid).toBeGreaterThan(0);
    const runId = status!.runId;
    await new Promise((r) => setTimeout(r, 1000)); // into the next segment
    process.kill(status!.pid!, 'SIGKILL');
    const salvaged = await waitFor('salvaged segment', async () => (await room.sql`select * from recording_segments where run_id = ${runId} order by seq desc limit 2`), 10_000, 100)
      .then(async () => waitFor('newer run', async () => {
        const rows = await segments(room, 'rec-one');
        return rows.some((r) => r.run_id !== runId && !before.some((b) => b.run_id === r.run_id)) ? rows : null;
      }, 15_000, 200));
    const killedRun = salvaged.filter((r) => r.run_id === runId);
    const last = killedRun.at(-1)!, prev = killedRun.at(-2)!;
    expect(last.seq).toBe(prev.seq + 1);
    expect(last.started_at.getTime()).toBe(prev.ended_at.getTime());
    expect(last.ended_at.getTime() - last.started_at.getTime()).toBeGreaterThan(500);
    expect(readdirSync(path.join(room.config.MEDIA_DIR, 'recordings', 'rec-one', '.incoming')).filter((f) => f.startsWith(runId!))).toEqual([]);
    const [again] = (await room.recorder!.statuses()).filter((s) => s.cameraId === 'rec-one');
    expect(again!.restarts).toBeGreaterThanOrEqual(1);
  });
});

describe('camera stops and returns', () => {
  it('a camera that stops during the post-roll: the clip is finished with what was recorded, the missing end listed', async () => {
    const key = await newCamera(room, admin, 'rec-cut');
    const p = publish(room, 'rec-cut', key);
    await waitFor('segments', async () => (await segments(room, 'rec-cut')).length >= 2, 20_000, 200);
    const t = Date.now();
    const res = await observer.post('/api/evidence', { cameras: ['rec-cut'], from: iso(t - 3000), to: iso(t + 8000), reason: 'Camera valt weg' });
    expect(res.status).toBe(201);
    await new Promise((r) => setTimeout(r, 2500));
    await p.stop('SIGKILL');
    const item = await waitReady(observer, res.body.id, 30_000);
    expect(item.state).toBe('ready');
    const clip = item.clips[0]!;
    const last = (await segments(room, 'rec-cut')).at(-1)!;
    expect(clip.gaps).toEqual([{ from: last.ended_at.toISOString(), to: iso(t + 8000) }]);
    expect(Date.parse(clip.actualTo!)).toBe(last.ended_at.getTime());
    expect((await supervisor.get(`/api/evidence/${item.id}`)).body.custody.find((c: any) => c.action === 'produced').details.mode).toBe('live');
    const duration = Number((await ffprobeJson(path.join(room.config.MEDIA_DIR, 'evidence', item.id, 'rec-cut.mp4'))).format.duration);
    expect(Math.abs(duration - (last.ended_at.getTime() - Date.parse(clip.actualFrom!)) / 1000)).toBeLessThanOrEqual(0.1);
  });

  it('the recorder ends with the stream and starts again with it; a clip across the gap says so', async () => {
    const key = await newCamera(room, admin, 'rec-gap');
    const p1 = publish(room, 'rec-gap', key);
    await waitFor('segments', async () => (await segments(room, 'rec-gap')).length >= 2, 20_000, 200);
    await p1.stop('SIGKILL');
    await waitFor('recorder stopped', () => !room.recorder!.isRecording('rec-gap'), 10_000, 100);
    await new Promise((r) => setTimeout(r, 3000));
    const firstRunId = (await segments(room, 'rec-gap'))[0]!.run_id;
    publish(room, 'rec-gap', key);
    await waitFor('recording again', async () => (await segments(room, 'rec-gap')).filter((r) => r.run_id !== firstRunId).length >= 2, 20_000, 200);
    const rows = await segments(room, 'rec-gap');
    expect(new Set(rows.map((r) => r.run_id)).size).toBe(2);
    const firstRun = rows.filter((r) => r.run_id === rows[0]!.run_id);
    const secondRun = rows.filter((r) => r.run_id !== rows[0]!.run_id);
    const gapFrom = firstRun.at(-1)!.ended_at.getTime(), gapTo = secondRun[0]!.started_at.getTime();
    expect(gapTo - gapFrom).toBeGreaterThan(2000);
    const from = firstRun[0]!.started_at.getTime() + 100, to = secondRun[1]!.ended_at.getTime() - 100;
    const res = await observer.post('/api/evidence', { cameras: ['rec-gap'], from: iso(from), to: iso(to), reason: 'Over een opnamegat heen' });
    expect(res.status).toBe(201);
    const item = await waitReady(observer, res.body.id);
    expect(item.state).toBe('ready');
    const clip = item.clips[0]!;
    expect(clip.gaps).toHaveLength(1);
    expect((await supervisor.get(`/api/evidence/${item.id}`)).body.custody.find((c: any) => c.action === 'produced').details.mode).toBe('afterwards');
    expect(Math.abs(Date.parse(clip.gaps[0]!.from) - gapFrom)).toBeLessThan(10);
    expect(Math.abs(Date.parse(clip.gaps[0]!.to) - gapTo)).toBeLessThan(10);
    const recorded = (to - from - (gapTo - gapFrom)) / 1000;
    const duration = Number((await ffprobeJson(path.join(room.config.MEDIA_DIR, 'evidence', item.id, 'rec-gap.mp4'))).format.duration);
    expect(Math.abs(duration - recorded)).toBeLessThanOrEqual(GOP_S + 0.1);
    const ranges = await observer.get(`/api/recordings/rec-gap/ranges?from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(to))}`);
    expect(ranges.body.ranges).toHaveLength(2);
    expect(ranges.body.gaps).toHaveLength(1);
  });
});
