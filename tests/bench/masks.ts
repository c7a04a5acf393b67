// npm run bench:masks — what privacy masks cost an evidence clip (issue #16): a 5-minute 1080p 4 Mbit/s clip of
// 150 recorded segments, produced as today (-c copy: joined and remuxed) and then with two masks burned in as the
// worker does for a camera with a permanent and a liftable mask: the masked clip plus the copy with only the
// permanent mask (two libx264 encodes at veryfast CRF 18). Wall time and CPU seconds of the ffmpeg/ffprobe children
// (cutime + cstime of this process, read from /proc/self/stat after each step). BENCH_RUNS (1) runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { planClip, produceClip, maskClip, type PlanSegment } from '../../streams/clip.js';
import { ffprobePathFor } from '../../streams/ffmpeg/probe.js';
import { findFfmpeg } from '../../streams/ffmpeg/locate.js';
import { CACHE, log, median, round, source1080p, writeResult } from './evidence-support.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const SECONDS = 300;
// The product's own search: FFMPEG_PATH, PATH, then the packaged build (a machine without ffmpeg).
const FFMPEG = (await findFfmpeg(process.env)).path;
const COMMAND = `${process.env.BENCH_RUNS ? `BENCH_RUNS=${RUNS} ` : ''}npm run bench:masks`;
const garden = [[0.05, 0.1], [0.4, 0.1], [0.4, 0.6], [0.05, 0.6]] as const;   // liftable
const window_ = [[0.6, 0.05], [0.95, 0.05], [0.95, 0.4], [0.6, 0.4]] as const; // permanent

/** CPU seconds of this process's finished children (user + system), from /proc/self/stat (clock ticks of 1/100 s). */
function childCpuS(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime (fields 16 and 17 of the whole line)
}

async function measure<T>(step: () => Promise<T>): Promise<{ wallS: number; cpuS: number; result: T }> {
  const cpu0 = childCpuS(), t0 = performance.now();
  const result = await step();
  return { wallS: round((performance.now() - t0) / 1000, 2), cpuS: round(childCpuS() - cpu0, 2), result };
}

async function main() {
  const src = await source1080p(SECONDS, FFMPEG);
  const plan = planClip(src.segments.map((file, i): PlanSegment => ({ file, runId: 'run', seq: i, startedAt: i * 2000, endedAt: (i + 1) * 2000, bytes: 0 })), 0, SECONDS * 1000);
  const ffprobe = ffprobePathFor(FFMPEG);
  const runs: Array<Record<string, unknown>> = [];
  for (let r = 0; r < RUNS; r++) {
    const dir = mkdtempSync(path.join(CACHE, 'masks-'));
    try {
      const clip = path.join(dir, 'cam.mp4');
      const copy = await measure(() => produceClip({ ffmpeg: FFMPEG, ffprobe, plan, from: 0, to: SECONDS * 1000, output: clip }));
      log(`run ${r + 1}: -c copy clip ${copy.wallS} s wall, ${copy.cpuS} s CPU`);
      const masked = await measure(() => maskClip({ ffmpeg: FFMPEG, ffprobe, clip, polygons: [garden, window_], liftable: { output: path.join(dir, 'cam.liftable.mp4'), polygons: [window_] },
        width: copy.result.width!, height: copy.result.height!, durationMs: copy.result.durationMs }));
      log(`run ${r + 1}: masks burned in (masked clip + copy without the liftable mask) ${masked.wallS} s wall, ${masked.cpuS} s CPU`);
      runs.push({ copy: { wallS: copy.wallS, cpuS: copy.cpuS, bytes: copy.result.bytes }, masked: { wallS: masked.wallS, cpuS: masked.cpuS, bytes: masked.result.masked.bytes, frames: masked.result.masked.facts.frames } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const pick = (k: 'copy' | 'masked', f: 'wallS' | 'cpuS') => median(runs.map((x) => (x[k] as Record<string, number>)[f]!));
  const summary = {
    command: COMMAND, ffmpeg: FFMPEG, clip: { seconds: SECONDS, size: '1920x1080', bitrate: '4 Mbit/s', fps: 25, segments: plan.groups[0]!.length },
    x264: 'veryfast, CRF 18 (two encodes: the masked clip and the copy with only the permanent mask)',
    copy: { wallS: pick('copy', 'wallS'), cpuS: pick('copy', 'cpuS') },
    masked: { wallS: pick('masked', 'wallS'), cpuS: pick('masked', 'cpuS') },
    runs,
  };
  log(JSON.stringify(summary, null, 2));
  log(`written ${writeResult('masks', summary)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
