// npm run bench:evidence-clip — how soon a 5-minute 1080p 4 Mbit/s evidence clip is ready after its last segment
// closed (target ≤ 500 ms). The real ClipWorker and EvidenceService on a real PostgreSQL: the item is preserved
// while its post-roll is still "being recorded"; when the last segment is indexed (and 'recording.segment' is
// announced, as the recorder does), the clock starts; it stops when the item is announced ready. That covers the
// worker's checks, feeding the last segment to the ffmpeg that has been remuxing the clip while the post-roll was
// recorded, the MP4 index, ffprobe, SHA-256, fsync and the database updates. BENCH_RUNS (3) runs; the median counts.
// Also measured: the same clip produced afterwards in one go (150 segments joined, remuxed, probed, hashed).
// Every run is made with each ffmpeg build of BENCH_FFMPEG (default: the system's, then the packaged one; see
// ffmpeg-builds.ts), interleaved (run 1 system, run 1 packaged, run 2 system, …) so the machine's load falls on both
// alike; each build with its own ffprobe and, as the product does, concatf only from ffmpeg 5 (stdin before).
import { mkdirSync, readFileSync, rmSync, symlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { EventBus } from '../../server/events.js';
import { createLogger } from '../../server/log.js';
import { ClipWorker } from '../../server/evidence/worker.js';
import { EvidenceService } from '../../server/evidence/service.js';
import { loadOrCreateSigningKey } from '../../server/evidence/signing.js';
import { evidenceFiles } from '../../server/evidence/files.js';
import { segmentPath } from '../../streams/recorder.js';
import { planClip, produceClip } from '../../streams/clip.js';
import type { EvidenceItem } from '../../server/evidence/schema.js';
import { benchDatabase, CACHE, log, median, round, source1080p, writeResult } from './evidence-support.js';
import { benchFfmpegBuilds, describeBuild, ratiosToBaseline, sideBySide, useBuildInProcess, type BenchFfmpeg } from './ffmpeg-builds.js';
import { loadMeter, waitForQuiet } from './support.js';
import { ffprobePathFor } from '../../streams/ffmpeg/probe.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = 300;
const TARGET_MS = 500;
const COMMAND = `${process.env.BENCH_RUNS ? `BENCH_RUNS=${RUNS} ` : ''}${process.env.BENCH_FFMPEG ? `BENCH_FFMPEG=${process.env.BENCH_FFMPEG} ` : ''}npm run bench:evidence-clip`;

async function main() {
  const builds = await benchFfmpegBuilds();
  for (const b of builds) log(`ffmpeg ${b.name}: ${b.ffmpeg.path} (${b.ffmpeg.versionLine}); ffprobe ${b.ffprobe}; concatf ${b.concatf}`);
  const src = await source1080p(SECONDS, builds[0]!.ffmpeg.path);
  const { busyPct: busyBefore, waitedMs } = await waitForQuiet(); // BENCH_WAIT_QUIET=<s>: wait for an idle machine first
  log(`${busyBefore} % busy before start (others' load; waited ${waitedMs} ms)`);
  const db = await benchDatabase();
  const work = path.join(CACHE, 'evidence-clip-work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const bus = new EventBus();
  const silent = createLogger('silent');
  try {
    const { sql } = db;
    const [user] = await sql`insert into users (username, display_name, role, password_hash) values ('bench-observer', 'Bench', 'observer', 'x') returning id, username, display_name`;
    // One worker; the build of the run in progress decides its ffmpeg, ffmpeg's major (concatf) and (FFPROBE_PATH) its ffprobe.
    let current: BenchFfmpeg = builds[0]!;
    const worker = new ClipWorker({ sql, bus, log: silent, mediaDir: work, ffmpeg: () => current.ffmpeg.path, ffmpegMajor: () => current.ffmpeg.major, isRecording: () => true, graceMs: 3_600_000, minFreeBytes: 0, diskFree: async () => Number.MAX_SAFE_INTEGER, pollMs: 60_000 });
    const evidence = new EvidenceService({ sql, bus, worker, key: loadOrCreateSigningKey(work), mediaDir: work, maxMinutes: 120, retentionDays: 28, linkMinutes: 10, now: Date.now, files: evidenceFiles(work) });
    await worker.start();
    const actor = { user: { id: user!.id, username: user!.username, displayName: user!.display_name, role: 'observer' as const, municipalityId: null }, remoteAddr: null };
    type Run = { readyAfterLastSegmentMs: number; clipBytes: number; durationMs: number; segments: number; othersPctOfOneCore: number; loadavg: string };
    const runs = new Map<string, Run[]>(builds.map((b) => [b.name, []]));
    const batch = new Map<string, Array<{ ms: number; othersPctOfOneCore: number }>>(builds.map((b) => [b.name, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const [bi, build] of builds.entries()) {
        current = build;
        const restore = useBuildInProcess(build);
        try {
          const n = r * builds.length + bi + 1;
          const runId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
          // A camera per run and build, so runs never see each other's segments.
          const cam = `bench-cam-${r}-${build.slug}`;
          await sql`insert into cameras (id, name, municipality_id, street, lat, lon, kind, source_type, key_hash) values (${cam}, 'Bench camera', 'enschede', 'Oude Markt', 52.2, 6.9, 'permanent', 'rtmp', 'x')`;
          const to = Date.now() + 4000;
          const from = to - SECONDS * 1000;
          // Every segment but the last is indexed; files are links to the cached segments.
          const rows = src.segments.map((file, i) => {
            const s = from + i * 2000;
            const rel = segmentPath(cam, runId, i, new Date(s));
            mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
            symlinkSync(file, path.join(work, rel));
            return { camera_id: cam, run_id: runId, seq: i, started_at: new Date(s), ended_at: new Date(Math.min(s + 2000, to)), bytes: statSync(file).size, path: rel };
          });
          await sql`insert into recording_segments ${sql(rows.slice(0, -1))}`;
          const load = loadMeter();
          const item = await evidence.preserve(actor, { cameras: [cam], from: new Date(from).toISOString(), to: new Date(to).toISOString(), reason: 'benchmark' });
          await new Promise((res) => setTimeout(res, Math.max(0, to - Date.now() + 20)));
          const ready = new Promise<EvidenceItem>((res) => { const on = (i: EvidenceItem) => { if (i.id === item.id && i.state !== 'pending') { bus.off('evidence.changed', on); res(i); } }; bus.on('evidence.changed', on); });
          await sql`insert into recording_segments ${sql(rows.slice(-1))}`;
          const t0 = performance.now();
          bus.emit('recording.segment', { cameraId: cam, startedAt: rows.at(-1)!.started_at.toISOString(), endedAt: rows.at(-1)!.ended_at.toISOString() });
          const done = await ready;
          const ms = performance.now() - t0;
          const cpu = load.stop();
          if (done.state !== 'ready') throw new Error(`clip ${done.state} (${build.name}): ${done.clips[0]?.error}`);
          runs.get(build.name)!.push({ readyAfterLastSegmentMs: round(ms), clipBytes: done.clips[0]!.bytes!, durationMs: done.clips[0]!.durationMs!, segments: rows.length, othersPctOfOneCore: cpu.othersPctOfOneCore, loadavg: cpu.loadavg });
          log(`run ${r + 1} ${build.name}: ready ${round(ms)} ms after the last segment closed (${round(done.clips[0]!.bytes! / 1e6)} MB, ${done.clips[0]!.durationMs} ms of video; others ${cpu.othersPctOfOneCore} % of a core, loadavg ${cpu.loadavg.split(' ').slice(0, 3).join(' ')})`);
        } finally { restore(); }
      }
    }
    await worker.stop();
    // For comparison: the same clip produced afterwards from the index (what a range in the past, or a range
    // across a gap, costs): join + remux + probe + hash + flush, without the database.
    for (let r = 0; r < RUNS; r++) {
      for (const build of builds) {
        const files = src.segments.map((file, i) => ({ file, runId: 'b', seq: i, startedAt: i * 2000, endedAt: (i + 1) * 2000, bytes: statSync(file).size }));
        const out = path.join(work, 'batch', build.slug, `${r}.mp4`);
        const load = loadMeter();
        const t0 = performance.now();
        await produceClip({ ffmpeg: build.ffmpeg.path, ffprobe: build.ffprobe, concatf: build.concatf, plan: planClip(files, 0, SECONDS * 1000), from: 0, to: SECONDS * 1000, output: out });
        batch.get(build.name)!.push({ ms: round(performance.now() - t0), othersPctOfOneCore: load.stop().othersPctOfOneCore });
      }
    }
    const perBuild = Object.fromEntries(builds.map((b) => {
      const med = median(runs.get(b.name)!.map((x) => x.readyAfterLastSegmentMs));
      const after = batch.get(b.name)!;
      return [b.name, {
        // The ffprobe the worker really used (ffprobePathFor remembers its first choice per ffmpeg path).
        ffmpeg: { ...describeBuild(b), ffprobeUsedByWorker: ffprobePathFor(b.ffmpeg.path) },
        medianMs: med, pass: med <= TARGET_MS,
        producedAfterwardsMs: { median: median(after.map((x) => x.ms)), runs: after },
        runs: runs.get(b.name)!,
      }];
    }));
    const figures = (b: BenchFfmpeg) => ({ readyAfterLastSegmentMedianMs: perBuild[b.name]!.medianMs, producedAfterwardsMedianMs: perBuild[b.name]!.producedAfterwardsMs.median });
    const ratios = ratiosToBaseline(builds, figures);
    for (const b of builds) log(`${b.name}: ready median ${perBuild[b.name]!.medianMs} ms, produced afterwards median ${perBuild[b.name]!.producedAfterwardsMs.median} ms`);
    const others = [...runs.values()].flat().map((x) => x.othersPctOfOneCore);
    const file = writeResult('evidence-clip', {
      target: { readyAfterLastSegmentMs: TARGET_MS },
      command: COMMAND,
      source: '1920x1080 25 fps, GOP 1 s, 4 Mbit/s, 150 x 2-s MPEG-TS segments',
      order: `interleaved: each of the ${RUNS} runs with ${builds.map((b) => b.name).join(', then ')}; then the produced-afterwards clips the same way`,
      ffmpegBuilds: builds.map(describeBuild),
      perBuild,
      ratios,
      busyPctOfAllCoresBeforeStart: busyBefore,
      othersPctOfOneCoreDuringLiveRuns: { min: Math.min(...others), median: median(others), max: Math.max(...others) },
    });
    for (const b of builds) log(`${b.name}: median ${perBuild[b.name]!.medianMs} ms (target ≤ ${TARGET_MS} ms): ${perBuild[b.name]!.pass ? 'PASS' : 'FAIL'}`);
    log(`→ ${file}`);
    console.log('\n| what | target | measured | command |');
    console.log('|---|---|---|---|');
    console.log(`| 5-min 1080p 4 Mbit/s clip ready after its last segment closed, per ffmpeg build (ratio to ${builds[0]!.name}) | ≤ 0.5 s | ${sideBySide(builds, (b) => perBuild[b.name]!.medianMs, ' ms')} median of ${RUNS}; produced afterwards ${sideBySide(builds, (b) => perBuild[b.name]!.producedAfterwardsMs.median, ' ms')} (others' load ${median(others)} % of a core, loadavg ${machineLoad()}) | \`${COMMAND}\` |`);
    if (builds.some((b) => !perBuild[b.name]!.pass)) process.exitCode = 1;
  } finally {
    await db.stop();
    rmSync(work, { recursive: true, force: true }); // ~1.5 GB of clips per build
  }
}

const machineLoad = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

main().catch((e) => { console.error(e); process.exit(2); });
