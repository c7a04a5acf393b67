// One frame of a live stream as a JPEG (an incident's snapshot). ffmpeg reads the stream's FLV like a player would, so
// the caller hands it a play URL authorised for whoever asked, and chooses where the file goes.
import { execFile } from 'node:child_process';
import { rename, rm, writeFile } from 'node:fs/promises';
import { snapshotArgs } from './ffmpeg/args.js';
import { burnInImageArgs, pgm, rasteriseMasks, type NormalisedPolygon } from './ffmpeg/mask-args.js';
import { probeClip } from './ffmpeg/probe.js';

export interface GrabFrameRequest {
  ffmpegPath: string;
  /** A live FLV play URL; it may carry a play token, which the caller redacts from the error it reports. */
  inputUrl: string;
  /** Written (overwritten) as one JPEG; on failure it may be missing, empty or partial: the caller cleans up. */
  outFile: string;
  /** A stream that stalls must not hold the grab: ffmpeg is killed (SIGKILL) after this long. */
  timeoutMs: number;
}

/** Resolves once ffmpeg wrote the frame; rejects with ffmpeg's last stderr lines (and whether it timed out). */
export function grabFrame({ ffmpegPath, inputUrl, outFile, timeoutMs }: GrabFrameRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(ffmpegPath, snapshotArgs(inputUrl, outFile), { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 }, (err, _out, stderr) => {
      if (err) reject(new Error(`ffmpeg snapshot failed${err.killed ? ' (timed out)' : ''}: ${String(stderr).trim().split('\n').slice(-3).join(' | ') || err.message}`));
      else resolve();
    });
  });
}

/**
 * Burns privacy masks into a JPEG in place (issue #16): solid black over the polygons at the image's own pixel
 * size (from ffprobe). The unmasked image is replaced, never kept beside it.
 */
export async function burnInImage(o: { ffmpegPath: string; ffprobePath: string; file: string; polygons: readonly NormalisedPolygon[]; timeoutMs: number }): Promise<void> {
  const { width, height } = await probeClip(o.ffprobePath, o.file);
  if (!width || !height) throw new Error('the snapshot\'s picture size is unknown');
  const mask = `${o.file}.mask.pgm`, out = `${o.file}.masked.jpg`;
  try {
    await writeFile(mask, pgm(rasteriseMasks(o.polygons, width, height), width, height));
    await new Promise<void>((resolve, reject) => {
      execFile(o.ffmpegPath, burnInImageArgs({ input: o.file, mask, output: out, width, height }), { timeout: o.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 }, (err, _o, stderr) => {
        if (err) reject(new Error(`ffmpeg mask burn-in failed: ${String(stderr).trim().split('\n').slice(-3).join(' | ') || err.message}`));
        else resolve();
      });
    });
    await rename(out, o.file);
  } finally {
    await rm(mask, { force: true });
    await rm(out, { force: true });
  }
}
