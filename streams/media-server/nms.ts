// The parts of NMS 4.4 internals we touch (it ships no types; checked against src/ of 4.4.3), and its global state:
// the Context every session reads its settings from, the process-wide logger, and the one-instance guard.
// No other file requires node-media-server.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type net from 'node:net';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { StreamsLog } from '../typed-emitter.js';

export interface NmsPacket {
  codec_type: number; // 8 audio, 9 video, 18 script
  flags: number; // video: 2 sequence header, 3 keyframe, 4 inter frame; 5 metadata
  size: number;
  data: Buffer;
}
export interface NmsBroadcast {
  publisher: NmsSession | null;
  subscribers: Map<string, NmsSession>;
  publishGraceMs: number;
}
export interface NmsSession {
  id: string;
  isPublisher: boolean;
  broadcast: NmsBroadcast;
  videoWidth: number;
  videoHeight: number;
  videoFramerate: number;
  run(): void;
  close(): void;
}
export interface NmsRtmp {
  streamApp?: string;
  streamName?: string;
  streamQuery?: Record<string, string | string[] | undefined>;
  parserPacket: { header: { length: number } };
  inPackets: Map<number, unknown>;
  packetAlloc(): void;
}
export interface NmsRtmpSession extends NmsSession {
  rtmp: NmsRtmp;
  onPush(): void;
  onPlay(): void;
  onPacket(packet: NmsPacket): void;
  onData(data: Buffer): void;
}
export interface NmsContext {
  config: object;
  broadcasts: Map<string, NmsBroadcast>;
  sessions: Map<string, unknown>;
}
export interface NmsLogger {
  log(message: string, level?: string): void;
}
export interface WsLike {
  readonly bufferedAmount: number;
  on(event: 'close', listener: () => void): void;
  terminate(): void;
}
export interface WsServerLike {
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WsLike) => void): void;
  clients: Set<WsLike>;
  close(): void;
}

const require = createRequire(import.meta.url);
const nmsDir = dirname(require.resolve('node-media-server/package.json'));
export const nms = {
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

// NMS keeps its state in module globals (one Context per process): two instances would share broadcasts and sessions.
let activeInstance = false;

/** Refuses a second media server in this process; releaseNms() frees the slot when one stops or fails to start. */
export function claimNms(): void {
  if (activeInstance) {
    throw new Error('a media server is already running in this process (node-media-server keeps global state: one instance per process)');
  }
  activeInstance = true;
}

export function releaseNms(): void {
  activeInstance = false;
}

/** NMS sessions read their settings from the global Context. No `auth`: authorisation is ours. */
export function configureNms(host: string, rtmpPort: number, httpPort: number): void {
  nms.Context.config = { bind: host, rtmp: { port: rtmpPort }, http: { port: httpPort } };
}

/** NMS's state is module-global; a later instance in this process must start clean. */
export function forgetNmsSessions(): void {
  nms.Context.broadcasts.clear();
  nms.Context.sessions.clear();
}

/**
 * NMS's logger is global and prints to stdout at debug level: keep only its errors, rate-limited, so garbage on the
 * RTMP port cannot flood our log. Returns the function that puts NMS's own logger back.
 */
export function muteNmsLog(log: StreamsLog): () => void {
  const originalNmsLog = nms.logger.log;
  let nmsLogBudget = 20;
  const nmsLogRefill = setInterval(() => (nmsLogBudget = 20), 60_000);
  nmsLogRefill.unref();
  nms.logger.log = (message: string, level?: string) => {
    if (level !== 'error' || nmsLogBudget <= 0) return;
    nmsLogBudget -= 1;
    log.warn({ component: 'node-media-server' }, String(message));
  };
  return () => {
    clearInterval(nmsLogRefill);
    nms.logger.log = originalNmsLog;
  };
}
