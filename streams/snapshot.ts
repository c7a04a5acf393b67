// One frame of a live stream as a JPEG (an incident's snapshot). ffmpeg reads the stream's FLV like a player would, so
// the caller hands it a play URL authorised for whoever asked, and chooses where the file goes.
import { execFile } from 'node:child_process';
import { snapshotArgs } from './ffmpeg/args.js';

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
