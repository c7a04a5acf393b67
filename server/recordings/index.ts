// Recordings: one recorder per live camera (segments indexed in PostgreSQL), playback of what was recorded, and
// retention with the disk guard.
import { mkdir } from 'node:fs/promises';
import type { Config } from '../config.js';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Capability } from '../capability.js';
import type { MediaServer } from '../../streams/media-server/index.js';
import type { FfmpegInfo } from '../../streams/ffmpeg/locate.js';
import type { SpawnFn } from '../../streams/supervised-process.js';
import { ffprobePathFor } from '../../streams/ffmpeg/probe.js';
import { RecorderManager } from './manager.js';
import { RetentionSweeper } from './retention.js';
import { recordingFiles, statDisk } from './files.js';
import { recordingRoutes } from './routes.js';
import { Playback } from './playback.js';
import { closeDanglingPlaybacks } from './store.js';

/** The lease the retention sweep runs under: one per node's disk, or one for the cluster's shared MEDIA_DIR. */
export const retentionLease = (config: Pick<Config, 'MEDIA_SHARED' | 'NODE_ID'>) => config.MEDIA_SHARED ? 'recordings.retention' : `recordings.retention@${config.NODE_ID}`;

export interface Recordings extends Capability {
  /** null: RECORDING=off or no ffmpeg. */
  recorder: RecorderManager | null;
  /** Not started here: main.ts starts it after the evidence worker has taken up its pending clips. */
  retention: RetentionSweeper;
  isRecording(cameraId: string): boolean;
  diskFree(): Promise<number>;
}

export async function start(d: {
  sql: Sql; bus: EventBus; log: Logger; config: Config; ffmpeg: FfmpegInfo | null; media: MediaServer;
  /** Starts the recorders' ffmpeg off the room's event loop (streams/spawner). */
  spawn?: SpawnFn;
  /** Where the recorder reads a camera's main stream (with the recorder's internal play token). */
  inputUrl(cameraId: string): string;
  /** A segment as a local path, whichever node recorded it (server/cluster/). */
  segmentFile(rel: string, nodeId: string | null): Promise<string>;
}): Promise<Recordings> {
  const { sql, bus, log, config, ffmpeg } = d;
  const now = () => Date.now();
  await closeDanglingPlaybacks(sql);
  const retention = new RetentionSweeper({
    sql, bus, log: log.child({ part: 'retention' }), mediaDir: config.MEDIA_DIR, retentionDays: config.RETENTION_DAYS,
    minFreeBytes: config.DISK_MIN_FREE_MB * 1024 * 1024, sweepEveryMs: config.RETENTION_SWEEP_MINUTES * 60_000,
    now, files: recordingFiles(config.MEDIA_DIR),
    // Each node's disk is its own unless MEDIA_DIR is shared: then one sweep serves all (see retentionLease).
    node: config.MEDIA_SHARED ? null : config.NODE_ID,
  });
  await mkdir(config.MEDIA_DIR, { recursive: true });
  let recorder: RecorderManager | null = null;
  if (config.RECORDING && ffmpeg) {
    const rec = new RecorderManager({
      sql, bus, log: log.child({ part: 'recorder' }), media: d.media, mediaDir: config.MEDIA_DIR, ffmpeg: ffmpeg.path, ffprobe: ffprobePathFor(ffmpeg.path),
      segmentSeconds: config.SEGMENT_SECONDS, nodeId: config.NODE_ID, inputUrl: d.inputUrl, onDiskFull: () => retention.guardNow(), spawn: d.spawn,
    });
    await rec.start();
    recorder = rec;
  }
  const playback = new Playback({ sql, mediaDir: config.MEDIA_DIR, ffmpeg: () => ffmpeg?.path ?? null, ffmpegMajor: () => ffmpeg?.major ?? 5, retentionDays: config.RETENTION_DAYS, now, segmentFile: d.segmentFile });
  const routes = recordingRoutes({ sql, playback, recorder: () => recorder, retention: () => retention, settings: {
    recording: config.RECORDING, segmentSeconds: config.SEGMENT_SECONDS, retentionDays: config.RETENTION_DAYS, minFreeBytes: config.DISK_MIN_FREE_MB * 1024 * 1024 } });
  return {
    routes, recorder, retention,
    isRecording: (cameraId) => recorder?.isRecording(cameraId) ?? false,
    diskFree: async () => (await statDisk(config.MEDIA_DIR)).freeBytes,
    // The retention sweep is stopped by its lease's job (main.ts), which started it.
    stop: async () => { await recorder?.stop(); },
  };
}
