// A real camera stand-in: ffmpeg encodes a small test pattern and pushes it over RTMP.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Publisher { proc: ChildProcess; stop(signal?: NodeJS.Signals): Promise<void>; exited: Promise<number | null>; stderr(): string }

export function publishTestPattern(rtmpUrl: string, size = '320x180'): Publisher {
  const proc = spawn(process.env.FFMPEG_PATH || 'ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-bf', '0', '-pix_fmt', 'yuv420p',
    '-f', 'flv', rtmpUrl,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  return {
    proc, exited, stderr: () => err,
    async stop(signal: NodeJS.Signals = 'SIGKILL') { if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal); await exited; },
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 8000, every = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
