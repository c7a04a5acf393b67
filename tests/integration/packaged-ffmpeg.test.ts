// The ffmpeg a fresh machine gets from `npm install` (the static 4.1 build inside @ffmpeg-installer/ffmpeg, with
// ffprobe from @ffprobe-installer/ffprobe), used for everything the room asks of ffmpeg, whatever else this
// machine has: the demo loop with the packaged font, a camera published with -c copy, the recorder's segments,
// an evidence clip, the playback remux and an incident snapshot.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFontFile } from '../../streams/demo-cameras.js';
import { planClip, produceClip, streamRange, type PlanSegment } from '../../streams/clip.js';
import { demoLoopEncodeArgs, loopPushArgs, snapshotArgs, SUB_PROFILE } from '../../streams/ffmpeg/args.js';
import { probeFfmpeg, type FfmpegInfo } from '../../streams/ffmpeg/locate.js';
import { chooseFfprobe, probeClip } from '../../streams/ffmpeg/probe.js';
import { startMediaServer, type MediaServer } from '../../streams/media-server/index.js';
import { startCameraRecorder, type CameraRecorder, type ClosedSegment } from '../../streams/recorder.js';
import { playUrl, publishUrl } from '../../streams/stream-path.js';
import { ChildTracker, waitFor, writeTextFile } from '../../streams/testing/fixtures.js';

const HOST = '127.0.0.1';
const require = createRequire(import.meta.url);
const quiet = { info() {}, warn() {}, error() {} };

describe('the packaged ffmpeg (what npm install brings)', () => {
  const kids = new ChildTracker();
  let ff: FfmpegInfo;
  let ffprobe: string;
  let ms: MediaServer;
  let dir: string;
  let loop: string;
  let recorder: CameraRecorder | null = null;
  const segments: ClosedSegment[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'uitkijk-packaged-'));
    const packaged = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    ff = await probeFfmpeg({ path: packaged, source: '@ffmpeg-installer/ffmpeg' });
    // An empty PATH: the system's ffprobe (if any) must not stand in for the packaged one.
    ffprobe = chooseFfprobe(packaged, { PATH: '' }, {
      isExecutable: (p) => existsSync(p),
      packaged: () => (require('@ffprobe-installer/ffprobe') as { path: string }).path,
    });
    ms = await startMediaServer({
      host: HOST, rtmpPort: 0, httpPort: 0, log: quiet,
      authorizePublish: async ({ key }) => (key === 'k' ? { ok: true } : { ok: false, reason: 'wrong-key' }),
      authorizePlay: async () => ({ ok: true, viewerId: 'tester' }),
    });
  }, 60_000);

  afterAll(async () => {
    await recorder?.stop();
    await kids.stopAll();
    await ms?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the 4.x build, found with its own ffprobe, with libx264 and drawtext', () => {
    expect(ff.path).toContain(`${path.sep}node_modules${path.sep}@ffmpeg-installer${path.sep}`);
    expect(ff.major).toBe(4); // a git-snapshot version line; the release comes from libavformat
    expect(ff.hasLibx264).toBe(true);
    expect(ff.hasDrawtext).toBe(true);
    expect(ffprobe).toContain(`${path.sep}node_modules${path.sep}@ffprobe-installer${path.sep}`);
  });

  it('encodes a demo loop with the camera name drawn in the packaged font', { timeout: 60_000 }, async () => {
    const font = defaultFontFile();
    expect(font).toContain('dejavu-fonts-ttf');
    loop = path.join(dir, 'loop.mp4');
    const enc = kids.spawn(ff.path, demoLoopEncodeArgs({
      profile: SUB_PROFILE, seconds: 2, output: loop, fontFile: font,
      titleFile: writeTextFile(path.join(dir, 'title.txt'), 'Oude Markt'),
      counterFile: writeTextFile(path.join(dir, 'counter.txt'), 'loop %{pts:hms}'),
    }));
    expect(await enc.exited, enc.stderrText()).toBe(0);
    const facts = await probeClip(ffprobe, loop, true);
    expect(facts).toMatchObject({ codec: 'h264', width: 640, height: 360, frames: 50 });
  });

  it('publishes -c copy, records segments, cuts an evidence clip, remuxes playback and grabs a snapshot', { timeout: 90_000 }, async () => {
    const ref = { cameraId: 'cam-packaged', stream: 'main' as const };
    kids.spawn(ff.path, loopPushArgs(loop, publishUrl({ host: HOST, port: ms.rtmpPort }, ref, 'k')));
    await waitFor(() => ms.stats().some((s) => s.cameraId === ref.cameraId), 15_000, 'the camera to publish');

    recorder = await startCameraRecorder({
      cameraId: ref.cameraId, mediaDir: dir, ffmpeg: ff.path, ffprobe, segmentSeconds: 1,
      inputUrl: () => playUrl('http', { host: HOST, port: ms.httpPort }, ref, 'rec'),
      onSegment: async (s) => { segments.push(s); },
    });
    await waitFor(() => segments.length >= 4, 30_000, 'four recorded segments');
    const plan: PlanSegment[] = segments.map((s) => ({
      file: path.join(dir, s.path), runId: s.runId, seq: s.seq, startedAt: s.startedAt.getTime(), endedAt: s.endedAt.getTime(), bytes: s.bytes,
    }));
    for (const s of plan.slice(0, 2)) expect((await probeClip(ffprobe, s.file)).codec).toBe('h264');

    // Evidence: ffmpeg 4 has no concatf protocol, so the segments are fed on stdin (what the worker does for major 4).
    const from = plan[0]!.startedAt, to = plan.at(-1)!.endedAt;
    const clip = await produceClip({ ffmpeg: ff.path, ffprobe, plan: planClip(plan, from, to), from, to, concatf: ff.major >= 5, output: path.join(dir, 'clip.mp4') });
    expect(clip.codec).toBe('h264');
    expect(clip.frames).toBeGreaterThanOrEqual(Math.floor(((to - from) / 1000 - 1) * 25));
    expect(readFileSync(path.join(dir, 'clip.mp4')).subarray(4, 8).toString('latin1')).toBe('ftyp');

    // Playback: fragmented MP4 on stdout, as the console's player reads it.
    const play = await streamRange({ ffmpeg: ff.path, ffprobe, plan: planClip(plan, from, to), from, to, concatf: ff.major >= 5 });
    const chunks: Buffer[] = [];
    for await (const c of play.stream) chunks.push(c as Buffer);
    await play.done;
    const mp4 = Buffer.concat(chunks);
    expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(mp4.includes(Buffer.from('moof'))).toBe(true);
    expect(mp4.length).toBeGreaterThan(20_000);

    // Snapshot: one JPEG from the live stream.
    const jpeg = path.join(dir, 'snap.jpg');
    const snap = kids.spawn(ff.path, snapshotArgs(playUrl('http', { host: HOST, port: ms.httpPort }, ref, 'snap'), jpeg));
    expect(await snap.exited, snap.stderrText()).toBe(0);
    expect(readFileSync(jpeg).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });
});
