// Finds the ffmpeg binary once at start-up and learns what it can do, so argument builders can adapt
// (ffmpeg 4.x spells the RTSP socket timeout `-stimeout`; from 5.0 `-timeout`, which in 4.x means "listen").
import { execFile } from 'node:child_process';
import { isExecutable, pathCandidates } from '../executables.js';

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
  isExecutable: async (file) => isExecutable(file),
  async importInstaller() {
    const mod = (await import(INSTALLER)) as { default?: { path?: string }; path?: string };
    const path = mod.default?.path ?? mod.path;
    if (!path) throw new Error(`${INSTALLER} exposes no binary path`);
    return { path };
  },
};

/**
 * FFMPEG_PATH (must exist when set: a wrong explicit setting is an error, not a reason to fall back),
 * else `ffmpeg` on PATH (a system build is newer and usually faster), else the static 4.1 build inside the
 * @ffmpeg-installer/ffmpeg dependency, so `npm install` alone gives a room with live video.
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
  for (const candidate of pathCandidates(['ffmpeg'], env.PATH)) {
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
      `or run npm install, which brings the binary inside ${INSTALLER} (${why})`,
  );
}

// libavformat's major version names the ffmpeg release it shipped with. Git snapshots (the static build inside
// @ffmpeg-installer/ffmpeg says "N-47683-g0e8eb07980-static") carry no release number, but their library
// versions tell: that one has libavformat 58, so it speaks ffmpeg 4's options.
const AVFORMAT_TO_RELEASE: Record<number, number> = { 57: 3, 58: 4, 59: 5, 60: 6, 61: 7, 62: 8 };

/** Parses `ffmpeg -version` output (or only its first line). Pure; exported for tests. */
export function parseFfmpegVersion(versionOutput: string): { major: number; minor: number } {
  const m = /ffmpeg version n?(\d+)\.(\d+)/i.exec(versionOutput);
  if (m) return { major: Number(m[1]), minor: Number(m[2]) };
  const lib = /libavformat\s+(\d+)\.\s*(\d+)/.exec(versionOutput);
  const release = lib ? AVFORMAT_TO_RELEASE[Number(lib[1])] : undefined;
  if (release !== undefined) return { major: release, minor: 0 };
  return { major: 99, minor: 0 }; // unknown vendor string and no library versions: assume current
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
    ...parseFfmpegVersion(version),
    hasLibx264: /\blibx264\b/.test(encoders),
    hasDrawtext: /\bdrawtext\b/.test(filters),
  };
}

/** locateFfmpeg + probeFfmpeg: what a composition root calls once. */
export async function findFfmpeg(env: Record<string, string | undefined> = process.env): Promise<FfmpegInfo> {
  return probeFfmpeg(await locateFfmpeg(env));
}
