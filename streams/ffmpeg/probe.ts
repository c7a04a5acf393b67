// ffprobe, run as a child process: the one place that reads facts (duration, frames, keyframes) out of media files.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { clipProbeArgs, keyframeProbeArgs } from './recording-args.js';

/** ffprobe lives beside ffmpeg (Debian, static builds); else the one on PATH. */
export function ffprobePathFor(ffmpegPath: string): string {
  const beside = path.join(path.dirname(ffmpegPath), path.basename(ffmpegPath).replace(/ffmpeg/, 'ffprobe'));
  return beside !== ffmpegPath && existsSync(beside) ? beside : 'ffprobe';
}

export function runProbe(ffprobe: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ffprobe, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
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
