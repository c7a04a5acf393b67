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
import type { CameraPlaces } from '../cluster/index.js';
import type { CameraStatus } from './schema.js';
import { getPublishCredentials } from '../cameras/store.js';

export interface Live extends Capability {
  media: MediaServer; board: StatusBoard; publish: PublishAuthority; service: LiveService;
  /** Where the room's own processes (recorder, snapshot) read a camera's main stream, with a play token of `userId`. */
  mainStreamUrl(cameraId: string, token: string): string;
  /** A play token of a person, for a read the room does on their behalf (the snapshot at an incident tag). */
  tokenFor(userId: string, cameraId: string): string;
  /** Starts pulling the RTSP cameras (after whatever serves them is up: the demo's RTSP server). */
  pullRtspCameras(ffmpeg: FfmpegInfo, spawn?: SpawnFn): Promise<void>;
  /** What this node tells a node that joins: the statuses of the cameras it holds. */
  ownStatuses(): CameraStatus[];
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
  /** Which node holds a camera (server/cluster/): only it accepts the push; grants send players there. */
  places: CameraPlaces;
  /** Does this node hold the camera (pulls it, when RTSP)? */
  holds: (cameraId: string) => boolean;
  /** The key play tokens are signed with, the same on every node. */
  playKey: Buffer;
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
  const publish = new PublishAuthority(registry, d.mayPublishFlexible, d.places);
  // Statuses of cameras other nodes hold arrive from them (cluster/relay.ts); a node that went down is announced by
  // the node that noted it.
  const peerStatus = (s: CameraStatus) => { if (bus.peer) board.peer(bus.peer, s); };
  const nodeDown = (nodeId: string) => board.nodeDown(nodeId);
  bus.on('camera.status', peerStatus);
  bus.on('cluster.node_down', nodeDown);
  // Play tokens and the ended sessions they are checked against share one clock: the wall clock, as the media
  // server's players connect in real time (the room's clock, which tests move for bookings, is not theirs).
  const wallClock = () => Date.now();
  const tokens = new PlayTokens(60_000, wallClock, d.playKey);
  let media: MediaServer | null = null;
  const ownerOf = (cameraId: string) => registry.known(cameraId)?.owner ?? null;
  const elsewhere = (cameraId: string) => { const o = ownerOf(cameraId); return o && o !== d.places.nodeId ? d.places.mediaOf(o) : null; };
  const service = new LiveService(sql, tokens, board, async (cameraId) => {
    await registry.get(cameraId);
    const remote = elsewhere(cameraId);
    return remote ? { host: remote.host, ports: remote.flvPorts } : { host: null, ports: media?.playPorts ?? [config.FLV_PORT] };
  }, wallClock);
  const m = media = await startMediaServer({
    host: config.MEDIA_HOST, rtmpPort: config.RTMP_PORT, httpPort: config.FLV_PORT, playPortCount: config.FLV_PORTS, log: log.child({ part: 'media' }),
    authorizePublish: authorizePublish(publish), authorizePlay: authorizePlay(service),
  }).catch((e) => { throw new StartError(e instanceof Error ? e.message : String(e)); });
  const onlineLog = await startOnlineLog({ sql, bus, log, now: d.now });
  const wiring = await connectLive({ sql, log, bus, media: m, board, live: service });
  // A camera moved to another node (an admin's rebalance or move): its publisher here is cut; it pushes (or is
  // pulled) there now. Read fresh: the registry's notification may not have arrived yet.
  const dropMoved = (held: ReadonlySet<string>) => {
    for (const cameraId of new Set(m.stats().map((s) => s.cameraId))) {
      if (held.has(cameraId)) continue;
      void getPublishCredentials(sql, cameraId).then((c) => {
        if (c?.owner && c.owner !== d.places.nodeId && m.dropCamera(cameraId)) log.info({ cameraId, node: c.owner }, 'live stream cut here: the camera moved to another node');
      }, (err) => log.warn({ err, cameraId }, 'moved camera not checked'));
    }
  };
  bus.on('cluster.cameras', dropMoved);
  let bridges: { stop(): Promise<void> } | null = null;
  const localHost = config.MEDIA_HOST === '0.0.0.0' ? '127.0.0.1' : config.MEDIA_HOST;
  return {
    routes: liveRoutes(service, board), media: m, board, publish, service,
    // The room's own reads (recorder, snapshot) go to the node holding the camera, by the address nodes reach it on.
    mainStreamUrl: (cameraId, token) => {
      const remote = elsewhere(cameraId);
      return playUrl('http', remote ? { host: remote.apiHost, port: remote.flvPorts[0]! } : { host: localHost, port: m.httpPort }, { cameraId, stream: 'main' }, token);
    },
    ownStatuses: () => board.own(),
    tokenFor: (userId, cameraId) => tokens.sign({ userId, cameraId, stream: 'main' }).token,
    async pullRtspCameras(ffmpeg, spawn) {
      bridges = await runRtspBridges({ sql, bus, log, board, bridgeKey: publish.bridgeKey, holds: d.holds, rtmp: { host: localHost, port: m.rtmpPort }, ffmpeg, spawn });
    },
    // The bridges stop pushing, the media server ends its viewers and publishers, then the wiring records their ends.
    stop: async () => {
      bus.off('camera.changed', reread); bus.off('camera.revoked', reread);
      bus.off('camera.status', peerStatus); bus.off('cluster.node_down', nodeDown); bus.off('cluster.cameras', dropMoved);
      await bridges?.stop(); await m.stop(); await wiring.stop(); await onlineLog.stop(); await registry.stop();
    },
  };
}
