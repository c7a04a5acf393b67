// Produces evidence clips: a clip waits until its post-roll is recorded (a segment ending at or after the requested
// end is indexed), or its camera is not being recorded, or EVIDENCE_POSTROLL_GRACE_SECONDS have passed; then it
// is produced from what was recorded. One clip at a time (2 cores, live video first). Everything it needs is in
// the database, so a start picks up where a killed process stopped: clips left 'producing' are produced again.
import path from 'node:path';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { appendAudit } from '../audit/store.js';
import { DiskFullError, maskClip, planClip, produceClip, startClipFeed, type ClipFeed, type ClipResult, type PlanSegment } from '../../streams/clip.js';
import { burnPlan, liftableIds } from '../masks/index.js';
import type { MaskVersion } from '../masks/schema.js';
import { ffprobePathFor } from '../../streams/ffmpeg/probe.js';
import { lastSegmentEnd, segmentsOverlapping, type SegmentRow } from '../recordings/store.js';
import { appendCustody, bumpVersion, getItem, markProducing, openClips, requeueIfProducing, setClip, type ClipMasks } from './store.js';
import { evidenceFiles, type EvidenceFiles } from './files.js';

export interface ClipWorkerDeps {
  sql: Sql; bus: EventBus; log: Logger; mediaDir: string;
  /** Found after start-up; ffprobe is taken from beside it. */
  ffmpeg: () => string | null;
  /** Major version of that ffmpeg: before 5 there is no concatf protocol, segments are then fed on stdin. */
  ffmpegMajor?: () => number;
  isRecording(cameraId: string): boolean;
  graceMs: number;
  minFreeBytes: number;
  /** Free bytes on the media disk (injectable: tests simulate a full disk). */
  diskFree(): Promise<number>;
  now?: () => number;
  pollMs?: number;
  /** Where half-written clips are removed (default: under mediaDir). */
  files?: EvidenceFiles;
  /**
   * A segment as a local path, whichever node recorded it (server/cluster/media-files.ts); default: under mediaDir.
   * A clip spanning a takeover joins segments of two nodes.
   */
  segmentFile?: (rel: string, nodeId: string | null) => Promise<string>;
  /** This node: the clip it writes lies in its MEDIA_DIR (evidence_clips.node_id). */
  nodeId?: string;
  /** The privacy-mask versions in force while [from, to) was recorded (masks/); none given: no masks. */
  masksFor?(cameraId: string, from: Date, to: Date): Promise<MaskVersion[]>;
}


export const clipFile = (itemId: string, cameraId: string) => path.join('evidence', itemId, `${cameraId}.mp4`);
/** The same clip with only its permanent masks burned in: the source of an export ordered with masks lifted. */
export const liftableClipFile = (itemId: string, cameraId: string) => path.join('evidence', itemId, `${cameraId}.liftable.mp4`);

type OpenClip = { id: string; item_id: string; camera_id: string; state: string; requested_from: Date; requested_to: Date };
interface LiveFeed { feed: ClipFeed; runId: string; lastSeq: number; lastEnd: number }

/** At most this many clips are fed live at once (each holds an idle ffmpeg); the rest are produced afterwards. */
const MAX_LIVE_FEEDS = 8;

export class ClipWorker {
  private readonly progress = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly now: () => number;
  private readonly onSegment = () => this.kick();
  private readonly live = new Map<string, LiveFeed>();
  /** Clips whose range crosses a gap: produced afterwards, never fed live. */
  private readonly batchOnly = new Set<string>();

  /** Free bytes on the media disk; replaceable (tests simulate a full disk). */
  diskFree: () => Promise<number>;

  private readonly files: EvidenceFiles;

  constructor(private d: ClipWorkerDeps) { this.now = d.now ?? Date.now; this.diskFree = d.diskFree; this.files = d.files ?? evidenceFiles(d.mediaDir); }

  progressOf = (clipId: string) => this.progress.get(clipId);

  /** Clips a killed process left 'producing' go back to 'waiting' (their half-written files are removed), then work starts. */
  async start(): Promise<void> {
    // Started again when this node takes the job's lease back (server/cluster/leases.ts).
    this.stopped = false;
    const interrupted = (await openClips(this.d.sql)).filter((c) => c.state === 'producing');
    for (const c of interrupted) {
      await this.files.removePartials(c.item_id);
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
    // Clips being fed live are produced again at the next start (from the recorded segments).
    for (const [clipId, l] of this.live) {
      await l.feed.abort();
      await requeueIfProducing(this.d.sql, clipId).catch(() => {});
    }
    this.live.clear();
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
      const live = this.live.get(c.id);
      if (live) await this.advance(c, live);
      else if (await this.due(c.camera_id, c.requested_to)) await this.produce(c);
      else if (c.state === 'waiting' && this.d.isRecording(c.camera_id) && !this.batchOnly.has(c.id) && this.live.size < MAX_LIVE_FEEDS) await this.startLive(c);
    }
  }

  private plan(rows: SegmentRow[]): Promise<PlanSegment[]> {
    const file = this.d.segmentFile ?? (async (rel: string) => path.join(this.d.mediaDir, rel));
    return Promise.all(rows.map(async (s) => ({ file: await file(s.path, s.nodeId), runId: s.runId, seq: s.seq, startedAt: s.startedAt.getTime(), endedAt: s.endedAt.getTime(), bytes: s.bytes })));
  }

  /** Starts feeding a clip whose post-roll is still being recorded with what is recorded so far. */
  private async startLive(c: OpenClip): Promise<void> {
    const ffmpeg = this.d.ffmpeg();
    if (!ffmpeg) return;
    const from = c.requested_from.getTime(), to = c.requested_to.getTime();
    const plan = planClip(await this.plan(await segmentsOverlapping(this.d.sql, c.camera_id, c.requested_from, c.requested_to)), from, to);
    if (plan.groups.length === 0) return; // nothing closed yet: try again at the next segment
    if (plan.groups.length > 1) { this.batchOnly.add(c.id); return; }
    const g = plan.groups[0]!;
    const coveredMs = g.at(-1)!.endedAt - g[0]!.startedAt;
    const need = coveredMs > 0 ? (plan.bytes / coveredMs) * (to - from) : plan.bytes;
    if (!(await this.roomFor(need))) { this.batchOnly.add(c.id); return; } // the batch path fails it with the reason
    await this.markProducing(c);
    let feed: ClipFeed | null = null;
    try {
      feed = await startClipFeed({ ffmpeg, ffprobe: ffprobePathFor(ffmpeg), first: g[0]!, from, to, output: path.join(this.d.mediaDir, clipFile(c.item_id, c.camera_id)), onProgress: this.progressEmitter(c) });
      for (const s of g) await feed.feed(s);
      const last = g.at(-1)!;
      const live: LiveFeed = { feed, runId: last.runId, lastSeq: last.seq, lastEnd: last.endedAt };
      this.live.set(c.id, live);
      await this.advance(c, live);
    } catch (e) {
      await feed?.abort();
      this.live.delete(c.id);
      this.batchOnly.add(c.id);
      this.d.log.warn({ itemId: c.item_id, cameraId: c.camera_id, err: String(e) }, 'live clip feed failed: the clip is produced afterwards');
      await setClip(this.d.sql, c.id, { state: 'waiting' });
    }
  }

  /** Feeds the segments closed since the last one; finishes once the post-roll is in (or no more will come). */
  private async advance(c: OpenClip, live: LiveFeed): Promise<void> {
    const to = c.requested_to.getTime();
    const fallBack = async (why: string) => {
      this.live.delete(c.id);
      this.batchOnly.add(c.id);
      await live.feed.abort();
      this.d.log.info({ itemId: c.item_id, cameraId: c.camera_id, why }, 'live clip feed given up: the clip is produced afterwards');
      await setClip(this.d.sql, c.id, { state: 'waiting' });
    };
    const rows = live.lastEnd < to ? await segmentsOverlapping(this.d.sql, c.camera_id, new Date(live.lastEnd), c.requested_to) : [];
    for (const s of await this.plan(rows)) {
      if (s.endedAt <= live.lastEnd) continue;
      if (s.runId !== live.runId || s.seq !== live.lastSeq + 1) return fallBack('recording gap');
      await live.feed.feed(s);
      live.lastSeq = s.seq; live.lastEnd = s.endedAt;
    }
    if (live.lastEnd < to && !(await this.due(c.camera_id, c.requested_to))) return;
    this.live.delete(c.id);
    const started = performance.now();
    try {
      const copied = await live.feed.finish();
      await this.complete(c, await this.withMasks(c, copied), started, 'live');
    } catch (e) {
      if (e instanceof DiskFullError) return this.fail(c, e);
      await fallBack(e instanceof Error ? e.message : String(e));
    }
  }

  private async roomFor(bytes: number): Promise<boolean> {
    return (await this.diskFree()) - bytes >= this.d.minFreeBytes;
  }

  private async markProducing(c: OpenClip): Promise<void> {
    await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      await markProducing(tx, c.id);
      await bumpVersion(tx, c.item_id);
    });
    this.progress.set(c.id, 0);
    void this.emit(c.item_id).catch(() => {});
  }

  private progressEmitter(c: OpenClip) {
    let lastEmit = 0;
    return (f: number) => {
      this.progress.set(c.id, f);
      if (performance.now() - lastEmit > 250) { lastEmit = performance.now(); void this.emit(c.item_id).catch(() => {}); }
    };
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

  private async produce(c: OpenClip): Promise<void> {
    const ffmpeg = this.d.ffmpeg();
    await this.markProducing(c);
    const started = performance.now();
    const from = c.requested_from.getTime(), to = c.requested_to.getTime();
    try {
      if (!ffmpeg) throw new Error('ffmpeg_missing: ffmpeg is not available on this server');
      const plan = planClip(await this.plan(await segmentsOverlapping(this.d.sql, c.camera_id, c.requested_from, c.requested_to)), from, to);
      if (plan.groups.length === 0) throw new Error('no_recording: this camera has no recording in the requested range');
      // Never write the disk full: the clip needs about its segments' size (twice across a gap).
      const need = plan.bytes * (plan.groups.length > 1 ? 2 : 1);
      const free = await this.diskFree();
      if (free - need < this.d.minFreeBytes) throw new DiskFullError(`${Math.round(need / 1e6)} MB needed, ${Math.round(free / 1e6)} MB free, ${Math.round(this.d.minFreeBytes / 1e6)} MB must stay free`);
      const r = await produceClip({ ffmpeg, ffprobe: ffprobePathFor(ffmpeg), plan, from, to, concatf: (this.d.ffmpegMajor?.() ?? 5) >= 5, output: path.join(this.d.mediaDir, clipFile(c.item_id, c.camera_id)), onProgress: this.progressEmitter(c) });
      await this.complete(c, await this.withMasks(c, r), started, 'afterwards');
    } catch (e) {
      await this.fail(c, e);
    }
  }

  /**
   * Privacy masks (#16): the masks in force while the clip's footage was recorded are burned in (permanent and
   * liftable); with liftable ones, a second file keeps only the permanent ones for an export ordered with them
   * lifted. No masks: the clip stays the -c copy it is, byte for byte the recording.
   */
  private async withMasks(c: OpenClip, r: ClipResult): Promise<ClipResult & { masks: ClipMasks | null; liftableFile: string | null }> {
    const versions = this.d.masksFor ? await this.d.masksFor(c.camera_id, new Date(r.actualFrom), new Date(Math.max(r.actualTo, r.actualFrom + 1))) : [];
    if (versions.length === 0) return { ...r, masks: null, liftableFile: null };
    const plan = burnPlan(versions);
    const liftable = [...liftableIds(versions)].sort();
    const permanent = [...new Set(versions.flatMap((v) => v.masks.filter((m) => m.kind === 'permanent').map((m) => m.id)))].sort();
    const masks: ClipMasks = { ...plan.applied, liftable, permanent, liftableCopy: null };
    if (plan.polygons.length === 0) return { ...r, masks, liftableFile: null };
    const ffmpeg = this.d.ffmpeg();
    if (!ffmpeg) throw new Error('ffmpeg_missing: ffmpeg is not available on this server');
    if (!r.width || !r.height) throw new Error('masks_failed: the clip\'s picture size is unknown, so its masks cannot be burned in');
    const liftableFile = liftable.length ? liftableClipFile(c.item_id, c.camera_id) : null;
    const burned = await maskClip({
      ffmpeg, ffprobe: ffprobePathFor(ffmpeg), clip: path.join(this.d.mediaDir, clipFile(c.item_id, c.camera_id)), polygons: plan.polygons,
      liftable: liftableFile ? { output: path.join(this.d.mediaDir, liftableFile), polygons: burnPlan(versions, { maskIds: liftable, reason: '' }).polygons } : null,
      width: r.width, height: r.height, durationMs: r.durationMs, onProgress: this.progressEmitter(c),
    });
    // Without permanent masks the liftable copy is the recording's copy itself.
    masks.liftableCopy = liftableFile ? burned.liftable ?? { sha256: r.sha256, bytes: r.bytes } : null;
    return { ...r, ...burned.masked.facts, bytes: burned.masked.bytes, sha256: burned.masked.sha256, masks, liftableFile };
  }

  private async complete(c: OpenClip, r: ClipResult & { masks: ClipMasks | null; liftableFile: string | null }, started: number, mode: 'live' | 'afterwards'): Promise<void> {
    const gaps = r.gaps.map((g) => ({ from: new Date(g.from).toISOString(), to: new Date(g.to).toISOString() }));
    const ms = Math.round(performance.now() - started);
    const rel = clipFile(c.item_id, c.camera_id);
    await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      await setClip(tx, c.id, {
        state: 'ready', file: rel, bytes: r.bytes, sha256: r.sha256, actual_from: new Date(r.actualFrom), actual_to: new Date(r.actualTo),
        duration_ms: r.durationMs, frames: r.frames, width: r.width, height: r.height, codec: r.codec, gaps: tx.json(gaps as never),
        segments: r.segments, produced_at: new Date(), error: null, node_id: this.d.nodeId ?? null, masks: r.masks ? tx.json(r.masks as never) : null, liftable_file: r.liftableFile,
      });
      const details = { cameraId: c.camera_id, sha256: r.sha256, bytes: r.bytes, durationMs: r.durationMs, frames: r.frames, gaps, mode, finishingMs: ms,
        ...(r.masks ? { masks: { versions: r.masks.versions, burnedIn: r.masks.burnedIn } } : {}) };
      await appendCustody(tx, { itemId: c.item_id, actor: null, action: 'produced', details });
      await appendAudit(tx, { action: 'evidence.clip_produced', subject: c.item_id, details });
      await bumpVersion(tx, c.item_id);
    });
    this.d.bus.emit('evidence.custody', c.item_id);
    this.progress.delete(c.id);
    this.d.log.info({ itemId: c.item_id, cameraId: c.camera_id, ms, bytes: r.bytes }, 'evidence clip ready');
    await this.emit(c.item_id);
  }

  private async fail(c: OpenClip, e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    const error = e instanceof DiskFullError ? `disk_full: ${message}` : /^[a-z_]+: /.test(message) ? message : `failed: ${message}`;
    this.d.log.warn({ itemId: c.item_id, cameraId: c.camera_id, error }, 'evidence clip failed');
    await this.files.removePartials(c.item_id);
    await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      await setClip(tx, c.id, { state: 'failed', error: error.slice(0, 1000) });
      await appendCustody(tx, { itemId: c.item_id, actor: null, action: 'failed', details: { cameraId: c.camera_id, error: error.slice(0, 1000) } });
      await bumpVersion(tx, c.item_id);
    });
    this.d.bus.emit('evidence.custody', c.item_id);
    this.progress.delete(c.id);
    await this.emit(c.item_id);
  }
}
