// The demo simulator end to end: cached loops pushed over RTMP, an RTSP demo camera through the real bridge,
// and the live-clock mode whose frames carry a readable capture time.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCameras, type DemoCameras, type DemoCameraSpec } from '../../streams/demo-cameras.js';
import { decodeLatencyCode, latencyCodeSamplePoints, latencyMs } from '../../streams/ffmpeg/latency-code.js';
import type { FfmpegInfo } from '../../streams/ffmpeg/locate.js';
import { startMediaServer, type MediaServer } from '../../streams/media-server/index.js';
import { createRtspBridgeSet, type RtspBridgeSet } from '../../streams/rtsp-bridge.js';
import { playUrl } from '../../streams/stream-path.js';
import { testFfmpeg, waitFor } from '../../streams/testing/fixtures.js';

const HOST = '127.0.0.1';
const quiet = { info() {}, warn() {}, error() {} };

const CAMERAS: DemoCameraSpec[] = [
  { cameraId: 'ens-markt', name: "Enschede, Oude Markt: 'noord'", key: 'k1', source: 'rtmp' },
  { cameraId: 'hgl-station', name: 'Hengelo Station', key: 'k2', source: 'rtsp' },
];

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('demo cameras', () => {
  let ff: FfmpegInfo;
  let ms: MediaServer;
  let cacheDir: string;
  let demo: DemoCameras | null = null;
  let bridges: RtspBridgeSet | null = null;
  const encoded: string[] = [];
  const log = { ...quiet, info: (o: object, m?: string) => m === 'demo loop encoded' && encoded.push(JSON.stringify(o)) };

  beforeAll(async () => {
    ff = await testFfmpeg();
    cacheDir = mkdtempSync(join(tmpdir(), 'uitkijk-demo-'));
    ms = await startMediaServer({
      host: HOST,
      rtmpPort: 0,
      httpPort: 0,
      log: quiet,
      authorizePublish: async ({ cameraId, key }) =>
        CAMERAS.some((c) => c.cameraId === cameraId && c.key === key) ? { ok: true } : { ok: false, reason: 'wrong-key' },
      authorizePlay: async () => ({ ok: true, viewerId: 'tester' }),
    });
  }, 30_000);

  afterAll(async () => {
    await bridges?.stop();
    await demo?.stop();
    await ms?.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const start = async (mode: 'loops' | 'live-clock') => {
    demo = await startDemoCameras({
      cameras: CAMERAS,
      rtmp: { host: HOST, port: ms.rtmpPort },
      ffmpeg: ff,
      cacheDir,
      rtsp: { host: HOST, port: 0 },
      mode,
      loopSeconds: 2,
      encodeConcurrency: 2,
      log,
    });
    await demo.ready;
    bridges = createRtspBridgeSet({ rtmp: { host: HOST, port: ms.rtmpPort }, ffmpeg: ff, log: quiet });
    await bridges.sync(demo.rtspSources().map((s) => ({ ...s, key: s.key ?? 'never' })));
  };

  const stopAll = async () => {
    const pids = [...demo!.status().map((s) => s.pid), ...bridges!.statuses().map((s) => s.pid)].filter((p): p is number => p !== null);
    await bridges!.stop();
    await demo!.stop();
    bridges = null;
    demo = null;
    await waitFor(() => ms.stats().length === 0, 5_000, 'all demo streams offline');
    return pids;
  };

  it('streams main and sub of every camera; the RTSP camera through the bridge', { timeout: 40_000 }, async () => {
    await start('loops');
    expect(demo!.rtspSources()).toEqual([
      { cameraId: 'hgl-station', stream: 'main', key: 'k2', sourceUrl: `rtsp://${HOST}:${demo!.rtspPort}/hgl-station` },
      { cameraId: 'hgl-station', stream: 'sub', key: 'k2', sourceUrl: `rtsp://${HOST}:${demo!.rtspPort}/hgl-station__sub` },
    ]);
    await waitFor(() => ms.stats().length === 4 && ms.stats().every((s) => s.width !== undefined), 20_000, 'four live streams');
    const dims = Object.fromEntries(ms.stats().map((s) => [`${s.cameraId}/${s.stream}`, `${s.width}x${s.height}`]));
    expect(dims).toEqual({
      'ens-markt/main': '1280x720',
      'ens-markt/sub': '640x360',
      'hgl-station/main': '1280x720',
      'hgl-station/sub': '640x360',
    });
    expect(encoded).toHaveLength(4);
    expect(demo!.status().map((s) => s.role).sort()).toEqual(['rtmp-push', 'rtmp-push', 'rtsp-source', 'rtsp-source']);

    const pids = await stopAll();
    expect(pids.length).toBe(6);
    await waitFor(() => pids.every((p) => !alive(p)), 3_000, 'every demo process to exit');
  });

  it('reuses the cached loops on the next start', { timeout: 30_000 }, async () => {
    const files = readdirSync(cacheDir).filter((f) => f.endsWith('.mp4'));
    expect(files).toHaveLength(4);
    encoded.length = 0;
    const t0 = Date.now();
    await start('loops');
    expect(encoded).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(3_000);
    await waitFor(() => ms.stats().length === 4, 15_000, 'four live streams again');
    await stopAll();
  });

  it('live-clock mode burns the real capture time into every frame', { timeout: 30_000 }, async () => {
    await start('live-clock');
    expect(demo!.status().map((s) => s.role).sort()).toEqual(['live-encoder', 'rtsp-source', 'rtsp-source']);
    await waitFor(() => ms.isLive({ cameraId: 'ens-markt', stream: 'sub' }), 15_000, 'the live sub stream');

    // Grab a few decoded frames as grey pixels and read the block code, like the benchmark page will.
    const url = playUrl('http', { host: HOST, port: ms.httpPort }, { cameraId: 'ens-markt', stream: 'sub' }, 't');
    const frames = await new Promise<Buffer>((resolve, reject) => {
      execFile(
        ff.path,
        ['-loglevel', 'error', '-analyzeduration', '500000', '-probesize', '65536', '-i', url, '-frames:v', '30', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
        { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 15_000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
    const readAt = Date.now();
    const size = 640 * 360;
    const points = latencyCodeSamplePoints(640, 360);
    const last = frames.subarray(frames.length - size);
    const code = decodeLatencyCode(points.map((p) => last[Math.floor(p.y) * 640 + Math.floor(p.x)]!));
    expect(code).not.toBeNull();
    // Frames come from the GOP cache and a real-time encoder: the last one was captured within ~2 s.
    const age = latencyMs(code!, readAt);
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(2_500);
    await stopAll();
  });
});
