// The ffmpeg builds a benchmark measures side by side (issue #12: the packaged static 4.1 build against the
// system's). Each build is found by the product's own locate functions, in the environment the product would see:
//   system    `ffmpeg` on PATH (FFMPEG_PATH unset), its ffprobe beside it or on PATH;
//   packaged  a machine without a system ffmpeg (empty PATH): @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe;
//   <path>    FFMPEG_PATH=<path>, its ffprobe beside it or on PATH.
// BENCH_FFMPEG chooses (comma list, default "system,packaged"; e.g. BENCH_FFMPEG=packaged or
// BENCH_FFMPEG=system,/opt/ffmpeg-7/bin/ffmpeg). The first is the baseline of every ratio. A FFMPEG_PATH or
// FFPROBE_PATH in the shell is ignored: the list says which builds run.
import { createHash } from 'node:crypto';
import { locateFfmpeg, probeFfmpeg, type FfmpegInfo } from '../../streams/ffmpeg/locate.js';
import { chooseFfprobe, defaultProbeDeps } from '../../streams/ffmpeg/probe.js';

export interface BenchFfmpeg {
  /** 'system', 'packaged' or the path given. */
  name: string;
  /** Safe in a directory name. */
  slug: string;
  ffmpeg: FfmpegInfo;
  ffprobe: string;
  /** What the product passes as produceClip/streamRange's `concatf` (worker.ts, playback): only from ffmpeg 5. */
  concatf: boolean;
}

export async function benchFfmpegBuilds(spec = process.env.BENCH_FFMPEG || 'system,packaged'): Promise<BenchFfmpeg[]> {
  const PATH = process.env.PATH ?? '';
  const builds: BenchFfmpeg[] = [];
  for (const name of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const env = name === 'system' ? { PATH } : name === 'packaged' ? { PATH: '' } : { FFMPEG_PATH: name, PATH };
    const binary = await locateFfmpeg(env);
    if (name === 'system' && binary.source !== 'PATH') throw new Error('BENCH_FFMPEG names "system" but there is no ffmpeg on PATH');
    const ffmpeg = await probeFfmpeg(binary);
    if (builds.some((b) => b.ffmpeg.path === ffmpeg.path)) throw new Error(`BENCH_FFMPEG names ${ffmpeg.path} twice (${spec})`);
    const slug = name === 'system' || name === 'packaged' ? name : `path-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
    builds.push({ name, slug, ffmpeg, ffprobe: chooseFfprobe(ffmpeg.path, env, defaultProbeDeps), concatf: ffmpeg.major >= 5 });
  }
  if (builds.length === 0) throw new Error(`BENCH_FFMPEG=${spec} names no ffmpeg`);
  return builds;
}

/** For the result files. */
export const describeBuild = (b: BenchFfmpeg) => ({ name: b.name, ffmpeg: b.ffmpeg.path, source: b.ffmpeg.source, version: b.ffmpeg.versionLine, major: b.ffmpeg.major, ffprobe: b.ffprobe, concatf: b.concatf });

/**
 * The room started in this process finds its ffmpeg with findFfmpeg(process.env) and its ffprobe with
 * ffprobePathFor (FFPROBE_PATH, remembered per ffmpeg path): set both for one build; the returned function restores.
 */
export function useBuildInProcess(b: BenchFfmpeg): () => void {
  const before = { FFMPEG_PATH: process.env.FFMPEG_PATH, FFPROBE_PATH: process.env.FFPROBE_PATH };
  process.env.FFMPEG_PATH = b.ffmpeg.path;
  process.env.FFPROBE_PATH = b.ffprobe;
  return () => {
    for (const [k, v] of Object.entries(before)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  };
}

/** value / base, two decimals (null when either is unknown or the base is 0). */
export const ratio = (value: number | null | undefined, base: number | null | undefined): number | null =>
  value == null || base == null || !Number.isFinite(value) || !Number.isFinite(base) || base === 0 ? null : Math.round((value / base) * 100) / 100;

/** For every build after the first: `${build}/${baseline}` → the ratio of each figure. */
export function ratiosToBaseline(builds: readonly BenchFfmpeg[], figures: (b: BenchFfmpeg) => Record<string, number | null>): Record<string, Record<string, number | null>> {
  const base = figures(builds[0]!);
  return Object.fromEntries(builds.slice(1).map((b) => {
    const f = figures(b);
    return [`${b.name}/${builds[0]!.name}`, Object.fromEntries(Object.keys(base).map((k) => [k, ratio(f[k], base[k])]))];
  }));
}

/** "system 242 ms · packaged 300 ms (×1.24)": one figure of every build, the ratio to the first. */
export function sideBySide(builds: readonly BenchFfmpeg[], value: (b: BenchFfmpeg) => number | null, unit = ''): string {
  const base = value(builds[0]!);
  return builds.map((b, i) => {
    const v = value(b);
    const r = i === 0 ? null : ratio(v, base);
    return `${b.name} ${v ?? '–'}${unit}${r === null ? '' : ` (×${r.toFixed(2)})`}`;
  }).join(' · ');
}
