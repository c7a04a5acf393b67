// The one adapter around node-media-server 4 (NMS). Nothing else in the project imports NMS.
//
// What NMS 4.4 does that we must not let through, and what this file does instead:
// - Its listeners call process.exit(1) on EADDRINUSE. We never start its RTMP/HTTP server classes: we own
//   the net/http servers (clear, rejectable errors) and hand connections to NMS's session classes.
// - Its hooks (prePublish, postPublish, prePlay) are synchronous events that cannot veto, and postPublish
//   fires even for a session a hook closed. We intercept publish/play *before* NMS sees them, await our
//   (async) authorisation, and only then let NMS register the session. Our own 'publish' event is emitted
//   only for sessions that really became the publisher.
// - A session's media is broadcast to its path even if it never became the publisher; we drop media from
//   any session that is not the authorised publisher.
// - donePublish fires 30 s after a publisher drops (a "resume" grace period, BroadcastServer.publishGraceMs)
//   and a vanished publisher (no FIN) is never noticed at all. We set the grace to 0, report 'unpublish' on
//   socket close ourselves, and a watchdog drops a publisher that sent no media for `staleAfterMs` (3 s).
// - The RTMP parser trusts message lengths (16 MB allocations per chunk stream, from garbage) and throws on
//   malformed AMF inside a socket 'data' handler (a process crash). We cap allocations and catch parse errors.
// - Its HTTP side also accepts FLV *publishing* (POST, or WebSocket subprotocol "post"), unauthenticated.
//   We only route GET / WebSocket plays, and only with a valid play token.
// - It keeps global state (one Context per process), so only one MediaServer may run per process.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import net from 'node:net';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { parseStreamName, streamKey, type StreamKind, type StreamRef } from './stream-path.js';
import { createEmitter, type StreamsLog, type TypedEmitter } from './typed-emitter.js';

// ---------------------------------------------------------------------------------------------------------
// Public interface

export type PublishRejectReason = 'unknown-camera' | 'wrong-key' | 'disabled' | 'outside-window' | 'no-sub-stream' | 'already-live' | 'bad-path';

export interface MediaServerOptions {
  host: string;
  /** 0 picks a free port (tests); the chosen one is in `MediaServer.rtmpPort`. */
  rtmpPort: number;
  /** Serves HTTP-FLV and WebSocket-FLV: (ws|http)://host:httpPort/live/<stream>.flv?token=... */
  httpPort: number;
  /**
   * How many ports serve players: httpPort and the ones after it (all picked by the OS when httpPort is 0). Chromium
   * opens WebSockets to one host:port one handshake at a time (~15 ms each here), so a 16-tile wall spread over four
   * ports is connected about four times sooner. Default 1.
   */
  playPortCount?: number;
  log: StreamsLog;
  authorizePublish(req: { cameraId: string; stream: StreamKind; key: string; remoteAddr: string }): Promise<
    { ok: true } | { ok: false; reason: PublishRejectReason }
  >;
  /**
   * cookie: the Cookie header the player sent (HTTP-FLV and the WebSocket upgrade; a browser sends the console's cookies
   * to every port of its host), null for RTMP players. Lets the room tie a play to the login session it was granted in.
   */
  authorizePlay(req: { cameraId: string; stream: StreamKind; token: string; remoteAddr: string; cookie: string | null }): Promise<
    { ok: true; viewerId: string } | { ok: false; reason: string }
  >;
  /** A publisher that sent no media for this long is dropped and reported offline. Default 3000. */
  staleAfterMs?: number;
  /** An RTMP connection that has not asked to publish or play by then is closed. Default 10000. */
  handshakeTimeoutMs?: number;
  /** An authorisation callback that takes longer is treated as a refusal. Default 5000. */
  authTimeoutMs?: number;
  /** A viewer whose unsent backlog exceeds this is disconnected (it would otherwise grow without bound). */
  maxViewerBacklogBytes?: number;
}

export type PlayProtocol = 'http-flv' | 'ws-flv' | 'rtmp';

export interface MediaServerEvents {
  publish: { cameraId: string; stream: StreamKind; remoteAddr: string; sessionId: string };
  unpublish: { cameraId: string; stream: StreamKind; sessionId: string; reason: 'closed' | 'stalled' | 'server-stopped' };
  playStart: { sessionId: string; cameraId: string; stream: StreamKind; viewerId: string; remoteAddr: string; protocol: PlayProtocol };
  playEnd: { sessionId: string; cameraId: string; stream: StreamKind; viewerId: string; remoteAddr: string; protocol: PlayProtocol; durationMs: number };
  /** cameraId is the raw (truncated) stream name when the path named no camera (reason 'bad-path'). */
  rejected: { kind: 'publish' | 'play'; cameraId: string; stream: StreamKind | null; reason: string; remoteAddr: string };
}

export interface StreamStats {
  cameraId: string;
  stream: StreamKind;
  remoteAddr: string;
  since: Date;
  bitrateKbps: number;
  fps?: number;
  width?: number;
  height?: number;
  lastFrameAt: Date | null;
  viewers: number;
}

export interface ViewerInfo {
  sessionId: string;
  cameraId: string;
  stream: StreamKind;
  viewerId: string;
  remoteAddr: string;
  protocol: PlayProtocol;
  since: Date;
}

export interface MediaServer {
  readonly host: string;
  readonly rtmpPort: number;
  readonly httpPort: number;
  /** Every port that serves players, httpPort first (see MediaServerOptions.playPortCount). */
  readonly playPorts: readonly number[];
  readonly events: TypedEmitter<MediaServerEvents>;
  /** Live streams only. */
  stats(): StreamStats[];
  isLive(ref: StreamRef): boolean;
  /** Cuts a camera's publishers (main and sub) and so their viewers: a camera disabled or re-keyed stops at once. */
  dropCamera(cameraId: string): number;
  viewers(): ViewerInfo[];
  /** Disconnects the viewers `which` selects (a right to watch ended, e.g. a dispatcher's alert closed); their
   *  playEnd follows as usual. Returns how many. A player that reconnects is authorised afresh. */
  dropViewers(which: (viewer: ViewerInfo) => boolean): number;
  /** Reports every live stream 'unpublish' (server-stopped), closes all connections, frees the ports. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// The parts of NMS 4.4 internals we touch (it ships no types). Checked against src/ of 4.4.3.

interface NmsPacket {
  codec_type: number; // 8 audio, 9 video, 18 script
  flags: number; // video: 2 sequence header, 3 keyframe, 4 inter frame; 5 metadata
  size: number;
  data: Buffer;
}
interface NmsBroadcast {
  publisher: NmsSession | null;
  subscribers: Map<string, NmsSession>;
  publishGraceMs: number;
}
interface NmsSession {
  id: string;
  isPublisher: boolean;
  broadcast: NmsBroadcast;
  videoWidth: number;
  videoHeight: number;
  videoFramerate: number;
  run(): void;
  close(): void;
}
interface NmsRtmp {
  streamApp?: string;
  streamName?: string;
  streamQuery?: Record<string, string | string[] | undefined>;
  parserPacket: { header: { length: number } };
  inPackets: Map<number, unknown>;
  packetAlloc(): void;
}
interface NmsRtmpSession extends NmsSession {
  rtmp: NmsRtmp;
  onPush(): void;
  onPlay(): void;
  onPacket(packet: NmsPacket): void;
  onData(data: Buffer): void;
}
interface NmsContext {
  config: object;
  broadcasts: Map<string, NmsBroadcast>;
  sessions: Map<string, unknown>;
}
interface NmsLogger {
  log(message: string, level?: string): void;
}
interface WsLike {
  readonly bufferedAmount: number;
  on(event: 'close', listener: () => void): void;
  terminate(): void;
}
interface WsServerLike {
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WsLike) => void): void;
  clients: Set<WsLike>;
  close(): void;
}

const require = createRequire(import.meta.url);
const nmsDir = dirname(require.resolve('node-media-server/package.json'));
const nms = {
  Context: require('node-media-server/src/core/context.js') as NmsContext,
  logger: require('node-media-server/src/core/logger.js') as NmsLogger,
  RtmpSession: require('node-media-server/src/session/rtmp_session.js') as new (socket: net.Socket) => NmsRtmpSession,
  FlvSession: require('node-media-server/src/session/flv_session.js') as new (req: http.IncomingMessage, res: unknown) => NmsSession,
  parseH264Sps: (require('node-media-server/src/protocol/sps_info.js') as {
    parseH264Sps(sps: Buffer): { width: number; height: number } | null;
  }).parseH264Sps,
  // FlvSession tells WebSocket players from HTTP ones with `instanceof` on *its* copy of ws.
  WebSocketServer: (require(require.resolve('ws', { paths: [nmsDir] })) as {
    Server: new (opts: { noServer: true; maxPayload: number }) => WsServerLike;
  }).Server,
};

// Bounds for what one RTMP connection may make the parser allocate.
const MAX_RTMP_MESSAGE_BYTES = 4 * 1024 * 1024;
const MAX_RTMP_CHUNK_STREAMS = 32;
const STATS_WINDOW_MS = 5_000;

let activeInstance = false;

// ---------------------------------------------------------------------------------------------------------

interface LivePublisher {
  ref: StreamRef;
  sessionId: string;
  session: NmsRtmpSession;
  socket: net.Socket;
  remoteAddr: string;
  since: number;
  lastPacketAt: number;
  lastVideoAt: number | null;
  bytes: number;
  frames: number;
  samples: Array<{ t: number; bytes: number; frames: number }>;
  width?: number;
  height?: number;
}

interface Viewer extends ViewerInfo {
  close(): void;
  backlogBytes(): number;
  ended: boolean;
}

type RtmpRole = 'handshake' | 'pending' | 'publisher' | 'player' | 'closed';

interface RtmpConn {
  socket: net.Socket;
  session: NmsRtmpSession;
  remoteAddr: string;
  openedAt: number;
  role: RtmpRole;
  pub?: LivePublisher;
}

const viewerInfo = ({ sessionId, cameraId, stream, viewerId, remoteAddr, protocol, since }: Viewer): ViewerInfo =>
  ({ sessionId, cameraId, stream, viewerId, remoteAddr, protocol, since });

function cleanAddr(addr: string | undefined): string {
  if (!addr) return 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

function firstString(v: string | string[] | undefined | null): string {
  if (Array.isArray(v)) return v[0] ?? '';
  return v ?? '';
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Width/height from an FLV AVC sequence header (AVCDecoderConfigurationRecord's first SPS). */
function dimensionsFromAvcHeader(data: Buffer): { width: number; height: number } | null {
  // [0] frame type/codec, [1] AVCPacketType=0, [2..4] cts, [5..] AVCDecoderConfigurationRecord
  if (data.length < 14 || (data[0]! & 0x0f) !== 7 || data[1] !== 0) return null;
  const spsCount = data[10]! & 0x1f;
  if (spsCount < 1) return null;
  const spsLength = data.readUInt16BE(11);
  if (13 + spsLength > data.length) return null;
  return nms.parseH264Sps(data.subarray(13, 13 + spsLength));
}

function listen(server: net.Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${what} port ${port} already in use on ${host} (another process, or an earlier instance of this server, is listening there)`)
          : new Error(`${what} could not listen on ${host}:${port}: ${err.message}`),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

export async function startMediaServer(opts: MediaServerOptions): Promise<MediaServer> {
  if (activeInstance) {
    throw new Error('a media server is already running in this process (node-media-server keeps global state: one instance per process)');
  }
  activeInstance = true;
  try {
    return await createMediaServer(opts);
  } catch (err) {
    activeInstance = false;
    throw err;
  }
}

async function createMediaServer(opts: MediaServerOptions): Promise<MediaServer> {
  const log = opts.log;
  const staleAfterMs = opts.staleAfterMs ?? 3_000;
  const firstMediaGraceMs = 15_000;
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;
  const authTimeoutMs = opts.authTimeoutMs ?? 5_000;
  const maxBacklog = opts.maxViewerBacklogBytes ?? 16 * 1024 * 1024;
  const events = createEmitter<MediaServerEvents>();

  const live = new Map<string, LivePublisher>();
  const viewers = new Map<string, Viewer>();
  const rtmpConns = new Set<RtmpConn>();
  let stopped = false;

  // NMS's logger is global and prints to stdout at debug level: keep only its errors, rate-limited,
  // so garbage on the RTMP port cannot flood our log.
  const originalNmsLog = nms.logger.log;
  let nmsLogBudget = 20;
  const nmsLogRefill = setInterval(() => (nmsLogBudget = 20), 60_000);
  nmsLogRefill.unref();
  nms.logger.log = (message: string, level?: string) => {
    if (level !== 'error' || nmsLogBudget <= 0) return;
    nmsLogBudget -= 1;
    log.warn({ component: 'node-media-server' }, String(message));
  };

  // NMS sessions read their settings from the global Context. No `auth`: authorisation is ours.
  nms.Context.config = { bind: opts.host, rtmp: { port: opts.rtmpPort }, http: { port: opts.httpPort } };

  // Not logged here: the room logs and audits each refusal from this event, folding a camera's repeated publish
  // refusals (server/live/publish-refusals.ts), so a camera retrying all night does not fill the log.
  const emitRejected = (e: MediaServerEvents['rejected']) => {
    events.emit('rejected', e);
  };

  // ---- publishers -------------------------------------------------------------------------------------

  const markUnpublished = (pub: LivePublisher, reason: MediaServerEvents['unpublish']['reason']) => {
    const key = streamKey(pub.ref);
    if (live.get(key) !== pub) return;
    live.delete(key);
    log.info({ cameraId: pub.ref.cameraId, stream: pub.ref.stream, reason }, 'stream offline');
    events.emit('unpublish', { cameraId: pub.ref.cameraId, stream: pub.ref.stream, sessionId: pub.sessionId, reason });
    // Viewers of the ended publish are closed: a new publish restarts timestamps at 0, which players handle
    // badly mid-stream. They reconnect (with backoff) and get the new stream from its first keyframe.
    for (const sub of [...pub.session.broadcast.subscribers.values()]) sub.close();
  };

  const recordPacket = (pub: LivePublisher, packet: NmsPacket) => {
    const now = Date.now();
    pub.lastPacketAt = now;
    pub.bytes += packet.size;
    if (packet.codec_type === 9) {
      if (packet.flags === 2) {
        const dims = dimensionsFromAvcHeader(packet.data.subarray(0, packet.size));
        if (dims) {
          pub.width = dims.width;
          pub.height = dims.height;
        }
      } else if (packet.flags === 3 || packet.flags === 4) {
        pub.frames += 1;
        pub.lastVideoAt = now;
      }
    }
  };

  const rejectPublish = (conn: RtmpConn, cameraId: string, stream: StreamKind | null, reason: string) => {
    conn.role = 'closed';
    emitRejected({ kind: 'publish', cameraId, stream, reason, remoteAddr: conn.remoteAddr });
    conn.socket.destroy();
  };

  const handlePublish = async (conn: RtmpConn, commit: () => void) => {
    if (conn.role !== 'handshake') {
      conn.socket.destroy(); // one publish or play per connection
      return;
    }
    conn.role = 'pending';
    // Hold further input until the decision; media that arrives meanwhile stays in the socket buffer.
    conn.socket.pause();
    const rtmp = conn.session.rtmp;
    const name = String(rtmp.streamName ?? '');
    const ref = parseStreamName(String(rtmp.streamApp ?? ''), name);
    if (!ref) return rejectPublish(conn, name.slice(0, 64), null, 'bad-path');
    const key = firstString(rtmp.streamQuery?.key);

    let reason: string | null = null;
    try {
      const decision = await withTimeout(
        opts.authorizePublish({ cameraId: ref.cameraId, stream: ref.stream, key, remoteAddr: conn.remoteAddr }),
        authTimeoutMs,
        'authorizePublish',
      );
      if (!decision.ok) reason = decision.reason;
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err), cameraId: ref.cameraId }, 'publish authorisation failed');
      reason = 'auth-error';
    }
    if (conn.role !== 'pending' || stopped) {
      conn.socket.destroy();
      return; // the client left (or we are stopping) while we were deciding
    }
    if (reason === null && live.has(streamKey(ref))) reason = 'already-live';
    if (reason !== null) return rejectPublish(conn, ref.cameraId, ref.stream, reason);

    const session = conn.session;
    session.broadcast.publishGraceMs = 0; // see header: we report offline ourselves, at once
    commit(); // NMS registers the publisher (and emits its own hooks, which nobody listens to)
    if (!session.isPublisher) {
      // NMS still holds a publisher for this path (should not happen while `live` is accurate).
      return rejectPublish(conn, ref.cameraId, ref.stream, 'already-live');
    }
    const now = Date.now();
    const pub: LivePublisher = {
      ref,
      sessionId: session.id,
      session,
      socket: conn.socket,
      remoteAddr: conn.remoteAddr,
      since: now,
      lastPacketAt: now,
      lastVideoAt: null,
      bytes: 0,
      frames: 0,
      samples: [{ t: now, bytes: 0, frames: 0 }],
    };
    conn.role = 'publisher';
    conn.pub = pub;
    live.set(streamKey(ref), pub);
    conn.socket.once('close', () => markUnpublished(pub, 'closed'));
    log.info({ cameraId: ref.cameraId, stream: ref.stream, remoteAddr: conn.remoteAddr }, 'stream online');
    events.emit('publish', { cameraId: ref.cameraId, stream: ref.stream, remoteAddr: conn.remoteAddr, sessionId: session.id });
    conn.socket.resume();
  };

  // ---- viewers ----------------------------------------------------------------------------------------

  const authorizeViewer = async (
    app: string,
    name: string,
    token: string,
    remoteAddr: string,
    cookie: string | null,
  ): Promise<{ ok: true; ref: StreamRef; viewerId: string } | { ok: false; status: number; reason: string }> => {
    const ref = parseStreamName(app, name);
    if (!ref) {
      emitRejected({ kind: 'play', cameraId: name.slice(0, 64), stream: null, reason: 'bad-path', remoteAddr });
      return { ok: false, status: 404, reason: 'bad-path' };
    }
    let result: { ok: false; status: number; reason: string } | null = null;
    let viewerId = '';
    if (!token) {
      result = { ok: false, status: 401, reason: 'missing-token' };
    } else {
      try {
        const d = await withTimeout(
          opts.authorizePlay({ cameraId: ref.cameraId, stream: ref.stream, token, remoteAddr, cookie }),
          authTimeoutMs,
          'authorizePlay',
        );
        if (d.ok) viewerId = d.viewerId;
        else result = { ok: false, status: 403, reason: d.reason };
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err), cameraId: ref.cameraId }, 'play authorisation failed');
        result = { ok: false, status: 503, reason: 'auth-error' };
      }
    }
    if (result) {
      emitRejected({ kind: 'play', cameraId: ref.cameraId, stream: ref.stream, reason: result.reason, remoteAddr });
      return result;
    }
    return { ok: true, ref, viewerId };
  };

  const startViewer = (v: Omit<Viewer, 'ended' | 'since'>): Viewer => {
    const viewer: Viewer = { ...v, since: new Date(), ended: false };
    viewers.set(viewer.sessionId, viewer);
    events.emit('playStart', {
      sessionId: viewer.sessionId,
      cameraId: viewer.cameraId,
      stream: viewer.stream,
      viewerId: viewer.viewerId,
      remoteAddr: viewer.remoteAddr,
      protocol: viewer.protocol,
    });
    return viewer;
  };

  const endViewer = (viewer: Viewer) => {
    if (viewer.ended) return;
    viewer.ended = true;
    viewers.delete(viewer.sessionId);
    events.emit('playEnd', {
      sessionId: viewer.sessionId,
      cameraId: viewer.cameraId,
      stream: viewer.stream,
      viewerId: viewer.viewerId,
      remoteAddr: viewer.remoteAddr,
      protocol: viewer.protocol,
      durationMs: Date.now() - viewer.since.getTime(),
    });
  };

  const handleRtmpPlay = async (conn: RtmpConn, commit: () => void) => {
    if (conn.role !== 'handshake') {
      conn.socket.destroy();
      return;
    }
    conn.role = 'pending';
    conn.socket.pause();
    const rtmp = conn.session.rtmp;
    const token = firstString(rtmp.streamQuery?.token);
    const decision = await authorizeViewer(String(rtmp.streamApp ?? ''), String(rtmp.streamName ?? ''), token, conn.remoteAddr, null);
    if (conn.role !== 'pending' || stopped || !decision.ok) {
      conn.role = 'closed';
      conn.socket.destroy();
      return;
    }
    conn.role = 'player';
    commit();
    const socket = conn.socket;
    const viewer = startViewer({
      sessionId: conn.session.id,
      cameraId: decision.ref.cameraId,
      stream: decision.ref.stream,
      viewerId: decision.viewerId,
      remoteAddr: conn.remoteAddr,
      protocol: 'rtmp',
      close: () => socket.destroy(),
      backlogBytes: () => socket.writableLength,
    });
    socket.once('close', () => endViewer(viewer));
    socket.resume();
  };

  const FLV_PATH = /^\/([^/]+)\/([^/]+)\.flv$/;

  const refuseHttp = (res: http.ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'Access-Control-Allow-Origin': '*',
    });
    res.end(JSON.stringify({ error: { code, message } }));
  };

  const handleHttp = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const remoteAddr = cleanAddr(req.socket.remoteAddress);
    const url = new URL(req.url ?? '/', 'http://media.invalid');
    const m = FLV_PATH.exec(url.pathname);
    if (!m) return refuseHttp(res, 404, 'not_found', 'no such stream path');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET' });
      return void res.end();
    }
    if (req.method !== 'GET') return refuseHttp(res, 405, 'method_not_allowed', 'streams are played with GET; publishing is RTMP only');
    const [, app = '', name = ''] = m;
    const decision = await authorizeViewer(app, name, url.searchParams.get('token') ?? '', remoteAddr, req.headers.cookie ?? null);
    if (req.socket.destroyed || stopped) return void res.destroy();
    if (!decision.ok) return refuseHttp(res, decision.status, 'play_refused', decision.reason);

    // FlvSession reads express-style fields for HTTP players.
    Object.assign(req, { params: { app, name }, query: Object.fromEntries(url.searchParams), hostname: opts.host });
    res.writeHead(200, {
      'Content-Type': 'video/x-flv',
      'Cache-Control': 'no-cache, no-store',
      'Access-Control-Allow-Origin': '*',
    });
    const session = new nms.FlvSession(req, res);
    const viewer = startViewer({
      sessionId: session.id,
      cameraId: decision.ref.cameraId,
      stream: decision.ref.stream,
      viewerId: decision.viewerId,
      remoteAddr,
      protocol: 'http-flv',
      close: () => res.destroy(),
      backlogBytes: () => res.writableLength,
    });
    req.socket.once('close', () => endViewer(viewer));
    session.run();
  };

  const wss = new nms.WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  const refuseUpgrade = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\nAccess-Control-Allow-Origin: *\r\n\r\n`);
  };

  const handleUpgrade = async (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const remoteAddr = cleanAddr(req.socket.remoteAddress);
    const url = new URL(req.url ?? '/', 'http://media.invalid');
    const m = FLV_PATH.exec(url.pathname);
    if (!m) return refuseUpgrade(socket, 404, 'Not Found');
    // NMS treats these subprotocols as FLV publishers: publishing goes over RTMP with a key, never here.
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').toLowerCase();
    if (/\b(post|publisher)\b/.test(protocols)) return refuseUpgrade(socket, 403, 'Forbidden');
    const [, app = '', name = ''] = m;
    const decision = await authorizeViewer(app, name, url.searchParams.get('token') ?? '', remoteAddr, req.headers.cookie ?? null);
    if (socket.destroyed || stopped) return void socket.destroy();
    if (!decision.ok) {
      const text = decision.status === 401 ? 'Unauthorized' : decision.status === 404 ? 'Not Found' : 'Forbidden';
      return refuseUpgrade(socket, decision.status, text);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (stopped) return ws.terminate();
      const session = new nms.FlvSession(req, ws);
      const viewer = startViewer({
        sessionId: session.id,
        cameraId: decision.ref.cameraId,
        stream: decision.ref.stream,
        viewerId: decision.viewerId,
        remoteAddr,
        protocol: 'ws-flv',
        close: () => ws.terminate(),
        backlogBytes: () => ws.bufferedAmount,
      });
      ws.on('close', () => endViewer(viewer));
      session.run();
    });
  };

  // ---- RTMP connections -------------------------------------------------------------------------------

  const onRtmpConnection = (socket: net.Socket) => {
    socket.on('error', () => {}); // resets from clients are normal; NMS logs its own
    if (stopped) return void socket.destroy();
    socket.setNoDelay(true);
    const session = new nms.RtmpSession(socket);
    const conn: RtmpConn = { socket, session, remoteAddr: cleanAddr(socket.remoteAddress), openedAt: Date.now(), role: 'handshake' };
    rtmpConns.add(conn);
    socket.once('close', () => {
      if (conn.role !== 'publisher' && conn.role !== 'player') conn.role = 'closed';
      rtmpConns.delete(conn);
    });

    // Cap what the parser may allocate: a garbage header can claim 16 MB on each of thousands of chunk streams.
    const rtmp = session.rtmp;
    const packetAlloc = rtmp.packetAlloc.bind(rtmp);
    rtmp.packetAlloc = () => {
      if (rtmp.parserPacket.header.length > MAX_RTMP_MESSAGE_BYTES) throw new Error(`RTMP message of ${rtmp.parserPacket.header.length} bytes refused`);
      if (rtmp.inPackets.size > MAX_RTMP_CHUNK_STREAMS) throw new Error('too many RTMP chunk streams');
      packetAlloc();
    };
    // NMS parses inside the socket 'data' handler; a throw there (malformed AMF, bad URL) would crash the process.
    const onData = session.onData;
    session.onData = (data: Buffer) => {
      if (conn.role === 'closed') return;
      try {
        onData(data);
      } catch (err) {
        log.warn({ remoteAddr: conn.remoteAddr, err: err instanceof Error ? err.message : String(err) }, 'RTMP protocol error; connection closed');
        conn.role = 'closed';
        socket.destroy();
      }
    };
    const onPush = session.onPush;
    session.onPush = () => void handlePublish(conn, onPush);
    const onPlay = session.onPlay;
    session.onPlay = () => void handleRtmpPlay(conn, onPlay);
    const onPacket = session.onPacket;
    session.onPacket = (packet: NmsPacket) => {
      // Media from a session that is not (or no longer) the authorised publisher never reaches viewers.
      if (conn.role !== 'publisher' || !conn.pub) return;
      recordPacket(conn.pub, packet);
      onPacket(packet);
    };
    session.run(); // picks up the overridden handlers above
  };

  // ---- watchdog: stale publishers, silent connections, slow viewers, stats samples ---------------------

  let lastSampleAt = 0;
  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const pub of [...live.values()]) {
      // Before its first media a publisher gets a longer grace: an encoder fanning out to many cameras (tee)
      // connects them one by one before it sends its first frame, and must not be dropped meanwhile.
      const grace = pub.bytes === 0 ? Math.max(staleAfterMs, firstMediaGraceMs) : staleAfterMs;
      if (now - pub.lastPacketAt > grace) {
        log.warn({ cameraId: pub.ref.cameraId, stream: pub.ref.stream, silentMs: now - pub.lastPacketAt }, 'publisher sent no media; dropping it');
        markUnpublished(pub, 'stalled');
        pub.socket.destroy();
      }
    }
    for (const conn of rtmpConns) {
      if (conn.role === 'handshake' && now - conn.openedAt > handshakeTimeoutMs) {
        log.warn({ remoteAddr: conn.remoteAddr }, 'RTMP client neither published nor played in time; closed');
        conn.role = 'closed';
        conn.socket.destroy();
      }
    }
    for (const viewer of viewers.values()) {
      if (viewer.backlogBytes() > maxBacklog) {
        log.warn({ sessionId: viewer.sessionId, cameraId: viewer.cameraId, viewerId: viewer.viewerId }, 'viewer too slow; disconnected');
        viewer.close();
      }
    }
    if (now - lastSampleAt >= 1_000) {
      lastSampleAt = now;
      for (const pub of live.values()) {
        pub.samples.push({ t: now, bytes: pub.bytes, frames: pub.frames });
        while (pub.samples.length > 2 && now - pub.samples[0]!.t > STATS_WINDOW_MS) pub.samples.shift();
      }
    }
  }, 250);
  watchdog.unref();

  // ---- servers ----------------------------------------------------------------------------------------

  const rtmpServer = net.createServer(onRtmpConnection);
  rtmpServer.maxConnections = 512;
  // One HTTP server per play port, all alike: a player may use any of them.
  const httpServers = Array.from({ length: Math.max(1, opts.playPortCount ?? 1) }, () => {
    const server = http.createServer((req, res) => {
      handleHttp(req, res).catch((err) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'FLV request failed');
        res.destroy();
      });
    });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      handleUpgrade(req, socket, head).catch((err) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'WebSocket-FLV upgrade failed');
        socket.destroy();
      });
    });
    return server;
  });

  const restoreGlobals = () => {
    clearInterval(watchdog);
    clearInterval(nmsLogRefill);
    nms.logger.log = originalNmsLog;
  };

  let rtmpPort: number;
  const playPorts: number[] = [];
  try {
    rtmpPort = await listen(rtmpServer, opts.rtmpPort, opts.host, 'RTMP');
    for (const [i, server] of httpServers.entries()) {
      playPorts.push(await listen(server, opts.httpPort === 0 ? 0 : opts.httpPort + i, opts.host, 'HTTP-FLV'));
    }
  } catch (err) {
    await closeServer(rtmpServer);
    for (const server of httpServers) await closeServer(server);
    restoreGlobals();
    throw err;
  }
  // After start-up, listener errors are logged; nothing here may end the process.
  rtmpServer.on('error', (err) => log.error({ err: err.message }, 'RTMP server error'));
  for (const server of httpServers) server.on('error', (err) => log.error({ err: err.message }, 'HTTP-FLV server error'));
  const httpPort = playPorts[0]!;
  log.info({ host: opts.host, rtmpPort, httpPort, playPorts }, 'media server listening');

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      stopped = true;
      for (const pub of [...live.values()]) markUnpublished(pub, 'server-stopped');
      for (const conn of rtmpConns) conn.socket.destroy();
      for (const ws of wss.clients) ws.terminate();
      for (const server of httpServers) server.closeAllConnections();
      await Promise.all([closeServer(rtmpServer), ...httpServers.map(closeServer)]);
      wss.close();
      await new Promise((r) => setImmediate(r)); // let NMS's close handlers run
      for (const viewer of [...viewers.values()]) endViewer(viewer);
      // NMS's state is module-global; a later instance in this process must start clean.
      nms.Context.broadcasts.clear();
      nms.Context.sessions.clear();
      restoreGlobals();
      activeInstance = false;
      log.info({}, 'media server stopped');
    })();
    return stopping;
  };

  return {
    host: opts.host,
    rtmpPort,
    httpPort,
    playPorts,
    events,
    isLive: (ref) => live.has(streamKey(ref)),
    dropCamera(cameraId) {
      const pubs = [...live.values()].filter((p) => p.ref.cameraId === cameraId);
      for (const pub of pubs) { markUnpublished(pub, 'closed'); pub.socket.destroy(); }
      return pubs.length;
    },
    stats: () =>
      [...live.values()].map((pub) => {
        const first = pub.samples[0]!;
        const now = Date.now();
        const spanS = (now - first.t) / 1000;
        const measured = spanS >= 0.5;
        const metaFps = pub.session.videoFramerate;
        const fps = measured ? Math.round(((pub.frames - first.frames) / spanS) * 10) / 10 : metaFps > 0 ? metaFps : undefined;
        const width = pub.width ?? (pub.session.videoWidth > 0 ? pub.session.videoWidth : undefined);
        const height = pub.height ?? (pub.session.videoHeight > 0 ? pub.session.videoHeight : undefined);
        return {
          cameraId: pub.ref.cameraId,
          stream: pub.ref.stream,
          remoteAddr: pub.remoteAddr,
          since: new Date(pub.since),
          bitrateKbps: measured ? Math.round(((pub.bytes - first.bytes) * 8) / 1000 / spanS) : 0,
          ...(fps !== undefined ? { fps } : {}),
          ...(width !== undefined ? { width } : {}),
          ...(height !== undefined ? { height } : {}),
          lastFrameAt: pub.lastVideoAt === null ? null : new Date(pub.lastVideoAt),
          viewers: pub.session.broadcast.subscribers.size,
        };
      }),
    dropViewers(which) {
      const cut = [...viewers.values()].filter((v) => !v.ended && which(viewerInfo(v)));
      for (const v of cut) v.close();
      return cut.length;
    },
    viewers: () => [...viewers.values()].map(viewerInfo),
    stop,
  };
}
