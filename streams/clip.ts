// Evidence clips: recorded MPEG-TS segments -> one MP4 per camera, without re-encoding.
//
// Within one recorder run the segments' timestamps continue, so they are joined byte by byte (fed to ffmpeg's
// stdin in order) and remuxed once (`-c copy`, +faststart): ~0.2 s for 5 minutes. Across a recording gap (two
// runs), each run becomes an MPEG-TS part and the concat demuxer lays the parts end to end; the gap is listed,
// never hidden. The start is trimmed to the last keyframe at or before the requested start (found by ffprobe in
// the first segment), the end at the requested end: the clip covers the request and at most one GOP more.
// The MP4 is written as .partial, probed, hashed (SHA-256), fsynced, renamed into place and made read-only:
// a file under its final name is always complete.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clipRemuxArgs, concatListLine, concatRunsArgs, playbackArgs } from './ffmpeg/recording-args.js';
import { probeClip, probeKeyframes, type ClipFacts } from './ffmpeg/probe.js';
import { burnInClipArgs, pgm, rasteriseMasks, type NormalisedPolygon } from './ffmpeg/mask-args.js';

export interface PlanSegment { file: string; runId: string; seq: number; startedAt: number; endedAt: number; bytes: number }
export interface Gap { from: number; to: number }
export interface ClipPlan { groups: PlanSegment[][]; gaps: Gap[]; bytes: number }

/** Groups the segments overlapping [from, to) into contiguous runs and lists the gaps. Pure. */
export function planClip(segments: PlanSegment[], from: number, to: number, joinMs = 500): ClipPlan {
  const inRange = segments.filter((s) => s.startedAt < to && s.endedAt > from).sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
  const groups: PlanSegment[][] = [];
  for (const s of inRange) {
    const g = groups.at(-1);
    const prev = g?.at(-1);
    if (g && prev && prev.runId === s.runId && s.seq === prev.seq + 1 && s.startedAt - prev.endedAt <= joinMs) g.push(s);
    else groups.push([s]);
  }
  const gaps: Gap[] = [];
  let cursor = from;
  for (const g of groups) {
    const start = g[0]!.startedAt, end = g.at(-1)!.endedAt;
    if (start - cursor > joinMs) gaps.push({ from: cursor, to: start });
    cursor = Math.max(cursor, end);
  }
  if (to - cursor > joinMs) gaps.push({ from: cursor, to });
  return { groups, gaps, bytes: inRange.reduce((n, s) => n + s.bytes, 0) };
}

export class DiskFullError extends Error {}

export interface ClipResult extends ClipFacts {
  actualFrom: number; actualTo: number; bytes: number; sha256: string; gaps: Gap[]; segments: number;
}

export interface ProduceClipOptions {
  ffmpeg: string;
  ffprobe: string;
  plan: ClipPlan;
  from: number;
  to: number;
  /** Final path of the MP4. Its directory is created; a .partial beside it is used while writing. */
  output: string;
  onProgress?: (fraction: number) => void;
  /** false: feed the segments on ffmpeg's stdin (ffmpeg < 5 has no concatf protocol). Default true. */
  concatf?: boolean;
}

/** Writes the segment files one after the other to ffmpeg's stdin (MPEG-TS joins by concatenation). */
async function feedFiles(child: ChildProcessByStdio<Writable, Readable, Readable | null>, files: string[]): Promise<void> {
  // ffmpeg stops reading once -t is reached: a broken pipe then is normal.
  child.stdin.on('error', () => {});
  let exited = child.exitCode !== null;
  const gone = new Promise<void>((r) => child.once('exit', () => { exited = true; r(); }));
  for (const f of files) {
    if (exited) return;
    const rs = createReadStream(f, { highWaterMark: 1 << 20 });
    const done = new Promise<void>((res, rej) => { rs.once('error', rej); rs.once('end', () => res()); });
    rs.pipe(child.stdin, { end: false });
    await Promise.race([done, gone]);
    rs.destroy();
  }
  child.stdin.end();
}

/** Runs ffmpeg with the given segment files joined on its stdin. Rejects with the last lines of stderr. */
function remuxJoined(ffmpeg: string, args: string[], files: string[], expectS: number, onProgress?: (f: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^out_time_us=(\d+)/.exec(l);
        if (m && expectS > 0) onProgress?.(Math.min(1, Number(m[1]) / 1e6 / expectS));
      }
    });
    feedFiles(child, files).catch((e) => { child.kill('SIGKILL'); reject(e); });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) return resolve();
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      if (/No space left on device/i.test(stderr)) reject(new DiskFullError(`no space left on device while writing the clip (${tail})`));
      else reject(new Error(`ffmpeg ${signal ? `killed by ${signal}` : `exited ${code}`}: ${tail}`));
    });
  });
}

function runFfmpeg(ffmpeg: string, args: string[], expectS = 0, onProgress?: (f: number) => void): Promise<void> {
  return remuxJoined(ffmpeg, args, [], expectS, onProgress);
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

/** The last step of every clip: probe, hash and flush at once (all read the same cached file), then read-only under its final name. */
async function finalize(ffprobe: string, partial: string, output: string): Promise<{ facts: ClipFacts; sha256: string; size: number }> {
  const [facts, sha256, { size }] = await Promise.all([probeClip(ffprobe, partial), sha256File(partial), stat(partial), fsyncPath(partial)]);
  if (facts.frames === 0) throw new Error('the clip has no frames');
  await chmod(partial, 0o444);
  await rename(partial, output);
  await fsyncPath(path.dirname(output));
  return { facts, sha256, size };
}

/** Where a clip starts (the last keyframe at or before `from` in its first segment) and the frame rate. */
async function clipStart(ffprobe: string, first: PlanSegment, from: number) {
  const probe = await probeKeyframes(ffprobe, first.file);
  const startS = from > first.startedAt ? probe.keyframes.filter((k) => k <= (from - first.startedAt) / 1000 + 0.001).at(-1) ?? 0 : 0;
  return { startS, actualFrom: first.startedAt + Math.round(startS * 1000), fps: probe.spanS > 0 ? probe.packets / probe.spanS : 30 };
}

// ~4.5 bytes of MP4 index per frame were measured; 16 leaves room for B-frames (ctts) and odd timing (stts).
const moovReserve = (seconds: number, fps: number) => 64 * 1024 + Math.ceil(seconds * fps * 1.25) * 16;

export interface ClipFeed {
  readonly actualFrom: number;
  /** The last segment fed, or null. */
  readonly last: PlanSegment | null;
  /** Appends the next segment of the same run (in order). */
  feed(segment: PlanSegment): Promise<void>;
  /** Ends the input and completes the file (trimmed at `to`, or at the last segment fed). */
  finish(): Promise<ClipResult>;
  abort(): Promise<void>;
}

/**
 * A clip produced while its post-roll is still being recorded: ffmpeg is started on the segments already there
 * and fed each new one as it closes, so once the last one arrives only the index, the hash and the flush remain
 * (~0.2 s for 5 minutes of 1080p instead of ~0.6 s). Only for one contiguous run; anything else (a gap, a new
 * run, an error) makes the caller abort it and produce the clip afterwards with produceClip.
 */
export async function startClipFeed(o: { ffmpeg: string; ffprobe: string; first: PlanSegment; from: number; to: number; output: string; onProgress?: (f: number) => void }): Promise<ClipFeed> {
  await mkdir(path.dirname(o.output), { recursive: true });
  const partial = `${o.output}.partial`;
  const { startS, actualFrom, fps } = await clipStart(o.ffprobe, o.first, o.from);
  const expectS = (o.to - actualFrom) / 1000;
  const args = clipRemuxArgs({ input: 'pipe:0', output: partial, format: 'mp4', moovReserveBytes: moovReserve(expectS, fps), durationSeconds: expectS, ...(startS > 0 ? { startSeconds: startS - 0.0005 } : {}) });
  const child = spawn(o.ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  child.stdout.resume();
  child.stdin.on('error', () => {}); // ffmpeg stops reading at -t: a broken pipe then is normal
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  let last: PlanSegment | null = null;
  let fedS = 0;
  const feed = async (seg: PlanSegment) => {
    for await (const chunk of createReadStream(seg.file, { highWaterMark: 1 << 20 })) {
      if (child.exitCode !== null || child.stdin.destroyed) break;
      if (!child.stdin.write(chunk)) await Promise.race([new Promise((r) => child.stdin.once('drain', r)), exited]);
    }
    last = seg;
    fedS += (seg.endedAt - Math.max(seg.startedAt, actualFrom)) / 1000;
    o.onProgress?.(Math.min(0.99, fedS / expectS));
  };
  return {
    actualFrom,
    get last() { return last; },
    feed,
    async finish() {
      if (!last) throw new Error('nothing fed');
      child.stdin.end();
      const code = await exited;
      if (code !== 0) {
        await rm(partial, { force: true });
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        throw /No space left on device/i.test(stderr) ? new DiskFullError(`no space left on device while writing the clip (${tail})`) : new Error(`ffmpeg exited ${code}: ${tail}`);
      }
      try {
        const { facts, sha256, size } = await finalize(o.ffprobe, partial, o.output);
        const lastSeg = last as PlanSegment;
        const actualTo = Math.min(o.to, lastSeg.endedAt);
        const gaps: Gap[] = [];
        if (o.first.startedAt - o.from > 500) gaps.push({ from: o.from, to: o.first.startedAt });
        if (o.to - lastSeg.endedAt > 500) gaps.push({ from: lastSeg.endedAt, to: o.to });
        return { ...facts, actualFrom, actualTo, bytes: size, sha256, gaps, segments: lastSeg.seq - o.first.seq + 1 };
      } catch (e) {
        await rm(partial, { force: true });
        throw e;
      }
    },
    async abort() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      await rm(partial, { force: true });
    },
  };
}

export async function produceClip(o: ProduceClipOptions): Promise<ClipResult> {
  const { plan } = o;
  if (plan.groups.length === 0) throw new Error('no recording in the requested range');
  const dir = path.dirname(o.output);
  await mkdir(dir, { recursive: true });
  const partial = `${o.output}.partial`;
  const parts: string[] = [];
  try {
    // Where the clip starts: the last keyframe at or before `from` in the first segment (whose packets also give
    // the frame rate, to size the MP4 index reserved at the front).
    const first = plan.groups[0]![0]!;
    const { startS, actualFrom, fps } = await clipStart(o.ffprobe, first, o.from);
    const last = plan.groups.at(-1)!;
    const actualTo = Math.min(o.to, last.at(-1)!.endedAt);
    const expectS = plan.groups.reduce((n, g, i) => {
      const gs = i === 0 ? actualFrom : g[0]!.startedAt;
      const ge = i === plan.groups.length - 1 ? actualTo : g.at(-1)!.endedAt;
      return n + Math.max(0, ge - gs) / 1000;
    }, 0);

    const single = plan.groups.length === 1;
    let doneS = 0;
    for (let i = 0; i < plan.groups.length; i++) {
      const g = plan.groups[i]!;
      const isFirst = i === 0, isLast = i === plan.groups.length - 1;
      const groupStart = isFirst ? actualFrom : g[0]!.startedAt;
      const groupEnd = isLast ? actualTo : g.at(-1)!.endedAt;
      const out = single ? partial : `${o.output}.part${i}.ts`;
      if (!single) parts.push(out);
      const useList = o.concatf !== false;
      const list = `${o.output}.list${i}.txt`;
      if (useList) {
        // concatf reads one path per line; ours are absolute and made of slugs and digits, never a user's.
        if (g.some((s) => /[\r\n]/.test(s.file))) throw new Error('segment path with a line break');
        await writeFile(list, g.map((s) => s.file).join('\n') + '\n');
        parts.push(list);
      }
      // -ss a hair before the keyframe: output trimming keeps packets at or after it, and the first must be a keyframe.
      const args = (moovReserveBytes?: number) => clipRemuxArgs({
        input: useList ? `concatf:${list}` : 'pipe:0', output: out, format: single ? 'mp4' : 'mpegts', moovReserveBytes,
        ...(isFirst && startS > 0 ? { startSeconds: Math.max(0, startS - 0.0005) } : {}),
        ...(isLast && actualTo < g.at(-1)!.endedAt ? { durationSeconds: (groupEnd - groupStart) / 1000 } : {}),
      });
      const base = doneS;
      const progress = (f: number) => o.onProgress?.(Math.min(0.99, base / expectS + f * ((groupEnd - groupStart) / 1000 / expectS)));
      const files = useList ? [] : g.map((s) => s.file);
      const reserve = single ? moovReserve(expectS, fps) : undefined;
      try {
        await remuxJoined(o.ffmpeg, args(reserve), files, expectS, progress);
      } catch (e) {
        if (!reserve || !/reserved_moov_size is too small/.test(String(e))) throw e;
        await remuxJoined(o.ffmpeg, args(undefined), files, expectS, progress);
      }
      doneS += (groupEnd - groupStart) / 1000;
    }
    if (!single) {
      const list = `${o.output}.parts.txt`;
      parts.push(list);
      await writeFile(list, parts.filter((p) => p.endsWith('.ts')).map(concatListLine).join('\n') + '\n');
      await runFfmpeg(o.ffmpeg, concatRunsArgs(list, partial)); // few parts: +faststart's second pass is cheap here
    }

    const { facts, sha256, size } = await finalize(o.ffprobe, partial, o.output);
    return { ...facts, actualFrom, actualTo, bytes: size, sha256, gaps: plan.gaps, segments: plan.groups.reduce((n, g) => n + g.length, 0) };
  } catch (e) {
    await rm(partial, { force: true });
    if ((e as NodeJS.ErrnoException)?.code === 'ENOSPC') throw new DiskFullError('no space left on device while writing the clip');
    throw e;
  } finally {
    await Promise.all(parts.map((p) => rm(p, { force: true })));
  }
}

/**
 * A clip with privacy masks burned in (issue #16): `input` (a finished clip) is re-encoded with solid black over the
 * polygons, rasterised at the clip's own pixel size, into `output` (written as .partial, probed, hashed, read-only,
 * like every clip). The input is left as it is.
 */
export async function burnInClip(o: { ffmpeg: string; ffprobe: string; input: string; output: string; polygons: readonly NormalisedPolygon[]; width: number; height: number; durationMs?: number; onProgress?: (f: number) => void }): Promise<{ facts: ClipFacts; sha256: string; bytes: number }> {
  const partial = `${o.output}.partial`;
  const mask = `${o.output}.mask.pgm`;
  try {
    await writeFile(mask, pgm(rasteriseMasks(o.polygons, o.width, o.height), o.width, o.height));
    await runFfmpeg(o.ffmpeg, burnInClipArgs({ input: o.input, mask, output: partial, width: o.width, height: o.height }), (o.durationMs ?? 0) / 1000, o.onProgress);
    const { facts, sha256, size } = await finalize(o.ffprobe, partial, o.output);
    return { facts, sha256, bytes: size };
  } catch (e) {
    await rm(partial, { force: true });
    if ((e as NodeJS.ErrnoException)?.code === 'ENOSPC') throw new DiskFullError('no space left on device while burning in the masks');
    throw e;
  } finally {
    await rm(mask, { force: true });
  }
}

/**
 * Masks a finished clip in place: `clip` (copied from the recording) becomes the clip with `polygons` burned in.
 * `liftable` (when the footage had liftable masks): a second file with only its polygons (the permanent masks)
 * burned in, the source of an export ordered with liftable masks lifted; with none, it is the copy itself.
 */
export async function maskClip(o: { ffmpeg: string; ffprobe: string; clip: string; polygons: readonly NormalisedPolygon[]; liftable: { output: string; polygons: readonly NormalisedPolygon[] } | null;
  width: number; height: number; durationMs: number; onProgress?: (f: number) => void }): Promise<{ masked: { facts: ClipFacts; sha256: string; bytes: number }; liftable: { sha256: string; bytes: number } | null }> {
  const source = o.clip.replace(/\.mp4$/, '') + '.source.mp4';
  await rename(o.clip, source);
  try {
    const size = { width: o.width, height: o.height, durationMs: o.durationMs };
    const masked = await burnInClip({ ffmpeg: o.ffmpeg, ffprobe: o.ffprobe, input: source, output: o.clip, polygons: o.polygons, ...size, onProgress: o.onProgress });
    // No permanent masks: the copy is the liftable file as it is (the caller knows its hash).
    if (o.liftable && o.liftable.polygons.length === 0) { await rename(source, o.liftable.output); return { masked, liftable: null }; }
    const liftable = o.liftable ? await burnInClip({ ffmpeg: o.ffmpeg, ffprobe: o.ffprobe, input: source, output: o.liftable.output, polygons: o.liftable.polygons, ...size }) : null;
    return { masked, liftable: liftable && { sha256: liftable.sha256, bytes: liftable.bytes } };
  } finally {
    await rm(source, { force: true });
  }
}

export interface PlaybackStream {
  /** Fragmented MP4, as ffmpeg writes it. */
  stream: Readable;
  actualFrom: number;
  actualTo: number;
  /** Ends ffmpeg (the viewer left). */
  stop(): void;
  /** Resolves when ffmpeg has exited and its list file is gone. */
  done: Promise<void>;
}

/**
 * Plays a recorded range from its first recorded moment at or after `from`, up to `to` or the end of that
 * contiguous recording (a gap ends playback; the console's timeline shows where the next range starts).
 */
export async function streamRange(o: { ffmpeg: string; ffprobe: string; plan: ClipPlan; from: number; to: number; concatf?: boolean }): Promise<PlaybackStream> {
  const g = o.plan.groups[0];
  if (!g) throw new Error('no recording in the requested range');
  const first = g[0]!;
  let startS = 0;
  if (o.from > first.startedAt) {
    const { keyframes } = await probeKeyframes(o.ffprobe, first.file);
    startS = keyframes.filter((k) => k <= (o.from - first.startedAt) / 1000 + 0.001).at(-1) ?? 0;
  }
  const actualFrom = first.startedAt + Math.round(startS * 1000);
  const actualTo = Math.min(o.to, g.at(-1)!.endedAt);
  const trim = { startSeconds: startS > 0 ? startS - 0.0005 : undefined, durationSeconds: (actualTo - actualFrom) / 1000 };
  if (o.concatf === false) {
    // ffmpeg < 5 (the packaged 4.1 build) has no concatf protocol: the segments go in on stdin.
    const child = spawn(o.ffmpeg, playbackArgs({ input: 'pipe:0', ...trim }), { stdio: ['pipe', 'pipe', 'ignore'] });
    void feedFiles(child, g.map((s) => s.file)).catch(() => child.kill('SIGKILL'));
    const done = new Promise<void>((resolve) => child.once('close', () => resolve()));
    return { stream: child.stdout, actualFrom, actualTo, stop: () => { if (child.exitCode === null) child.kill('SIGKILL'); }, done };
  }
  const list = path.join(tmpdir(), `uitkijk-play-${randomBytes(8).toString('hex')}.txt`);
  await writeFile(list, g.map((s) => s.file).join('\n') + '\n');
  const child = spawn(o.ffmpeg, playbackArgs({ input: `concatf:${list}`, ...trim }), { stdio: ['ignore', 'pipe', 'ignore'] });
  const done = new Promise<void>((resolve) => child.once('close', () => resolve())).then(() => rm(list, { force: true }));
  return { stream: child.stdout, actualFrom, actualTo, stop: () => { if (child.exitCode === null) child.kill('SIGKILL'); }, done };
}
