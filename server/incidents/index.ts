// Incidents: observers tag what they see (snapshot at the key press), supervisors follow them. dispatch/ attaches
// itself to the service when it starts (incidents import nothing of dispatch).
import { readFile } from 'node:fs/promises';
import type { Config } from '../config.js';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Capability } from '../capability.js';
import { Categories } from './categories.js';
import { IncidentService } from './service.js';
import { incidentRoutes } from './routes.js';
import { createSnapshotGrabber } from './snapshot-grabber.js';
import { failInterruptedSnapshots } from './store.js';
import type { MaskVersion } from '../masks/schema.js';

export interface Incidents extends Capability { service: IncidentService; categories: Categories }

export async function start(d: {
  sql: Sql; bus: EventBus; log: Logger; config: Config; configDir: string;
  ffmpegPath: string | null;
  /** The live side of a snapshot: is the camera live, and a URL of its main stream authorised for this observer. */
  live: { isLive(cameraId: string): boolean; playUrl(userId: string, cameraId: string): string };
  /** The privacy-mask versions in force at a moment (masks/), burned into every snapshot. */
  masksAt?(cameraId: string, at: Date): Promise<MaskVersion[]>;
  /** The clock of the key-press checks; the real one unless given. */
  now?: () => Date;
}): Promise<Incidents> {
  const { sql, log, config } = d;
  const grabber = createSnapshotGrabber({
    mediaDir: config.MEDIA_DIR, ffmpegPath: () => d.ffmpegPath, isLive: d.live.isLive, playUrl: async (userId, cameraId) => d.live.playUrl(userId, cameraId),
    masksAt: d.masksAt,
  });
  await failInterruptedSnapshots(sql);
  const categories = Categories.load(d.configDir);
  const service = new IncidentService({
    sql, bus: d.bus, log: log.child({ part: 'incidents' }), categories, grabber, now: d.now ?? (() => new Date()),
    snapshots: { read: (file) => readFile(grabber.resolve(file)) },
  });
  // Snapshots follow the retention of recordings (RETENTION_DAYS): checked at start and every hour.
  const expire = () => service.expireSnapshots(config.RETENTION_DAYS).then((n) => { if (n) log.info({ snapshots: n }, 'snapshots past retention deleted'); })
    .catch((e) => log.warn({ err: e }, 'snapshot retention sweep failed'));
  void expire();
  const snapshotRetention = setInterval(expire, 3_600_000);
  snapshotRetention.unref();
  return {
    routes: incidentRoutes(service), service, categories,
    stop: async () => { clearInterval(snapshotRetention); await service.drain(); },
  };
}
