// Helpers for the streams integration tests: a cached tiny test loop, tracked ffmpeg children that are
// always killed, and FLV readers over HTTP and WebSocket. Test-only; nothing in the app imports this.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultFontFile } from '../demo-cameras.js';
import { demoLoopEncodeArgs, SUB_PROFILE, type VideoProfile } from '../ffmpeg/args.js';
import { findFfmpeg, type FfmpegInfo } from '../ffmpeg/locate.js';
import { FlvReader, type FlvHeader, type FlvTag } from '../flv-reader.js';

let ffmpegInfo: Promise<FfmpegInfo> | null = null;
export function testFfmpeg(): Promise<FfmpegInfo> {
  ffmpegInfo ??= findFfmpeg();
  return ffmpegInfo;
}

export const FONT_FILE = defaultFontFile();

function runFfmpeg(path: string, args: string[], timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()).length > 4000 && (err = err.slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited ${code}: ${err}`));
    });
  });
}

/** A short H.264 loop (default 640x360, 2 s), encoded once per machine and reused. */
export async function testLoop(profile: VideoProfile = SUB_PROFILE, seconds = 2): Promise<string> {
  const ff = await testFfmpeg();
  const dir = join(tmpdir(), 'uitkijk-test-loops');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `loop-${profile.width}x${profile.height}-${seconds}s.mp4`);
  if (existsSync(out)) return out;
  const title = join(dir, 'title.txt');
  const counter = join(dir, 'counter.txt');
  writeFileSync(title, 'test camera');
  writeFileSync(counter, 'loop %{pts:hms}');
  const tmp = `${out}.${process.pid}.tmp.mp4`;
  await runFfmpeg(ff.path, demoLoopEncodeArgs({ profile, seconds, titleFile: title, counterFile: counter, fontFile: FONT_FILE, output: tmp }));
  renameSync(tmp, out);
  return out;
}

/** Children started by a test; `stopAll()` in afterEach/afterAll guarantees none outlives the test file. */
export class ChildTracker {
  private readonly children = new Set<ChildProcess>();

  spawn(command: string, args: string[]): ChildProcess & { exited: Promise<number | null>; stderrText: () => string } {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 8000) stderr = stderr.slice(-8000);
    });
    this.children.add(child);
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        this.children.delete(child);
        resolve(code);
      });
      child.once('error', () => {
        this.children.delete(child);
        resolve(null);
      });
    });
    return Object.assign(child, { exited, stderrText: () => stderr });
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.children].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    this.children.clear();
  }
}

export interface FlvReadResult {
  status: number;
  header: FlvHeader | null;
  tags: FlvTag[];
  /** ms from request to the first video tag carrying a frame. */
  firstFrameMs: number | null;
}

function videoFrames(tags: FlvTag[]): number {
  return tags.filter((t) => t.type === 'video' && t.avcPacketType === 1).length;
}

/** GETs an HTTP-FLV URL and reads until `frames` video frames arrived (or the timeout / end of stream). */
export function readHttpFlv(url: string, frames: number, timeoutMs: number): Promise<FlvReadResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const reader = new FlvReader();
    const tags: FlvTag[] = [];
    let firstFrameMs: number | null = null;
    let status = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      if (err) reject(err);
      else resolve({ status, header: reader.header, tags, firstFrameMs });
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    const req = http.get(url, (res) => {
      status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        res.on('end', () => finish());
        return;
      }
      res.on('data', (chunk: Buffer) => {
        try {
          tags.push(...reader.push(chunk));
        } catch (e) {
          return finish(e as Error);
        }
        if (firstFrameMs === null && videoFrames(tags) > 0) firstFrameMs = Date.now() - started;
        if (videoFrames(tags) >= frames) finish();
      });
      res.on('end', () => finish());
    });
    req.on('error', (e) => (done ? undefined : finish(e)));
  });
}

interface WsClient {
  on(event: 'message', l: (data: Buffer) => void): void;
  on(event: 'unexpected-response', l: (req: unknown, res: http.IncomingMessage) => void): void;
  on(event: 'error' | 'close' | 'open', l: (...a: unknown[]) => void): void;
  terminate(): void;
}
const require = createRequire(import.meta.url);
// ws is not a direct dependency; use the copy node-media-server brings (see streams/README.md).
const WebSocket = require(require.resolve('ws', { paths: [dirname(require.resolve('node-media-server/package.json'))] })) as new (
  url: string,
  options?: { headers?: Record<string, string> },
) => WsClient;

/**
 * Opens a WebSocket-FLV URL like mpegts.js does and reads `frames` video frames. status: 101 or the refusal.
 * headers: what the browser would send along, e.g. the console's session cookie.
 */
export function readWsFlv(url: string, frames: number, timeoutMs: number, headers: Record<string, string> = {}): Promise<FlvReadResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const reader = new FlvReader();
    const tags: FlvTag[] = [];
    let status = 0;
    let firstFrameMs: number | null = null;
    let done = false;
    const ws = new WebSocket(url, { headers });
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.terminate();
      resolve({ status, header: reader.header, tags, firstFrameMs });
    };
    const timer = setTimeout(finish, timeoutMs);
    ws.on('open', () => (status = 101));
    ws.on('unexpected-response', (_req, res) => {
      status = res.statusCode ?? 0;
      finish();
    });
    ws.on('message', (data: Buffer) => {
      tags.push(...reader.push(Buffer.from(data)));
      if (firstFrameMs === null && videoFrames(tags) > 0) firstFrameMs = Date.now() - started;
      if (videoFrames(tags) >= frames) finish();
    });
    ws.on('error', finish);
    ws.on('close', finish);
  });
}

export function countVideoFrames(tags: FlvTag[]): number {
  return videoFrames(tags);
}

/** Resolves when `predicate` holds, polling; rejects after timeoutMs with `what`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function writeTextFile(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}
