// Composition root: the only module that knows every part and wires them together.
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig, ConfigError, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { localSecret, openSql, startEmbeddedPostgres, type Sql } from './db/connect.js';
import { ensureAppRole } from './db/app-role.js';
import { migrate, MigrationError } from './db/migrate.js';
import { EventBus } from './events.js';
import { createApp } from './http/app.js';
import { createMetrics } from './http/metrics.js';
import { openapiDocument } from './http/openapi.js';
import type { RouteDef } from './http/route.js';
import { authRoutes } from './auth/routes.js';
import { purgeExpiredSessions } from './auth/sessions.js';
import { purgeOldFailures } from './auth/throttle.js';
import { CameraService } from './cameras/service.js';
import { cameraRoutes } from './cameras/routes.js';
import { UserService } from './users/service.js';
import { userRoutes } from './users/routes.js';
import { auditRoutes } from './audit/routes.js';
import { countAdmins } from './users/store.js';
import { seedDemo, seedReferenceData, type DemoConfig } from './demo/seed.js';
import { startRealtime } from './realtime/server.js';
import { startMediaServer, type MediaServer } from '../streams/media-server.js';
import { PublishAuthority } from './live/publish-auth.js';
import { PlayTokens } from './live/play-tokens.js';
import { StatusBoard } from './live/status-board.js';
import { LiveService } from './live/service.js';
import { liveRoutes } from './live/routes.js';
import { connectLive } from './live/wire.js';
import { runRtspBridges } from './live/bridges.js';
import { findFfmpeg, type FfmpegInfo } from '../streams/ffmpeg/locate.js';
import { startDemoCameras, type DemoCameras } from '../streams/demo-cameras.js';
import { playUrl } from '../streams/stream-path.js';
import { Categories } from './incidents/categories.js';
import { IncidentService } from './incidents/service.js';
import { incidentRoutes } from './incidents/routes.js';
import { createSnapshotGrabber } from './incidents/snapshot-grabber.js';
import { failInterruptedSnapshots } from './incidents/store.js';
import { DispatchWorker } from './dispatch/worker.js';
import { startEscalationSweep } from './dispatch/escalation.js';
import { dispatchRoutes } from './dispatch/routes.js';
import { ReportService } from './reports/service.js';
import { reportRoutes } from './reports/routes.js';
import { RecorderManager } from './recordings/manager.js';
import { RetentionSweeper, statDisk } from './recordings/retention.js';
import { recordingRoutes } from './recordings/routes.js';
import { Playback } from './recordings/playback.js';
import { closeDanglingPlaybacks } from './recordings/store.js';
import { ClipWorker } from './evidence/worker.js';
import { EvidenceService } from './evidence/service.js';
import { evidenceRoutes } from './evidence/routes.js';
import { loadOrCreateSigningKey } from './evidence/signing.js';
import { ffprobePathFor } from '../streams/ffmpeg/probe.js';
import { BookingService } from './bookings/service.js';
import { bookingRoutes } from './bookings/routes.js';
import { ActivationSweeper } from './bookings/activation.js';
import type { Activation } from './bookings/schema.js';
import { loadHolidays } from './bookings/holidays.js';
import { notificationRoutes } from './notifications/routes.js';
import { startOnlineLog } from './live/online-log.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Room {
  url: string; media: MediaServer; board: StatusBoard; publish: PublishAuthority; sql: Sql; config: Config; bus: EventBus; routes: RouteDef[]; demo: DemoConfig | null;
  // Recording and evidence (null recorder: RECORDING=off or no ffmpeg). Tests reach in to drive clocks and disks.
  recorder: RecorderManager | null; clips: ClipWorker; retention: RetentionSweeper; evidence: EvidenceService;
  // Flexible supervision: tests move the clock (startRoom's opts.now) and call activation.tick().
  activation: ActivationSweeper;
  // The demo camera simulator (null: not in demo mode, DEMO_CAMERAS=false or no ffmpeg).
  demoCameras: DemoCameras | null;
  stop(): Promise<void>;
}

export class StartError extends Error {}

// The session and login rules the settings describe, derived in one place for routes, sockets and housekeeping.
const sessionTimes = (c: Config) => ({ idleMs: c.SESSION_IDLE_MINUTES * 60_000, maxMs: c.SESSION_MAX_HOURS * 3_600_000 });
const loginThrottle = (c: Config) => ({ maxFailures: c.LOGIN_MAX_FAILURES, windowMs: c.LOGIN_WINDOW_MINUTES * 60_000 });

/** Builds every route; exported so the permission-matrix test sees exactly what the server mounts. */
export function buildRoutes(deps: { sql: Sql; bus: EventBus; config: Config; live: LiveService; board: StatusBoard; incidents: IncidentService; reports: ReportService;
  evidence: EvidenceService; playback: Playback; recorder: () => RecorderManager | null; retention: () => RetentionSweeper | null;
  bookings: BookingService; activations: () => Activation[]; now: () => Date }): RouteDef[] {
  const { sql, bus, config } = deps;
  const rtmpBase = `rtmp://${config.MEDIA_HOST === '0.0.0.0' ? 'localhost' : config.MEDIA_HOST}:${config.RTMP_PORT}`;
  return [
    ...authRoutes(sql, bus, { times: sessionTimes(config), throttle: loginThrottle(config), secureCookie: config.PUBLIC_ORIGIN?.startsWith('https:') ?? false }),
    ...cameraRoutes(new CameraService(sql, bus, rtmpBase), sql),
    ...userRoutes(new UserService(sql, bus)),
    ...auditRoutes(sql),
    ...liveRoutes(sql, deps.live, deps.board),
    ...incidentRoutes(deps.incidents),
    ...dispatchRoutes(sql),
    ...reportRoutes(deps.reports),
    ...recordingRoutes({ sql, playback: deps.playback, recorder: deps.recorder, retention: deps.retention, settings: {
      recording: config.RECORDING, segmentSeconds: config.SEGMENT_SECONDS, retentionDays: config.RETENTION_DAYS, minFreeBytes: config.DISK_MIN_FREE_MB * 1024 * 1024 } }),
    ...evidenceRoutes(deps.evidence),
    ...bookingRoutes(deps.bookings, sql, deps.now, deps.activations),
    ...notificationRoutes(sql),
  ];
}

export async function startRoom(config: Config, log: Logger = createLogger(config.LOG_LEVEL), opts: { configDir?: string; now?: () => Date } = {}): Promise<Room> {
  const configDir = opts.configDir ?? path.join(root, 'config');
  const now = opts.now ?? (() => new Date());
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => { for (const s of stops.reverse()) await s().catch((e) => log.warn({ err: e }, 'stop step failed')); stops.length = 0; };
  try {
    let url = config.DATABASE_URL;
    if (!url) {
      const pg = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log });
      stops.push(pg.stop);
      url = pg.url;
      log.info({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT }, 'embedded PostgreSQL started');
    }
    // Migrations and seeds run as the owner; the server then works as a role that owns nothing (db/app-role.ts).
    let sql = openSql(url);
    stops.push(() => sql.end({ timeout: 5 }));
    const ran = await migrate(sql);
    if (ran.length) log.info({ migrations: ran }, 'migrations applied');
    await seedReferenceData(sql, configDir);

    const seeded = config.DEMO ? await seedDemo(sql, configDir, config.DATA_DIR, (id) => `rtsp://127.0.0.1:${config.DEMO_RTSP_PORT}/${id}`) : null;
    const demo: DemoConfig | null = seeded?.demo ?? null;
    if (config.NODE_ENV === 'production' && (await countAdmins(sql)) === 0) {
      throw new StartError('no admin account exists: create one first with `npm run user:create -- --username <name> --role admin` (see README)');
    }
    const appRole = await ensureAppRole(sql, url, localSecret(config.DATA_DIR, '.pg-app-password'));
    if (appRole) {
      const owner = sql;
      sql = openSql(appRole.url);
      await owner.end({ timeout: 5 });
      log.info({ role: appRole.role }, 'database: working as the application role (owns nothing; audit trail append-only by grant)');
    } else {
      log.warn('database: DATABASE_URL\'s role may not create roles, so the server works as that role; give it no more than row rights (see README)');
    }

    const bus = new EventBus();
    const metrics = createMetrics();
    const times = sessionTimes(config);
    const board = new StatusBoard(sql, bus, log);
    const activation = new ActivationSweeper({ sql, bus, log: log.child({ part: 'activation' }), now,
      settings: { setupMs: config.BOOKING_SETUP_MINUTES * 60_000, teardownMs: config.BOOKING_TEARDOWN_MINUTES * 60_000 } });
    const publish = new PublishAuthority(sql, (id) => activation.mayPublish(id));
    const bookings = new BookingService({ sql, bus, now, rules: {
      leadWorkingDays: config.BOOKING_LEAD_WORKING_DAYS, holidays: loadHolidays(configDir), maxWindowHours: config.BOOKING_MAX_WINDOW_HOURS } });
    const tokens = new PlayTokens();
    let media: MediaServer | null = null;
    const live = new LiveService(sql, tokens, board, () => media?.playPorts ?? [config.FLV_PORT]);
    // Incidents: snapshots are read from the live stream by ffmpeg with a play token of the observer who tagged.
    let ffmpeg: FfmpegInfo | null = null;
    const mediaLocalHost = config.MEDIA_HOST === '0.0.0.0' ? '127.0.0.1' : config.MEDIA_HOST;
    const grabber = createSnapshotGrabber({
      mediaDir: config.MEDIA_DIR, ffmpegPath: () => ffmpeg?.path ?? null, isLive: (id) => board.get(id).online,
      playUrl: async (userId, cameraId) => playUrl('http', { host: mediaLocalHost, port: media?.httpPort ?? config.FLV_PORT }, { cameraId, stream: 'main' },
        tokens.sign({ userId, cameraId, stream: 'main' }).token),
    });
    await failInterruptedSnapshots(sql);
    await closeDanglingPlaybacks(sql);
    const categories = Categories.load(configDir);
    const incidents = new IncidentService({ sql, bus, log: log.child({ part: 'incidents' }), categories, grabber, webhook: !!config.DISPATCH_WEBHOOK_URL });
    stops.push(() => incidents.drain());
    // Snapshots follow the retention of recordings (RETENTION_DAYS): checked at start and every hour.
    const expire = () => incidents.expireSnapshots(config.RETENTION_DAYS).then((n) => { if (n) log.info({ snapshots: n }, 'snapshots past retention deleted'); })
      .catch((e) => log.warn({ err: e }, 'snapshot retention sweep failed'));
    void expire();
    const snapshotRetention = setInterval(expire, 3_600_000);
    snapshotRetention.unref();
    stops.push(async () => clearInterval(snapshotRetention));
    // Recording and evidence: the clip worker and retention need only the database and files; the recorder
    // follows the media server (started below, after it, and stopped before it).
    let recorder: RecorderManager | null = null;
    const minFreeBytes = config.DISK_MIN_FREE_MB * 1024 * 1024;
    const clips = new ClipWorker({
      sql, bus, log: log.child({ part: 'evidence' }), mediaDir: config.MEDIA_DIR, ffmpeg: () => ffmpeg?.path ?? null, ffmpegMajor: () => ffmpeg?.major ?? 5,
      isRecording: (id) => recorder?.isRecording(id) ?? false, graceMs: config.EVIDENCE_POSTROLL_GRACE_SECONDS * 1000,
      minFreeBytes, diskFree: async () => (await statDisk(config.MEDIA_DIR)).freeBytes,
    });
    const evidence = new EvidenceService({
      sql, bus, worker: clips, key: loadOrCreateSigningKey(config.DATA_DIR), mediaDir: config.MEDIA_DIR,
      maxMinutes: config.EVIDENCE_MAX_MINUTES, retentionDays: config.RETENTION_DAYS, linkMinutes: config.EVIDENCE_LINK_MINUTES,
    });
    const retention = new RetentionSweeper({
      sql, bus, log: log.child({ part: 'retention' }), mediaDir: config.MEDIA_DIR, retentionDays: config.RETENTION_DAYS,
      minFreeBytes, sweepEveryMs: config.RETENTION_SWEEP_MINUTES * 60_000,
    });
    const routes = buildRoutes({ sql, bus, config, live, board, incidents, reports: new ReportService(sql, categories), evidence, recorder: () => recorder, retention: () => retention, bookings, now, activations: () => activation.all(),
      playback: new Playback({ sql, mediaDir: config.MEDIA_DIR, ffmpeg: () => ffmpeg?.path ?? null, ffmpegMajor: () => ffmpeg?.major ?? 5, retentionDays: config.RETENTION_DAYS }) });
    let doc: unknown;
    const app = createApp({
      sql, log, metrics, routes, times, publicOrigin: config.PUBLIC_ORIGIN,
      clientDir: config.SERVE_CLIENT ? path.join(root, 'dist', 'client') : null,
      openapi: () => (doc ??= openapiDocument(routes)),
    });
    const http: Server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      http.once('error', (e: NodeJS.ErrnoException) => reject(new StartError(e.code === 'EADDRINUSE' ? `PORT ${config.PORT} is already in use on ${config.HOST}: stop the other process or set PORT` : `cannot listen on ${config.HOST}:${config.PORT}: ${e.message}`)));
      http.listen(config.PORT, config.HOST, () => resolve());
    });
    const realtime = startRealtime(http, { sql, log, bus, metrics, times, publicOrigin: config.PUBLIC_ORIGIN, custody: evidence });
    // Closing socket.io also closes the HTTP server; closeAllConnections ends idle keep-alive sockets so shutdown is prompt.
    stops.push(async () => { http.closeAllConnections(); await realtime.close(); });

    media = await startMediaServer({
      host: config.MEDIA_HOST, rtmpPort: config.RTMP_PORT, httpPort: config.FLV_PORT, playPortCount: config.FLV_PORTS, log: log.child({ part: 'media' }),
      authorizePublish: (r) => publish.authorize(r.cameraId, r.key, r.stream),
      authorizePlay: async (r) => {
        const a = await live.authorizePlay(r.cameraId, r.stream, r.token, r.cookie);
        return a.ok ? { ok: true, viewerId: a.user.id } : a;
      },
    }).catch((e) => { throw new StartError(e instanceof Error ? e.message : String(e)); });
    const m = media;
    const onlineLog = await startOnlineLog({ sql, bus, log, now });
    const wiring = await connectLive({ sql, log, bus, media: m, board, live });
    stops.push(async () => { await m.stop(); await wiring.stop(); await onlineLog.stop(); });
    // Flexible units: windows opening and closing (before the cameras start, so a unit inside its window is accepted).
    await activation.start();
    stops.push(() => activation.stop());

    let demoCameras: DemoCameras | null = null;
    // ffmpeg runs the RTSP bridges (and the demo cameras). Without it the room still runs, without those.
    ffmpeg = await findFfmpeg(process.env).catch((e) => { log.error({ err: e }, 'ffmpeg not found: RTSP cameras and demo cameras will not stream'); return null; });
    if (ffmpeg) log.info({ ffmpeg: ffmpeg.path, from: ffmpeg.source, ffprobe: ffprobePathFor(ffmpeg.path) }, `ffmpeg ${ffmpeg.major}.x from ${ffmpeg.source}: ${ffmpeg.versionLine}`);
    const rtmpLocal = { host: config.MEDIA_HOST === '0.0.0.0' ? '127.0.0.1' : config.MEDIA_HOST, port: m.rtmpPort };
    // Demo first: its RTSP server must be up before the bridges pull from it.
    if (ffmpeg && seeded && config.DEMO_CAMERAS) {
      // Not awaited: on a first start the loops take a while to encode; each camera goes live when its loop is ready.
      const sim = await startDemoCameras({
        cameras: seeded.cameras.map((c) => ({ cameraId: c.id, name: c.name, key: c.key, source: c.source, subStream: c.source === 'rtmp', flexible: c.kind === 'flexible' })),
        rtmp: rtmpLocal, ffmpeg, cacheDir: path.join(config.DATA_DIR, 'demo-loops'),
        rtsp: { host: '127.0.0.1', port: config.DEMO_RTSP_PORT }, mode: config.DEMO_VIDEO, log: log.child({ part: 'demo-cameras' }),
      });
      // The demo's flexible units are switched on for their windows (set-up and tear-down included) and off after,
      // like real ones: outside a window they would only be refused, every few seconds, all night.
      const switchUnit = (cameraId: string, a: Activation | null) => sim.setActive(cameraId, a !== null);
      for (const a of activation.all()) sim.setActive(a.cameraId, true);
      bus.on('camera.activation', switchUnit);
      demoCameras = sim;
      stops.push(async () => { bus.off('camera.activation', switchUnit); await sim.stop(); });
    }
    if (ffmpeg) {
      const bridges = await runRtspBridges({ sql, bus, log, board, bridgeKey: publish.bridgeKey, rtmp: rtmpLocal, ffmpeg });
      stops.push(bridges.stop);
    }

    // Recording: one recorder per live camera, reading the media server with the recorder's internal play token.
    await mkdir(config.MEDIA_DIR, { recursive: true });
    if (config.RECORDING && ffmpeg) {
      const ff = ffmpeg;
      const rec = new RecorderManager({
        sql, bus, log: log.child({ part: 'recorder' }), media: m, mediaDir: config.MEDIA_DIR, ffmpeg: ff.path, ffprobe: ffprobePathFor(ff.path),
        segmentSeconds: config.SEGMENT_SECONDS,
        inputUrl: (cameraId) => playUrl('http', { host: mediaLocalHost, port: m.httpPort }, { cameraId, stream: 'main' }, live.recorderToken(cameraId)),
        onDiskFull: () => retention.guardNow(),
      });
      await rec.start();
      recorder = rec;
      stops.push(() => rec.stop());
    }
    await clips.start();
    stops.push(() => clips.stop());
    retention.start();
    stops.push(() => retention.stop());

    // Dispatch: the outbox worker (consoles + external system) and the escalation sweep. Both start from the
    // database, so whatever a previous process left undelivered or unescalated is handled now.
    if (config.DISPATCH_WORKER) {
      const worker = new DispatchWorker({
        sql, bus, log: log.child({ part: 'dispatch' }),
        webhook: config.DISPATCH_WEBHOOK_URL ? {
          url: config.DISPATCH_WEBHOOK_URL, secret: config.DISPATCH_WEBHOOK_SECRET!, timeoutMs: config.DISPATCH_WEBHOOK_TIMEOUT_MS,
          retryBaseMs: config.DISPATCH_RETRY_BASE_MS, retryMaxMs: config.DISPATCH_RETRY_MAX_MS, maxAttempts: config.DISPATCH_WEBHOOK_MAX_ATTEMPTS,
        } : null,
        cap: { sender: config.DISPATCH_CAP_SENDER, senderName: 'Uitkijk cameratoezicht Twente', publicOrigin: config.PUBLIC_ORIGIN ?? null },
      });
      await worker.start();
      stops.push(() => worker.stop());
      const sweep = startEscalationSweep({ everyMs: 1000, log: log.child({ part: 'escalation' }), escalate: () => incidents.escalateOverdue(config.DISPATCH_ESCALATE_SECONDS) });
      stops.push(sweep.stop);
    }

    const housekeeping = setInterval(() => {
      purgeExpiredSessions(sql, times).catch((e) => log.warn({ err: e }, 'session purge failed'));
      purgeOldFailures(sql, loginThrottle(config)).catch(() => {});
    }, 10 * 60_000);
    housekeeping.unref();
    stops.push(async () => clearInterval(housekeeping));

    const address = http.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    return { url: `http://${shownHost}:${port}`, sql, config, bus, routes, demo, media: m, board, publish, recorder, clips, retention, evidence, activation, demoCameras, stop: stopAll };
  } catch (e) {
    await stopAll();
    if (e instanceof MigrationError || e instanceof StartError) throw e;
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
