// Finding a program on this machine: shared by the search for ffmpeg, ffprobe and the test browser, which all
// look at an explicit setting, then PATH, then a binary shipped inside an npm package.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** An existing file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where a program of one of these names would be on PATH, in search order (every directory, each name in turn). */
export function pathCandidates(names: readonly string[], PATH: string | undefined): string[] {
  return (PATH ?? '').split(path.delimiter).filter(Boolean).flatMap((dir) => names.map((n) => path.join(dir, n)));
}
