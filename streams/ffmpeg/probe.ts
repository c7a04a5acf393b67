// ffprobe, run as a child process: the one place that reads facts (duration, frames, keyframes) out of media files.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isExecutable, pathCandidates } from '../executables.js';
import { clipProbeArgs, keyframeProbeArgs } from './recording-args.js';

export interface FfprobeDeps {
  isExecutable(path: string): boolean;
  /** The binary inside the @ffprobe-installer/ffprobe package, or null when it cannot be had. */
  packaged(): string | null;
}

const require = createRequire(import.meta.url);
/** The real file system and the installed package (exported for the benchmarks, which pick ffprobe per ffmpeg build). */
export const defaultProbeDeps: FfprobeDeps = {
  isExecutable,
  packaged() {
    try {
      return (require('@ffprobe-installer/ffprobe') as { path: string }).path;
    } catch {
      return null;
    }
  },
};

/**
 * Same order as ffmpeg: FFPROBE_PATH, else the ffprobe beside the ffmpeg in use (Debian, static builds), else
 * `ffprobe` on PATH, else the binary inside @ffprobe-installer/ffprobe (the packaged ffmpeg has none beside it).
 * Pure given its deps; exported for tests.
 */
export function chooseFfprobe(ffmpegPath: string, env: Record<string, string | undefined>, deps: FfprobeDeps): string {
  const explicit = env.FFPROBE_PATH?.trim();
  if (explicit) return explicit;
  const beside = path.join(path.dirname(ffmpegPath), path.basename(ffmpegPath).replace(/ffmpeg/, 'ffprobe'));
  if (beside !== ffmpegPath && deps.isExecutable(beside)) return beside;
  const onPath = pathCandidates(['ffprobe'], env.PATH).find((c) => deps.isExecutable(c));
  if (onPath) return onPath;
  const packaged = deps.packaged();
  if (packaged && deps.isExecutable(packaged)) return packaged;
  return 'ffprobe'; // fails at first use with "ffprobe failed: spawn ffprobe ENOENT", naming the tool
}

const chosen = new Map<string, string>();
/** chooseFfprobe for this process, remembered per ffmpeg path (it is asked on every clip and segment). */
export function ffprobePathFor(ffmpegPath: string): string {
  let found = chosen.get(ffmpegPath);
  if (!found) chosen.set(ffmpegPath, (found = chooseFfprobe(ffmpegPath, process.env, defaultProbeDeps)));
  return found;
}

// The static ffprobe builds inside @ffprobe-installer (every version) convert MPEG-TS service names with glibc's
// iconv, which dlopens the system's gconv modules into a static binary and crashes (SIGSEGV on every .ts file).
// With GCONV_PATH pointing nowhere iconv_open simply fails and the name stays unconverted. We read only numbers
// from ffprobe, so every ffprobe, packaged or not, runs this way.
const PROBE_ENV = { ...process.env, GCONV_PATH: '/nonexistent/uitkijk-no-gconv' };

export function runProbe(ffprobe: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ffprobe, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, env: PROBE_ENV }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ffprobe failed: ${String(stderr).trim().split('\n').slice(-2).join(' | ') || err.message}`));
      else resolve(stdout);
    });
  });
}

export interface ClipFacts { durationMs: number; frames: number; width: number | null; height: number | null; codec: string | null; startTime: number | null }

export async function probeClip(ffprobe: string, file: string, countPackets = false): Promise<ClipFacts> {
  const j = JSON.parse(await runProbe(ffprobe, clipProbeArgs(file, countPackets))) as {
    format?: { duration?: string; start_time?: string };
    streams?: Array<{ codec_name?: string; width?: number; height?: number; nb_frames?: string; nb_read_packets?: string; duration?: string }>;
  };
  const s = j.streams?.[0];
  if (!s) throw new Error('no video stream');
  const duration = Number(j.format?.duration ?? s.duration);
  const frames = Number(s.nb_frames ?? s.nb_read_packets);
  return {
    durationMs: Number.isFinite(duration) ? Math.round(duration * 1000) : 0,
    frames: Number.isFinite(frames) ? frames : 0,
    width: s.width ?? null, height: s.height ?? null, codec: s.codec_name ?? null,
    startTime: j.format?.start_time !== undefined && Number.isFinite(Number(j.format.start_time)) ? Number(j.format.start_time) : null,
  };
}

/** Keyframe times (s, relative to the file's first packet) and the file's packet span, from the packet list. */
export async function probeKeyframes(ffprobe: string, file: string): Promise<{ keyframes: number[]; spanS: number; packets: number }> {
  const out = await runProbe(ffprobe, keyframeProbeArgs(file));
  const packets = out.split('\n').map((l) => l.split(',')).filter((p) => p[0] && Number.isFinite(Number(p[0])))
    .map((p) => ({ t: Number(p[0]), key: (p[1] ?? '').includes('K') }));
  if (packets.length === 0) return { keyframes: [], spanS: 0, packets: 0 };
  const t0 = Math.min(...packets.map((p) => p.t));
  const t1 = Math.max(...packets.map((p) => p.t));
  return { keyframes: packets.filter((p) => p.key).map((p) => p.t - t0), spanS: t1 - t0, packets: packets.length };
}
