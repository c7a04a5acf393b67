// Keeps one recorder per live camera: starts it when the camera's main stream is published, stops it when the
// stream ends (the recorder also ends by itself: rw_timeout), indexes every closed segment and announces it on
// the bus (the evidence worker produces clips the moment their post-roll is recorded).
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { MediaServer } from '../../streams/media-server/index.js';
import { recoverIncoming, startCameraRecorder, type CameraRecorder, type ClosedSegment } from '../../streams/recorder.js';
import type { SpawnFn } from '../../streams/supervised-process.js';
import { startQueue, type StartQueue } from '../../streams/start-queue.js';
import { SYSTEM_RECORDER } from '../live/play-tokens.js';
import { insertSegment, previousSegmentEnd } from './store.js';

export interface RecorderManagerDeps {
  sql: Sql; bus: EventBus; log: Logger; media: MediaServer;
  mediaDir: string; ffmpeg: string; ffprobe: string; segmentSeconds: number;
  /** This node (segments are indexed with the node whose disk holds them). */
  nodeId: string;
  /** A URL ffmpeg reads the camera's main stream from, with the recorder's internal play credential. */
  inputUrl(cameraId: string): string;
  /** A recorder met ENOSPC: free space now (the disk guard), so it records again at its next start, not in a minute. */
  onDiskFull?(): void;
  /** Starts the recorders' ffmpeg (streams/spawner); default: this process. */
  spawn?: SpawnFn;
  /** How many recorders start at the same time (default 4). */
  startConcurrency?: number;
}

export class RecorderManager {
  private recorders = new Map<string, Promise<CameraRecorder | null>>();
  private stopping = false;
  private readonly onPublish = (e: { cameraId: string; stream: string }) => { if (e.stream === 'main') this.record(e.cameraId); };
  private readonly onUnpublish = (e: { cameraId: string; stream: string }) => { if (e.stream === 'main') void this.stopCamera(e.cameraId); };

  private readonly queue: StartQueue;

  constructor(private d: RecorderManagerDeps) { this.queue = startQueue({ concurrency: d.startConcurrency ?? 4 }); }

  /** Salvages what a previous process left half-written, then follows the media server. */
  async start(): Promise<void> {
    const r = await recoverIncoming({
      mediaDir: this.d.mediaDir, ffprobe: this.d.ffprobe, log: this.d.log,
      previousSegmentEnd: (runId, seq) => previousSegmentEnd(this.d.sql, runId, seq),
      onSegment: (s) => this.index(s),
    });
    if (r.indexed || r.deleted) this.d.log.info(r, 'segments left by the previous process recovered');
    this.d.media.events.on('publish', this.onPublish);
    this.d.media.events.on('unpublish', this.onUnpublish);
    // Cameras that went live before we listened (none at a normal start: the media server starts empty).
    for (const s of this.d.media.stats()) if (s.stream === 'main') this.record(s.cameraId);
  }

  private async index(s: ClosedSegment): Promise<void> {
    await insertSegment(this.d.sql, s, this.d.nodeId);
    this.d.bus.emit('recording.segment', { cameraId: s.cameraId, startedAt: s.startedAt.toISOString(), endedAt: s.endedAt.toISOString() });
  }

  /** Resolves when the recorder of `cameraId` has started reading the media server, or after `ms`. */
  private reading(cameraId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); this.d.media.events.off('playStart', onPlay); resolve(); };
      const onPlay = (e: { cameraId: string; viewerId: string }) => { if (e.cameraId === cameraId && e.viewerId === SYSTEM_RECORDER) done(); };
      const timer = setTimeout(done, ms);
      this.d.media.events.on('playStart', onPlay);
    });
  }

  isRecording(cameraId: string): boolean { return this.recorders.has(cameraId); }

  private record(cameraId: string): void {
    if (this.stopping || this.recorders.has(cameraId)) return;
    // Queued, a few at a time (streams/start-queue.ts): a storm of publishes must not become a storm of spawns.
    // A camera that went offline (or a manager that stopped) while its start waited is not started at all.
    // Its place in the queue is held until the recorder is reading the stream (or 3 s): starts are paced, not merely
    // bounded, so the recorders' connections and play checks do not pile onto the publish checks of cameras still arriving.
    const starting: Promise<CameraRecorder | null> = this.queue(async () => {
      if (this.stopping || this.recorders.get(cameraId) !== starting) return null;
      const reading = this.reading(cameraId, 3000);
      const rec = await startCameraRecorder({
        cameraId, mediaDir: this.d.mediaDir, ffmpeg: this.d.ffmpeg, ffprobe: this.d.ffprobe,
        inputUrl: () => this.d.inputUrl(cameraId), segmentSeconds: this.d.segmentSeconds,
        onSegment: (s) => this.index(s), onDiskFull: this.d.onDiskFull, log: this.d.log.child({ cameraId }), spawn: this.d.spawn,
      });
      await reading;
      return rec;
    }).catch((err) => { this.d.log.error({ err, cameraId }, 'recorder did not start'); if (this.recorders.get(cameraId) === starting) this.recorders.delete(cameraId); return null; });
    this.recorders.set(cameraId, starting);
    this.d.log.info({ cameraId }, 'recording started');
  }

  async stopCamera(cameraId: string): Promise<void> {
    const r = this.recorders.get(cameraId);
    if (!r) return;
    this.recorders.delete(cameraId);
    await (await r)?.stop();
    this.d.log.info({ cameraId }, 'recording stopped');
  }

  statuses() {
    return Promise.all([...this.recorders.values()]).then((list) => list.filter((r): r is CameraRecorder => r !== null).map((r) => r.status()));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.d.media.events.off('publish', this.onPublish);
    this.d.media.events.off('unpublish', this.onUnpublish);
    await Promise.all([...this.recorders.keys()].map((id) => this.stopCamera(id)));
  }
}
