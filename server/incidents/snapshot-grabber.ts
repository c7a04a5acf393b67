// The one side effect of snapshots: ffmpeg reads a camera's live FLV (with a play token minted for the observer
// who tagged, so the read is recorded as their view) and writes one JPEG under MEDIA_DIR/snapshots.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { burnInImage, grabFrame } from '../../streams/snapshot.js';
import { ffprobePathFor } from '../../streams/ffmpeg/probe.js';
import { burnPlan } from '../masks/index.js';
import type { MaskVersion } from '../masks/schema.js';

export type GrabResult =
  | { status: 'taken'; takenAt: Date; file: string; bytes: number; sha256: string; maskVersion: number | null }
  | { status: 'no_stream' | 'failed'; error: string };

export interface SnapshotGrabber {
  grab(req: { snapshotId: string; cameraId: string; userId: string }): Promise<GrabResult>;
  /** Absolute path of a stored snapshot file (relative to MEDIA_DIR), refusing paths outside it. */
  resolve(file: string): string;
  /** Deletes a stored snapshot file (retention). */
  remove(file: string): Promise<void>;
}

export interface GrabberDeps {
  mediaDir: string;
  /** Found after the media server starts; null without ffmpeg (then snapshots fail, noted on the incident). */
  ffmpegPath(): string | null;
  isLive(cameraId: string): boolean;
  /** A URL ffmpeg can read the camera's main stream from, authorised for this user. */
  playUrl(userId: string, cameraId: string): Promise<string>;
  /** The privacy-mask versions in force at a moment (masks/): burned into the snapshot, permanent and liftable alike. */
  masksAt?(cameraId: string, at: Date): Promise<MaskVersion[]>;
  timeoutMs?: number;
}

export function createSnapshotGrabber(d: GrabberDeps): SnapshotGrabber {
  const root = path.resolve(d.mediaDir, 'snapshots');
  return {
    async remove(file) { await rm(this.resolve(file), { force: true }); },
    resolve(file) {
      const abs = path.resolve(d.mediaDir, file);
      if (!abs.startsWith(root + path.sep)) throw new Error('snapshot path outside MEDIA_DIR/snapshots');
      return abs;
    },
    async grab({ snapshotId, cameraId, userId }) {
      if (!d.isLive(cameraId)) return { status: 'no_stream', error: 'camera not live at the tagged moment' };
      const ffmpeg = d.ffmpegPath();
      if (!ffmpeg) return { status: 'failed', error: 'ffmpeg not available' };
      const day = new Date().toISOString().slice(0, 10);
      const rel = path.join('snapshots', day, `${snapshotId}.jpg`);
      const abs = path.resolve(d.mediaDir, rel);
      await mkdir(path.dirname(abs), { recursive: true });
      try {
        const url = await d.playUrl(userId, cameraId);
        const takenAt = new Date();
        await grabFrame({ ffmpegPath: ffmpeg, inputUrl: url, outFile: abs, timeoutMs: d.timeoutMs ?? 10_000 });
        if ((await stat(abs)).size === 0) throw new Error('ffmpeg wrote an empty file');
        // The masks in force at the tagged moment, before anyone can read the file; a failed burn-in fails the snapshot.
        const versions = d.masksAt ? await d.masksAt(cameraId, takenAt) : [];
        const plan = burnPlan(versions);
        if (plan.polygons.length) await burnInImage({ ffmpegPath: ffmpeg, ffprobePath: ffprobePathFor(ffmpeg), file: abs, polygons: plan.polygons, timeoutMs: d.timeoutMs ?? 10_000 });
        const maskVersion = versions.at(-1)?.version ?? null;
        const bytes = (await stat(abs)).size;
        const sha256 = createHash('sha256').update(await readFile(abs)).digest('hex');
        return { status: 'taken', takenAt, file: rel, bytes, sha256, maskVersion };
      } catch (e) {
        await rm(abs, { force: true });
        return { status: 'failed', error: (e instanceof Error ? e.message : String(e)).replace(/token=[^&\s]*/g, 'token=[redacted]').slice(0, 500) };
      }
    },
  };
}
