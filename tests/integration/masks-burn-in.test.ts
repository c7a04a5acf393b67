// Privacy masks burned into pixels, checked by decoding frames: a clip of a test pattern with a mask (with the
// system's ffmpeg and the packaged 4.1 build), then through the whole room: the evidence clip of a masked camera
// (the version in force when it was recorded), the export ordered with the liftable mask lifted (named in the signed
// manifest), the incident snapshot; and a camera without masks keeps today's -c copy clip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { maskClip } from '../../streams/clip.js';
import { ffprobePathFor, probeClip } from '../../streams/ffmpeg/probe.js';
import { testFfmpeg } from '../../streams/testing/fixtures.js';
import { verifyPackage } from '../../server/evidence/verify.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera, rtmpUrl } from '../support/cameras.js';
import { waitReady } from '../support/evidence.js';

const work = mkdtempSync(path.join(tmpdir(), 'masks-burn-'));
// The ffmpeg the tests run with (the system's where there is one, else the packaged build) and the packaged 4.1.
const found = (await testFfmpeg()).path;
const SYSTEM = { ffmpeg: found, ffprobe: ffprobePathFor(found) };
const PACKAGED = { ffmpeg: (await import('@ffmpeg-installer/ffmpeg')).default.path, ffprobe: (await import('@ffprobe-installer/ffprobe')).default.path };

// The garden (liftable) on the left, the window (permanent) top right.
const garden = { id: 'voortuin-12', kind: 'liftable', reason: 'voortuin Oude Markt 12', points: [[0.05, 0.1], [0.4, 0.1], [0.4, 0.6], [0.05, 0.6]] };
const window_ = { id: 'raam-3', kind: 'permanent', reason: 'woning Oude Markt 3', points: [[0.6, 0.05], [0.95, 0.05], [0.95, 0.4], [0.6, 0.4]] };

/** One frame of a video or image as grey bytes (full range: black is 0). */
function greyFrame(file: string, w: number, h: number, atS = 1): Uint8Array {
  const seek = file.endsWith('.jpg') ? [] : ['-ss', String(atS)];
  const out = execFileSync(SYSTEM.ffmpeg, ['-v', 'error', ...seek, '-i', file, '-frames:v', '1', '-vf', 'scale=out_range=full', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 64 << 20 });
  expect(out.length).toBe(w * h);
  return new Uint8Array(out);
}
/** The grey values inside a normalised rectangle, a little in from its edges. */
function area(frame: Uint8Array, w: number, h: number, [x0, y0, x1, y1]: [number, number, number, number]): number[] {
  const v: number[] = [];
  for (let y = Math.ceil(y0 * h) + 2; y < Math.floor(y1 * h) - 2; y++) for (let x = Math.ceil(x0 * w) + 2; x < Math.floor(x1 * w) - 2; x++) v.push(frame[y * w + x]!);
  return v;
}
const GARDEN: [number, number, number, number] = [0.05, 0.1, 0.4, 0.6];
const WINDOW: [number, number, number, number] = [0.6, 0.05, 0.95, 0.4];
const OPEN: [number, number, number, number] = [0.45, 0.65, 0.95, 0.95];   // no mask: the pattern shows
// JPEG rings a little at a block edge (a snapshot's black reads up to ~5); video black reads 0.
const black = (v: number[]) => v.length > 100 && v.every((p) => p <= 8);
const showsPattern = (v: number[]) => v.length > 100 && new Set(v).size > 20 && v.some((p) => p > 60);
/** What an area held, for the message of a failed check. */
const summary = (v: number[]) => JSON.stringify({ n: v.length, min: v.reduce((a, b) => Math.min(a, b), 255), max: v.reduce((a, b) => Math.max(a, b), 0), distinct: new Set(v).size });

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('burning masks into a clip', () => {
  for (const [name, bin] of [['the tests’ ffmpeg', SYSTEM], ['packaged ffmpeg 4.1', PACKAGED]] as const) {
    it(`${name}: masked pixels are black, unmasked ones show the pattern; the copy without liftable masks keeps the garden`, async () => {
      const dir = mkdtempSync(path.join(work, 'clip-'));
      const clip = path.join(dir, 'cam.mp4'), liftable = path.join(dir, 'cam.liftable.mp4');
      execFileSync(bin.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', clip]);
      const r = await maskClip({ ...bin, clip, polygons: [garden.points, window_.points] as never, liftable: { output: liftable, polygons: [window_.points] as never }, width: 1280, height: 720, durationMs: 3000 });
      expect(r.masked.facts).toMatchObject({ width: 1280, height: 720, frames: 75 });
      expect(r.masked.sha256).toBe(createHash('sha256').update(readFileSync(clip)).digest('hex'));
      expect(statSync(clip).mode & 0o777).toBe(0o444);
      for (const t of [0, 1.5, 2.9]) {
        const f = greyFrame(clip, 1280, 720, t);
        expect(black(area(f, 1280, 720, GARDEN)), `garden at ${t}s`).toBe(true);
        expect(black(area(f, 1280, 720, WINDOW)), `window at ${t}s`).toBe(true);
        expect(showsPattern(area(f, 1280, 720, OPEN)), `open area at ${t}s`).toBe(true);
      }
      const l = greyFrame(liftable, 1280, 720);
      expect(showsPattern(area(l, 1280, 720, GARDEN)), summary(area(l, 1280, 720, GARDEN))).toBe(true);
      expect(black(area(l, 1280, 720, WINDOW)), summary(area(l, 1280, 720, WINDOW))).toBe(true);
      expect(r.liftable!.sha256).toBe(createHash('sha256').update(readFileSync(liftable)).digest('hex'));
    }, 60_000);
  }
});

describe('through the room', () => {
  let room: TestRoom;
  const publishers: Publisher[] = [];
  let admin: ApiClient, observer: ApiClient, police: ApiClient, supervisor: ApiClient, dispatcher: ApiClient;
  const W = 640, H = 360;
  beforeAll(async () => {
    room = await startTestRoom();
    [admin, observer, police, supervisor, dispatcher] = await Promise.all(['admin', 'observer', 'police', 'supervisor', 'dispatcher'].map((u) => new ApiClient(room.url).login(u)));
    for (const id of ['masked-cam', 'plain-cam']) {
      const key = await createRtmpCamera(admin, id);
      const r = id === 'masked-cam' ? await admin.request('PUT', `/api/cameras/${id}/masks`, { masks: [garden, window_], changeReason: 'cameraplan', baseVersion: 0 }) : null;
      if (r) expect(r.status, JSON.stringify(r.body)).toBe(200);
      // 640x360, so the masked areas hold many pixels.
      publishers.push(publishTestPattern(rtmpUrl(room, id, key), `${W}x${H}`));
    }
    await waitFor('both cameras recording', async () => (await room.sql`select count(distinct camera_id)::int as n from recording_segments where camera_id in ('masked-cam', 'plain-cam')`)[0]!.n === 2, 20_000);
  }, 60_000);
  afterAll(async () => { await Promise.all(publishers.map((p) => p.stop())); await room?.close(); });

  let itemId = '';
  it('the evidence clip of a masked camera has the masks in force when it was recorded burned in; a camera without masks keeps -c copy', async () => {
    const t = Date.now();
    const res = await observer.post('/api/evidence', { cameras: ['masked-cam', 'plain-cam'], from: new Date(t - 3000).toISOString(), to: new Date(t + 2000).toISOString(), reason: 'vechtpartij bij de voortuin' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    itemId = res.body.id;
    // A new version while the post-roll is still being recorded: the clip spans both, covers the union, records both.
    const v2 = await admin.request('PUT', '/api/cameras/masked-cam/masks', { masks: [], changeReason: 'alles weg (test)', baseVersion: 1 });
    expect(v2.status).toBe(200);
    const item = await waitReady(observer, itemId, 60_000);
    expect(item.state, JSON.stringify(item.clips)).toBe('ready');
    const rows = await room.sql`select camera_id, file, liftable_file, masks, width, height, codec from evidence_clips where item_id = ${itemId} order by camera_id`;
    const masked = rows.find((r) => r.camera_id === 'masked-cam')!, plain = rows.find((r) => r.camera_id === 'plain-cam')!;
    expect(masked.masks).toMatchObject({ versions: [1, 2], burnedIn: ['raam-3', 'voortuin-12'], lifted: [], liftReason: null, liftable: ['voortuin-12'], permanent: ['raam-3'] });
    expect(masked.liftable_file).toBe(path.join('evidence', itemId, 'masked-cam.liftable.mp4'));
    const f = greyFrame(path.join(room.config.MEDIA_DIR, masked.file), W, H);
    expect(black(area(f, W, H, GARDEN)), summary(area(f, W, H, GARDEN))).toBe(true);
    expect(black(area(f, W, H, WINDOW)), summary(area(f, W, H, WINDOW))).toBe(true);
    expect(showsPattern(area(f, W, H, OPEN)), summary(area(f, W, H, OPEN))).toBe(true);
    // No masks: no re-encode. The publisher's x264 stream is copied (ultrafast has no CABAC; our x264 preset has).
    expect(plain.masks).toBeNull();
    expect(plain.liftable_file).toBeNull();
    const p = greyFrame(path.join(room.config.MEDIA_DIR, plain.file), W, H);
    expect(showsPattern(area(p, W, H, GARDEN)), summary(area(p, W, H, GARDEN))).toBe(true);
    const encoder = (file: string) => execFileSync(SYSTEM.ffprobe, ['-v', 'error', '-show_entries', 'format_tags=encoder:stream=profile', '-of', 'json', path.join(room.config.MEDIA_DIR, file)]).toString();
    expect(JSON.parse(encoder(plain.file)).streams[0].profile).toBe('Constrained Baseline');
    expect(JSON.parse(encoder(masked.file)).streams[0].profile).toBe('High');
    const clipFacts = await probeClip(SYSTEM.ffprobe, path.join(room.config.MEDIA_DIR, masked.file));
    expect(item.clips.find((c) => c.cameraId === 'masked-cam')!.sha256).toBe(createHash('sha256').update(readFileSync(path.join(room.config.MEDIA_DIR, masked.file))).digest('hex'));
    expect(clipFacts.width).toBe(W);
  }, 90_000);

  it('the export: masks burned in and recorded in the signed manifest; lifted only by an explicit order of police or a supervisor', async () => {
    const purpose = { caseNumber: 'PL0600-2026000016', legalBasis: 'order-126nd-sv' };
    const download = async (api: ApiClient, url: string) => {
      const dl = await fetch(room.url + url, { headers: { cookie: api.cookie } });
      expect(dl.status).toBe(200);
      const zip = path.join(work, `pkg-${Math.random().toString(36).slice(2)}.zip`);
      writeFileSync(zip, Buffer.from(await dl.arrayBuffer()));
      const report = await verifyPackage(zip);
      expect(report.problems).toEqual([]);
      return report.manifest!;
    };
    const plainLink = await police.post(`/api/evidence/${itemId}/package-link`, purpose);
    expect(plainLink.status, JSON.stringify(plainLink.body)).toBe(200);
    const m = await download(police, plainLink.body.url);
    const [clipRow] = await room.sql`select sha256, liftable_file, masks from evidence_clips where item_id = ${itemId} and camera_id = 'masked-cam'`;
    const maskedFile = m.files.find((f) => f.camera.id === 'masked-cam')!;
    expect(maskedFile.masks).toEqual({ versions: [1, 2], burnedIn: ['raam-3', 'voortuin-12'], lifted: [], liftReason: null });
    expect(maskedFile.sha256).toBe(clipRow!.sha256);
    expect(m.files.find((f) => f.camera.id === 'plain-cam')!.masks).toBeUndefined();

    const order = { ...purpose, liftMasks: { cameras: [{ cameraId: 'masked-cam', maskIds: ['voortuin-12'] }], reason: 'verdachte vlucht door de voortuin' } };
    // Bad orders name the field; a permanent mask is never lifted.
    const bad = await police.post(`/api/evidence/${itemId}/package-link`, { ...order, liftMasks: { ...order.liftMasks, cameras: [{ cameraId: 'masked-cam', maskIds: ['raam-3'] }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'mask_not_liftable', field: 'liftMasks.cameras.0.maskIds' });
    const noReason = await police.post(`/api/evidence/${itemId}/package-link`, { ...order, liftMasks: { ...order.liftMasks, reason: '' } });
    expect(noReason.body.error.field).toBe('liftMasks.reason');
    const plainCam = await police.post(`/api/evidence/${itemId}/package-link`, { ...order, liftMasks: { ...order.liftMasks, cameras: [{ cameraId: 'plain-cam', maskIds: ['voortuin-12'] }] } });
    expect(plainCam.body.error.field).toBe('liftMasks.cameras.0.maskIds');
    // Only police and supervisors may order it (observers may not export at all; admins neither).
    expect((await observer.post(`/api/evidence/${itemId}/package-link`, order)).status).toBe(403);
    expect((await dispatcher.post(`/api/evidence/${itemId}/package-link`, order)).status).toBe(403);

    for (const api of [police, supervisor]) {
      const link = await api.post(`/api/evidence/${itemId}/package-link`, order);
      expect(link.status, JSON.stringify(link.body)).toBe(200);
      const lm = await download(api, link.body.url);
      const f = lm.files.find((x) => x.camera.id === 'masked-cam')!;
      expect(f.masks).toEqual({ versions: [1, 2], burnedIn: ['raam-3'], lifted: ['voortuin-12'], liftReason: 'verdachte vlucht door de voortuin' });
      expect(f.sha256).toBe(clipRow!.masks.liftableCopy.sha256);
      expect(lm.custody.at(-1)).toMatchObject({ action: 'exported', details: { liftMasks: order.liftMasks } });
    }
    const liftedFile = path.join(room.config.MEDIA_DIR, clipRow!.liftable_file);
    expect(createHash('sha256').update(readFileSync(liftedFile)).digest('hex')).toBe(clipRow!.masks.liftableCopy.sha256);
    const l = greyFrame(liftedFile, W, H);
    expect(showsPattern(area(l, W, H, GARDEN)), summary(area(l, W, H, GARDEN))).toBe(true);
    expect(black(area(l, W, H, WINDOW)), summary(area(l, W, H, WINDOW))).toBe(true);
    const audit = await room.sql`select actor_name, details from audit_log where action = 'evidence.exported' and subject = ${itemId} order by id`;
    expect(audit.map((a) => [a.actor_name, a.details.liftMasks?.reason ?? null])).toEqual([
      ['police', null], ['police', 'verdachte vlucht door de voortuin'], ['supervisor', 'verdachte vlucht door de voortuin'],
    ]);
  }, 60_000);

  it('an incident snapshot has the masks in force at the tagged moment burned in (live lifts do not count)', async () => {
    const v3 = await admin.request('PUT', '/api/cameras/masked-cam/masks', { masks: [garden, window_], changeReason: 'terug', baseVersion: 2 });
    expect(v3.status).toBe(200);
    const lift = await supervisor.post('/api/cameras/masked-cam/masks/lifts', { maskIds: ['voortuin-12'], reason: 'live meekijken', minutes: 5 });
    expect(lift.status).toBe(201);
    const s = await observer.post('/api/snapshots', { cameraId: 'masked-cam' });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const row = await waitFor('snapshot taken', async () => {
      const [r] = await room.sql`select status, file, mask_version, error from snapshots where id = ${s.body.id}`;
      return r && r.status !== 'pending' ? r : null;
    }, 20_000);
    expect(row.status, row.error).toBe('taken');
    expect(row.mask_version).toBe(3);
    const f = greyFrame(path.join(room.config.MEDIA_DIR, row.file), W, H);
    expect(black(area(f, W, H, GARDEN)), summary(area(f, W, H, GARDEN))).toBe(true);
    expect(black(area(f, W, H, WINDOW)), summary(area(f, W, H, WINDOW))).toBe(true);
    expect(showsPattern(area(f, W, H, OPEN)), summary(area(f, W, H, OPEN))).toBe(true);
  }, 40_000);
});
