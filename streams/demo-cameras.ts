// Demo camera simulator: makes the seeded cameras stream so the wall is alive out of the box.
//
// Budget: all demo cameras together ≤ 50 % of one core on a 2-core machine. A live 720p x264 encode costs
// ~14-22 % of a core here, so one live encode per camera (18 cameras x main+sub) is out of the question.
//
// mode 'loops' (default): each camera's main (1280x720) and sub (640x360) loop — moving test pattern, the
//   camera's name, and a loop-position counter — is encoded ONCE into `cacheDir` (reused across starts while
//   the inputs are unchanged) and then re-sent forever with `-re -stream_loop -1 -c copy` (~0.4 % of a core
//   per stream). A pre-encoded loop cannot show the wall clock honestly, so it shows "demo loop 00:00:07.3"
//   instead; the console shows the time next to each tile.
// mode 'live-clock': one live encode per resolution (pattern, "Uitkijk demo · live", the real wall clock and
//   the capture-time block code of latency-code.ts) fanned out to every RTMP camera with the tee muxer —
//   ~25 % of a core in total, but all cameras show the same picture (no per-camera name). This is what the
//   latency benchmark needs.
// Cameras with source 'rtsp' are served by a local demo RTSP server (demo-rtsp-server.ts) from their loops,
// in both modes, so the real RTSP bridge pulls them like a physical camera.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path, { join } from 'node:path';
import {
  demoLoopEncodeArgs,
  liveEncodeArgs,
  loopPushArgs,
  MAIN_PROFILE,
  rtpSourceArgs,
  SUB_PROFILE,
  type VideoProfile,
} from './ffmpeg/args.js';
import { startDemoRtspServer, type DemoRtspServer } from './demo-rtsp-server.js';
import type { RtspCameraSource } from './rtsp-bridge.js';
import { publishUrl, redactUrl, streamKey, streamName, type StreamKind } from './stream-path.js';
import { superviseProcess, type BackoffPolicy, type SupervisedProcess, type SupervisedState } from './supervised-process.js';
import { silentLog, type StreamsLog } from './typed-emitter.js';

export interface DemoCameraSpec {
  cameraId: string;
  name: string;
  /** The camera's publish key; required for 'rtmp' cameras. RTSP cameras are published by their bridge. */
  key: string | null;
  source: 'rtmp' | 'rtsp';
  /** Default true. */
  subStream?: boolean;
  /**
   * A flexible unit: it pushes only while switched on with setActive (for its booking window), as a real unit is
   * placed and switched on for an event. Pushing outside the window would only be refused, every few seconds.
   */
  flexible?: boolean;
}

export type DemoMode = 'loops' | 'live-clock';

export interface DemoCamerasOptions {
  cameras: DemoCameraSpec[];
  rtmp: { host: string; port: number };
  ffmpeg: { path: string; major: number; hasDrawtext?: boolean };
  /** Where encoded loops are kept between starts, e.g. DATA_DIR/demo-loops. */
  cacheDir: string;
  /** Listen address of the demo RTSP server (needed when a camera has source 'rtsp'); port 0 picks one. */
  rtsp?: { host: string; port: number };
  mode?: DemoMode;
  /** Loop length in seconds (whole seconds: the GOP is 1 s). Default 10. */
  loopSeconds?: number;
  /** Loops encoded at the same time on first start. Default 1: leave a core to the server. */
  encodeConcurrency?: number;
  fontFile?: string;
  /** Time zone of the burned-in clock ('live-clock'). Default Europe/Amsterdam. */
  timeZone?: string;
  backoff?: Partial<BackoffPolicy>;
  log?: StreamsLog;
}

export type DemoProcessRole = 'rtmp-push' | 'rtsp-source' | 'live-encoder';

export interface DemoProcessStatus {
  name: string;
  role: DemoProcessRole;
  cameraIds: string[];
  state: SupervisedState;
  pid: number | null;
  restarts: number;
}

export interface DemoCameras {
  /** Port of the demo RTSP server, when one runs. */
  readonly rtspPort: number | null;
  /** Resolves when every loop is encoded and every process launched (rejects never; failures are logged). */
  readonly ready: Promise<void>;
  /** What the RTSP bridges must pull, one entry per RTSP demo camera stream (with the bridge's key, feed to createRtspBridgeSet). */
  rtspSources(): Array<Omit<RtspCameraSource, 'key'> & { key: string | null }>;
  /** Switches a flexible unit on (it starts pushing) or off (its pushes stop); other cameras ignore it. */
  setActive(cameraId: string, active: boolean): void;
  status(): DemoProcessStatus[];
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const CACHE_VERSION = 1; // bump when the loop recipe changes, so old cached loops are not reused
/**
 * The font of the demo loops' names: DejaVu Sans Bold from the dejavu-fonts-ttf dependency, so a machine without
 * system fonts draws the same names (the packaged ffmpeg has no fontconfig setup to find one by name).
 */
export function defaultFontFile(): string | undefined {
  const packaged = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans-Bold.ttf');
  return [packaged, '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'].find((f) => existsSync(f));
}

/** URL of an RTSP demo camera stream: what the camera registry should hold as its source. */
export function demoRtspUrl(rtsp: { host: string; port: number }, cameraId: string, stream: StreamKind = 'main'): string {
  return `rtsp://${rtsp.host}:${rtsp.port}/${streamName({ cameraId, stream })}`;
}

function runOnce(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg ${signal ? `killed by ${signal}` : `exited ${code}`}: ${stderr.trim()}`)),
    );
  });
}

/** A tiny FIFO limiter for the first-start encodes. */
function limiter(concurrency: number) {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((r) => queue.push(r));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      queue.shift()?.();
    }
  };
}

export async function startDemoCameras(opts: DemoCamerasOptions): Promise<DemoCameras> {
  const log = opts.log ?? silentLog;
  const mode = opts.mode ?? 'loops';
  const seconds = opts.loopSeconds ?? 10;
  const fontFile = opts.fontFile ?? defaultFontFile();
  const drawText = opts.ffmpeg.hasDrawtext !== false;
  const ffmpeg = opts.ffmpeg.path;
  const encodeSlot = limiter(Math.max(1, opts.encodeConcurrency ?? 1));
  const processes: Array<{ proc: SupervisedProcess; role: DemoProcessRole; cameraIds: string[] }> = [];
  const sdpFiles: string[] = [];
  let stopped = false;

  for (const c of opts.cameras) {
    streamName({ cameraId: c.cameraId, stream: 'main' }); // validates ids early
    if (c.source === 'rtmp' && !c.key) throw new Error(`demo camera ${c.cameraId} pushes over RTMP and needs its publish key`);
  }

  await mkdir(opts.cacheDir, { recursive: true });
  const counterFile = join(opts.cacheDir, 'loop-counter.txt');
  await writeFile(counterFile, 'demo loop %{pts:hms}');

  const rtspCameras = opts.cameras.filter((c) => c.source === 'rtsp');
  let rtspServer: DemoRtspServer | null = null;
  if (rtspCameras.length > 0) {
    if (!opts.rtsp) throw new Error('demo cameras with source "rtsp" need opts.rtsp (the demo RTSP server address)');
    rtspServer = await startDemoRtspServer({ host: opts.rtsp.host, port: opts.rtsp.port, log });
  }

  const supervise = (name: string, role: DemoProcessRole, cameraIds: string[], args: string[], env?: NodeJS.ProcessEnv) => {
    const proc = superviseProcess({
      name,
      command: ffmpeg,
      args,
      env,
      backoff: opts.backoff,
      log,
      redact: (line) => redactUrl(line),
    });
    processes.push({ proc, role, cameraIds });
    return proc;
  };

  /** The cached loop of one camera stream, encoding it when absent. */
  const ensureLoop = async (camera: DemoCameraSpec, stream: StreamKind): Promise<string> => {
    const profile: VideoProfile = stream === 'main' ? MAIN_PROFILE : SUB_PROFILE;
    const fingerprint = createHash('sha256')
      .update(JSON.stringify({ v: CACHE_VERSION, name: camera.name, profile, seconds, fontFile, drawText }))
      .digest('hex')
      .slice(0, 12);
    const base = join(opts.cacheDir, `${camera.cameraId}-${stream}-${fingerprint}`);
    const output = `${base}.mp4`;
    if (existsSync(output)) return output;
    return encodeSlot(async () => {
      if (stopped) throw new Error('stopped');
      const titleFile = `${base}.title.txt`;
      await writeFile(titleFile, camera.name);
      const tmp = `${base}.${process.pid}.partial.mp4`;
      const started = Date.now();
      try {
        await runOnce(ffmpeg, demoLoopEncodeArgs({ profile, seconds, titleFile, counterFile, fontFile, drawText, output: tmp }));
        await rename(tmp, output); // never leave a half-written loop that a later start would trust
      } finally {
        await rm(tmp, { force: true });
      }
      log.info({ cameraId: camera.cameraId, stream, ms: Date.now() - started }, 'demo loop encoded');
      return output;
    });
  };

  const streamsOf = (c: DemoCameraSpec): StreamKind[] => (c.subStream === false ? ['main'] : ['main', 'sub']);

  // Flexible units: the switch-on count of each unit that is on. A start checks it after each loop encode, so a unit
  // switched off (or off and on again) meanwhile does not start a second set of pushes.
  const switchedOn = new Map<string, number>();
  let switches = 0;
  const switching = new Set<Promise<void>>(); // starts and stops of flexible units in flight, awaited by stop()
  const track = (p: Promise<void>) => { switching.add(p); void p.finally(() => switching.delete(p)); };
  const stillWanted = (camera: DemoCameraSpec, onAs: number | null) => !stopped && (onAs === null || switchedOn.get(camera.cameraId) === onAs);

  const startLoopCamera = async (camera: DemoCameraSpec, onAs: number | null = null) => {
    for (const stream of streamsOf(camera)) {
      const file = await ensureLoop(camera, stream);
      if (!stillWanted(camera, onAs)) return;
      const ref = { cameraId: camera.cameraId, stream };
      if (camera.source === 'rtmp') {
        supervise(`demo-push:${streamKey(ref)}`, 'rtmp-push', [camera.cameraId], loopPushArgs(file, publishUrl(opts.rtmp, ref, camera.key!)));
      } else {
        const path = streamName(ref);
        const sdpFile = join(opts.cacheDir, `${path}.${process.pid}.sdp`);
        await rm(sdpFile, { force: true });
        sdpFiles.push(sdpFile);
        const ports = await rtspServer!.addSource(path, sdpFile);
        supervise(`demo-rtsp:${streamKey(ref)}`, 'rtsp-source', [camera.cameraId], rtpSourceArgs({ input: file, ...ports, sdpFile }));
        // `ready` means "a bridge can connect now": ffmpeg writes the SDP once its RTP output is open.
        for (let i = 0; i < 60 && !existsSync(sdpFile) && !stopped; i++) await new Promise((r) => setTimeout(r, 50));
      }
    }
  };

  // Flexible units push their own loops when switched on, so the shared live encode never has to change its outputs.
  const startLiveEncoder = async () => {
    const rtmpCameras = opts.cameras.filter((c) => c.source === 'rtmp' && !c.flexible);
    if (rtmpCameras.length === 0) return;
    const titleFile = join(opts.cacheDir, 'live-title.txt');
    const clockFile = join(opts.cacheDir, 'live-clock.txt');
    await writeFile(titleFile, 'Uitkijk demo · live');
    await writeFile(clockFile, '%{localtime}');
    const subCameras = rtmpCameras.filter((c) => c.subStream !== false);
    const args = liveEncodeArgs({
      main: { profile: MAIN_PROFILE, urls: rtmpCameras.map((c) => publishUrl(opts.rtmp, { cameraId: c.cameraId, stream: 'main' }, c.key!)) },
      ...(subCameras.length > 0
        ? { sub: { profile: SUB_PROFILE, urls: subCameras.map((c) => publishUrl(opts.rtmp, { cameraId: c.cameraId, stream: 'sub' }, c.key!)) } }
        : {}),
      titleFile,
      clockFile,
      fontFile,
      latencyCode: true,
    });
    supervise('demo-live-encoder', 'live-encoder', rtmpCameras.map((c) => c.cameraId), args, {
      ...process.env,
      TZ: opts.timeZone ?? 'Europe/Amsterdam',
    });
  };

  const ready = (async () => {
    const jobs: Promise<void>[] = [];
    if (mode === 'live-clock') jobs.push(startLiveEncoder());
    for (const camera of opts.cameras) {
      if (camera.flexible) continue; // started by setActive
      if (mode === 'live-clock' && camera.source === 'rtmp') continue;
      jobs.push(startLoopCamera(camera));
    }
    const results = await Promise.allSettled(jobs);
    for (const r of results) {
      if (r.status === 'rejected' && !stopped) log.error({ err: r.reason instanceof Error ? r.reason.message : String(r.reason) }, 'demo camera failed to start');
    }
  })();

  return {
    rtspPort: rtspServer?.port ?? null,
    ready,
    rtspSources: () =>
      rtspServer === null
        ? []
        : rtspCameras.flatMap((c) =>
            streamsOf(c).map((stream) => ({
              cameraId: c.cameraId,
              stream,
              key: c.key,
              sourceUrl: demoRtspUrl({ host: opts.rtsp!.host, port: rtspServer!.port }, c.cameraId, stream),
            })),
          ),
    setActive(cameraId, active) {
      const camera = opts.cameras.find((c) => c.cameraId === cameraId && c.flexible);
      if (!camera || stopped || active === switchedOn.has(cameraId)) return;
      if (active) {
        const onAs = ++switches;
        switchedOn.set(cameraId, onAs);
        track(startLoopCamera(camera, onAs).catch((err) => {
          if (!stopped) log.error({ cameraId, err: err instanceof Error ? err.message : String(err) }, 'demo flexible unit failed to start');
        }));
        return;
      }
      switchedOn.delete(cameraId);
      for (let i = processes.length - 1; i >= 0; i--) {
        const p = processes[i]!;
        if (!p.cameraIds.includes(cameraId)) continue;
        processes.splice(i, 1);
        track(p.proc.stop());
      }
    },
    status: () =>
      processes.map(({ proc, role, cameraIds }) => {
        const s = proc.snapshot();
        return { name: s.name, role, cameraIds, state: s.state, pid: s.pid, restarts: s.restarts };
      }),
    async stop() {
      stopped = true;
      await ready.catch(() => {});
      await Promise.all([...switching]);
      await Promise.all(processes.map((p) => p.proc.stop()));
      await rtspServer?.stop();
      await Promise.all(sdpFiles.map((f) => rm(f, { force: true })));
    },
  };
}
