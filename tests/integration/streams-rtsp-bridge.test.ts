// RTSP camera (demo RTSP server fed by an ffmpeg RTP sender) -> supervised ffmpeg bridge -> media server.
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckArgs, rtpSourceArgs } from '../../streams/ffmpeg/args.js';
import type { FfmpegInfo } from '../../streams/ffmpeg/locate.js';
import { startDemoRtspServer, type DemoRtspServer } from '../../streams/demo-rtsp-server.js';
import { startMediaServer, type MediaServer, type MediaServerEvents } from '../../streams/media-server/index.js';
import { startRtspBridge, type RtspBridge } from '../../streams/rtsp-bridge.js';
import { playUrl } from '../../streams/stream-path.js';
import { ChildTracker, countVideoFrames, readWsFlv, testFfmpeg, testLoop, waitFor } from '../../streams/testing/fixtures.js';

const HOST = '127.0.0.1';
const quiet = { info() {}, warn() {}, error() {} };

describe('RTSP bridge', () => {
  const kids = new ChildTracker();
  const bridges: RtspBridge[] = [];
  let ff: FfmpegInfo;
  let ms: MediaServer;
  let rtsp: DemoRtspServer;
  let dir: string;
  const publishes: MediaServerEvents['publish'][] = [];
  const unpublishes: MediaServerEvents['unpublish'][] = [];

  const bridge = (opts: Partial<Parameters<typeof startRtspBridge>[0]> & { cameraId: string; sourceUrl: string }) => {
    const b = startRtspBridge({ key: 'k-rtsp', rtmp: { host: HOST, port: ms.rtmpPort }, ffmpeg: ff, log: quiet, ...opts });
    bridges.push(b);
    return b;
  };

  beforeAll(async () => {
    let loop: string;
    [ff, loop] = await Promise.all([testFfmpeg(), testLoop()]);
    dir = mkdtempSync(join(tmpdir(), 'uitkijk-rtsp-'));
    ms = await startMediaServer({
      host: HOST,
      rtmpPort: 0,
      httpPort: 0,
      log: quiet,
      authorizePublish: async ({ cameraId, key }) =>
        cameraId === 'cam-rtsp' && key === 'k-rtsp' ? { ok: true } : { ok: false, reason: 'wrong-key' },
      authorizePlay: async () => ({ ok: true, viewerId: 'tester' }),
    });
    ms.events.on('publish', (e) => publishes.push(e));
    ms.events.on('unpublish', (e) => unpublishes.push(e));
    rtsp = await startDemoRtspServer({ host: HOST, port: 0 });
    const sdpFile = join(dir, 'cam.sdp');
    const ports = await rtsp.addSource('cam', sdpFile);
    kids.spawn(ff.path, rtpSourceArgs({ input: loop, ...ports, sdpFile }));
    await waitFor(() => existsSync(sdpFile), 10_000, 'the RTP sender to describe its stream');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(bridges.map((b) => b.stop()));
    await kids.stopAll();
    await rtsp?.stop();
    await ms?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers playable FLV from an RTSP camera, without transcoding', { timeout: 30_000 }, async () => {
    const b = bridge({ cameraId: 'cam-rtsp', sourceUrl: rtsp.url('cam') });
    await waitFor(() => publishes.some((p) => p.cameraId === 'cam-rtsp'), 15_000, 'the bridge to publish');
    expect(b.status()).toMatchObject({ cameraId: 'cam-rtsp', stream: 'main', state: 'running' });

    // A real decoder opens the HTTP-FLV stream like a player and decodes frames.
    const flvUrl = playUrl('http', { host: HOST, port: ms.httpPort }, { cameraId: 'cam-rtsp', stream: 'main' }, 't');
    const check = kids.spawn(ff.path, decodeCheckArgs(flvUrl, 25));
    const code = await check.exited;
    expect(code, check.stderrText()).toBe(0);

    const ws = await readWsFlv(playUrl('ws', { host: HOST, port: ms.httpPort }, { cameraId: 'cam-rtsp', stream: 'main' }, 't'), 10, 8_000);
    expect(countVideoFrames(ws.tags)).toBeGreaterThanOrEqual(10);
    const stats = ms.stats().find((s) => s.cameraId === 'cam-rtsp')!;
    expect(stats).toMatchObject({ width: 640, height: 360 }); // the camera's own resolution: copied, not scaled
  });

  it('restarts a bridge whose ffmpeg was killed, and the camera comes back online', { timeout: 30_000 }, async () => {
    const b = bridges[0]!;
    const pid = b.status().pid!;
    const restartsBefore = b.status().restarts;
    const publishedBefore = publishes.filter((p) => p.cameraId === 'cam-rtsp').length;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => unpublishes.some((u) => u.cameraId === 'cam-rtsp'), 5_000, 'offline after the kill');
    await waitFor(() => b.status().state === 'backoff' || b.status().restarts > 0, 3_000, 'backoff');
    await waitFor(() => publishes.filter((p) => p.cameraId === 'cam-rtsp').length > publishedBefore, 15_000, 'online again');
    const s = b.status();
    expect(s.restarts).toBe(restartsBefore + 1);
    expect(s.state).toBe('running');
    expect(s.pid).not.toBe(pid);
    expect(s.lastError).toBe('killed by SIGKILL');
  });

  it('backs off on a camera that refuses connections, with the reason in its status', { timeout: 20_000 }, async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, HOST, () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const b = bridge({ cameraId: 'cam-down', sourceUrl: `rtsp://admin:secret@${HOST}:${closed}/stream1`, backoff: { initialMs: 200 } });
    await waitFor(() => b.status().restarts >= 2, 10_000, 'two retries');
    const s = b.status();
    expect(s.lastError).toMatch(/refused/i);
    expect(s.source).toBe(`rtsp://[redacted]@${HOST}:${closed}/stream1`);
    expect(JSON.stringify(s)).not.toContain('secret');
    await b.stop();
    expect(b.status().state).toBe('stopped');
  });

  it('gives up on a camera that accepts but never answers within the I/O timeout', { timeout: 20_000 }, async () => {
    const sockets: net.Socket[] = [];
    const hang = net.createServer((s) => sockets.push(s.on('error', () => {})));
    const port = await new Promise<number>((resolve) => hang.listen(0, HOST, () => resolve((hang.address() as net.AddressInfo).port)));
    try {
      const b = bridge({ cameraId: 'cam-hang', sourceUrl: `rtsp://${HOST}:${port}/x`, ioTimeoutMs: 1_000, backoff: { initialMs: 60_000 } });
      await waitFor(() => b.status().state === 'backoff', 8_000, 'the hanging attempt to end');
      const exit = b.process.snapshot().lastExit!;
      expect(exit.ranMs).toBeGreaterThanOrEqual(900);
      expect(exit.ranMs).toBeLessThan(5_000);
      await b.stop();
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
    }
  });
});
