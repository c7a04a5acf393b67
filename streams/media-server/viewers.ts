// Viewers: a play is authorised by the room before NMS sees it, then tracked here from playStart to playEnd, for
// every protocol (RTMP plays come from rtmp.ts). Viewers too slow to keep up, or whose right to watch ended, are cut.
import type http from 'node:http';
import { parseStreamName, type StreamRef } from '../stream-path.js';
import type { StreamsLog, TypedEmitter } from '../typed-emitter.js';
import { nms } from './nms.js';
import type { MediaServerEvents, MediaServerOptions, PlayProtocol, ViewerInfo } from './types.js';
import { withTimeout } from './with-timeout.js';

export interface Viewer extends ViewerInfo {
  close(): void;
  backlogBytes(): number;
  ended: boolean;
}

/** status: the HTTP status an HTTP or WebSocket player is refused with. */
export type PlayDecision = { ok: true; ref: StreamRef; viewerId: string } | { ok: false; status: number; reason: string };

export interface Viewers {
  /** Asks the room (authorizePlay) whether this token may play this stream; refusals are reported as 'rejected'. */
  authorize(app: string, name: string, token: string, remoteAddr: string, cookie: string | null): Promise<PlayDecision>;
  /** Registers an authorised viewer and reports playStart. */
  start(viewer: Omit<Viewer, 'ended' | 'since'>): Viewer;
  /** Reports playEnd, once. */
  end(viewer: Viewer): void;
  /** Disconnects every viewer whose unsent backlog is over the cap (it would otherwise grow without bound). */
  dropSlow(): void;
  drop(which: (viewer: ViewerInfo) => boolean): number;
  list(): ViewerInfo[];
  /** At stop: playEnd for every viewer NMS's close handlers have not ended. */
  endAll(): void;
}

export interface ViewersDeps {
  authorizePlay: MediaServerOptions['authorizePlay'];
  log: StreamsLog;
  events: TypedEmitter<MediaServerEvents>;
  emitRejected(e: MediaServerEvents['rejected']): void;
  authTimeoutMs: number;
  maxBacklogBytes: number;
}

const viewerInfo = ({ sessionId, cameraId, stream, viewerId, remoteAddr, protocol, since }: Viewer): ViewerInfo =>
  ({ sessionId, cameraId, stream, viewerId, remoteAddr, protocol, since });

export function createViewers(d: ViewersDeps): Viewers {
  const viewers = new Map<string, Viewer>();
  const end = (viewer: Viewer) => {
    if (viewer.ended) return;
    viewer.ended = true;
    viewers.delete(viewer.sessionId);
    const { sessionId, cameraId, stream, viewerId, remoteAddr, protocol } = viewer;
    d.events.emit('playEnd', { sessionId, cameraId, stream, viewerId, remoteAddr, protocol, durationMs: Date.now() - viewer.since.getTime() });
  };
  return {
    authorize: (app, name, token, remoteAddr, cookie) => authorizeViewer(d, app, name, token, remoteAddr, cookie),
    start(v) {
      const viewer: Viewer = { ...v, since: new Date(), ended: false };
      viewers.set(viewer.sessionId, viewer);
      const { sessionId, cameraId, stream, viewerId, remoteAddr, protocol } = viewer;
      d.events.emit('playStart', { sessionId, cameraId, stream, viewerId, remoteAddr, protocol });
      return viewer;
    },
    end,
    dropSlow() {
      for (const viewer of viewers.values()) {
        if (viewer.backlogBytes() > d.maxBacklogBytes) {
          d.log.warn({ sessionId: viewer.sessionId, cameraId: viewer.cameraId, viewerId: viewer.viewerId }, 'viewer too slow; disconnected');
          viewer.close();
        }
      }
    },
    drop(which) {
      const cut = [...viewers.values()].filter((v) => !v.ended && which(viewerInfo(v)));
      for (const v of cut) v.close();
      return cut.length;
    },
    list: () => [...viewers.values()].map(viewerInfo),
    endAll() {
      for (const viewer of [...viewers.values()]) end(viewer);
    },
  };
}

async function authorizeViewer(
  d: ViewersDeps,
  app: string,
  name: string,
  token: string,
  remoteAddr: string,
  cookie: string | null,
): Promise<PlayDecision> {
  const ref = parseStreamName(app, name);
  if (!ref) {
    d.emitRejected({ kind: 'play', cameraId: name.slice(0, 64), stream: null, reason: 'bad-path', remoteAddr });
    return { ok: false, status: 404, reason: 'bad-path' };
  }
  let result: { ok: false; status: number; reason: string } | null = null;
  let viewerId = '';
  if (!token) {
    result = { ok: false, status: 401, reason: 'missing-token' };
  } else {
    try {
      const decision = await withTimeout(
        d.authorizePlay({ cameraId: ref.cameraId, stream: ref.stream, token, remoteAddr, cookie }),
        d.authTimeoutMs,
        'authorizePlay',
      );
      if (decision.ok) viewerId = decision.viewerId;
      else result = { ok: false, status: 403, reason: decision.reason };
    } catch (err) {
      d.log.error({ err: err instanceof Error ? err.message : String(err), cameraId: ref.cameraId }, 'play authorisation failed');
      result = { ok: false, status: 503, reason: 'auth-error' };
    }
  }
  if (result) {
    d.emitRejected({ kind: 'play', cameraId: ref.cameraId, stream: ref.stream, reason: result.reason, remoteAddr });
    return result;
  }
  return { ok: true, ref, viewerId };
}

/** How an FLV player is reached: the HTTP response or the WebSocket NMS writes to, and how to watch and cut it. */
export interface FlvSink {
  protocol: Extract<PlayProtocol, 'http-flv' | 'ws-flv'>;
  target: unknown;
  close(): void;
  backlogBytes(): number;
  onClose(listener: () => void): void;
}

/** The one start of an HTTP-FLV or WebSocket-FLV viewer, once authorised: NMS plays the stream, we track the viewer. */
export function startFlvViewer(
  viewers: Viewers,
  req: http.IncomingMessage,
  sink: FlvSink,
  decision: Extract<PlayDecision, { ok: true }>,
  remoteAddr: string,
): void {
  const session = new nms.FlvSession(req, sink.target);
  const viewer = viewers.start({
    sessionId: session.id,
    cameraId: decision.ref.cameraId,
    stream: decision.ref.stream,
    viewerId: decision.viewerId,
    remoteAddr,
    protocol: sink.protocol,
    close: sink.close,
    backlogBytes: sink.backlogBytes,
  });
  sink.onClose(() => viewers.end(viewer));
  session.run();
}
