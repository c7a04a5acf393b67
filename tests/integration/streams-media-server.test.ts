// Real node-media-server (through our adapter) + real ffmpeg publishers on 127.0.0.1, random ports.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopPushArgs } from '../../streams/ffmpeg/args.js';
import { startMediaServer, type MediaServer, type MediaServerEvents, type MediaServerOptions } from '../../streams/media-server/index.js';
import { playUrl, publishUrl, type StreamRef } from '../../streams/stream-path.js';
import { ChildTracker, countVideoFrames, readHttpFlv, readWsFlv, testFfmpeg, testLoop, waitFor } from '../../streams/testing/fixtures.js';
import type { FfmpegInfo } from '../../streams/ffmpeg/locate.js';

const HOST = '127.0.0.1';
const quiet = { info() {}, warn() {}, error() {} };

// The registry the platform will provide; here a fixed table.
const CAMERAS: Record<string, { key: string; enabled: boolean }> = {
  'cam-a': { key: 'key-a', enabled: true },
  'cam-b': { key: 'key-b', enabled: true },
  'cam-c': { key: 'key-c', enabled: true },
  'cam-off': { key: 'key-off', enabled: false },
};

const authorizePublish: MediaServerOptions['authorizePublish'] = async ({ cameraId, key }) => {
  const cam = CAMERAS[cameraId];
  if (!cam) return { ok: false, reason: 'unknown-camera' };
  if (!cam.enabled) return { ok: false, reason: 'disabled' };
  if (key !== cam.key) return { ok: false, reason: 'wrong-key' };
  return { ok: true };
};

const authorizePlay: MediaServerOptions['authorizePlay'] = async ({ cameraId, token }) =>
  token === `ok-${cameraId}` ? { ok: true, viewerId: 'user-1' } : { ok: false, reason: 'invalid-token' };

function options(over: Partial<MediaServerOptions> = {}): MediaServerOptions {
  return { host: HOST, rtmpPort: 0, httpPort: 0, log: quiet, authorizePublish, authorizePlay, ...over };
}

function occupyPort(): Promise<net.Server> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, HOST, () => resolve(s));
  });
}

describe('media server start-up', () => {
  it('reports an RTMP port in use as a clear error, and the process carries on', { timeout: 10_000 }, async () => {
    const blocker = await occupyPort();
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startMediaServer(options({ rtmpPort: port }))).rejects.toThrow(`RTMP port ${port} already in use on ${HOST}`);
    } finally {
      blocker.close();
    }
    // Still alive, and nothing half-started holds on: a normal start works.
    const ms = await startMediaServer(options());
    await ms.stop();
  });

  it('reports an HTTP-FLV port in use and frees the RTMP port it had opened', { timeout: 10_000 }, async () => {
    const blocker = await occupyPort();
    const httpPort = (blocker.address() as net.AddressInfo).port;
    const free = await occupyPort();
    const rtmpPort = (free.address() as net.AddressInfo).port;
    await new Promise((r) => free.close(r));
    try {
      await expect(startMediaServer(options({ rtmpPort, httpPort }))).rejects.toThrow(`HTTP-FLV port ${httpPort} already in use`);
    } finally {
      blocker.close();
    }
    const again = await occupyPort().then(async (s) => {
      await new Promise((r) => s.close(r));
      return startMediaServer(options({ rtmpPort }));
    });
    expect(again.rtmpPort).toBe(rtmpPort);
    await again.stop();
  });

  it('serves players on several ports when asked, and a play port in use is a clear error that frees the others', { timeout: 10_000 }, async () => {
    const ms = await startMediaServer(options({ playPortCount: 3 }));
    try {
      expect(ms.playPorts).toHaveLength(3);
      expect(ms.playPorts[0]).toBe(ms.httpPort);
      expect(new Set(ms.playPorts).size).toBe(3);
    } finally {
      await ms.stop();
    }
    // httpPort + 1 taken: find a port whose predecessor is free, so the first play port opens and the second fails.
    let blocker: net.Server | null = null;
    let httpPort = 0;
    for (let i = 0; i < 20 && !httpPort; i++) {
      const b = await occupyPort();
      const p = (b.address() as net.AddressInfo).port;
      const free = await new Promise<boolean>((resolve) => { const t = net.createServer(); t.once('error', () => resolve(false)); t.listen(p - 1, HOST, () => t.close(() => resolve(true))); });
      if (free) { blocker = b; httpPort = p - 1; } else b.close();
    }
    expect(httpPort).toBeGreaterThan(0);
    try {
      await expect(startMediaServer(options({ httpPort, playPortCount: 2 }))).rejects.toThrow(`HTTP-FLV port ${httpPort + 1} already in use`);
    } finally {
      blocker!.close();
    }
    // Nothing half-started holds on: the first play port is free again.
    const again = await startMediaServer(options({ httpPort }));
    expect(again.httpPort).toBe(httpPort);
    await again.stop();
  });

  it('refuses a second instance in the same process (node-media-server state is global)', { timeout: 10_000 }, async () => {
    const ms = await startMediaServer(options());
    try {
      await expect(startMediaServer(options())).rejects.toThrow(/already running in this process/);
    } finally {
      await ms.stop();
    }
  });
});

describe('media server with cameras', () => {
  const kids = new ChildTracker();
  let ms: MediaServer;
  let ff: FfmpegInfo;
  let loop: string;
  const seen: { [K in keyof MediaServerEvents]: MediaServerEvents[K][] } = { publish: [], unpublish: [], playStart: [], playEnd: [], rejected: [] };

  const push = (cameraId: string, key: string, stream: 'main' | 'sub' = 'main') =>
    kids.spawn(ff.path, loopPushArgs(loop, publishUrl({ host: HOST, port: ms.rtmpPort }, { cameraId, stream }, key)));
  const pushRaw = (path: string) => kids.spawn(ff.path, loopPushArgs(loop, `rtmp://${HOST}:${ms.rtmpPort}/${path}`));
  const url = (scheme: 'http' | 'ws', ref: StreamRef, token: string) => playUrl(scheme, { host: HOST, port: ms.httpPort }, ref, token);
  const camA: StreamRef = { cameraId: 'cam-a', stream: 'main' };
  const published = (cameraId: string) => () => seen.publish.some((e) => e.cameraId === cameraId);

  beforeAll(async () => {
    [ff, loop] = await Promise.all([testFfmpeg(), testLoop()]);
    ms = await startMediaServer(options({ handshakeTimeoutMs: 1_500, playPortCount: 2 }));
    for (const name of Object.keys(seen) as Array<keyof MediaServerEvents>) {
      ms.events.on(name, (e: MediaServerEvents[typeof name]) => void (seen[name] as unknown[]).push(e));
    }
    push('cam-a', 'key-a');
    await waitFor(published('cam-a'), 10_000, 'cam-a to publish');
  }, 60_000);

  afterAll(async () => {
    await kids.stopAll();
    await ms?.stop();
  });

  it('accepts a valid key and serves the stream over HTTP-FLV', { timeout: 15_000 }, async () => {
    expect(seen.publish[0]).toMatchObject({ cameraId: 'cam-a', stream: 'main', remoteAddr: HOST });
    const res = await readHttpFlv(url('http', camA, 'ok-cam-a'), 10, 8_000);
    expect(res.status).toBe(200);
    expect(res.header).toMatchObject({ hasVideo: true });
    const video = res.tags.filter((t) => t.type === 'video');
    expect(video[0]).toMatchObject({ avcPacketType: 0, codecId: 7 }); // AVC sequence header first
    expect(video[1]).toMatchObject({ avcPacketType: 1, keyframe: true }); // then the cached GOP from its keyframe
    expect(countVideoFrames(res.tags)).toBeGreaterThanOrEqual(10);
    await waitFor(() => seen.playEnd.length > 0, 2_000, 'playEnd');
    expect(seen.playStart[0]).toMatchObject({ cameraId: 'cam-a', stream: 'main', viewerId: 'user-1', protocol: 'http-flv' });
    expect(seen.playEnd[0]).toMatchObject({ sessionId: seen.playStart[0]!.sessionId, viewerId: 'user-1' });
  });

  it('serves the stream over WebSocket-FLV', { timeout: 15_000 }, async () => {
    const res = await readWsFlv(url('ws', camA, 'ok-cam-a'), 10, 8_000);
    expect(res.status).toBe(101);
    expect(countVideoFrames(res.tags)).toBeGreaterThanOrEqual(10);
    expect(res.firstFrameMs).toBeLessThan(1_000); // the GOP cache gives a new viewer a keyframe at once
    await waitFor(() => seen.playStart.some((e) => e.protocol === 'ws-flv'), 2_000, 'ws playStart');
  });

  it('reports bitrate, fps, resolution and last frame time', { timeout: 10_000 }, async () => {
    await waitFor(() => (ms.stats().find((s) => s.cameraId === 'cam-a')?.bitrateKbps ?? 0) > 0, 5_000, 'a bitrate sample');
    const s = ms.stats().find((x) => x.cameraId === 'cam-a')!;
    expect(s).toMatchObject({ stream: 'main', width: 640, height: 360, remoteAddr: HOST });
    expect(s.fps).toBeGreaterThan(20);
    expect(s.fps).toBeLessThan(30);
    expect(s.bitrateKbps).toBeGreaterThan(100);
    expect(Date.now() - s.lastFrameAt!.getTime()).toBeLessThan(500);
    expect(ms.isLive(camA)).toBe(true);
  });

  it('rejects every kind of bad publish, reports it, and never reports it as published', { timeout: 20_000 }, async () => {
    const before = seen.publish.length;
    const attempts = [
      push('cam-x', 'whatever'), // unknown camera
      push('cam-b', 'not-the-key'), // wrong key
      push('cam-off', 'key-off'), // disabled camera
      push('cam-a', 'key-a'), // second publisher for a live camera
      pushRaw('live/CAM_A?key=key-a'), // not a camera path
    ];
    const codes = await Promise.all(attempts.map((p) => p.exited));
    expect(codes.every((c) => c !== 0)).toBe(true); // each ffmpeg was thrown out
    await waitFor(() => seen.rejected.filter((r) => r.kind === 'publish').length >= 5, 3_000, 'five rejections');
    const rejections = seen.rejected
      .filter((r) => r.kind === 'publish')
      .map(({ cameraId, stream, reason, remoteAddr }) => ({ cameraId, stream, reason, remoteAddr }));
    expect(rejections).toEqual(
      expect.arrayContaining([
        { cameraId: 'cam-x', stream: 'main', reason: 'unknown-camera', remoteAddr: HOST },
        { cameraId: 'cam-b', stream: 'main', reason: 'wrong-key', remoteAddr: HOST },
        { cameraId: 'cam-off', stream: 'main', reason: 'disabled', remoteAddr: HOST },
        { cameraId: 'cam-a', stream: 'main', reason: 'already-live', remoteAddr: HOST },
        { cameraId: 'CAM_A', stream: null, reason: 'bad-path', remoteAddr: HOST },
      ]),
    );
    expect(seen.publish.length).toBe(before);
    expect(ms.stats().map((s) => s.cameraId)).toEqual(['cam-a']);
    // The live camera was not disturbed by its would-be hijacker.
    const res = await readHttpFlv(url('http', camA, 'ok-cam-a'), 5, 5_000);
    expect(countVideoFrames(res.tags)).toBeGreaterThanOrEqual(5);
    expect(seen.unpublish.filter((u) => u.cameraId === 'cam-a')).toEqual([]);
  });

  it('serves the same streams on every play port, each checking the token', { timeout: 15_000 }, async () => {
    const other = ms.playPorts[1]!;
    expect(other).not.toBe(ms.httpPort);
    const res = await readWsFlv(playUrl('ws', { host: HOST, port: other }, camA, 'ok-cam-a'), 10, 8_000);
    expect(res.status).toBe(101);
    expect(countVideoFrames(res.tags)).toBeGreaterThanOrEqual(10);
    expect((await readWsFlv(`ws://${HOST}:${other}/live/cam-a.flv`, 1, 3_000)).status).toBe(401);
    expect((await readHttpFlv(playUrl('http', { host: HOST, port: other }, camA, 'forged'), 1, 3_000)).status).toBe(403);
  });

  it('refuses play without a token or with a bad one, over HTTP and WebSocket', { timeout: 15_000 }, async () => {
    const before = seen.playStart.length;
    expect((await readHttpFlv(`http://${HOST}:${ms.httpPort}/live/cam-a.flv`, 1, 3_000)).status).toBe(401);
    expect((await readHttpFlv(url('http', camA, 'ok-cam-b'), 1, 3_000)).status).toBe(403);
    expect((await readWsFlv(`ws://${HOST}:${ms.httpPort}/live/cam-a__sub.flv`, 1, 3_000)).status).toBe(401);
    expect((await readWsFlv(url('ws', camA, 'forged'), 1, 3_000)).status).toBe(403);
    expect(seen.playStart.length).toBe(before);
    expect(seen.rejected.filter((r) => r.kind === 'play').map((r) => r.reason)).toEqual(
      expect.arrayContaining(['missing-token', 'invalid-token']),
    );
  });

  it('refuses FLV publishing over HTTP (node-media-server would accept it unauthenticated)', { timeout: 10_000 }, async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = (globalThis.fetch as typeof fetch)(`http://${HOST}:${ms.httpPort}/live/cam-a.flv?token=ok-cam-a`, {
        method: 'POST',
        body: 'FLV',
      });
      req.then((r) => resolve(r.status), reject);
    });
    expect(status).toBe(405);
  });

  it('survives garbage, parser bombs, malformed commands and silent clients; the live stream keeps flowing', { timeout: 20_000 }, async () => {
    const rssBefore = process.memoryUsage().rss;
    const handshake = Buffer.concat([Buffer.from([3]), Buffer.alloc(1536), Buffer.alloc(1536)]);
    // fmt-0 chunk headers claiming 16 MB messages on 60 chunk streams: ~1 GB of allocations if unguarded.
    const bomb = Buffer.concat(
      Array.from({ length: 60 }, (_, i) => Buffer.concat([Buffer.from([3 + i, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0]), Buffer.alloc(128)])),
    );
    // "connect" whose command object has no tcUrl: node-media-server throws inside the socket data handler.
    const amf = Buffer.concat([
      Buffer.from([2, 0, 7]),
      Buffer.from('connect'),
      Buffer.from([0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]),
      Buffer.from([3, 0, 0, 9]),
    ]);
    const badConnect = Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, amf.length, 0x14, 0, 0, 0, 0]), amf]);
    const random = Buffer.alloc(256 * 1024);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + (i >> 5) * 104729) & 0xff;

    const send = (payload: Buffer | null) =>
      new Promise<number>((resolve) => {
        const started = Date.now();
        const s = net.connect(ms.rtmpPort, HOST, () => payload && s.write(payload));
        s.on('error', () => {});
        s.on('data', () => {});
        s.on('close', () => resolve(Date.now() - started));
        setTimeout(() => {
          s.destroy();
          resolve(Infinity);
        }, 6_000);
      });

    const [bombMs, connectMs, silentMs] = await Promise.all([
      send(Buffer.concat([handshake, bomb])),
      send(Buffer.concat([handshake, badConnect])),
      send(null), // connects and never speaks
      send(random),
      send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
    ]);
    expect(bombMs).toBeLessThan(1_000); // cut off at the first oversized message
    expect(connectMs).toBeLessThan(1_000); // protocol error: closed, not a crash
    expect(silentMs).toBeGreaterThanOrEqual(1_400); // handshakeTimeoutMs
    expect(silentMs).toBeLessThan(3_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);

    const res = await readWsFlv(url('ws', camA, 'ok-cam-a'), 10, 5_000);
    expect(countVideoFrames(res.tags)).toBeGreaterThanOrEqual(10);
    expect(seen.unpublish.filter((u) => u.cameraId === 'cam-a')).toEqual([]);
  });

  it('reports a publisher that vanishes without closing its connection offline within 5 s', { timeout: 20_000 }, async () => {
    const pusher = push('cam-b', 'key-b');
    await waitFor(published('cam-b'), 10_000, 'cam-b to publish');
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    pusher.kill('SIGSTOP'); // frozen: no FIN, no data — like a camera losing power or network
    await waitFor(() => seen.unpublish.some((u) => u.cameraId === 'cam-b'), 6_000, 'cam-b unpublish');
    const offlineAfterMs = Date.now() - t0;
    pusher.kill('SIGKILL');
    expect(seen.unpublish.find((u) => u.cameraId === 'cam-b')).toMatchObject({ stream: 'main', reason: 'stalled' });
    expect(offlineAfterMs).toBeLessThan(5_000);
    expect(offlineAfterMs).toBeGreaterThanOrEqual(2_500);
    expect(ms.isLive({ cameraId: 'cam-b', stream: 'main' })).toBe(false);

    // The camera comes back: accepted at once (no 30 s "resume" window holding the path).
    const comeback = seen.publish.filter((p) => p.cameraId === 'cam-b').length;
    push('cam-b', 'key-b');
    await waitFor(() => seen.publish.filter((p) => p.cameraId === 'cam-b').length > comeback, 8_000, 'cam-b to publish again');
  });

  it('reports a publisher that stops (connection closed) offline at once, and closes its viewers', { timeout: 20_000 }, async () => {
    const pusher = push('cam-c', 'key-c', 'sub');
    await waitFor(published('cam-c'), 10_000, 'cam-c to publish');
    const viewer = readWsFlv(url('ws', { cameraId: 'cam-c', stream: 'sub' }, 'ok-cam-c'), 100_000, 10_000);
    await waitFor(() => ms.viewers().some((v) => v.cameraId === 'cam-c'), 3_000, 'a cam-c viewer');
    const t0 = Date.now();
    pusher.kill('SIGKILL');
    await waitFor(() => seen.unpublish.some((u) => u.cameraId === 'cam-c'), 5_000, 'cam-c unpublish');
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(seen.unpublish.find((u) => u.cameraId === 'cam-c')).toMatchObject({ stream: 'sub', reason: 'closed' });
    const res = await viewer; // ended by the server, not by the 10 s timeout
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(countVideoFrames(res.tags)).toBeGreaterThan(0);
    await waitFor(() => seen.playEnd.some((e) => e.cameraId === 'cam-c'), 2_000, 'cam-c playEnd');
  });
});
