// RTSP camera -> media server. One supervised ffmpeg per camera stream pulls RTSP over TCP and republishes
// it with `-c copy` (no transcode: ~0.5 % of a core) to rtmp://…/live/<id>[__sub]?key=<camera key>.
// The media server's own RTSP relay is not used: its FLV stutters in Chromium.
// A dead or unreachable camera makes ffmpeg exit (socket timeouts bound a hanging URL); the supervisor
// retries 1 s, 2 s, 4 s … 30 s. Whether video actually flows is the media server's 'publish' event.
import { rtspBridgeArgs } from './ffmpeg/args.js';
import { publishUrl, redactUrl, streamKey, type StreamKind } from './stream-path.js';
import { startQueue, type StartQueueOptions } from './start-queue.js';
import { superviseProcess, type BackoffPolicy, type SpawnFn, type SupervisedProcess, type SupervisedState } from './supervised-process.js';
import { silentLog, type StreamsLog } from './typed-emitter.js';

export interface RtspBridgeOptions {
  cameraId: string;
  stream?: StreamKind;
  /** rtsp:// URL of the camera (may carry credentials; they never reach the log). */
  sourceUrl: string;
  /** The camera's publish key, as the media server checks it. */
  key: string;
  rtmp: { host: string; port: number };
  ffmpeg: { path: string; major: number };
  /** A connect or read that stalls longer ends the attempt. Default 5000. */
  ioTimeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  log?: StreamsLog;
  spawn?: SpawnFn;
}

export interface RtspBridgeStatus {
  cameraId: string;
  stream: StreamKind;
  /** Redacted source URL. */
  source: string;
  state: SupervisedState;
  pid: number | null;
  restarts: number;
  lastExitAt: Date | null;
  /** Last line ffmpeg wrote before its last exit, e.g. "Connection refused". */
  lastError: string | null;
  nextAttemptAt: Date | null;
}

export interface RtspBridge {
  readonly cameraId: string;
  readonly stream: StreamKind;
  /** The supervisor, for its 'state' / 'exit' events. */
  readonly process: SupervisedProcess;
  status(): RtspBridgeStatus;
  stop(): Promise<void>;
}

export function startRtspBridge(opts: RtspBridgeOptions): RtspBridge {
  const stream = opts.stream ?? 'main';
  const ref = { cameraId: opts.cameraId, stream };
  const log = opts.log ?? silentLog;
  const args = rtspBridgeArgs({
    sourceUrl: opts.sourceUrl,
    rtmpUrl: publishUrl(opts.rtmp, ref, opts.key),
    ffmpegMajor: opts.ffmpeg.major,
    ioTimeoutMs: opts.ioTimeoutMs ?? 5_000,
  });
  const source = redactUrl(opts.sourceUrl);
  const proc = superviseProcess({
    name: `rtsp-bridge:${streamKey(ref)}`,
    command: opts.ffmpeg.path,
    args,
    backoff: opts.backoff,
    log,
    redact: (line) => redactUrl(line.replaceAll(opts.key, '[redacted]')),
    spawn: opts.spawn,
  });
  log.info({ cameraId: opts.cameraId, stream, source }, 'RTSP bridge started');
  return {
    cameraId: opts.cameraId,
    stream,
    process: proc,
    status() {
      const s = proc.snapshot();
      return {
        cameraId: opts.cameraId,
        stream,
        source,
        state: s.state,
        pid: s.pid,
        restarts: s.restarts,
        lastExitAt: s.lastExit?.at ?? null,
        lastError: s.lastExit ? (s.lastExit.error ?? s.lastExit.stderrTail.at(-1) ?? describeExit(s.lastExit.code, s.lastExit.signal)) : null,
        nextAttemptAt: s.nextStartAt,
      };
    },
    stop: () => proc.stop(),
  };
}

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${code}`;
}

export interface RtspCameraSource {
  cameraId: string;
  stream?: StreamKind;
  sourceUrl: string;
  key: string;
}

export interface RtspBridgeSet {
  /** Starts bridges for new entries, stops removed ones, restarts those whose URL or key changed. */
  sync(cameras: RtspCameraSource[]): Promise<void>;
  statuses(): RtspBridgeStatus[];
  stop(): Promise<void>;
}

/**
 * All RTSP bridges of the server, kept in step with the camera registry. New bridges start a few at a time with
 * jitter (start-queue.ts): when a node starts or takes over cameras, hundreds of them would otherwise spawn ffmpeg
 * and call their cameras in the same second.
 */
export function createRtspBridgeSet(common: Omit<RtspBridgeOptions, keyof RtspCameraSource>, starts: StartQueueOptions = { concurrency: 8, jitterMs: 250 }): RtspBridgeSet {
  const bridges = new Map<string, { bridge: RtspBridge; fingerprint: string }>();
  const queue = startQueue(starts);
  let stopped = false;
  const keyOf = (c: RtspCameraSource) => streamKey({ cameraId: c.cameraId, stream: c.stream ?? 'main' });
  return {
    async sync(cameras) {
      const wanted = new Map(cameras.map((c) => [keyOf(c), c]));
      const stops: Promise<void>[] = [];
      for (const [key, entry] of bridges) {
        const c = wanted.get(key);
        if (!c || `${c.sourceUrl}\n${c.key}` !== entry.fingerprint) {
          bridges.delete(key);
          stops.push(entry.bridge.stop());
        }
      }
      await Promise.all(stops);
      await Promise.all([...wanted].filter(([key]) => !bridges.has(key)).map(([key, c]) => queue(() => {
        if (!stopped) bridges.set(key, { bridge: startRtspBridge({ ...common, ...c }), fingerprint: `${c.sourceUrl}\n${c.key}` });
      })));
    },
    statuses: () => [...bridges.values()].map((e) => e.bridge.status()),
    async stop() {
      stopped = true;
      const all = [...bridges.values()];
      bridges.clear();
      await Promise.all(all.map((e) => e.bridge.stop()));
    },
  };
}
