// The recordings on disk, for the retention sweep and the disk guard: the one module of recordings/ that deletes
// files or asks the disk how full it is (the sweeper gets it as a parameter; tests give their own disk).
// Paths are relative to MEDIA_DIR, as the index stores them.
import { readdir, rm, rmdir, statfs } from 'node:fs/promises';
import path from 'node:path';

export interface DiskStat { freeBytes: number; totalBytes: number }

export async function statDisk(dir: string): Promise<DiskStat> {
  const s = await statfs(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

export interface RecordingFiles {
  /** Unlinks these files (one already gone is fine), then each directory that emptied: a day, an evidence item. */
  remove(rels: string[]): Promise<void>;
  /** The day directories under recordings/ (recordings/<camera>/<yyyy-mm-dd>). */
  days(): Promise<Array<{ cameraId: string; day: string }>>;
  /** The files of one day directory. */
  filesOf(cameraId: string, day: string): Promise<string[]>;
  /** Removes a day directory if it is empty. */
  removeDay(cameraId: string, day: string): Promise<void>;
}

export function recordingFiles(mediaDir: string): RecordingFiles {
  const abs = (rel: string) => path.resolve(mediaDir, rel);
  return {
    async remove(rels) {
      const dirs = new Set<string>();
      // 64 at a time: a batch of 2000 unlinks never queues at once ahead of the recorders' writes.
      for (let i = 0; i < rels.length; i += 64) {
        await Promise.all(rels.slice(i, i + 64).map((rel) => { dirs.add(path.dirname(abs(rel))); return rm(abs(rel), { force: true }); }));
      }
      for (const dir of dirs) await rmdir(dir).catch(() => {});
    },
    async days() {
      const root = abs('recordings');
      const out: Array<{ cameraId: string; day: string }> = [];
      for (const cameraId of await readdir(root).catch(() => [] as string[])) {
        const days = (await readdir(path.join(root, cameraId)).catch(() => [] as string[])).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d));
        for (const day of days) out.push({ cameraId, day });
      }
      return out;
    },
    async filesOf(cameraId, day) {
      const names = await readdir(abs(path.join('recordings', cameraId, day))).catch(() => [] as string[]);
      return names.map((n) => path.join('recordings', cameraId, day, n));
    },
    async removeDay(cameraId, day) {
      await rmdir(abs(path.join('recordings', cameraId, day))).catch(() => {});
    },
  };
}
