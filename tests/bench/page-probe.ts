// Runs INSIDE the console page (bundled by esbuild into an init script, so it is in place before the console's
// own scripts). It watches every <video> that appears: when it was inserted, its first presented frame, every
// presented frame after that (requestVideoFrameCallback), and on demand reads the capture-time code that the
// demo encoder burns into each frame (streams/ffmpeg/latency-code.ts, imported as is: it is browser-safe).
import { decodeLatencyCode, latencyCodeLayout, latencyMs } from '../../streams/ffmpeg/latency-code';

type FrameMeta = { presentedFrames: number; expectedDisplayTime: number; mediaTime: number };
type RvfcVideo = HTMLVideoElement & { requestVideoFrameCallback(cb: (now: number, meta: FrameMeta) => void): number };

interface Tile {
  id: number;
  el: RvfcVideo;
  /** performance.now() when the element entered the document. */
  insertedAt: number;
  firstFrameAt: number | null;
  /** Frames whose callback ran, and the last presentedFrames counter seen (the compositor may skip callbacks). */
  callbacks: number;
  presentedFirst: number | null;
  presentedLast: number | null;
  lastFrameAt: number | null;
  /** Gaps between presented frames (ms), after the first frame. */
  gaps: number[];
  removedAt: number | null;
  /** First time each media event fired (the element's way from data to its first frame). */
  events: Record<string, number>;
}

interface Window {
  phase: string;
  startedAt: number;
  endsAt: number | null;
  /** Per tile at the start: frame counters, to compute deltas. */
  start: Map<number, { callbacks: number; presented: number | null; quality: VideoPlaybackQuality | null; at: number; gapCount: number }>;
}

export interface LatencySample { tile: number; cameraId: string | null; width: number; ms: number; at: number; bufferMs: number | null }

export interface TileReport {
  tile: number; cameraId: string | null; stream: string | null; width: number; height: number;
  insertedAt: number; firstFrameAt: number | null; ttffMs: number | null; consoleFirstFrameMs: number | null;
  /** What the console itself shows as the tile's latency (buffered end − playing position), at the window's end. */
  consoleBufferMs: number | null;
  fps: number | null; presentedFps: number | null; decodedFps: number | null; droppedFrames: number | null;
  stalls: number; maxGapMs: number | null; removed: boolean;
}

const tiles: Tile[] = [];
const marks: Record<string, number> = {};
let nextId = 1;
let win: Window | null = null;
let samples: LatencySample[] = [];
let decodeFailures = 0;
let samplerTimer: ReturnType<typeof setInterval> | null = null;
let samplingMs = 0;
const STALL_GAP_MS = 500;
/** Time spent reading codes (drawImage + getImageData), to show what the measurement itself costs the page. */
let samplerBusyMs = 0;

// Where a tile's first frame waits: the play-grant request (resource timing) and the WebSocket-FLV connection
// (a transparent subclass recording open and first message). Instrumentation only: behaviour is unchanged.
performance.setResourceTimingBufferSize(100_000);
interface SocketTrace { stream: string; createdAt: number; openAt: number | null; firstMessageAt: number | null; closedAt: number | null }
const sockets: SocketTrace[] = [];
const NativeWebSocket = window.WebSocket;
class TracedWebSocket extends NativeWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    const m = /\/live\/([^/?]+)\.flv/.exec(String(url));
    if (!m) return;
    const t: SocketTrace = { stream: decodeURIComponent(m[1]!), createdAt: performance.now(), openAt: null, firstMessageAt: null, closedAt: null };
    sockets.push(t);
    this.addEventListener('open', () => { t.openAt = performance.now(); });
    this.addEventListener('message', () => { t.firstMessageAt ??= performance.now(); });
    this.addEventListener('close', () => { t.closedAt = performance.now(); });
  }
}
window.WebSocket = TracedWebSocket as typeof WebSocket;

// The console's own marks along a tile's way to its first frame (client/src/live/marks.ts: 'live:<phase>', detail
// { cameraId }), copied as they are made (the console drops old marks now and then).
interface LiveMark { phase: string; cameraId: string; at: number }
const liveMarks: LiveMark[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (!e.name.startsWith('live:')) continue;
    const cameraId = (e as PerformanceMark).detail?.cameraId;
    if (typeof cameraId === 'string') liveMarks.push({ phase: e.name.slice(5), cameraId, at: e.startTime });
  }
}).observe({ type: 'mark', buffered: true });

/** Play-grant requests as the network saw them: one camera's (POST /api/cameras/:id/live) or a wall's (POST /api/live/grants). */
function grants() {
  return (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
    .map((e) => ({ path: new URL(e.name).pathname, e }))
    .map(({ path, e }) => ({ m: /^\/api\/cameras\/([^/]+)\/live$/.exec(path), batch: path === '/api/live/grants', e }))
    .filter((x) => x.m || x.batch)
    .map(({ m, e }) => ({ cameraId: m ? decodeURIComponent(m[1]!) : null, startAt: e.startTime, endAt: e.responseEnd, serverMs: e.responseStart - e.requestStart }));
}

function track(el: RvfcVideo) {
  if (tiles.some((t) => t.el === el)) return;
  const t: Tile = { id: nextId++, el, insertedAt: performance.now(), firstFrameAt: null, callbacks: 0, presentedFirst: null, presentedLast: null, lastFrameAt: null, gaps: [], removedAt: null, events: {} };
  tiles.push(t);
  for (const name of ['loadedmetadata', 'loadeddata', 'canplay', 'playing']) el.addEventListener(name, () => { t.events[name] ??= performance.now(); });
  if (typeof el.requestVideoFrameCallback !== 'function') return;
  const onFrame = (_now: number, meta: FrameMeta) => {
    const at = performance.now();
    if (t.firstFrameAt === null) { t.firstFrameAt = at; t.presentedFirst = meta.presentedFrames; }
    else if (t.lastFrameAt !== null) t.gaps.push(at - t.lastFrameAt);
    t.lastFrameAt = at;
    t.callbacks++;
    t.presentedLast = meta.presentedFrames;
    if (t.removedAt === null) el.requestVideoFrameCallback(onFrame);
  };
  el.requestVideoFrameCallback(onFrame);
}

function scan(node: Node) {
  if (node instanceof HTMLVideoElement) track(node as RvfcVideo);
  else if (node instanceof Element) node.querySelectorAll('video').forEach((v) => track(v as RvfcVideo));
}

// Videos are tracked the moment they enter the document: React may run the effects that start a player (and its
// grant request) in the same task as the insertion, before a MutationObserver would report it.
for (const method of ['appendChild', 'insertBefore', 'replaceChild'] as const) {
  const original = Node.prototype[method] as (...a: unknown[]) => unknown;
  (Node.prototype as unknown as Record<string, unknown>)[method] = function (this: Node, ...args: unknown[]) {
    const result = original.apply(this, args);
    const node = args[0];
    if (node instanceof Element && (node as Element).isConnected) scan(node);
    return result;
  };
}

new MutationObserver((records) => {
  for (const r of records) {
    r.addedNodes.forEach(scan);
    r.removedNodes.forEach((n) => {
      const gone = n instanceof HTMLVideoElement ? [n] : n instanceof Element ? [...n.querySelectorAll('video')] : [];
      for (const v of gone) for (const t of tiles) if (t.el === v && t.removedAt === null) t.removedAt = performance.now();
    });
  }
}).observe(document, { childList: true, subtree: true });

// Key presses as the page saw them (e.g. the Escape that reopens the wall), for "opened → all playing".
window.addEventListener('keydown', (e) => { marks[`key:${e.key}`] = performance.now(); }, { capture: true });

const live = () => tiles.filter((t) => t.removedAt === null && t.el.isConnected);
const playerOf = (el: HTMLElement) => el.closest<HTMLElement>('[data-testid="player"]');
const cameraOf = (el: HTMLElement) => el.closest<HTMLElement>('[data-camera-id]')?.dataset.cameraId ?? el.dataset.cameraId ?? null;

const canvas = document.createElement('canvas');
let ctx: CanvasRenderingContext2D | null = null;

/** Reads the code of the frame each playing video shows now; latency = now − encoded capture time. */
/** Reads the code of the frame each playing video shows now; latency = now − encoded capture time. */
function sampleOnce() {
  const began = performance.now();
  const pending: Promise<void>[] = [];
  try {
    for (const t of live()) {
      const v = t.el;
      if (v.readyState < 2 || v.videoWidth === 0 || t.firstFrameAt === null) continue;
      const p = readCode(t);
      if (p) pending.push(p);
    }
  } finally {
    samplerBusyMs += performance.now() - began;
  }
  void Promise.all(pending);
}

function record(t: Tile, luma: number[], now: number, width: number, into: LatencySample[]) {
  const encoded = decodeLatencyCode(luma);
  if (encoded === null) { decodeFailures++; return; }
  const b = t.el.buffered;
  into.push({ tile: t.id, cameraId: cameraOf(t.el), width, ms: latencyMs(encoded, now), at: performance.now(), bufferMs: b.length ? Math.round((b.end(b.length - 1) - t.el.currentTime) * 1000) : null });
}

let readPath: 'VideoFrame' | 'canvas' | null = null;

/**
 * Preferred: wrap the shown frame in a WebCodecs VideoFrame and copy only the code row of its luma plane
 * (no RGB conversion of the whole frame, which drawImage does: ~2 ms per 640x360 frame without a GPU, and with
 * 16 tiles sampled ten times a second that alone took a third of a core). Fallback: canvas drawImage 1:1.
 */
function readCode(t: Tile, into: LatencySample[] = samples): Promise<void> | null {
  const v = t.el;
  let layout;
  try { layout = latencyCodeLayout(v.videoWidth, v.videoHeight); } catch { decodeFailures++; return null; }
  const w = layout.block * layout.blocks;
  const q = layout.block / 4;
  const meanOf = (get: (x: number, y: number) => number) => {
    const luma: number[] = [];
    // Mean of the middle half of each block, away from compression ringing at the edges.
    for (let b = 0; b < layout.blocks; b++) {
      let sum = 0, n = 0;
      for (let y = q; y < layout.block - q; y++) for (let x = b * layout.block + q; x < (b + 1) * layout.block - q; x++) { sum += get(x, y); n++; }
      luma.push(sum / n);
    }
    return luma;
  };
  if (readPath !== 'canvas' && typeof VideoFrame === 'function') {
    let frame: VideoFrame | null = null;
    try {
      frame = new VideoFrame(v);
      const now = Date.now();
      const fmt = frame.format;
      if (fmt === 'I420' || fmt === 'I420A' || fmt === 'NV12' || fmt === 'I422' || fmt === 'I444') {
        const rect = { x: layout.x, y: layout.y, width: w, height: layout.block };
        const size = frame.allocationSize({ rect });
        const buf = new Uint8Array(size);
        const f = frame;
        return f.copyTo(buf, { rect }).then((planes) => {
          const began = performance.now(); // the main-thread part of the asynchronous read counts as sampler cost too
          f.close();
          const y0 = planes[0]!; // the luma plane comes first in every YUV layout
          readPath = 'VideoFrame';
          record(t, meanOf((x, y) => buf[y0.offset + y * y0.stride + x]!), now, v.videoWidth, into);
          samplerBusyMs += performance.now() - began;
        }, () => { f.close(); decodeFailures++; });
      }
      frame.close();
    } catch {
      frame?.close();
    }
    readPath = 'canvas'; // no readable YUV frame here: use the canvas from now on
  }
  ctx ??= canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  if (canvas.width !== w || canvas.height !== layout.block) { canvas.width = w; canvas.height = layout.block; }
  // The code row at native size (1:1, no scaling): the tile's CSS size does not matter.
  ctx.drawImage(v, layout.x, layout.y, w, layout.block, 0, 0, w, layout.block);
  const now = Date.now();
  const img = ctx.getImageData(0, 0, w, layout.block).data;
  record(t, meanOf((x, y) => { const i = (y * w + x) * 4; return 0.299 * img[i]! + 0.587 * img[i + 1]! + 0.114 * img[i + 2]!; }), now, v.videoWidth, into);
  return null;
}

function quality(v: HTMLVideoElement): VideoPlaybackQuality | null {
  try { return v.getVideoPlaybackQuality(); } catch { return null; }
}

/**
 * Reads each playing video both ways in the same task (alternating which goes first): the VideoFrame reader must
 * agree with the canvas reader.
 */
let crossOrder = 0;
async function crossCheck(): Promise<Array<{ first: 'canvas' | 'videoFrame'; canvas: number | null; videoFrame: number | null }>> {
  const out: Array<{ first: 'canvas' | 'videoFrame'; canvas: number | null; videoFrame: number | null }> = [];
  for (const t of live()) {
    const v = t.el;
    if (v.readyState < 2 || v.videoWidth === 0) continue;
    const keep = readPath;
    const canvasFirst = crossOrder++ % 2 === 0;
    // Each read into its own list, so the two results cannot be mixed up.
    const read = (path: 'canvas' | null) => { const own: LatencySample[] = []; readPath = path; const p = readCode(t, own); return { own, p }; };
    const take = async (r: { own: LatencySample[]; p: Promise<void> | null }) => { if (r.p) await r.p; return r.own[0]?.ms ?? null; };
    let viaCanvas: number | null, viaFrame: number | null;
    if (canvasFirst) {
      const a = read('canvas'); const b = read(null);
      viaCanvas = await take(a); viaFrame = await take(b);
    } else {
      const b = read(null); const a = read('canvas');
      viaCanvas = await take(a); viaFrame = await take(b);
    }
    readPath = keep;
    out.push({ first: canvasFirst ? 'canvas' : 'videoFrame', canvas: viaCanvas, videoFrame: viaFrame });
  }
  return out;
}

const api = {
  marks,
  crossCheck,
  /** performance.now() of this document (0 = navigation start). */
  now: () => performance.now(),
  videos: () => live().map((t) => ({ tile: t.id, cameraId: cameraOf(t.el), firstFrameAt: t.firstFrameAt, width: t.el.videoWidth, height: t.el.videoHeight, currentTime: t.el.currentTime })),
  /** Opens a measurement window: latency sampling every `everyMs` and frame counting from now. */
  begin(phase: string, everyMs = 100) {
    samples = [];
    decodeFailures = 0;
    samplerBusyMs = 0;
    const at = performance.now();
    win = { phase, startedAt: at, endsAt: null, start: new Map(live().map((t) => [t.id, { callbacks: t.callbacks, presented: t.presentedLast, quality: quality(t.el), at, gapCount: t.gaps.length }])) };
    samplingMs = everyMs;
    if (samplerTimer) clearInterval(samplerTimer);
    samplerTimer = everyMs > 0 ? setInterval(sampleOnce, everyMs) : null;
  },
  /** Closes the window and returns what it saw. */
  end() {
    if (samplerTimer) clearInterval(samplerTimer);
    samplerTimer = null;
    const w = win!;
    const at = performance.now();
    const perTile: TileReport[] = live().map((t) => {
      const s = w.start.get(t.id);
      const secs = s ? (at - Math.max(s.at, t.firstFrameAt ?? at)) / 1000 : 0;
      const q0 = s?.quality ?? null, q1 = quality(t.el);
      const gaps = s ? t.gaps.slice(s.gapCount) : [];
      const player = playerOf(t.el);
      const ff = player?.dataset.firstFrameMs;
      return {
        tile: t.id, cameraId: cameraOf(t.el), stream: player?.dataset.stream ?? null, width: t.el.videoWidth, height: t.el.videoHeight,
        insertedAt: t.insertedAt, firstFrameAt: t.firstFrameAt, ttffMs: t.firstFrameAt === null ? null : t.firstFrameAt - t.insertedAt,
        consoleFirstFrameMs: ff ? Number(ff) : null,
        consoleBufferMs: (() => { const b = t.el.buffered; return b.length ? Math.round((b.end(b.length - 1) - t.el.currentTime) * 1000) : null; })(),
        fps: s && secs > 0 ? (t.callbacks - s.callbacks) / secs : null,
        presentedFps: s && secs > 0 && s.presented !== null && t.presentedLast !== null ? (t.presentedLast - s.presented) / secs : null,
        decodedFps: q0 && q1 && secs > 0 ? (q1.totalVideoFrames - q1.droppedVideoFrames - (q0.totalVideoFrames - q0.droppedVideoFrames)) / secs : null,
        droppedFrames: q0 && q1 ? q1.droppedVideoFrames - q0.droppedVideoFrames : null,
        stalls: gaps.filter((g) => g > STALL_GAP_MS).length + (t.lastFrameAt !== null && at - t.lastFrameAt > STALL_GAP_MS ? 1 : 0),
        maxGapMs: gaps.length ? Math.max(...gaps) : null,
        removed: t.removedAt !== null,
      };
    });
    const out = { phase: w.phase, seconds: (at - w.startedAt) / 1000, samplingMs, samplerBusyMs, readPath, resourceEntries: performance.getEntriesByType('resource').length, samples, decodeFailures, perTile };
    win = null;
    return out;
  },
  grants,
  /** Every tile ever tracked in this document: insertion and first frame (for TTFF and "all playing"). */
  firstFrames: () => {
    const g = grants();
    return tiles.map((t) => {
      const player = playerOf(t.el);
      const ff = player?.dataset.firstFrameMs;
      const cameraId = cameraOf(t.el);
      // The first grant and socket of this camera after the tile appeared: the path to its first frame.
      const grant = g.find((x) => x.cameraId === cameraId && x.startAt >= t.insertedAt - 1) ?? null;
      const socket = sockets.find((x) => (x.stream === cameraId || x.stream === `${cameraId}__sub`) && x.createdAt >= t.insertedAt - 1) ?? null;
      const attempts = sockets.filter((x) => (x.stream === cameraId || x.stream === `${cameraId}__sub`) && x.createdAt >= t.insertedAt - 1 && (t.firstFrameAt === null || x.createdAt <= t.firstFrameAt)).length;
      // The console's marks of this camera's first attempt after the tile appeared (each phase's first mark).
      const mark = (phase: string) => liveMarks.find((x) => x.cameraId === cameraId && x.phase === phase && x.at >= t.insertedAt - 1)?.at ?? null;
      const requested = mark('grant-requested');
      // The grant request on the network that carried this camera (a wall's batch carries all of them).
      const request = requested === null ? grant : g.find((x) => (x.cameraId === cameraId || x.cameraId === null) && x.startAt >= requested - 1) ?? grant;
      return {
        tile: t.id, cameraId, insertedAt: t.insertedAt, firstFrameAt: t.firstFrameAt, removed: t.removedAt !== null, consoleFirstFrameMs: ff ? Number(ff) : null,
        grantStartAt: request?.startAt ?? null, grantEndAt: request?.endAt ?? null, grantServerMs: request?.serverMs ?? null, grantBatched: request ? request.cameraId === null : null,
        socketCreatedAt: socket?.createdAt ?? null, socketOpenAt: socket?.openAt ?? null, firstDataAt: socket?.firstMessageAt ?? null, socketsBeforeFirstFrame: attempts,
        marks: {
          grantRequested: requested, grantReceived: mark('grant-received'), socketQueued: mark('socket-queued'), socketCreated: mark('socket-created'),
          socketOpen: mark('socket-open'), firstData: mark('first-data'), firstFrame: mark('first-frame'),
        },
        mediaEvents: { ...t.events },
      };
    });
  },
};

(globalThis as unknown as { __bench: typeof api }).__bench = api;
