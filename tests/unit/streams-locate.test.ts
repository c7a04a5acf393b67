import { describe, expect, it } from 'vitest';
import { locateFfmpeg, parseFfmpegVersion, type LocateDeps } from '../../streams/ffmpeg/locate.js';
import { chooseFfprobe } from '../../streams/ffmpeg/probe.js';

function deps(executables: string[], installer?: string): LocateDeps {
  return {
    isExecutable: async (p) => executables.includes(p),
    importInstaller: async () => {
      if (!installer) throw new Error("Cannot find package '@ffmpeg-installer/ffmpeg'");
      return { path: installer };
    },
  };
}

describe('locateFfmpeg', () => {
  it('prefers FFMPEG_PATH', async () => {
    await expect(locateFfmpeg({ FFMPEG_PATH: '/opt/ff', PATH: '/usr/bin' }, deps(['/opt/ff', '/usr/bin/ffmpeg']))).resolves.toEqual({
      path: '/opt/ff',
      source: 'FFMPEG_PATH',
    });
  });

  it('refuses a wrong FFMPEG_PATH instead of silently using another binary', async () => {
    await expect(locateFfmpeg({ FFMPEG_PATH: '/nope', PATH: '/usr/bin' }, deps(['/usr/bin/ffmpeg']))).rejects.toThrow(/FFMPEG_PATH=\/nope/);
  });

  it('then searches PATH in order', async () => {
    await expect(locateFfmpeg({ PATH: '/a:/b:/c' }, deps(['/b/ffmpeg', '/c/ffmpeg']))).resolves.toEqual({ path: '/b/ffmpeg', source: 'PATH' });
  });

  it('then uses @ffmpeg-installer/ffmpeg', async () => {
    await expect(locateFfmpeg({ PATH: '/a' }, deps(['/nm/ffmpeg'], '/nm/ffmpeg'))).resolves.toEqual({
      path: '/nm/ffmpeg',
      source: '@ffmpeg-installer/ffmpeg',
    });
  });

  it('fails with a message that says how to fix it', async () => {
    await expect(locateFfmpeg({ PATH: '/a' }, deps([]))).rejects.toThrow(/ffmpeg not found: set FFMPEG_PATH.*@ffmpeg-installer\/ffmpeg/);
  });

  it('finds the real ffmpeg of this machine', async () => {
    const found = await locateFfmpeg();
    expect(found.path).toMatch(/ffmpeg$/);
  });
});

describe('parseFfmpegVersion', () => {
  it('reads Debian, static and git version strings', () => {
    expect(parseFfmpegVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026')).toEqual({ major: 5, minor: 1 });
    expect(parseFfmpegVersion('ffmpeg version 4.1-static https://johnvansickle.com')).toEqual({ major: 4, minor: 1 });
    expect(parseFfmpegVersion('ffmpeg version n6.0 Copyright')).toEqual({ major: 6, minor: 0 });
    expect(parseFfmpegVersion('ffmpeg version N-112233-gabcdef')).toEqual({ major: 99, minor: 0 });
  });
  it('reads the release of a git snapshot from its libavformat version (the packaged static build)', () => {
    const packaged = [
      'ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2000-2018 the FFmpeg developers',
      'libavutil      56. 24.101 / 56. 24.101',
      'libavformat    58. 22.100 / 58. 22.100',
    ].join('\n');
    expect(parseFfmpegVersion(packaged)).toEqual({ major: 4, minor: 0 });
    expect(parseFfmpegVersion('ffmpeg version N-1-gabc\nlibavformat    61.  7.100 / 61.  7.100')).toEqual({ major: 7, minor: 0 });
  });
});

describe('chooseFfprobe', () => {
  const deps = (executables: string[], packaged: string | null = null) => ({ isExecutable: (p: string) => executables.includes(p), packaged: () => packaged });
  it('prefers FFPROBE_PATH, then the one beside the ffmpeg in use', () => {
    expect(chooseFfprobe('/usr/bin/ffmpeg', { FFPROBE_PATH: '/opt/fp', PATH: '/usr/bin' }, deps(['/usr/bin/ffprobe']))).toBe('/opt/fp');
    expect(chooseFfprobe('/opt/ff/ffmpeg', { PATH: '/usr/bin' }, deps(['/opt/ff/ffprobe', '/usr/bin/ffprobe']))).toBe('/opt/ff/ffprobe');
  });
  it('then PATH, then the packaged one: the packaged ffmpeg has no ffprobe beside it', () => {
    const ff = '/app/node_modules/@ffmpeg-installer/linux-x64/ffmpeg';
    const fp = '/app/node_modules/@ffprobe-installer/linux-x64/ffprobe';
    expect(chooseFfprobe(ff, { PATH: '/a:/b' }, deps(['/b/ffprobe', fp], fp))).toBe('/b/ffprobe');
    expect(chooseFfprobe(ff, { PATH: '/a:/b' }, deps([fp], fp))).toBe(fp);
    expect(chooseFfprobe(ff, { PATH: '/a' }, deps([]))).toBe('ffprobe'); // fails at first use, naming the tool
  });
});
