// Finds the ffmpeg binary once at start-up and learns what it can do, so argument builders can adapt
// (ffmpeg 4.x spells the RTSP socket timeout `-stimeout`; from 5.0 `-timeout`, which in 4.x means "listen").
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export type FfmpegSource = 'FFMPEG_PATH' | 'PATH' | '@ffmpeg-installer/ffmpeg';

export interface FfmpegBinary {
  path: string;
  source: FfmpegSource;
}

export interface FfmpegInfo extends FfmpegBinary {
  /** First line of `ffmpeg -version`. */
  versionLine: string;
  /** Major version; git builds without a release number are treated as new (99). */
  major: number;
  minor: number;
  hasLibx264: boolean;
  hasDrawtext: boolean;
}

export interface LocateDeps {
  isExecutable(path: string): Promise<boolean>;
  /** Resolves the optional npm package; rejects when it is not installed. */
  importInstaller(): Promise<{ path: string }>;
}

const INSTALLER = '@ffmpeg-installer/ffmpeg';

const defaultDeps: LocateDeps = {
  async isExecutable(path) {
    try {
      await access(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  async importInstaller() {
    // A variable specifier keeps TypeScript and bundlers from requiring the (optional, uninstalled) package.
    const specifier: string = INSTALLER;
    const mod = (await import(specifier)) as { default?: { path?: string }; path?: string };
    const path = mod.default?.path ?? mod.path;
    if (!path) throw new Error(`${INSTALLER} exposes no binary path`);
    return { path };
  },
};

/**
 * FFMPEG_PATH (must exist when set: a wrong explicit setting is an error, not a reason to fall back),
 * else `ffmpeg` on PATH, else the binary of the optional @ffmpeg-installer/ffmpeg package.
 */
export async function locateFfmpeg(
  env: Record<string, string | undefined> = process.env,
  deps: LocateDeps = defaultDeps,
): Promise<FfmpegBinary> {
  const explicit = env.FFMPEG_PATH?.trim();
  if (explicit) {
    if (await deps.isExecutable(explicit)) return { path: explicit, source: 'FFMPEG_PATH' };
    throw new Error(`FFMPEG_PATH=${explicit} is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ffmpeg');
    if (await deps.isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  let installerError: unknown;
  try {
    const { path } = await deps.importInstaller();
    if (await deps.isExecutable(path)) return { path, source: INSTALLER };
    installerError = new Error(`${path} is not executable`);
  } catch (err) {
    installerError = err;
  }
  const why = installerError instanceof Error ? installerError.message : String(installerError);
  throw new Error(
    `ffmpeg not found: set FFMPEG_PATH, install ffmpeg on PATH (Debian: apt-get install ffmpeg), ` +
      `or add the npm package ${INSTALLER} (${why})`,
  );
}

/** Parses the first line of `ffmpeg -version`. Pure; exported for tests. */
export function parseFfmpegVersion(versionLine: string): { major: number; minor: number } {
  const m = /ffmpeg version n?(\d+)\.(\d+)/i.exec(versionLine);
  if (m) return { major: Number(m[1]), minor: Number(m[2]) };
  return { major: 99, minor: 0 }; // git snapshot ("N-112233-g...") or unknown vendor string: assume current
}

function run(path: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(new Error(`${path} ${args.join(' ')} failed: ${err.message}`));
      else resolve(stdout);
    });
  });
}

/** Runs the binary to learn its version and whether it has what the demo encoder needs. */
export async function probeFfmpeg(binary: FfmpegBinary): Promise<FfmpegInfo> {
  const [version, encoders, filters] = await Promise.all([
    run(binary.path, ['-hide_banner', '-version']),
    run(binary.path, ['-hide_banner', '-encoders']),
    run(binary.path, ['-hide_banner', '-filters']),
  ]);
  const versionLine = version.split('\n')[0]?.trim() ?? '';
  return {
    ...binary,
    versionLine,
    ...parseFfmpegVersion(versionLine),
    hasLibx264: /\blibx264\b/.test(encoders),
    hasDrawtext: /\bdrawtext\b/.test(filters),
  };
}

/** locateFfmpeg + probeFfmpeg: what a composition root calls once. */
export async function findFfmpeg(env: Record<string, string | undefined> = process.env): Promise<FfmpegInfo> {
  return probeFfmpeg(await locateFfmpeg(env));
}
