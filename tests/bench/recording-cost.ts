// npm run bench:recording — what recording costs per camera (targets: ≤ 0.5 % of one core, ≤ 60 MB) and whether
// any segment is lost. The real room (RECORDING=on) with BENCH_CAMERAS (8) cameras, each pushing a pre-encoded
// 1080p 4 Mbit/s loop with -c copy (a camera stand-in that costs next to nothing). After they have recorded for a
// while, the recorders' ffmpeg processes are sampled from /proc for BENCH_SECONDS (30): CPU (utime+stime) and memory
// (RSS, and PSS: RSS with shared libraries divided among the processes that map them). Segments are then checked:
// per camera one run, sequence numbers without holes, each segment starting where the previous ended.
import { spawn, type ChildProcess, execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { startRoom } from '../../server/main.js';
import { loopPushArgs } from '../../streams/ffmpeg/args.js';
import { publishUrl } from '../../streams/stream-path.js';
import { hashPublishKey } from '../../server/cameras/service.js';
import { benchDatabase, log, median, round, source1080p, writeResult } from './evidence-support.js';

const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 8);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_MS = 8000;
const TARGET = { cpuPctOfCore: 0.5, memoryMB: 60 };
const CLK_TCK = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;

const ticks = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};
const kb = (pid: number, file: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'))?.[1] ?? NaN);

async function main() {
  const src = await source1080p(10);
  const db = await benchDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'uitkijk-bench-rec-'));
  const pushers: ChildProcess[] = [];
  const config = loadConfig({
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', MEDIA_HOST: '127.0.0.1', RTMP_PORT: '0', FLV_PORT: '0', DATABASE_URL: db.url,
    DATA_DIR: dataDir, MEDIA_DIR: path.join(dataDir, 'media'), DEMO: 'false', LOG_LEVEL: 'warn', SERVE_CLIENT: 'false', RECORDING: 'on', DISPATCH_WORKER: 'false',
  });
  const room = await startRoom(config, createLogger('warn'));
  try {
    const ids = Array.from({ length: CAMERAS }, (_, i) => `bench-rec-${i}`);
    for (const id of ids) {
      await db.sql`insert into cameras (id, name, municipality_id, street, lat, lon, kind, source_type, key_hash) values (${id}, 'Bench', 'enschede', 'x', 52, 6, 'permanent', 'rtmp', ${hashPublishKey(`key-${id}`)})`;
      pushers.push(spawn('ffmpeg', loopPushArgs(src.mp4, publishUrl({ host: '127.0.0.1', port: room.media.rtmpPort }, { cameraId: id, stream: 'main' }, `key-${id}`)), { stdio: 'ignore' }));
      await new Promise((r) => setTimeout(r, 150)); // cameras come online one by one, as in a real room
    }
    const deadline = Date.now() + 60_000;
    while ((await room.recorder!.statuses()).filter((s) => s.state === 'running').length < CAMERAS) {
      if (Date.now() > deadline) throw new Error('not every camera is being recorded');
      await new Promise((r) => setTimeout(r, 200));
    }
    log(`${CAMERAS} cameras recording; warming up ${WARMUP_MS / 1000} s, then sampling ${SECONDS} s`);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const pids = (await room.recorder!.statuses()).map((s) => s.pid!).filter(Boolean);
    const t0 = Date.now(), before = pids.map(ticks);
    const windowStart = new Date();
    const mem: Array<{ rss: number; pss: number }> = [];
    for (let s = 0; s < SECONDS; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      for (const pid of pids) mem.push({ rss: kb(pid, 'status', 'VmRSS') / 1024, pss: kb(pid, 'smaps_rollup', 'Pss') / 1024 });
    }
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = pids.map((pid, i) => ((ticks(pid) - before[i]!) / CLK_TCK / elapsed) * 100);
    const windowEnd = new Date();
    await new Promise((r) => setTimeout(r, 3000)); // let the segments of the window close
    const loss: string[] = [];
    let segmentsInWindow = 0;
    for (const id of ids) {
      const rows = await db.sql`select run_id, seq, started_at, ended_at from recording_segments where camera_id = ${id} and ended_at > ${windowStart} and started_at < ${windowEnd} order by seq`;
      segmentsInWindow += rows.length;
      if (new Set(rows.map((r) => r.run_id)).size !== 1) loss.push(`${id}: recorder restarted`);
      rows.forEach((r, i) => {
        if (i === 0) return;
        const p = rows[i - 1]!;
        if (r.seq !== p.seq + 1) loss.push(`${id}: seq ${p.seq} → ${r.seq}`);
        if (r.started_at.getTime() !== p.ended_at.getTime()) loss.push(`${id}: gap at ${p.ended_at.toISOString()}`);
      });
      const covered = rows.length ? (Math.min(rows.at(-1)!.ended_at.getTime(), windowEnd.getTime()) - Math.max(rows[0]!.started_at.getTime(), windowStart.getTime())) / 1000 : 0;
      if (covered < SECONDS - 3) loss.push(`${id}: only ${round(covered)} s of ${SECONDS} s covered`);
    }
    const result = {
      cameras: CAMERAS, seconds: SECONDS, source: '1920x1080 25 fps, GOP 1 s, 4 Mbit/s, pushed with -c copy',
      cpuPctOfCore: { median: round(median(cpu), 2), max: round(Math.max(...cpu), 2) },
      memoryMB: { rssMedian: round(median(mem.map((m) => m.rss))), rssMax: round(Math.max(...mem.map((m) => m.rss))), pssMedian: round(median(mem.map((m) => m.pss))), pssMax: round(Math.max(...mem.map((m) => m.pss))) },
      segmentsInWindow, lost: loss, target: TARGET,
      pass: Math.max(...cpu) <= TARGET.cpuPctOfCore && Math.max(...mem.map((m) => m.rss)) <= TARGET.memoryMB && loss.length === 0,
    };
    const file = writeResult(`recording-cost-${CAMERAS}`, result);
    log(`per recorder: CPU ${result.cpuPctOfCore.median} % of a core (max ${result.cpuPctOfCore.max}), RSS ${result.memoryMB.rssMedian} MB (PSS ${result.memoryMB.pssMedian} MB); ${segmentsInWindow} segments, lost: ${loss.length ? loss.join('; ') : 'none'} → ${result.pass ? 'PASS' : 'FAIL'} (${file})`);
    if (!result.pass) process.exitCode = 1;
  } finally {
    for (const p of pushers) p.kill('SIGKILL');
    await room.stop();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(2); });
