// Continuous recording of one camera's main stream: a supervised ffmpeg reads the stream from the media server
// (HTTP-FLV, with an internal play token) and cuts it, without re-encoding, into MPEG-TS segments that each
// start on a keyframe. ffmpeg writes into <camera>/.incoming/<run>-<seq>.ts; when it reports a segment complete
// (segment list on stdout), the recorder gives it its wall-clock times, moves it into
// <camera>/<yyyy-mm-dd>/<start>-<run>-<seq>.ts (UTC day of its start) and hands it to `onSegment` (the index).
//
// Wall-clock times: ffmpeg reports stream times. A segment is reported when the keyframe that starts the next one
// arrives, which is live, so wall = stream + anchor, where the anchor (per run) is the smallest "arrival - stream
// end" seen (arrival delays only ever make it larger). Within a run segments are contiguous: a segment starts
// where the previous one ended and lasts its media length (corrected by at most 5 % towards the anchor). A jump
// of the anchor beyond 1.5 s (a stalled publisher) re-anchors: the index then shows the stall as a gap.
//
// What a kill costs: only the segment being written. It stays in .incoming/; when a run ends (or at the next
// start, see recoverIncoming) it is probed and indexed when playable, else deleted.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseSegmentListLine, segmentRecordArgs } from './ffmpeg/recording-args.js';
import { probeClip } from './ffmpeg/probe.js';
import { redactUrl } from './stream-path.js';
import { type SpawnFn, superviseProcess, type BackoffPolicy, type SupervisedState } from './supervised-process.js';
import { silentLog, type StreamsLog } from './typed-emitter.js';

export interface ClosedSegment {
  cameraId: string;
  runId: string;
  seq: number;
  startedAt: Date;
  endedAt: Date;
  bytes: number;
  /** Relative to mediaDir: recordings/<camera>/<yyyy-mm-dd>/<file>.ts */
  path: string;
  /** true: salvaged from .incoming after its ffmpeg died (times estimated from the run or the file). */
  recovered: boolean;
}

export interface RecorderStatus {
  cameraId: string;
  state: SupervisedState;
  pid: number | null;
  runId: string | null;
  since: Date;
  segments: number;
  lastSegmentAt: Date | null;
  restarts: number;
  lastError: string | null;
}

export interface CameraRecorderOptions {
  cameraId: string;
  /** MEDIA_DIR. Segments go under <mediaDir>/recordings/<camera>/. */
  mediaDir: string;
  ffmpeg: string;
  ffprobe: string;
  /** Called for each start: a fresh URL (play tokens are short-lived). */
  inputUrl: () => string;
  segmentSeconds: number;
  ioTimeoutMs?: number;
  /** Index the segment. A rejection is retried for about a minute (a database restart), then logged (the file stays, retention's orphan sweep removes it). */
  onSegment(segment: ClosedSegment): Promise<void>;
  /** ffmpeg stopped on ENOSPC: the room frees space now (the disk guard) instead of at its next round. */
  onDiskFull?(): void;
  backoff?: Partial<BackoffPolicy>;
  log?: StreamsLog;
  now?: () => number;
  /** Where ffmpeg is started from (spawner/spawner.ts keeps forks off the room's event loop); default: here. */
  spawn?: SpawnFn;
}

export interface CameraRecorder {
  readonly cameraId: string;
  status(): RecorderStatus;
  /** Stops ffmpeg (it closes the current segment), indexes what it wrote, salvages the rest. */
  stop(): Promise<void>;
}

const RUN_FILE = /^([0-9a-f-]{36})-(\d{6,})\.ts$/;

/**
 * Every second the recorder is down is video lost for good, so it comes back fast: 0.5 s after a crash, and a run
 * of 5 s (it closed segments) counts as healthy. With the general policy (healthy after 30 s) three kills in a row
 * cost 1 + 2 + 4 s of waiting and the third gap passed 5 s (tests/integration/faults-recorder-kill.test.ts).
 * A recorder that dies at once every time (no disk, no stream) still backs off to 30 s.
 */
const RECORDER_BACKOFF: Partial<BackoffPolicy> = { initialMs: 500, healthyAfterMs: 5_000 };
const REANCHOR_MS = 1_500;

export const recordingsRoot = (mediaDir: string) => path.join(mediaDir, 'recordings');
export const incomingDir = (mediaDir: string, cameraId: string) => path.join(recordingsRoot(mediaDir), cameraId, '.incoming');

/** The final, unique place of a segment: day directory by UTC start, name by start (ms), run and sequence. */
export function segmentPath(cameraId: string, runId: string, seq: number, startedAt: Date): string {
  const iso = startedAt.toISOString(); // 2026-11-27T21:58:00.123Z
  const stamp = iso.replace(/[-:]/g, '').replace('.', '');
  return path.join('recordings', cameraId, iso.slice(0, 10), `${stamp}-${runId.slice(0, 8)}-${String(seq).padStart(6, '0')}.ts`);
}

export interface TimingState { anchor: number | null; prev: { seq: number; streamEnd: number; endedAt: number } | null }

/**
 * Wall-clock times of a closed segment (see the header). Pure: `arrival` is when its list line came (ms), start
 * and end its stream times (s).
 */
export function segmentTimes(st: TimingState, e: { seq: number; start: number; end: number }, arrival: number): { anchor: number; startedAt: number; endedAt: number } {
  const candidate = arrival - e.end * 1000;
  const jumped = st.anchor !== null && Math.abs(candidate - st.anchor) > REANCHOR_MS;
  const anchor = st.anchor === null || jumped ? candidate : Math.min(st.anchor, candidate);
  const contiguous = !jumped && st.prev !== null && st.prev.seq === e.seq - 1 && Math.abs(st.prev.streamEnd - e.start) < 0.05;
  const durationMs = (e.end - e.start) * 1000;
  let startedAt: number, endedAt: number;
  if (contiguous) {
    // It starts where the previous one ended and lasts its media length, nudged by at most 5 % towards the
    // anchor's estimate: a better anchor converges without squeezing any segment.
    startedAt = st.prev!.endedAt;
    const drift = anchor + e.end * 1000 - (startedAt + durationMs);
    endedAt = Math.round(startedAt + durationMs + Math.max(-0.05 * durationMs, Math.min(0.05 * durationMs, drift)));
  } else {
    startedAt = Math.round(anchor + e.start * 1000);
    endedAt = Math.round(anchor + e.end * 1000);
  }
  return { anchor, startedAt, endedAt: Math.max(endedAt, startedAt + 1) };
}

interface Run {
  runId: string;
  anchor: number | null;
  prev: { seq: number; streamEnd: number; endedAt: number } | null;
  done: Promise<void>;
  finish: () => void;
}

// About a minute (0.5, 1, 2, 4, then every 5 s): long enough to outlast a database restart (seen 0.4-6 s,
// tests/integration/faults-postgres-kill.test.ts), whose segments are then indexed late instead of left unindexed.
async function withRetries(what: () => Promise<void>, tries = 16): Promise<void> {
  for (let i = 0; ; i++) {
    try { return await what(); } catch (e) {
      if (i >= tries - 1) throw e;
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** i, 5_000)));
    }
  }
}

export async function startCameraRecorder(opts: CameraRecorderOptions): Promise<CameraRecorder> {
  const log = opts.log ?? silentLog;
  const now = opts.now ?? Date.now;
  const incoming = incomingDir(opts.mediaDir, opts.cameraId);
  const runs = new Map<number, Run>();
  let launches = 0;
  let chain: Promise<void> = Promise.resolve();
  let segments = 0;
  let lastSegmentAt: Date | null = null;
  let lastError: string | null = null;
  let currentRun: Run | null = null;
  const since = new Date(now());
  const madeDirs = new Set<string>();
  // ffmpeg cannot create directories: .incoming must exist before it opens its first segment.
  await mkdir(incoming, { recursive: true });

  const ensureDir = async (dir: string) => {
    if (madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  };

  const place = async (run: Run, file: string, seq: number, startedAt: number, endedAt: number, recovered: boolean) => {
    // ffmpeg lists a segment it could not write a byte of (ENOSPC): indexing it would claim a recording there is not.
    const bytes = (await stat(path.join(incoming, file)).catch(() => null))?.size ?? 0;
    if (bytes === 0) {
      await rm(path.join(incoming, file), { force: true });
      log.warn({ cameraId: opts.cameraId, file }, 'empty segment dropped, not indexed');
      return;
    }
    const rel = segmentPath(opts.cameraId, run.runId, seq, new Date(startedAt));
    const abs = path.join(opts.mediaDir, rel);
    await ensureDir(path.dirname(abs));
    await rename(path.join(incoming, file), abs);
    const seg: ClosedSegment = { cameraId: opts.cameraId, runId: run.runId, seq, startedAt: new Date(startedAt), endedAt: new Date(endedAt), bytes, path: rel, recovered };
    try {
      await withRetries(() => opts.onSegment(seg));
    } catch (e) {
      log.error({ cameraId: opts.cameraId, path: rel, err: e instanceof Error ? e.message : String(e) }, 'segment not indexed');
      return;
    }
    segments += 1;
    lastSegmentAt = seg.endedAt;
  };

  const onClosed = async (run: Run, line: string, arrival: number) => {
    const entry = parseSegmentListLine(line);
    const m = entry ? RUN_FILE.exec(entry.file) : null;
    if (!entry || !m || m[1] !== run.runId) return log.warn({ cameraId: opts.cameraId, line }, 'unexpected segment list line');
    const seq = Number(m[2]);
    const t = segmentTimes({ anchor: run.anchor, prev: run.prev }, { seq, start: entry.start, end: entry.end }, arrival);
    run.anchor = t.anchor;
    const { startedAt, endedAt } = t;
    run.prev = { seq, streamEnd: entry.end, endedAt };
    await place(run, entry.file, seq, startedAt, endedAt, false);
  };

  /** After a run's ffmpeg is gone: whatever it left in .incoming was being written when it died. */
  const salvage = async (run: Run) => {
    let names: string[] = [];
    try { names = (await readdir(incoming)).filter((n) => n.startsWith(run.runId)).sort(); } catch { return; }
    for (const name of names) {
      const m = RUN_FILE.exec(name);
      const file = path.join(incoming, name);
      const seq = m ? Number(m[2]) : -1;
      const facts = await probeClip(opts.ffprobe, file, true).catch(() => null);
      if (!m || !facts || facts.durationMs <= 0 || facts.frames === 0) { await rm(file, { force: true }); continue; }
      const st = await stat(file);
      const startedAt = run.prev && run.prev.seq === seq - 1 ? run.prev.endedAt : Math.round(st.mtimeMs - facts.durationMs);
      const endedAt = startedAt + Math.max(1, facts.durationMs);
      run.prev = { seq, streamEnd: Number.NaN, endedAt };
      await place(run, name, seq, startedAt, endedAt, true).catch((e) => log.error({ cameraId: opts.cameraId, err: String(e) }, 'salvage failed'));
    }
  };

  const proc = superviseProcess({
    name: `recorder:${opts.cameraId}`,
    spawn: opts.spawn,
    command: opts.ffmpeg,
    args: () => {
      const start = launches++;
      let finish!: () => void;
      const done = new Promise<void>((r) => (finish = r));
      const run: Run = { runId: randomUUID(), anchor: null, prev: null, done, finish };
      runs.set(start, run);
      currentRun = run;
      return segmentRecordArgs({
        inputUrl: opts.inputUrl(),
        segmentSeconds: opts.segmentSeconds,
        pattern: path.join(incoming, `${run.runId}-%06d.ts`),
        ioTimeoutMs: opts.ioTimeoutMs ?? 5_000,
      });
    },
    backoff: { ...RECORDER_BACKOFF, ...opts.backoff },
    log,
    redact: (line) => redactUrl(line),
    onStdoutLine: (line, start) => {
      const run = runs.get(start);
      if (!run) return;
      const arrival = now(); // when ffmpeg reported it, not when the queue gets to it
      chain = chain.then(() => onClosed(run, line, arrival)).catch((e) => log.error({ cameraId: opts.cameraId, err: String(e) }, 'segment handling failed'));
    },
    onStdoutEnd: (start) => {
      const run = runs.get(start);
      if (!run) return;
      chain = chain.then(() => salvage(run)).catch(() => {}).then(() => { runs.delete(start); run.finish(); });
    },
  });
  proc.events.on('exit', (e) => {
    // On a full disk ffmpeg's last line is a consequence ("Error writing trailer …: Invalid argument"): name the cause.
    const diskFull = e.stderrTail.find((l) => /No space left on device/i.test(l));
    if (e.code !== 0 || e.error) lastError = e.error ?? diskFull ?? e.stderrTail.at(-1) ?? `exit ${e.code ?? e.signal}`;
    if (diskFull) opts.onDiskFull?.();
  });

  return {
    cameraId: opts.cameraId,
    status() {
      const s = proc.snapshot();
      return { cameraId: opts.cameraId, state: s.state, pid: s.pid, runId: currentRun?.runId ?? null, since, segments, lastSegmentAt, restarts: s.restarts, lastError };
    },
    async stop() {
      await proc.stop();
      // Every run's stdout has ended (or ends now that its process is gone): wait for indexing and salvage.
      await Promise.all([...runs.values()].map((r) => Promise.race([r.done, new Promise((res) => setTimeout(res, 5_000))])));
      await chain;
    },
  };
}

/**
 * At start, before any recorder runs: every file left in a camera's .incoming was being written when the
 * previous process died. Playable ones are indexed (times from the previous segment of their run when the index
 * has it, else from the file's mtime and duration), the rest deleted.
 */
export async function recoverIncoming(d: {
  mediaDir: string;
  ffprobe: string;
  previousSegmentEnd(runId: string, seq: number): Promise<Date | null>;
  onSegment(segment: ClosedSegment): Promise<void>;
  log?: StreamsLog;
}): Promise<{ indexed: number; deleted: number }> {
  const log = d.log ?? silentLog;
  let indexed = 0, deleted = 0;
  let cameras: string[] = [];
  try { cameras = await readdir(recordingsRoot(d.mediaDir)); } catch { return { indexed, deleted }; }
  for (const cameraId of cameras) {
    const dir = incomingDir(d.mediaDir, cameraId);
    let names: string[] = [];
    try { names = (await readdir(dir)).sort(); } catch { continue; }
    for (const name of names) {
      const file = path.join(dir, name);
      const m = RUN_FILE.exec(name);
      const facts = m ? await probeClip(d.ffprobe, file, true).catch(() => null) : null;
      if (!m || !facts || facts.durationMs <= 0 || facts.frames === 0) { await rm(file, { force: true }); deleted++; continue; }
      const [runId, seq] = [m[1]!, Number(m[2])];
      const prevEnd = await d.previousSegmentEnd(runId, seq);
      const st = await stat(file);
      const startedAt = prevEnd ? prevEnd.getTime() : Math.round(st.mtimeMs - facts.durationMs);
      const rel = segmentPath(cameraId, runId, seq, new Date(startedAt));
      await mkdir(path.dirname(path.join(d.mediaDir, rel)), { recursive: true });
      await rename(file, path.join(d.mediaDir, rel));
      try {
        await d.onSegment({ cameraId, runId, seq, startedAt: new Date(startedAt), endedAt: new Date(startedAt + facts.durationMs), bytes: st.size, path: rel, recovered: true });
        indexed++;
      } catch (e) {
        log.error({ cameraId, path: rel, err: e instanceof Error ? e.message : String(e) }, 'recovered segment not indexed');
      }
    }
  }
  return { indexed, deleted };
}
