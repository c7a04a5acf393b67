// Produces evidence clips: a clip waits until its post-roll is recorded (a segment ending at or after the requested
// end is indexed), or its camera is not being recorded, or EVIDENCE_POSTROLL_GRACE_SECONDS have passed; then it
// is produced from what was recorded. One clip at a time (2 cores, live video first). Everything it needs is in
// the database, so a start picks up where a killed process stopped: clips left 'producing' are produced again.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { appendAudit } from '../audit/store.js';
import { DiskFullError, planClip, produceClip } from '../../streams/clip.js';
import { ffprobePathFor } from '../../streams/ffmpeg/probe.js';
import { lastSegmentEnd, segmentsOverlapping } from '../recordings/store.js';
import { appendCustody, bumpVersion, getItem, openClips, setClip } from './store.js';

export interface ClipWorkerDeps {
  sql: Sql; bus: EventBus; log: Logger; mediaDir: string;
  /** Found after start-up; ffprobe is taken from beside it. */
  ffmpeg: () => string | null;
  isRecording(cameraId: string): boolean;
  graceMs: number;
  minFreeBytes: number;
  /** Free bytes on the media disk (injectable: tests simulate a full disk). */
  diskFree(): Promise<number>;
  now?: () => number;
  pollMs?: number;
}

export const clipFile = (itemId: string, cameraId: string) => path.join('evidence', itemId, `${cameraId}.mp4`);

export class ClipWorker {
  private readonly progress = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly now: () => number;
  private readonly onSegment = () => this.kick();

  /** Free bytes on the media disk; replaceable (tests simulate a full disk). */
  diskFree: () => Promise<number>;

  constructor(private d: ClipWorkerDeps) { this.now = d.now ?? Date.now; this.diskFree = d.diskFree; }

  progressOf = (clipId: string) => this.progress.get(clipId);

  /** Clips a killed process left 'producing' go back to 'waiting' (their half-written files are removed), then work starts. */
  async start(): Promise<void> {
    const interrupted = (await openClips(this.d.sql)).filter((c) => c.state === 'producing');
    for (const c of interrupted) {
      await this.removePartials(c.item_id);
      await this.d.sql.begin(async (t) => {
        const tx = t as unknown as Sql;
        await setClip(tx, c.id, { state: 'waiting' });
        await appendCustody(tx, { itemId: c.item_id, actor: null, action: 'resumed', details: { cameraId: c.camera_id, why: 'the server stopped while the clip was being produced' } });
        await bumpVersion(tx, c.item_id);
      });
    }
    if (interrupted.length) this.d.log.info({ clips: interrupted.length }, 'interrupted evidence clips resumed');
    this.d.bus.on('recording.segment', this.onSegment);
    this.timer = setInterval(() => this.kick(), this.d.pollMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.d.bus.off('recording.segment', this.onSegment);
    await this.running;
  }

  /** Looks for work; coalesces calls while a pass runs. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    this.running = this.pass().catch((err) => this.d.log.error({ err }, 'evidence clip pass failed')).finally(() => {
      this.running = null;
      if (this.again && !this.stopped) { this.again = false; this.kick(); }
    });
  }

  /** Resolves when no clip is waiting or producing (tests, benchmarks). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((await openClips(this.d.sql)).length > 0) {
      if (Date.now() > end) throw new Error('evidence clips still open');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async pass(): Promise<void> {
    for (const c of await openClips(this.d.sql)) {
      if (this.stopped) return;
      if (await this.due(c.camera_id, c.requested_to)) await this.produce(c);
    }
  }

  private async due(cameraId: string, to: Date): Promise<boolean> {
    const now = this.now();
    if (now < to.getTime()) return false;
    const last = await lastSegmentEnd(this.d.sql, cameraId);
    if (last && last.getTime() >= to.getTime()) return true;
    if (!this.d.isRecording(cameraId)) return true;
    return now >= to.getTime() + this.d.graceMs;
  }

  private async emit(itemId: string): Promise<void> {
    const item = await getItem(this.d.sql, itemId, this.progressOf);
    if (item) this.d.bus.emit('evidence.changed', item);
  }

  private async removePartials(itemId: string): Promise<void> {
    const dir = path.join(this.d.mediaDir, 'evidence', itemId);
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => /\.(partial|part\d+\.ts|parts\.txt|list\d+\.txt)$/.test(n)).map((n) => rm(path.join(dir, n), { force: true })));
  }

  private async produce(c: { id: string; item_id: string; camera_id: string; requested_from: Date; requested_to: Date }): Promise<void> {
    const ffmpeg = this.d.ffmpeg();
    await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      await tx`update evidence_clips set state = 'producing', attempts = attempts + 1, error = null where id = ${c.id}`;
      await bumpVersion(tx, c.item_id);
    });
    this.progress.set(c.id, 0);
    await this.emit(c.item_id);
    const started = performance.now();
    const from = c.requested_from.getTime(), to = c.requested_to.getTime();
    try {
      if (!ffmpeg) throw new Error('ffmpeg_missing: ffmpeg is not available on this server');
      const segments = await segmentsOverlapping(this.d.sql, c.camera_id, c.requested_from, c.requested_to);
      const plan = planClip(segments.map((s) => ({
        file: path.join(this.d.mediaDir, s.path), runId: s.runId, seq: s.seq, startedAt: s.startedAt.getTime(), endedAt: s.endedAt.getTime(), bytes: s.bytes,
      })), from, to);
      if (plan.groups.length === 0) throw new Error('no_recording: this camera has no recording in the requested range');
      // Never write the disk full: the clip needs about its segments' size (twice across a gap).
      const need = plan.bytes * (plan.groups.length > 1 ? 2 : 1);
      const free = await this.diskFree();
      if (free - need < this.d.minFreeBytes) throw new DiskFullError(`${Math.round(need / 1e6)} MB needed, ${Math.round(free / 1e6)} MB free, ${Math.round(this.d.minFreeBytes / 1e6)} MB must stay free`);
      let lastEmit = 0;
      const rel = clipFile(c.item_id, c.camera_id);
      const r = await produceClip({
        ffmpeg, ffprobe: ffprobePathFor(ffmpeg), plan, from, to, output: path.join(this.d.mediaDir, rel),
        onProgress: (f) => {
          this.progress.set(c.id, f);
          if (performance.now() - lastEmit > 250) { lastEmit = performance.now(); void this.emit(c.item_id); }
        },
      });
      const gaps = r.gaps.map((g) => ({ from: new Date(g.from).toISOString(), to: new Date(g.to).toISOString() }));
      const ms = Math.round(performance.now() - started);
      await this.d.sql.begin(async (t) => {
        const tx = t as unknown as Sql;
        await setClip(tx, c.id, {
          state: 'ready', file: rel, bytes: r.bytes, sha256: r.sha256, actual_from: new Date(r.actualFrom), actual_to: new Date(r.actualTo),
          duration_ms: r.durationMs, frames: r.frames, width: r.width, height: r.height, codec: r.codec, gaps: tx.json(gaps as never),
          segments: r.segments, produced_at: new Date(), error: null,
        });
        const details = { cameraId: c.camera_id, sha256: r.sha256, bytes: r.bytes, durationMs: r.durationMs, frames: r.frames, gaps, productionMs: ms };
        await appendCustody(tx, { itemId: c.item_id, actor: null, action: 'produced', details });
        await appendAudit(tx, { action: 'evidence.clip_produced', subject: c.item_id, details });
        await bumpVersion(tx, c.item_id);
      });
      this.d.log.info({ itemId: c.item_id, cameraId: c.camera_id, ms, bytes: r.bytes }, 'evidence clip ready');
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const error = e instanceof DiskFullError ? `disk_full: ${message}` : /^[a-z_]+: /.test(message) ? message : `failed: ${message}`;
      this.d.log.warn({ itemId: c.item_id, cameraId: c.camera_id, error }, 'evidence clip failed');
      await this.removePartials(c.item_id);
      await this.d.sql.begin(async (t) => {
        const tx = t as unknown as Sql;
        await setClip(tx, c.id, { state: 'failed', error: error.slice(0, 1000) });
        await appendCustody(tx, { itemId: c.item_id, actor: null, action: 'failed', details: { cameraId: c.camera_id, error: error.slice(0, 1000) } });
        await bumpVersion(tx, c.item_id);
      });
    } finally {
      this.progress.delete(c.id);
    }
    await this.emit(c.item_id);
  }
}
