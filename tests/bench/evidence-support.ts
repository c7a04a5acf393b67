// Small helpers of the recording/evidence benchmarks: an embedded PostgreSQL with the schema, a cached 1080p
// 4 Mbit/s source, and the result file. Kept apart from support.ts (the live-video benchmarks' helpers).
import { execFile } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSql, startEmbeddedPostgres, type Sql } from '../../server/db/connect.js';
import { migrate } from '../../server/db/migrate.js';
import { seedReferenceData } from '../../server/demo/seed.js';
import { createLogger } from '../../server/log.js';
import { freePort } from '../support/ports.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = process.env.BENCH_DATA_DIR || '/tmp/uitkijk-bench-cache';

export const log = (...parts: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);

export function machine() {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memGB: Math.round(totalmem() / 1e9), node: process.version, loadavg: readFileSync('/proc/loadavg', 'utf8').trim() };
}

export function writeResult(name: string, result: Record<string, unknown>): string {
  const dir = path.join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ bench: name, at: new Date().toISOString(), machine: machine(), ...result }, null, 2) + '\n');
  return file;
}

export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(cmd, args, { maxBuffer: 64 << 20 }, (err, out, errOut) => (err ? reject(new Error(`${cmd} failed: ${errOut || err.message}`)) : resolve(out))));
}

/** An embedded PostgreSQL in a temporary directory, migrated and seeded with reference data. */
export async function benchDatabase(): Promise<{ sql: Sql; url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'uitkijk-bench-pg-'));
  const { chmodSync } = await import('node:fs');
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), log: createLogger('silent') });
  const sql = openSql(pg.url, 4);
  await migrate(sql);
  await seedReferenceData(sql, path.join(root, 'config'));
  return { sql, url: pg.url, async stop() { await sql.end({ timeout: 5 }); await pg.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * A 1080p, 25 fps, 1-s GOP, ~4 Mbit/s H.264 test pattern of `seconds`, encoded once and cached. As MP4 (to push
 * as a camera with -c copy) or cut into 2-s MPEG-TS segments like the recorder's (for clip benchmarks). Encoded with
 * `ffmpeg` (PATH unless given); the cache is the same input for every build a benchmark compares.
 */
export async function source1080p(seconds: number, ffmpeg = 'ffmpeg'): Promise<{ mp4: string; segmentsDir: string; segments: string[] }> {
  const dir = path.join(CACHE, `src-1080p-4M-${seconds}s`);
  const mp4 = path.join(dir, 'source.mp4');
  const segmentsDir = path.join(dir, 'segments');
  if (!existsSync(path.join(dir, 'done'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(segmentsDir, { recursive: true });
    log(`encoding ${seconds} s of 1080p at 4 Mbit/s once (cached in ${dir}) …`);
    await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=25:duration=${seconds}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-bf', '0',
      '-b:v', '4M', '-maxrate', '4M', '-bufsize', '4M', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', mp4 + '.tmp.mp4']);
    renameSync(mp4 + '.tmp.mp4', mp4);
    await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-i', mp4, '-map', '0:v:0', '-c', 'copy', '-f', 'segment', '-segment_format', 'mpegts',
      '-segment_time', '2', path.join(segmentsDir, 'seg-%06d.ts')]);
    writeFileSync(path.join(dir, 'done'), '');
  }
  const { readdirSync } = await import('node:fs');
  return { mp4, segmentsDir, segments: readdirSync(segmentsDir).filter((f) => f.endsWith('.ts')).sort().map((f) => path.join(segmentsDir, f)) };
}

export const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN; };
export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
