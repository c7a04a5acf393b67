// Shared plumbing of the benchmarks: the machine they ran on, free ports, percentiles, the built console,
// starting the real room, and writing bench/results/*.json. Benchmarks report missed targets; they never fail on them.
import { execFileSync, execSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { startRoom, type Room } from '../../server/main.js';
import { ensureClientBuilt as buildClientIfStale } from '../support/client-build.js';
import { freePort } from '../support/ports.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const resultsDir = path.join(root, 'bench', 'results');

export function log(...parts: unknown[]): void {
  console.log(`[${new Date().toISOString().slice(11, 23)}]`, ...parts);
}

export const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').trim();

function cpuTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3]! + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
}

/** How busy the whole machine is (all cores, % of capacity) from now until `stop()`: others' load shows here. */
export function machineBusy() {
  const a = cpuTicks();
  return { stop: () => { const b = cpuTicks(); return Math.round((1 - (b.idle - a.idle) / Math.max(1, b.total - a.total)) * 1000) / 10; } };
}

/** Machine busy % over the next `ms` (taken before the benchmark starts anything: the background load). */
export async function backgroundBusy(ms = 3000): Promise<number> {
  const m = machineBusy();
  await new Promise((r) => setTimeout(r, ms));
  return m.stop();
}

/**
 * BENCH_WAIT_QUIET=<seconds>: before starting, wait up to that long for a 3 s window in which the machine is less
 * than BENCH_QUIET_PCT (default 30) % busy — other work on a 2-core machine shows up in every figure. Returns the
 * busy % of the last window (the background load the benchmark started under).
 */
export async function waitForQuiet(): Promise<{ busyPct: number; waitedMs: number }> {
  const limitMs = Number(process.env.BENCH_WAIT_QUIET ?? 0) * 1000;
  const quiet = Number(process.env.BENCH_QUIET_PCT ?? 30);
  const t = Date.now();
  let busy = await backgroundBusy();
  while (busy >= quiet && Date.now() - t < limitMs) {
    log(`machine ${busy} % busy (others' load): waiting for < ${quiet} % …`);
    busy = await backgroundBusy(5000);
  }
  return { busyPct: busy, waitedMs: Date.now() - t };
}

const CLK_TCK = (() => { try { return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100; } catch { return 100; } })();

function ownTicks(): Map<number, { ticks: number; group: string }> {
  const out = new Map<number, { ticks: number; group: string }>();
  for (const pid of [process.pid, ...descendantProcesses().map((p) => p.pid)]) {
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      const group = pid === process.pid ? 'node (room + harness)' : /chrom/i.test(comm) ? 'chromium' : /ffmpeg/.test(comm) ? 'ffmpeg' : /postgres|postmaster/.test(comm) ? 'postgres' : comm;
      out.set(pid, { ticks: Number(f[11]) + Number(f[12]), group });
    } catch { /* gone */ }
  }
  return out;
}

/**
 * CPU over a window, split into this benchmark's own process tree (node with the room, ffmpeg, PostgreSQL,
 * Chromium) and everything else on the machine (other people's tests): the "others" figure says how much the
 * machine was shared while a number was taken. All in % of one core.
 */
export function loadMeter() {
  const m0 = cpuTicks();
  const o0 = ownTicks();
  const t0 = performance.now();
  return {
    stop() {
      const m1 = cpuTicks();
      const o1 = ownTicks();
      const seconds = (performance.now() - t0) / 1000;
      let ours = 0;
      const groups = new Map<string, number>();
      for (const [pid, { ticks, group }] of o1) {
        const d = ticks - (o0.get(pid)?.ticks ?? 0);
        ours += d;
        groups.set(group, (groups.get(group) ?? 0) + d);
      }
      const busy = (m1.total - m1.idle) - (m0.total - m0.idle);
      const pct = (ticks: number) => Math.round((ticks / CLK_TCK / seconds) * 1000) / 10;
      return {
        seconds: Math.round(seconds * 10) / 10, machineBusyPctOfOneCore: pct(busy), oursPctOfOneCore: pct(ours), othersPctOfOneCore: Math.max(0, pct(busy - ours)),
        ours: Object.fromEntries([...groups].filter(([, t]) => t > 0).sort((a, b) => b[1] - a[1]).map(([g, t]) => [g, pct(t)])),
        loadavg: loadavg(),
      };
    },
  };
}
export type LoadFigures = ReturnType<ReturnType<typeof loadMeter>['stop']>;

export function appendRun(name: string, summary: unknown): void {
  mkdirSync(resultsDir, { recursive: true });
  appendFileSync(path.join(resultsDir, `${name}-runs.jsonl`), JSON.stringify(summary) + '\n');
}

export interface Machine {
  nproc: number; cpuModel: string; memGiB: number; node: string; chromium?: string; ffmpeg?: string; kernel: string; date: string; loadavgAtStart: string;
}

export function machine(extra: { chromiumPath?: string } = {}): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const tryRun = (cmd: string, args: string[]) => { try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return undefined; } };
  return {
    nproc: Number(execSync('nproc', { encoding: 'utf8' }).trim()),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    ...(extra.chromiumPath ? { chromium: tryRun(extra.chromiumPath, ['--version'])?.split('\n').pop() } : {}),
    ffmpeg: tryRun(process.env.FFMPEG_PATH || 'ffmpeg', ['-version'])?.split('\n')[0],
    kernel: os.release(),
    date: new Date().toISOString(),
    loadavgAtStart: loadavg(),
  };
}


/** Nearest-rank percentile of unsorted numbers (null for none). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const round = (v: number | null | undefined, digits = 0): number | null => (v == null || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits);

export interface Verdict { target: string; measured: number | null; unit: string; met: boolean | null }

/** `<=` targets only (all of ours are ceilings or floors given as such). */
export function check(target: string, measured: number | null, limit: number, unit: string, kind: '<=' | '>=' = '<='): Verdict {
  return { target, measured, unit, met: measured === null ? null : kind === '<=' ? measured <= limit : measured >= limit };
}

export const verdictWord = (v: Verdict) => (v.met === null ? 'NOT MEASURED' : v.met ? 'met' : 'MISSED');

export function writeResult(name: string, data: unknown): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

/** The console (dist/client), built when missing or older than client/ (the e2e tests' own helper). */
export function ensureClientBuilt(): { built: boolean; ms: number } {
  const t = Date.now();
  const before = existsSync(path.join(root, 'dist/client/index.html')) ? statSync(path.join(root, 'dist/client/index.html')).mtimeMs : 0;
  buildClientIfStale();
  const after = statSync(path.join(root, 'dist/client/index.html')).mtimeMs;
  return { built: after !== before, ms: Date.now() - t };
}

/** A data directory the embedded PostgreSQL (run as the 'postgres' user when we are root) can reach. */
export function prepareDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  return dir;
}

/** The real room on 127.0.0.1 with embedded PostgreSQL under dataDir and the demo cameras streaming. */
export async function startBenchRoom(dataDir: string, env: Record<string, string>): Promise<Room> {
  const [pgPort, rtspPort] = [await freePort(), await freePort()];
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', RTMP_PORT: '0', FLV_PORT: '0', MEDIA_HOST: '127.0.0.1',
    DATA_DIR: dataDir, MEDIA_DIR: path.join(dataDir, 'media'), DEMO: 'true', DEMO_CAMERAS: 'true',
    DEMO_RTSP_PORT: String(rtspPort), EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'warn',
    DATABASE_URL: '', // always the embedded one under DATA_DIR, never a DATABASE_URL from the shell
    ...env,
  }, path.join(root, 'config'));
  return startRoom(config, createLogger(config.LOG_LEVEL), { configDir: path.join(root, 'config') });
}

// The tests' poller (ms given by every caller here).
export { waitFor } from '../support/publisher.js';

interface ProcRef { pid: number; start: string; what: string }

/** Every live descendant of this process (pid, start time, command), read from /proc. */
export function descendantProcesses(): ProcRef[] {
  const all: Array<ProcRef & { ppid: number }> = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z') continue; // a zombie is already dead
      all.push({ pid: Number(e), ppid: Number(f[1]), start: f[19]!, what: readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 120) });
    } catch { /* gone */ }
  }
  const out: ProcRef[] = [];
  const walk = (pid: number) => { for (const c of all.filter((p) => p.ppid === pid)) { out.push({ pid: c.pid, start: c.start, what: c.what }); walk(c.pid); } };
  walk(process.pid);
  return out;
}

const alive = (p: ProcRef) => {
  try {
    const s = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return f[19] === p.start && f[0] !== 'Z';
  } catch { return false; }
};

/**
 * Runs `main`, then the registered cleanups in reverse (also after a failure or Ctrl-C), then makes sure that no
 * process this benchmark started outlives it: whatever room.stop()/browser.close() left running is reported and
 * ended by pid. Exit 0 when the benchmark ran (targets missed or not), 1 on a harness failure.
 */
export function runBench(main: (cleanup: (fn: () => Promise<unknown> | unknown) => void) => Promise<void>): void {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let cleaning: Promise<void> | null = null;
  let failed = false;
  // Helpers of the runtime itself (tsx's esbuild service) are not ours to stop: they end with this process.
  const baseline = new Set(descendantProcesses().map((p) => p.pid));
  const cleanAll = () => (cleaning ??= (async () => {
    const started = descendantProcesses().filter((p) => !baseline.has(p.pid));
    for (const fn of cleanups.reverse()) {
      try { await fn(); } catch (e) { console.error('cleanup step failed:', e); }
    }
    const deadline = Date.now() + 5000;
    while (started.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const left = started.filter(alive);
    if (left.length) {
      console.error(`WARNING: ${left.length} process(es) outlived the room's stop(); ending them by pid:\n${left.map((p) => `  ${p.pid} ${p.what}`).join('\n')}`);
      for (const p of left) { try { process.kill(p.pid, 'SIGTERM'); } catch { /* gone */ } }
      const hard = Date.now() + 5000;
      while (left.some(alive) && Date.now() < hard) await new Promise((r) => setTimeout(r, 100));
      for (const p of left.filter(alive)) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
    }
  })());
  const finish = (code: number) => void cleanAll().then(() => process.exit(code));
  process.once('SIGINT', () => { console.error('\nSIGINT: stopping everything the benchmark started …'); failed = true; finish(130); });
  process.once('SIGTERM', () => { console.error('\nSIGTERM: stopping everything the benchmark started …'); failed = true; finish(143); });
  // An exception nobody catches (seen: the postgres driver writing to a closed socket while the room stops) must
  // not end the process before the embedded PostgreSQL and the ffmpeg children are stopped.
  process.on('uncaughtException', (e) => {
    console.error(`uncaught exception${cleaning ? ' during shutdown' : ''}:`, e instanceof Error ? e.stack ?? e.message : e);
    if (!cleaning) { failed = true; finish(1); }
  });
  main((fn) => cleanups.push(fn))
    .then(() => finish(failed ? 1 : 0))
    .catch((e) => {
      console.error('benchmark harness failure:', e instanceof Error ? e.stack ?? e.message : e);
      failed = true;
      finish(1);
    });
}

// ---- processes: CPU ticks and memory of process trees, read from /proc ---------------------------------------------

export interface Proc { pid: number; ppid: number; ticks: number; pssKb: number; comm: string }
/** Clock ticks per second of /proc's CPU counters (Linux's USER_HZ). */
export const CLK = 100;

/** Every process now: parent, CPU ticks (user + system), PSS when `pss` (costs a read of smaps_rollup each). */
export function processes(pss = false): Proc[] {
  const out: Proc[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      let pssKb = 0;
      if (pss) try { pssKb = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${e}/smaps_rollup`, 'utf8'))?.[1] ?? 0); } catch { /* kernel thread */ }
      out.push({ pid: Number(e), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), pssKb, comm: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')) });
    } catch { /* gone */ }
  }
  return out;
}

/** The pids of a process and all its descendants. */
export function treeIds(all: Proc[], rootPid: number): Set<number> {
  const ids = new Set([rootPid]);
  for (let grew = true; grew;) { grew = false; for (const p of all) if (!ids.has(p.pid) && ids.has(p.ppid)) { ids.add(p.pid); grew = true; } }
  return ids;
}

/** Where benches keep what they encode once (BENCH_DATA_DIR, else /tmp). */
export const BENCH_CACHE = process.env.BENCH_DATA_DIR || '/tmp/uitkijk-bench-cache';

/** A camera's picture for the load benches: 10 s of 720p at ~2 Mbit/s, a keyframe a second, encoded once and cached. */
export function loop720p(ffmpeg: string): string {
  const file = path.join(BENCH_CACHE, 'storm-720p-2mbit.flv');
  if (existsSync(file)) return file;
  mkdirSync(BENCH_CACHE, { recursive: true });
  log('encoding the 720p loop once …');
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-t', '10',
    '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '2M', '-maxrate', '2M', '-bufsize', '2M', '-g', '25', '-bf', '0', '-pix_fmt', 'yuv420p', '-f', 'flv', file]);
  return file;
}
