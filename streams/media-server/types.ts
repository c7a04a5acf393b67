// The public interface of the media server: what the room passes in and what it gets back. The adapter's parts
// (rtmp.ts, viewers.ts, publishers.ts) use these types too; index.ts re-exports them.
import type { StreamKind, StreamRef } from '../stream-path.js';
import type { StreamsLog, TypedEmitter } from '../typed-emitter.js';

export type PublishRejectReason = 'unknown-camera' | 'wrong-key' | 'disabled' | 'outside-window' | 'no-sub-stream' | 'assigned-elsewhere' | 'already-live' | 'bad-path';

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
