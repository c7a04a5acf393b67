// Composition root: lists the capabilities in start order and hands each what it needs. The wiring of each
// capability (its services, workers, timers and event listeners) lives in its own index.ts.
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig, ConfigError, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { StartError } from './errors.js';
import type { Sql } from './db/connect.js';
import { startDatabase } from './db/index.js';
import { MigrationError } from './db/migrate.js';
import { EventBus } from './events.js';
import { createApp } from './http/app.js';
import { createMetrics } from './http/metrics.js';
import { openapiDocument } from './http/openapi.js';
import type { RouteDef } from './http/route.js';
import { stopInReverse, type Capability } from './capability.js';
import { countAdmins } from './users/store.js';
import { seedDemo, seedReferenceData, type DemoCamera, type DemoConfig } from './demo/seed.js';
import { runDemoCameras } from './demo/cameras.js';
import { startRealtime } from './realtime/server.js';
import { findFfmpeg, type FfmpegInfo } from '../streams/ffmpeg/locate.js';
import { ffprobePathFor } from '../streams/ffmpeg/probe.js';
import type { DemoCameras } from '../streams/demo-cameras.js';
import { startSpawner } from '../streams/spawner/spawner.js';
import type { MediaServer } from '../streams/media-server/index.js';
import * as auth from './auth/index.js';
import * as cluster from './cluster/index.js';
import * as cameras from './cameras/index.js';
import * as users from './users/index.js';
import * as audit from './audit/index.js';
import * as notifications from './notifications/index.js';
import * as bookings from './bookings/index.js';
import * as live from './live/index.js';
import * as incidents from './incidents/index.js';
import * as recordings from './recordings/index.js';
import * as evidence from './evidence/index.js';
import * as dispatch from './dispatch/index.js';
import * as reports from './reports/index.js';
import * as masks from './masks/index.js';
import type { PublishAuthority } from './live/publish-auth.js';
import type { StatusBoard } from './live/status-board.js';
import type { RecorderManager } from './recordings/manager.js';
import type { RetentionSweeper } from './recordings/retention.js';
import type { ClipWorker } from './evidence/worker.js';
import type { EvidenceService } from './evidence/service.js';
import type { ActivationSweeper } from './bookings/activation.js';

export { StartError };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Room {
  url: string; media: MediaServer; board: StatusBoard; publish: PublishAuthority; sql: Sql; config: Config; bus: EventBus; routes: RouteDef[]; demo: DemoConfig | null;
  // Recording and evidence (null recorder: RECORDING=off or no ffmpeg). Tests reach in to drive clocks and disks.
  recorder: RecorderManager | null; clips: ClipWorker; retention: RetentionSweeper; evidence: EvidenceService;
  // Flexible supervision: tests move the clock (startRoom's opts.now) and call activation.tick().
  activation: ActivationSweeper;
  // The demo camera simulator (null: not in demo mode, DEMO_CAMERAS=false or no ffmpeg).
  demoCameras: DemoCameras | null;
  /** This node of the room: its id, the jobs it runs, the cameras it holds. */
  cluster: cluster.Cluster;
  stop(): Promise<void>;
}

/** ffmpeg runs the RTSP bridges, the recorder, clips and the demo cameras. Without it the room runs without those. */
async function locateFfmpeg(log: Logger): Promise<FfmpegInfo | null> {
  const ffmpeg = await findFfmpeg(process.env).catch((e) => { log.error({ err: e }, 'ffmpeg not found: RTSP cameras and demo cameras will not stream'); return null; });
  if (ffmpeg) log.info({ ffmpeg: ffmpeg.path, from: ffmpeg.source, ffprobe: ffprobePathFor(ffmpeg.path) }, `ffmpeg ${ffmpeg.major}.x from ${ffmpeg.source}: ${ffmpeg.versionLine}`);
  return ffmpeg;
}

async function listen(http: Server, config: Config): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    http.once('error', (e: NodeJS.ErrnoException) => reject(new StartError(e.code === 'EADDRINUSE' ? `PORT ${config.PORT} is already in use on ${config.HOST}: stop the other process or set PORT` : `cannot listen on ${config.HOST}:${config.PORT}: ${e.message}`)));
    http.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST}:${port}`;
}

export async function startRoom(config: Config, log: Logger = createLogger(config.LOG_LEVEL), opts: { configDir?: string; now?: () => Date } = {}): Promise<Room> {
  const configDir = opts.configDir ?? path.join(root, 'config');
  const now = opts.now ?? (() => new Date());
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = () => stopInReverse(stops, (e) => log.warn({ err: e }, 'stop step failed'));
  const started = <C extends Pick<Capability, 'stop'>>(c: C): C => { stops.push(() => c.stop()); return c; };
  try {
    let seeded = null as { demo: DemoConfig; cameras: DemoCamera[] } | null;
    const db = await startDatabase({ config, log, asOwner: async (owner) => {
      await seedReferenceData(owner, configDir);
      if (config.DEMO) seeded = await seedDemo(owner, configDir, config.DATA_DIR, (id) => `rtsp://127.0.0.1:${config.DEMO_RTSP_PORT}/${id}`);
      if (config.NODE_ENV === 'production' && (await countAdmins(owner)) === 0) {
        throw new StartError('no admin account exists: create one first with `npm run user:create -- --username <name> --role admin` (see README)');
      }
    } });
    stops.push(db.stop);
    const { sql } = db;
    const bus = new EventBus();
    const ffmpeg = await locateFfmpeg(log);
    const base = { sql, bus, log, config };
    // The recorders and RTSP bridges are started from a small helper process (streams/spawner): forking this one
    // blocks its event loop for as long as its memory takes to copy.
    const spawner = startSpawner();
    stops.push(() => spawner.stop());

    // The cluster first: the jobs below run under its leases, live/ asks it where each camera belongs.
    const clusterCap = started(cluster.start(base));
    const authCap = started(auth.start(base));
    const cameraCap = started(cameras.start({ ...base, assignPush: (id) => clusterCap.ownership.assignPush(id) }));
    const userCap = started(users.start(base));
    const auditCap = started(audit.start(base));
    const notificationCap = started(notifications.start(base));
    // Flexible units' windows open before the cameras start, so a unit inside its window is accepted.
    const bookingCap = started(await bookings.start({ ...base, configDir, now, runExclusive: clusterCap.runExclusive }));
    const liveCap = started(await live.start({ ...base, now, mayPublishFlexible: (id) => bookingCap.activation.mayPublish(id),
      places: clusterCap.places, holds: (id) => clusterCap.ownership.holds(id), playKey: await clusterCap.sharedKey('play-tokens') }));
    // Now the node has its media ports: it registers, claims its cameras and hears the other nodes.
    await clusterCap.join({ rtmpPort: liveCap.media.rtmpPort, flvPorts: [...liveCap.media.playPorts] },
      () => liveCap.ownStatuses().map((s) => ({ event: 'camera.status' as const, args: [s] })));
    // The admin's frame to draw masks on is read with the room's own token: admins hold no live.view (they see no live
    // images), and this one frame is on record in the audit chain as mask.frame_viewed instead.
    const maskCap = started(await masks.start({ ...base, now, ffmpegPath: ffmpeg?.path ?? null, live: {
      isLive: (id) => liveCap.board.get(id).online,
      playUrl: (cameraId) => liveCap.mainStreamUrl(cameraId, liveCap.service.recorderToken(cameraId)),
    } }));
    const incidentCap = started(await incidents.start({ ...base, configDir, ffmpegPath: ffmpeg?.path ?? null, live: {
      isLive: (id) => liveCap.board.get(id).online,
      // Read with a play token of the observer who tagged, so the snapshot is on record as their live view.
      playUrl: (userId, cameraId) => liveCap.mainStreamUrl(cameraId, liveCap.tokenFor(userId, cameraId)),
    }, masksAt: (cameraId, at) => maskCap.service.inForce(cameraId, at, new Date(at.getTime() + 1)) }));
    // Demo first: its RTSP server must be up before the bridges pull from it.
    const rtmpLocal = { host: config.MEDIA_HOST === '0.0.0.0' ? '127.0.0.1' : config.MEDIA_HOST, port: liveCap.media.rtmpPort };
    const demo = ffmpeg && seeded && config.DEMO_CAMERAS
      ? started(await runDemoCameras({ cameras: seeded.cameras, config, log, bus, ffmpeg, rtmp: rtmpLocal, activations: () => bookingCap.activation.all() }))
      : null;
    if (ffmpeg) await liveCap.pullRtspCameras(ffmpeg, spawner.spawn);
    const recordingCap = started(await recordings.start({ ...base, ffmpeg, media: liveCap.media, spawn: spawner.spawn,
      inputUrl: (cameraId) => liveCap.mainStreamUrl(cameraId, liveCap.service.recorderToken(cameraId)),
      segmentFile: (rel, node) => clusterCap.media().local(rel, node) }));
    const evidenceCap = started(await evidence.start({ ...base, ffmpeg, isRecording: recordingCap.isRecording, diskFree: recordingCap.diskFree, runExclusive: clusterCap.runExclusive,
      mediaFile: (rel, node) => clusterCap.media().local(rel, node), masksFor: (cameraId, from, to) => maskCap.service.inForce(cameraId, from, to) }));
    // Retention after the evidence worker has taken up its pending clips (their segments are held by then).
    started(await clusterCap.runExclusive(recordings.retentionLease(config), () => { recordingCap.retention.start(); return recordingCap.retention; }));
    const dispatchCap = started(await dispatch.start({ ...base, incidents: incidentCap, runExclusive: clusterCap.runExclusive }));
    const reportCap = started(reports.start({ sql, categories: incidentCap.categories }));

    const routes = [authCap, clusterCap, cameraCap, userCap, auditCap, liveCap, incidentCap, dispatchCap, reportCap, recordingCap, evidenceCap, bookingCap, notificationCap, maskCap].flatMap((c) => c.routes);
    const metrics = createMetrics();
    let doc: unknown;
    const app = createApp({
      sql, log, metrics, routes, times: auth.sessionTimes(config), publicOrigin: config.PUBLIC_ORIGIN,
      clientDir: config.SERVE_CLIENT ? path.join(root, 'dist', 'client') : null,
      openapi: () => (doc ??= openapiDocument(routes)),
    });
    const http = createServer(app);
    const url = await listen(http, config);
    const realtime = startRealtime(http, { sql, log, bus, metrics, times: auth.sessionTimes(config), publicOrigin: config.PUBLIC_ORIGIN, custody: evidenceCap.service,
      cluster: config.CLUSTERED ? { databaseUrl: db.url } : undefined });
    await clusterCap.announceApi(url);
    // Closing socket.io also closes the HTTP server; closeAllConnections ends idle keep-alive sockets so shutdown is prompt.
    stops.push(async () => { http.closeAllConnections(); await realtime.close(); });

    return {
      url, sql, config, bus, routes, demo: seeded?.demo ?? null,
      media: liveCap.media, board: liveCap.board, publish: liveCap.publish, activation: bookingCap.activation, demoCameras: demo?.sim ?? null,
      recorder: recordingCap.recorder, retention: recordingCap.retention, clips: evidenceCap.clips, evidence: evidenceCap.service, cluster: clusterCap, stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

async function main() {
  let config: Config;
  try { config = loadConfig(); } catch (e) {
    if (e instanceof ConfigError) { console.error(e.message); process.exit(2); }
    throw e;
  }
  const log = createLogger(config.LOG_LEVEL);
  let room: Room;
  try { room = await startRoom(config, log); } catch (e) {
    log.fatal({ err: e instanceof StartError || e instanceof MigrationError ? undefined : e }, e instanceof Error ? e.message : String(e));
    console.error(`Uitkijk did not start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    // A second signal means "now": the operator should never have to reach for kill -9.
    if (stopping) { log.warn({ signal }, 'second signal: exiting at once'); process.exit(1); }
    stopping = true;
    log.info({ signal }, 'shutting down');
    const watchdog = setTimeout(() => { log.error('shutdown took over 20 s: exiting anyway'); process.exit(1); }, 20_000);
    watchdog.unref();
    await room.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  log.info({ url: room.url }, 'Uitkijk is running');
  // One write, so whoever watches the output sees the URL and the accounts together.
  const lines = [`\nUitkijk draait op ${room.url}`];
  if (room.demo) {
    lines.push(`Demo-accounts (wachtwoord "${room.demo.password}"):`);
    for (const u of room.demo.users) lines.push(`  ${u.username.padEnd(12)} ${u.role}${u.municipalityId ? ` (${u.municipalityId})` : ''}`);
  }
  console.log(lines.join('\n'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) void main();
