// The one adapter around node-media-server 4 (NMS): this folder. Nothing else in the project imports NMS, and in here
// only nms.ts requires it.
//
// What NMS 4.4 does that we must not let through, and what this adapter does instead:
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
//
// The parts: nms.ts (NMS internals we touch, its global state), rtmp.ts (RTMP connections, the publish authority,
// the publisher watchdog), publishers.ts (what is live, stats, publish/unpublish), viewers.ts (viewers of every
// protocol, authorisation, backlog cap), flv-play.ts (HTTP-FLV and WebSocket-FLV players), servers.ts (our listeners).
import type http from 'node:http';
import type net from 'node:net';
import { createEmitter, type StreamsLog, type TypedEmitter } from '../typed-emitter.js';
import { createFlvPlay, type FlvPlay } from './flv-play.js';
import { claimNms, configureNms, forgetNmsSessions, muteNmsLog, releaseNms } from './nms.js';
import { createPublishers, type Publishers } from './publishers.js';
import { createRtmpIngest, type RtmpIngest } from './rtmp.js';
import { closeServer, createPlayServers, createRtmpServer, listenAll } from './servers.js';
import type { MediaServer, MediaServerEvents, MediaServerOptions } from './types.js';
import { createViewers, type Viewers } from './viewers.js';

export type {
  MediaServer,
  MediaServerEvents,
  MediaServerOptions,
  PlayProtocol,
  PublishRejectReason,
  StreamStats,
  ViewerInfo,
} from './types.js';

export async function startMediaServer(opts: MediaServerOptions): Promise<MediaServer> {
  claimNms();
  try {
    return await createMediaServer(opts);
  } catch (err) {
    releaseNms();
    throw err;
  }
}

async function createMediaServer(opts: MediaServerOptions): Promise<MediaServer> {
  const log = opts.log;
  const events = createEmitter<MediaServerEvents>();
  let stopped = false;
  const isStopped = () => stopped;

  const restoreNmsLog = muteNmsLog(log);
  configureNms(opts.host, opts.rtmpPort, opts.httpPort);

  const { publishers, viewers, flv, rtmp } = assemble(opts, events, isStopped);
  const watchdog = startWatchdog(publishers, rtmp, viewers);

  const rtmpServer = createRtmpServer(rtmp.onConnection);
  const httpServers = createPlayServers(opts.playPortCount ?? 1, flv, log);
  const restoreGlobals = () => {
    clearInterval(watchdog);
    restoreNmsLog();
  };
  let ports: { rtmpPort: number; playPorts: number[] };
  try {
    ports = await listenAll(rtmpServer, httpServers, opts, log);
  } catch (err) {
    restoreGlobals();
    throw err;
  }
  const { rtmpPort, playPorts } = ports;
  const httpPort = playPorts[0]!;
  log.info({ host: opts.host, rtmpPort, httpPort, playPorts }, 'media server listening');

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      stopped = true;
      await shutDown({ publishers, rtmp, flv, viewers, rtmpServer, httpServers, restoreGlobals, log });
    })();
    return stopping;
  };

  return {
    host: opts.host,
    rtmpPort,
    httpPort,
    playPorts,
    events,
    isLive: (ref) => publishers.isLive(ref),
    dropCamera: (cameraId) => publishers.dropCamera(cameraId),
    stats: () => publishers.stats(),
    dropViewers: (which) => viewers.drop(which),
    viewers: () => viewers.list(),
    stop,
  };
}

/** The adapter's parts, wired to each other and to the room's callbacks. */
function assemble(opts: MediaServerOptions, events: TypedEmitter<MediaServerEvents>, isStopped: () => boolean) {
  const { log } = opts;
  const authTimeoutMs = opts.authTimeoutMs ?? 5_000;
  // Not logged here: the room logs and audits each refusal from this event, folding a camera's repeated publish
  // refusals (server/live/publish-refusals.ts), so a camera retrying all night does not fill the log.
  const emitRejected = (e: MediaServerEvents['rejected']) => {
    events.emit('rejected', e);
  };
  const publishers = createPublishers(log, events);
  const viewers = createViewers({
    authorizePlay: opts.authorizePlay,
    log,
    events,
    emitRejected,
    authTimeoutMs,
    maxBacklogBytes: opts.maxViewerBacklogBytes ?? 16 * 1024 * 1024,
  });
  const flv = createFlvPlay({ viewers, host: opts.host, isStopped });
  const rtmp = createRtmpIngest({
    authorizePublish: opts.authorizePublish,
    log,
    publishers,
    viewers,
    emitRejected,
    isStopped,
    authTimeoutMs,
    handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 10_000,
    staleAfterMs: opts.staleAfterMs ?? 3_000,
  });
  return { publishers, viewers, flv, rtmp };
}

/** Every 250 ms: stalled publishers, idle RTMP connections, slow viewers; once a second a stats sample. */
function startWatchdog(publishers: Publishers, rtmp: RtmpIngest, viewers: Viewers): NodeJS.Timeout {
  let lastSampleAt = 0;
  let lastTickAt = Date.now();
  const watchdog = setInterval(() => {
    const now = Date.now();
    // A tick this late means this process did not run (a long task, or no CPU on a loaded machine): the publishers'
    // media is waiting in the socket buffers, read only after the timers. Their silence was ours; look next tick.
    const late = now - lastTickAt > 1_000;
    lastTickAt = now;
    if (!late) rtmp.watch(now);
    viewers.dropSlow();
    if (now - lastSampleAt >= 1_000) {
      lastSampleAt = now;
      publishers.sample(now);
    }
  }, 250);
  watchdog.unref();
  return watchdog;
}

interface Parts {
  publishers: Publishers;
  rtmp: RtmpIngest;
  flv: FlvPlay;
  viewers: Viewers;
  rtmpServer: net.Server;
  httpServers: http.Server[];
  restoreGlobals(): void;
  log: StreamsLog;
}

/** Reports every live stream 'unpublish' (server-stopped), closes every connection and port, frees NMS's state. */
async function shutDown(p: Parts): Promise<void> {
  for (const pub of p.publishers.list()) p.publishers.markUnpublished(pub, 'server-stopped');
  p.rtmp.destroyAll();
  p.flv.terminateWebSockets();
  for (const server of p.httpServers) server.closeAllConnections();
  await Promise.all([closeServer(p.rtmpServer), ...p.httpServers.map(closeServer)]);
  p.flv.closeWebSocketServer();
  await new Promise((r) => setImmediate(r)); // let NMS's close handlers run
  p.viewers.endAll();
  forgetNmsSessions();
  p.restoreGlobals();
  releaseNms();
  p.log.info({}, 'media server stopped');
}
