// The streams that are live now: who publishes each, what it sends (for stats), and the publish / unpublish events.
// A publisher gets here only after rtmp.ts authorised it and NMS registered it as the path's publisher.
import type net from 'node:net';
import { streamKey, type StreamRef } from '../stream-path.js';
import type { StreamsLog, TypedEmitter } from '../typed-emitter.js';
import { nms, type NmsPacket, type NmsRtmpSession } from './nms.js';
import type { MediaServerEvents, StreamStats } from './types.js';

// Bitrate and frame rate are measured over (about) the last five seconds of samples.
const STATS_WINDOW_MS = 5_000;

export interface LivePublisher {
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

export type UnpublishReason = MediaServerEvents['unpublish']['reason'];

export interface Publishers {
  isLive(ref: StreamRef): boolean;
  /** A copy: ending a publisher while walking the list is safe. */
  list(): LivePublisher[];
  /** Records the stream as live and announces it ('stream online', 'publish'); offline again when its socket closes. */
  goLive(pub: LivePublisher): void;
  /** Reports the stream offline once (a later call for the same publisher is a no-op) and closes its viewers. */
  markUnpublished(pub: LivePublisher, reason: UnpublishReason): void;
  /** Unpublishes and disconnects a camera's publishers (main and sub); returns how many. */
  dropCamera(cameraId: string): number;
  /** Takes one stats sample of every live stream (the watchdog calls this once a second). */
  sample(now: number): void;
  stats(): StreamStats[];
}

export function createPublishers(log: StreamsLog, events: TypedEmitter<MediaServerEvents>): Publishers {
  const live = new Map<string, LivePublisher>();

  const markUnpublished = (pub: LivePublisher, reason: UnpublishReason) => {
    const key = streamKey(pub.ref);
    if (live.get(key) !== pub) return;
    live.delete(key);
    log.info({ cameraId: pub.ref.cameraId, stream: pub.ref.stream, reason }, 'stream offline');
    events.emit('unpublish', { cameraId: pub.ref.cameraId, stream: pub.ref.stream, sessionId: pub.sessionId, reason });
    // Viewers of the ended publish are closed: a new publish restarts timestamps at 0, which players handle
    // badly mid-stream. They reconnect (with backoff) and get the new stream from its first keyframe.
    for (const sub of [...pub.session.broadcast.subscribers.values()]) sub.close();
  };

  return {
    isLive: (ref) => live.has(streamKey(ref)),
    list: () => [...live.values()],
    goLive(pub) {
      live.set(streamKey(pub.ref), pub);
      pub.socket.once('close', () => markUnpublished(pub, 'closed'));
      log.info({ cameraId: pub.ref.cameraId, stream: pub.ref.stream, remoteAddr: pub.remoteAddr }, 'stream online');
      events.emit('publish', { cameraId: pub.ref.cameraId, stream: pub.ref.stream, remoteAddr: pub.remoteAddr, sessionId: pub.sessionId });
    },
    markUnpublished,
    dropCamera(cameraId) {
      const pubs = [...live.values()].filter((p) => p.ref.cameraId === cameraId);
      for (const pub of pubs) { markUnpublished(pub, 'closed'); pub.socket.destroy(); }
      return pubs.length;
    },
    sample(now) {
      for (const pub of live.values()) {
        pub.samples.push({ t: now, bytes: pub.bytes, frames: pub.frames });
        while (pub.samples.length > 2 && now - pub.samples[0]!.t > STATS_WINDOW_MS) pub.samples.shift();
      }
    },
    stats: () => [...live.values()].map(statsOf),
  };
}

/** A publisher as it goes live: nothing received yet, one zero sample so stats have a start. */
export function newPublisher(ref: StreamRef, session: NmsRtmpSession, socket: net.Socket, remoteAddr: string): LivePublisher {
  const now = Date.now();
  return {
    ref,
    sessionId: session.id,
    session,
    socket,
    remoteAddr,
    since: now,
    lastPacketAt: now,
    lastVideoAt: null,
    bytes: 0,
    frames: 0,
    samples: [{ t: now, bytes: 0, frames: 0 }],
  };
}

/** Counts one media packet of an authorised publisher: bytes, video frames, picture size from the sequence header. */
export function recordPacket(pub: LivePublisher, packet: NmsPacket): void {
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
}

function statsOf(pub: LivePublisher): StreamStats {
  const first = pub.samples[0]!;
  const now = Date.now();
  const spanS = (now - first.t) / 1000;
  // Under half a second of samples says nothing yet: fall back to what the stream's metadata claims.
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
