// Evidence: clips preserved from recordings, signed manifests, custody trail, police links and packages.
import type { Config } from '../config.js';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Capability } from '../capability.js';
import type { FfmpegInfo } from '../../streams/ffmpeg/locate.js';
import { ClipWorker } from './worker.js';
import { EvidenceService } from './service.js';
import { evidenceRoutes } from './routes.js';
import { loadOrCreateSigningKey } from './signing.js';
import { evidenceFiles } from './files.js';
import { roomSigningFingerprint } from './store.js';
import { StartError } from '../errors.js';
import type { RunExclusive } from '../cluster/index.js';
import type { MaskVersion } from '../masks/schema.js';

export interface Evidence extends Capability { service: EvidenceService; clips: ClipWorker }

export async function start(d: {
  sql: Sql; bus: EventBus; log: Logger; config: Config; ffmpeg: FfmpegInfo | null;
  isRecording(cameraId: string): boolean; diskFree(): Promise<number>;
  /** Segments and clips as local paths, whichever node's disk holds them (server/cluster/). */
  mediaFile(rel: string, nodeId: string | null): Promise<string>;
  /** The clip worker runs on one node of the cluster at a time. */
  runExclusive: RunExclusive;
  /** The privacy-mask versions in force while [from, to) was recorded (masks/). */
  masksFor?(cameraId: string, from: Date, to: Date): Promise<MaskVersion[]>;
}): Promise<Evidence> {
  const { sql, bus, config, ffmpeg } = d;
  const now = () => Date.now();
  const files = evidenceFiles(config.MEDIA_DIR, d.mediaFile);
  const clips = new ClipWorker({
    sql, bus, log: d.log.child({ part: 'evidence' }), mediaDir: config.MEDIA_DIR, ffmpeg: () => ffmpeg?.path ?? null, ffmpegMajor: () => ffmpeg?.major ?? 5,
    isRecording: d.isRecording, graceMs: config.EVIDENCE_POSTROLL_GRACE_SECONDS * 1000,
    minFreeBytes: config.DISK_MIN_FREE_MB * 1024 * 1024, diskFree: d.diskFree, now, files, segmentFile: d.mediaFile, nodeId: config.NODE_ID, masksFor: d.masksFor,
  });
  const key = loadOrCreateSigningKey(config.DATA_DIR);
  // One node: its key is the room's (a new DATA_DIR brings a new key; older packages carry theirs). Several nodes:
  // all must sign with the key recorded first.
  const room = await roomSigningFingerprint(sql, key.fingerprint, !config.CLUSTERED);
  if (room !== key.fingerprint) {
    throw new StartError(`this node's evidence signing key (${key.fingerprint.slice(0, 16)}…) is not the room's (${room.slice(0, 16)}…): `
      + `copy DATA_DIR/keys/evidence-ed25519.* from a running node to this node's DATA_DIR/keys (README "More than one machine")`);
  }
  const service = new EvidenceService({
    sql, bus, worker: clips, key, mediaDir: config.MEDIA_DIR,
    maxMinutes: config.EVIDENCE_MAX_MINUTES, retentionDays: config.RETENTION_DAYS, linkMinutes: config.EVIDENCE_LINK_MINUTES, now, files,
  });
  const job = await d.runExclusive('evidence.clips', async () => { await clips.start(); return clips; });
  return { routes: evidenceRoutes(service), service, clips, stop: () => job.stop() };
}
