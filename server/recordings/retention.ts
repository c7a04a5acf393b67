// The 28-day rule (Gemeentewet 151c) and the disk guard.
// - Retention: at start and every RETENTION_SWEEP_MINUTES, segments that ended more than RETENTION_DAYS ago are
//   deleted, oldest first, in batches (with a pause between batches so live video never stalls), except those
//   inside the range of an evidence item under legal hold. Released items whose range has aged out lose their
//   clips too. Files on disk that the index does not know (a crash between write and index) are removed with
//   their day directory.
// - Disk guard: every minute, when free space is below DISK_MIN_FREE_MB, the oldest unpreserved segments are
//   deleted (whatever their age) until it is back above, and supervisors are alerted. Preserved evidence is never
//   deleted automatically.
// Each batch holds the retention lock that preserving evidence takes too, so a hold never misses a segment that
// is being deleted. Files are unlinked before their rows are deleted: a crash leaves a row without a file (harmless,
// deleted again next time), never a file without a row.
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { appendAudit } from '../audit/store.js';
import { deleteExpiredEvidenceLinks, deleteSegmentRows, isIndexed, lockRetention, markClipPurged, oldestSegmentStart, releasedClipsBefore, selectDeletable } from './store.js';
import { recordingFiles, statDisk, type DiskStat, type RecordingFiles } from './files.js';
import type { SweepReport } from './schema.js';

const DAY = 24 * 3_600_000;

export interface RetentionDeps {
  sql: Sql; bus: EventBus; log: Logger; mediaDir: string;
  retentionDays: number; minFreeBytes: number;
  /** Sweep only this node's segments (each node's own disk); null or absent: all of them (one shared MEDIA_DIR). */
  node?: string | null;
  sweepEveryMs: number; diskEveryMs?: number;
  batchSize?: number;
  /** Pause between batches (ms): other work (live video, requests) runs in between. */
  pauseMs?: number;
  /** The clock (index.ts gives it; tests move it). */
  now?: () => number;
  disk?: (dir: string) => Promise<DiskStat>;
  /** The files it deletes (default: under mediaDir). */
  files?: RecordingFiles;
}

export class RetentionSweeper {
  lastSweep: SweepReport | null = null;
  lastDisk: (DiskStat & { low: boolean }) | null = null;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  readonly now: () => number;
  disk: (dir: string) => Promise<DiskStat>;
  private readonly files: RecordingFiles;

  constructor(private d: RetentionDeps) {
    this.now = d.now ?? Date.now;
    this.disk = d.disk ?? statDisk;
    this.files = d.files ?? recordingFiles(d.mediaDir);
  }

  /** Sweeps now (in the background: a first start after a long stop may have a backlog) and then on schedule. */
  start(): void {
    this.stopped = false;
    this.timers = [];
    const safely = (what: string, fn: () => Promise<unknown>) => () => {
      this.running = this.running.then(fn).catch((err) => this.d.log.error({ err }, `${what} failed`));
    };
    safely('retention sweep', () => this.sweep())();
    safely('disk guard', () => this.guard())();
    this.timers.push(setInterval(safely('retention sweep', () => this.sweep()), this.d.sweepEveryMs));
    this.timers.push(setInterval(safely('disk guard', () => this.guard()), this.d.diskEveryMs ?? 60_000));
    for (const t of this.timers) t.unref();
  }

  private guardQueued: Promise<unknown> | null = null;
  /**
   * The disk guard out of turn (a recorder met ENOSPC): queued behind whatever sweep runs, and one run for every
   * recorder that asks meanwhile (a full disk stops them all at once).
   */
  guardNow(): Promise<unknown> {
    if (this.stopped) return Promise.resolve();
    this.guardQueued ??= this.running = this.running.then(() => { this.guardQueued = null; return this.guard(); })
      .catch((err) => this.d.log.error({ err }, 'disk guard failed'));
    return this.guardQueued;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.running;
  }

  cutoff(): Date { return new Date(this.now() - this.d.retentionDays * DAY); }

  /**
   * Deletes one batch; returns what it deleted. cutoff null: oldest first regardless of age (disk guard).
   * enoughBytes: stop once that much is freed (the guard frees what it needs, not a whole batch of 2000 segments:
   * on a small disk that took every unpreserved recording, tests/integration/faults-disk-full.test.ts).
   */
  private async deleteBatch(cutoff: Date | null, after: Date | null = null, enoughBytes = Infinity): Promise<{ count: number; bytes: number; last: Date | null }> {
    return this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      await lockRetention(tx);
      const batch = await selectDeletable(tx, cutoff, this.d.batchSize ?? 2000, after, this.d.node ?? null);
      let freed = 0;
      const victims = batch.filter((v) => { const take = freed < enoughBytes; freed += v.bytes; return take; });
      if (victims.length === 0) return { count: 0, bytes: 0, last: null };
      // Files first, rows after (see the top); a day directory empties as its last segment goes.
      await this.files.remove(victims.map((v) => v.path));
      await deleteSegmentRows(tx, victims.map((v) => v.id));
      return { count: victims.length, bytes: victims.reduce((n, v) => n + v.bytes, 0), last: victims.at(-1)!.endedAt };
    });
  }

  private pause() { return new Promise((r) => setTimeout(r, this.d.pauseMs ?? 5)); }

  /** The retention sweep. Safe to call at any time; the scheduled runs call it. */
  async sweep(): Promise<SweepReport> {
    const started = performance.now();
    const cutoff = this.cutoff();
    let deletedSegments = 0, deletedBytes = 0;
    let after: Date | null = null;
    for (;;) {
      if (this.stopped) break;
      const r = await this.deleteBatch(cutoff, after);
      deletedSegments += r.count; deletedBytes += r.bytes; after = r.last;
      if (r.count === 0) break;
      await this.pause();
    }
    const purgedClips = await this.purgeReleasedEvidence(cutoff);
    await this.removeOrphans(cutoff);
    // Download links a day past their expiry: their every use is in the custody trail and the audit chain.
    await deleteExpiredEvidenceLinks(this.d.sql, new Date(this.now()));
    const report: SweepReport = { at: new Date(this.now()).toISOString(), kind: 'retention', cutoff: cutoff.toISOString(), deletedSegments, deletedBytes, purgedClips, durationMs: Math.round(performance.now() - started) };
    this.lastSweep = report;
    if (deletedSegments || purgedClips) {
      this.d.log.info(report, 'retention sweep');
      await appendAudit(this.d.sql, { action: 'recordings.retention_sweep', details: { ...report, retentionDays: this.d.retentionDays } });
    }
    return report;
  }

  /** Clips of items whose hold was released and whose range is now older than retention: deleted like the recording. */
  private async purgeReleasedEvidence(cutoff: Date): Promise<number> {
    const clips = await releasedClipsBefore(this.d.sql, cutoff);
    for (const c of clips) {
      // With the clip goes its copy without the liftable masks (privacy masks, #16).
      await this.files.remove([c.file, c.liftableFile].filter((f): f is string => !!f));
      await markClipPurged(this.d.sql, c, 'released and older than the retention period');
      // Evidence's event (declared in evidence/schema.ts): consoles following the item see the entry.
      this.d.bus.emit('evidence.custody', c.itemId);
    }
    return clips.length;
  }

  /** Day directories entirely older than the cutoff: files the index does not know are removed. */
  private async removeOrphans(cutoff: Date): Promise<void> {
    for (const { cameraId, day } of await this.files.days()) {
      if (Date.parse(`${day}T00:00:00Z`) + DAY > cutoff.getTime()) continue;
      const rels = await this.files.filesOf(cameraId, day);
      const known = await isIndexed(this.d.sql, rels);
      const orphans = rels.filter((r) => !known.has(r));
      await this.files.remove(orphans);
      if (orphans.length) this.d.log.warn({ cameraId, day, files: orphans.length }, 'unindexed recording files older than retention removed');
      await this.files.removeDay(cameraId, day);
    }
  }

  /** The disk guard. Returns the report when it had to delete, else null. */
  async guard(): Promise<SweepReport | null> {
    const minFree = this.d.minFreeBytes;
    let disk = await this.disk(this.d.mediaDir);
    this.lastDisk = { ...disk, low: disk.freeBytes < minFree };
    if (minFree <= 0 || disk.freeBytes >= minFree) return null;
    const started = performance.now();
    // Delete a little past the threshold, so the guard does not fire again at the next segment.
    const target = minFree + Math.min(minFree * 0.1, 1024 ** 3);
    let deletedSegments = 0, deletedBytes = 0;
    while (disk.freeBytes < target && !this.stopped) {
      const r = await this.deleteBatch(null, null, target - disk.freeBytes);
      if (r.count === 0) break;
      deletedSegments += r.count; deletedBytes += r.bytes;
      disk = await this.disk(this.d.mediaDir);
      await this.pause();
    }
    this.lastDisk = { ...disk, low: disk.freeBytes < minFree };
    const report: SweepReport = { at: new Date(this.now()).toISOString(), kind: 'disk-guard', cutoff: null, deletedSegments, deletedBytes, purgedClips: 0, durationMs: Math.round(performance.now() - started) };
    this.lastSweep = report;
    const oldest = await oldestSegmentStart(this.d.sql);
    const alert = { at: report.at, freeBytes: disk.freeBytes, minFreeBytes: minFree, deletedSegments, deletedBytes, oldestSegmentAt: oldest?.toISOString() ?? null, stillLow: disk.freeBytes < minFree };
    this.d.log.warn(alert, 'disk space low: oldest unpreserved recordings deleted');
    await appendAudit(this.d.sql, { action: 'recordings.disk_guard', details: alert });
    this.d.bus.emit('recordings.disk_low', alert);
    return report;
  }
}
