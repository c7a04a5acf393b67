// RTMP connections: cameras (and bridges) publishing, the odd RTMP player. NMS's RtmpSession speaks the protocol, but
// we wrap its handlers before run(): the parser is bounded and cannot throw into the socket handler, a publish or play
// waits (socket paused) for the room's decision before NMS sees it, and media from anyone but the authorised
// publisher is dropped. A watchdog drops publishers gone silent and connections that never say what they want.
import type net from 'node:net';
import { parseStreamName, type StreamKind, type StreamRef } from '../stream-path.js';
import type { StreamsLog } from '../typed-emitter.js';
import { nms, type NmsPacket, type NmsRtmpSession } from './nms.js';
import { newPublisher, recordPacket, type LivePublisher, type Publishers } from './publishers.js';
import { cleanAddr } from './servers.js';
import type { MediaServerEvents, MediaServerOptions } from './types.js';
import type { Viewers } from './viewers.js';
import { withTimeout } from './with-timeout.js';

// Bounds for what one RTMP connection may make the parser allocate.
const MAX_RTMP_MESSAGE_BYTES = 4 * 1024 * 1024;
const MAX_RTMP_CHUNK_STREAMS = 32;
// Before its first media a publisher gets a longer grace: an encoder fanning out to many cameras (tee) connects them
// one by one before it sends its first frame, and must not be dropped meanwhile.
const FIRST_MEDIA_GRACE_MS = 15_000;

type RtmpRole = 'handshake' | 'pending' | 'publisher' | 'player' | 'closed';

interface RtmpConn {
  socket: net.Socket;
  session: NmsRtmpSession;
  remoteAddr: string;
  openedAt: number;
  role: RtmpRole;
  pub?: LivePublisher;
}

export interface RtmpDeps {
  authorizePublish: MediaServerOptions['authorizePublish'];
  log: StreamsLog;
  publishers: Publishers;
  viewers: Viewers;
  emitRejected(e: MediaServerEvents['rejected']): void;
  isStopped(): boolean;
  authTimeoutMs: number;
  handshakeTimeoutMs: number;
  staleAfterMs: number;
}

interface Rtmp extends RtmpDeps {
  conns: Set<RtmpConn>;
}

export interface RtmpIngest {
  onConnection(socket: net.Socket): void;
  /** The watchdog's RTMP rounds: publishers silent too long, connections that neither published nor played. */
  watch(now: number): void;
  destroyAll(): void;
}

export function createRtmpIngest(deps: RtmpDeps): RtmpIngest {
  const rtmp: Rtmp = { ...deps, conns: new Set() };
  return {
    onConnection: (socket) => onConnection(rtmp, socket),
    watch(now) {
      dropStalledPublishers(rtmp, now);
      closeIdleConnections(rtmp, now);
    },
    destroyAll() {
      for (const conn of rtmp.conns) conn.socket.destroy();
    },
  };
}

function onConnection(rtmp: Rtmp, socket: net.Socket): void {
  socket.on('error', () => {}); // resets from clients are normal; NMS logs its own
  if (rtmp.isStopped()) return void socket.destroy();
  socket.setNoDelay(true);
  const session = new nms.RtmpSession(socket);
  const conn: RtmpConn = { socket, session, remoteAddr: cleanAddr(socket.remoteAddress), openedAt: Date.now(), role: 'handshake' };
  rtmp.conns.add(conn);
  socket.once('close', () => {
    if (conn.role !== 'publisher' && conn.role !== 'player') conn.role = 'closed';
    rtmp.conns.delete(conn);
  });
  guardParser(rtmp, conn);
  const onPush = session.onPush;
  session.onPush = () => void handlePublish(rtmp, conn, onPush);
  const onPlay = session.onPlay;
  session.onPlay = () => void handlePlay(rtmp, conn, onPlay);
  const onPacket = session.onPacket;
  session.onPacket = (packet: NmsPacket) => {
    // Media from a session that is not (or no longer) the authorised publisher never reaches viewers.
    if (conn.role !== 'publisher' || !conn.pub) return;
    recordPacket(conn.pub, packet);
    onPacket(packet);
  };
  session.run(); // picks up the overridden handlers above
}

function guardParser(rtmp: Rtmp, conn: RtmpConn): void {
  const { session, socket } = conn;
  // Cap what the parser may allocate: a garbage header can claim 16 MB on each of thousands of chunk streams.
  const parser = session.rtmp;
  const packetAlloc = parser.packetAlloc.bind(parser);
  parser.packetAlloc = () => {
    if (parser.parserPacket.header.length > MAX_RTMP_MESSAGE_BYTES) throw new Error(`RTMP message of ${parser.parserPacket.header.length} bytes refused`);
    if (parser.inPackets.size > MAX_RTMP_CHUNK_STREAMS) throw new Error('too many RTMP chunk streams');
    packetAlloc();
  };
  // NMS parses inside the socket 'data' handler; a throw there (malformed AMF, bad URL) would crash the process.
  const onData = session.onData;
  session.onData = (data: Buffer) => {
    if (conn.role === 'closed') return;
    try {
      onData(data);
    } catch (err) {
      rtmp.log.warn({ remoteAddr: conn.remoteAddr, err: err instanceof Error ? err.message : String(err) }, 'RTMP protocol error; connection closed');
      conn.role = 'closed';
      socket.destroy();
    }
  };
}

function firstString(v: string | string[] | undefined | null): string {
  if (Array.isArray(v)) return v[0] ?? '';
  return v ?? '';
}

function rejectPublish(rtmp: Rtmp, conn: RtmpConn, cameraId: string, stream: StreamKind | null, reason: string): void {
  conn.role = 'closed';
  rtmp.emitRejected({ kind: 'publish', cameraId, stream, reason, remoteAddr: conn.remoteAddr });
  conn.socket.destroy();
}

/** The room's answer to a publish: null to let it go live, else the refusal reason. */
async function decidePublish(rtmp: Rtmp, conn: RtmpConn, ref: StreamRef, key: string): Promise<string | null> {
  try {
    const decision = await withTimeout(
      rtmp.authorizePublish({ cameraId: ref.cameraId, stream: ref.stream, key, remoteAddr: conn.remoteAddr }),
      rtmp.authTimeoutMs,
      'authorizePublish',
    );
    return decision.ok ? null : decision.reason;
  } catch (err) {
    rtmp.log.error({ err: err instanceof Error ? err.message : String(err), cameraId: ref.cameraId }, 'publish authorisation failed');
    return 'auth-error';
  }
}

async function handlePublish(rtmp: Rtmp, conn: RtmpConn, commit: () => void): Promise<void> {
  if (conn.role !== 'handshake') {
    conn.socket.destroy(); // one publish or play per connection
    return;
  }
  conn.role = 'pending';
  // Hold further input until the decision; media that arrives meanwhile stays in the socket buffer.
  conn.socket.pause();
  const parser = conn.session.rtmp;
  const name = String(parser.streamName ?? '');
  const ref = parseStreamName(String(parser.streamApp ?? ''), name);
  if (!ref) return rejectPublish(rtmp, conn, name.slice(0, 64), null, 'bad-path');
  let reason = await decidePublish(rtmp, conn, ref, firstString(parser.streamQuery?.key));
  if (conn.role !== 'pending' || rtmp.isStopped()) {
    conn.socket.destroy();
    return; // the client left (or we are stopping) while we were deciding
  }
  // Decided here, from what we know is live: NMS would only notice when it registers the session.
  if (reason === null && rtmp.publishers.isLive(ref)) reason = 'already-live';
  if (reason !== null) return rejectPublish(rtmp, conn, ref.cameraId, ref.stream, reason);

  const session = conn.session;
  session.broadcast.publishGraceMs = 0; // see index.ts: we report offline ourselves, at once
  commit(); // NMS registers the publisher (and emits its own hooks, which nobody listens to)
  if (!session.isPublisher) {
    // NMS still holds a publisher for this path (should not happen while `live` is accurate).
    return rejectPublish(rtmp, conn, ref.cameraId, ref.stream, 'already-live');
  }
  const pub = newPublisher(ref, session, conn.socket, conn.remoteAddr);
  conn.role = 'publisher';
  conn.pub = pub;
  rtmp.publishers.goLive(pub);
  conn.socket.resume();
}

async function handlePlay(rtmp: Rtmp, conn: RtmpConn, commit: () => void): Promise<void> {
  if (conn.role !== 'handshake') {
    conn.socket.destroy();
    return;
  }
  conn.role = 'pending';
  conn.socket.pause();
  const parser = conn.session.rtmp;
  const token = firstString(parser.streamQuery?.token);
  const decision = await rtmp.viewers.authorize(String(parser.streamApp ?? ''), String(parser.streamName ?? ''), token, conn.remoteAddr, null);
  if (conn.role !== 'pending' || rtmp.isStopped() || !decision.ok) {
    conn.role = 'closed';
    conn.socket.destroy();
    return;
  }
  conn.role = 'player';
  commit();
  const socket = conn.socket;
  const viewer = rtmp.viewers.start({
    sessionId: conn.session.id,
    cameraId: decision.ref.cameraId,
    stream: decision.ref.stream,
    viewerId: decision.viewerId,
    remoteAddr: conn.remoteAddr,
    protocol: 'rtmp',
    close: () => socket.destroy(),
    backlogBytes: () => socket.writableLength,
  });
  socket.once('close', () => rtmp.viewers.end(viewer));
  socket.resume();
}

function dropStalledPublishers(rtmp: Rtmp, now: number): void {
  for (const pub of rtmp.publishers.list()) {
    const grace = pub.bytes === 0 ? Math.max(rtmp.staleAfterMs, FIRST_MEDIA_GRACE_MS) : rtmp.staleAfterMs;
    if (now - pub.lastPacketAt > grace) {
      rtmp.log.warn({ cameraId: pub.ref.cameraId, stream: pub.ref.stream, silentMs: now - pub.lastPacketAt }, 'publisher sent no media; dropping it');
      rtmp.publishers.markUnpublished(pub, 'stalled');
      pub.socket.destroy();
    }
  }
}

function closeIdleConnections(rtmp: Rtmp, now: number): void {
  for (const conn of rtmp.conns) {
    if (conn.role === 'handshake' && now - conn.openedAt > rtmp.handshakeTimeoutMs) {
      rtmp.log.warn({ remoteAddr: conn.remoteAddr }, 'RTMP client neither published nor played in time; closed');
      conn.role = 'closed';
      conn.socket.destroy();
    }
  }
}
