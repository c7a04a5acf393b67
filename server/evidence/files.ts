// The evidence clips on disk: the one module of evidence/ that reads or deletes them (index.ts gives it to the
// service and the worker). Paths in the database are relative to MEDIA_DIR.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { buildPackage } from './package.js';
import type { SigningKey } from './signing.js';
import type { Manifest } from './schema.js';

export interface EvidenceFiles {
  /** Where a clip lies, to stream it; a path outside MEDIA_DIR/evidence is refused (a row is never trusted with the disk). */
  clipPath(rel: string): string;
  /** The signed package of these clips: the zip reads them as it streams. */
  package(manifest: Omit<Manifest, 'sha256sums'>, clips: Array<{ name: string; file: string }>, key: SigningKey): Readable;
  /** Removes what producing an item's clips left half-written (a killed process, a failed clip). */
  removePartials(itemId: string): Promise<void>;
}

export function evidenceFiles(mediaDir: string): EvidenceFiles {
  const root = path.resolve(mediaDir, 'evidence');
  const clipPath = (rel: string) => {
    const p = path.resolve(mediaDir, rel);
    if (!p.startsWith(root + path.sep)) throw new Error('clip path outside MEDIA_DIR/evidence');
    return p;
  };
  return {
    clipPath,
    package: (manifest, clips, key) => buildPackage(manifest, clips.map((c) => ({ name: c.name, abs: clipPath(c.file) })), key),
    async removePartials(itemId) {
      const dir = path.join(mediaDir, 'evidence', itemId);
      const names = await readdir(dir).catch(() => [] as string[]);
      await Promise.all(names.filter((n) => /\.(partial|part\d+\.ts|parts\.txt|list\d+\.txt)$/.test(n)).map((n) => rm(path.join(dir, n), { force: true })));
    },
  };
}
