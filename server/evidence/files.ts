// The evidence clips on disk: the one module of evidence/ that reads or deletes them (index.ts gives it to the
// service and the worker). Paths in the database are relative to MEDIA_DIR.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { buildPackage } from './package.js';
import type { SigningKey } from './signing.js';
import type { Manifest } from './schema.js';

export interface EvidenceFiles {
  /**
   * Where a clip lies on this machine, to stream it: in MEDIA_DIR, or fetched from the node that produced it
   * (nodeId). A path outside MEDIA_DIR/evidence is refused (a row is never trusted with the disk).
   */
  clipPath(rel: string, nodeId?: string | null): Promise<string>;
  /** The signed package of these clips: the zip reads them as it streams. */
  package(manifest: Omit<Manifest, 'sha256sums'>, clips: Array<{ name: string; file: string; nodeId?: string | null }>, key: SigningKey): Promise<Readable>;
  /** Removes what producing an item's clips left half-written (a killed process, a failed clip). */
  removePartials(itemId: string): Promise<void>;
}

export function evidenceFiles(mediaDir: string, mediaFile?: (rel: string, nodeId: string | null) => Promise<string>): EvidenceFiles {
  const root = path.resolve(mediaDir, 'evidence');
  const clipPath = async (rel: string, nodeId: string | null = null) => {
    if (!path.resolve(mediaDir, rel).startsWith(root + path.sep)) throw new Error('clip path outside MEDIA_DIR/evidence');
    return mediaFile ? mediaFile(rel, nodeId) : path.resolve(mediaDir, rel);
  };
  return {
    clipPath,
    package: async (manifest, clips, key) => buildPackage(manifest, await Promise.all(clips.map(async (c) => ({ name: c.name, abs: await clipPath(c.file, c.nodeId) }))), key),
    async removePartials(itemId) {
      const dir = path.join(mediaDir, 'evidence', itemId);
      const names = await readdir(dir).catch(() => [] as string[]);
      await Promise.all(names.filter((n) => /\.(partial|part\d+\.ts|parts\.txt|list\d+\.txt|source\.mp4|mask\.pgm)$/.test(n)).map((n) => rm(path.join(dir, n), { force: true })));
    },
  };
}
