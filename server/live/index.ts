// Live video: the media server, who may publish and who may watch (its permission checks are this capability's
// named functions), each camera's live state, the viewing record and the RTSP bridges.
import type { Config } from '../config.js';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Capability } from '../capability.js';
import { StartError } from '../errors.js';
import { startMediaServer, type MediaServer, type MediaServerOptions } from '../../streams/media-server/index.js';
import { playUrl } from '../../streams/stream-path.js';
import type { FfmpegInfo } from '../../streams/ffmpeg/locate.js';
import type { SpawnFn } from '../../streams/supervised-process.js';
import { PublishAuthority } from './publish-auth.js';
import { CameraRegistry } from './camera-registry.js';
import { PlayTokens } from './play-tokens.js';
import { StatusBoard } from './status-board.js';
import { LiveService } from './service.js';
import { liveRoutes } from './routes.js';
import { connectLive } from './wire.js';
import { runRtspBridges } from './bridges.js';
import { startOnlineLog } from './online-log.js';

export interface Live extends Capability {
  media: MediaServer; board: StatusBoard; publish: PublishAuthority; service: LiveService;
  /** Where the room's own processes (recorder, snapshot) read a camera's main stream, with a play token of `userId`. */
  mainStreamUrl(cameraId: string, token: string): string;
  /** A play token of a person, for a read the room does on their behalf (the snapshot at an incident tag). */
  tokenFor(userId: string, cameraId: string): string;
  /** Starts pulling the RTSP cameras (after whatever serves them is up: the demo's RTSP server). */
  pullRtspCameras(ffmpeg: FfmpegInfo, spawn?: SpawnFn): Promise<void>;
}

/** The media server's publish check: a registered, enabled camera with its key, inside its window when flexible. */
export const authorizePublish = (publish: PublishAuthority): MediaServerOptions['authorizePublish'] =>
  (r) => publish.authorize(r.cameraId, r.key, r.stream);

/** The media server's play check: a grant's token, from the login session it was granted in. */
export const authorizePlay = (live: LiveService): MediaServerOptions['authorizePlay'] => async (r) => {
  const a = await live.authorizePlay(r.cameraId, r.stream, r.token, r.cookie);
  return a.ok ? { ok: true, viewerId: a.user.id } : a;
};

export async function start(d: {
  sql: Sql; bus: EventBus; log: Logger; config: Config; now: () => Date;
  /** Is a flexible unit inside an approved window now (bookings/)? */
  mayPublishFlexible: (cameraId: string) => Promise<boolean>;
}): Promise<Live> {
  const { sql, bus, log, config } = d;
  const board = new StatusBoard(sql, bus, log, d.now);
  const registry = new CameraRegistry(sql, log);
  await registry.start();
  // A change this process made is dropped at once and read again (its notification follows a moment later): a
  // revoked key or a disabled camera never gets through.
  const reread = (camera: { id: string } | string) => registry.changed(typeof camera === 'string' ? camera : camera.id);
  bus.on('camera.changed', reread);
  bus.on('camera.revoked', reread);
  const publish = new PublishAuthority(registry, d.mayPublishFlexible);
  // Play tokens and the ended sessions they are checked against share one clock: the wall clock, as the media
  // server's players connect in real time (the room's clock, which tests move for bookings, is not theirs).
  const wallClock = () => Date.now();
  const tokens = new PlayTokens(60_000, wallClock);
  let media: MediaServer | null = null;
  const service = new LiveService(sql, tokens, board, () => media?.playPorts ?? [config.FLV_PORT], wallClock);
  const m = media = await startMediaServer({
    host: config.MEDIA_HOST, rtmpPort: config.RTMP_PORT, httpPort: config.FLV_PORT, playPortCount: config.FLV_PORTS, log: log.child({ part: 'media' }),
    authorizePublish: authorizePublish(publish), authorizePlay: authorizePlay(service),
  }).catch((e) => { throw new StartError(e instanceof Error ? e.message : String(e)); });
  const onlineLog = await startOnlineLog({ sql, bus, log, now: d.now });
  const wiring = await connectLive({ sql, log, bus, media: m, board, live: service });
  let bridges: { stop(): Promise<void> } | null = null;
  const localHost = config.MEDIA_HOST === '0.0.0.0' ? '127.0.0.1' : config.MEDIA_HOST;
  return {
    routes: liveRoutes(service, board), media: m, board, publish, service,
    mainStreamUrl: (cameraId, token) => playUrl('http', { host: localHost, port: m.httpPort }, { cameraId, stream: 'main' }, token),
    tokenFor: (userId, cameraId) => tokens.sign({ userId, cameraId, stream: 'main' }).token,
    async pullRtspCameras(ffmpeg, spawn) {
      bridges = await runRtspBridges({ sql, bus, log, board, bridgeKey: publish.bridgeKey, rtmp: { host: localHost, port: m.rtmpPort }, ffmpeg, spawn });
    },
    // The bridges stop pushing, the media server ends its viewers and publishers, then the wiring records their ends.
    stop: async () => {
      bus.off('camera.changed', reread); bus.off('camera.revoked', reread);
      await bridges?.stop(); await m.stop(); await wiring.stop(); await onlineLog.stop(); await registry.stop();
    },
  };
}
