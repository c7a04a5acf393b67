// npm run bench:demo-cpu — what the demo cameras cost in steady state, in the default 'loops' mode.
//
// Starts the real room (embedded PostgreSQL, node-media-server, demo simulator, RTSP bridge) with all seeded demo
// cameras streaming, waits until every camera (and every sub stream) is online, then reads utime+stime of every
// ffmpeg child and of this node process (server + media-server ingest) from /proc/<pid>/stat once a second for
// BENCH_CPU_SECONDS (30 s). No browser watches: this is the ingest side only.
//
// DATA_DIR is a persistent directory (BENCH_DATA_DIR, default /tmp/uitkijk-bench-cache) so the loops encoded on
// the first start (~45 s, one at a time) are reused by later runs; the embedded PostgreSQL lives there too, but is
// made afresh each run: the seed keeps a camera row once inserted, so the RTSP demo camera would keep the rtsp://
// URL (with the DEMO_RTSP_PORT) of the run that created it and never come online on a later run with another port.
import { execSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Room } from '../../server/main.js';
import { appendRun, check, loadavg, loadMeter, log, machine, prepareDataDir, root, round, runBench, startBenchRoom, verdictWord, waitFor, waitForQuiet, writeResult } from './support.js';

const SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 30);
const SETTLE_MS = 5000;
const DATA_DIR = process.env.BENCH_DATA_DIR || '/tmp/uitkijk-bench-cache';
const TARGET_PCT = 50;

const CLK_TCK = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;

interface Proc { pid: number; ppid: number; comm: string; ticks: number; startTicks: number }

function readStat(pid: number): Proc | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after it start at the last ')'.
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    // f[0] = state (field 3); utime = field 14, stime = field 15, starttime = field 22.
    return { pid, ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]), startTicks: Number(f[19]) };
  } catch { return null; }
}

function cmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(); } catch { return ''; }
}

/** Every descendant of `ancestor`. */
function descendants(ancestor: number): Proc[] {
  const all: Proc[] = [];
  for (const e of readdirSync('/proc')) if (/^\d+$/.test(e)) { const p = readStat(Number(e)); if (p) all.push(p); }
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: Proc[] = [];
  const walk = (pid: number) => { for (const c of children.get(pid) ?? []) { out.push(c); walk(c.pid); } };
  walk(ancestor);
  return out;
}

type Role = 'demo loop push (RTMP, -c copy)' | 'demo RTSP source (RTP, -c copy)' | 'RTSP bridge (-c copy)' | 'recorder (HTTP-FLV → segments, -c copy)' | 'other ffmpeg' | 'postgres' | 'node (server, media server, harness)';

function roleOf(p: Proc, cmd: string): Role | null {
  if (p.pid === process.pid) return 'node (server, media server, harness)';
  if (p.comm === 'postgres' || cmd.includes('/postgres')) return 'postgres';
  if (!/ffmpeg/.test(p.comm) && !/ffmpeg/.test(cmd.split(' ')[0] ?? '')) return null;
  if (cmd.includes('-rtsp_transport')) return 'RTSP bridge (-c copy)';
  if (cmd.includes(' -f rtp ')) return 'demo RTSP source (RTP, -c copy)';
  if (cmd.includes('-stream_loop') && cmd.includes('rtmp://')) return 'demo loop push (RTMP, -c copy)';
  if (/-i http:\/\/\S+\.flv/.test(cmd) && cmd.includes('segment')) return 'recorder (HTTP-FLV → segments, -c copy)';
  return 'other ffmpeg';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

runBench(async (cleanup) => {
  const info = machine();
  const { busyPct: busyBefore, waitedMs } = await waitForQuiet();
  log('machine', info.nproc, 'cores,', info.cpuModel, '· loadavg', info.loadavgAtStart, '· CLK_TCK', CLK_TCK, `· ${busyBefore} % busy before start (others' load)`);
  const dataDir = prepareDataDir(path.resolve(DATA_DIR));
  for (const stale of ['postgres', '.pg-password']) rmSync(path.join(dataDir, stale), { recursive: true, force: true });
  log('starting the room (DEMO_VIDEO=loops) with DATA_DIR', dataDir, '(loops cached under demo-loops/)');
  const t0 = Date.now();
  // Recordings of this run go to a temporary directory (they are not kept between runs, unlike the loops).
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'uitkijk-bench-media-'));
  cleanup(() => rmSync(mediaDir, { recursive: true, force: true }));
  const room: Room = await startBenchRoom(dataDir, { DEMO_VIDEO: 'loops', SERVE_CLIENT: 'false', MEDIA_DIR: mediaDir });
  cleanup(() => room.stop());
  // Flexible units stream only inside an approved window (the demo seed has one running for unit 1); the others are refused.
  const active = new Set(room.activation.all().map((a) => a.cameraId));
  const cams = room.demo!.cameras.filter((c) => c.kind !== 'flexible' || active.has(c.id));
  const online = () => cams.filter((c) => { const s = room.board.get(c.id); return s.online && (c.rtsp || s.subStreamOnline); }).length;
  let lastShown = -1;
  await waitFor(`all ${cams.length} demo cameras online`, () => {
    const n = online();
    if (n !== lastShown) { log(`${n}/${cams.length} cameras online (with sub streams)`); lastShown = n; }
    return n === cams.length;
  }, 300_000, 500);
  const allOnlineMs = Date.now() - t0;
  log(`all ${cams.length} cameras online after ${allOnlineMs} ms; settling ${SETTLE_MS} ms`);
  await sleep(SETTLE_MS);

  // Sample once a second; per pid, CPU = last ticks − first ticks seen in the window (a restarted process is a new pid).
  const first = new Map<number, Proc & { role: Role; cmd: string }>();
  const last = new Map<number, Proc>();
  const take = () => {
    for (const p of [readStat(process.pid)!, ...descendants(process.pid)]) {
      if (!first.has(p.pid)) {
        const cmd = cmdline(p.pid);
        const role = roleOf(p, cmd);
        if (!role) continue;
        first.set(p.pid, { ...p, role, cmd });
      }
      last.set(p.pid, p);
    }
  };
  const load0 = loadavg();
  const load = loadMeter();
  const started = performance.now();
  take();
  const pidsAtStart = new Set(first.keys());
  while (performance.now() - started < SECONDS * 1000) { await sleep(1000); take(); }
  const seconds = (performance.now() - started) / 1000;
  const cpu = load.stop();
  const load1 = loadavg();
  const liveAfter = cams.filter((c) => room.board.get(c.id).online).length;

  const pct = (ticks: number) => (ticks / CLK_TCK / seconds) * 100;
  const byRole = new Map<Role, { processes: number; ticks: number }>();
  const perProcess: Array<{ pid: number; role: Role; pct: number | null; what: string }> = [];
  for (const [pid, a] of first) {
    const b = last.get(pid)!;
    const ticks = b.ticks - a.ticks;
    const r = byRole.get(a.role) ?? { processes: 0, ticks: 0 };
    byRole.set(a.role, { processes: r.processes + 1, ticks: r.ticks + ticks });
    if (a.role !== 'postgres') perProcess.push({ pid, role: a.role, pct: round(pct(ticks), 2), what: a.cmd.replace(/key=[^\s&]+/g, 'key=…').replace(/token=[^\s&]+/g, 'token=…').slice(0, 200) });
  }
  const sum = (roles: Role[]) => [...byRole].filter(([r]) => roles.includes(r)).reduce((a, [, v]) => a + v.ticks, 0);
  // The demo cameras: the simulator's processes and the RTSP bridge that its RTSP camera needs. The recorder
  // (the product recording every live camera) is reported beside them, not counted as demo cost.
  const ffmpegRoles: Role[] = ['demo loop push (RTMP, -c copy)', 'demo RTSP source (RTP, -c copy)', 'RTSP bridge (-c copy)', 'other ffmpeg'];
  const ffmpegPct = round(pct(sum(ffmpegRoles)), 1);
  const simulatorPct = round(pct(sum(['demo loop push (RTMP, -c copy)', 'demo RTSP source (RTP, -c copy)'])), 1);
  const nodePct = round(pct(sum(['node (server, media server, harness)'])), 1);
  const totalPct = round((ffmpegPct ?? 0) + (nodePct ?? 0), 1);
  const postgresPct = round(pct(sum(['postgres'])), 1);
  const recorderPct = round(pct(sum(['recorder (HTTP-FLV → segments, -c copy)'])), 1);
  const startedDuring = [...first.values()].filter((p) => !pidsAtStart.has(p.pid)).map((p) => ({ pid: p.pid, role: p.role }));
  const restarted = startedDuring.length;
  const ffmpegCount = [...first.values()].filter((p) => ffmpegRoles.includes(p.role)).length;

  const verdicts = [
    check(`demo cameras: all ffmpeg processes (simulator + RTSP bridge) ≤ ${TARGET_PCT} % of one core`, ffmpegPct, TARGET_PCT, '% of one core'),
    check(`demo cameras incl. the server's ingest (ffmpeg + node) ≤ ${TARGET_PCT} % of one core`, totalPct, TARGET_PCT, '% of one core'),
  ];
  const result = {
    benchmark: 'CPU of the demo cameras in steady state (DEMO_VIDEO=loops)',
    command: 'npm run bench:demo-cpu',
    machine: { ...info, clkTck: CLK_TCK, busyPctOfAllCoresBeforeStart: busyBefore },
    method: `${cams.length} seeded cameras (${cams.filter((c) => !c.rtsp).length} RTMP with main 1280x720 + sub 640x360 loops, ${cams.filter((c) => c.rtsp).length} RTSP main-only via the demo RTSP server and the real ffmpeg bridge), all online, ${SETTLE_MS / 1000} s settle, then utime+stime from /proc/<pid>/stat of every ffmpeg child and this node process, sampled every 1 s for ${SECONDS} s. No viewers. % of one core = CPU seconds / wall seconds × 100.`,
    dataDir,
    allCamerasOnlineAfterMs: allOnlineMs,
    camerasOnlineAtEnd: `${liveAfter}/${cams.length}`,
    seconds: round(seconds, 1),
    targets: verdicts.map((v) => ({ ...v, verdict: verdictWord(v) })),
    pctOfOneCore: {
      ffmpegAll: ffmpegPct,
      simulatorOnly: simulatorPct,
      nodeServer: nodePct,
      ffmpegPlusNode: totalPct,
      postgresNotCounted: postgresPct,
      recorderNotCounted: recorderPct,
      byRole: Object.fromEntries([...byRole].map(([r, v]) => [r, { processes: v.processes, pct: round(pct(v.ticks), 2) }])),
    },
    ffmpegProcesses: ffmpegCount,
    note: 'node includes the media server (RTMP ingest of every stream, HTTP-FLV to the recorder) and the room; the benchmark harness itself idles (one /proc read a second).',
    processesStartedDuringWindow: startedDuring,
    cpuDuringWindow: { what: '% of one core: machine busy = ours (room process tree) + others (whatever else ran on the machine)', ...cpu },
    loadavg: { start: load0, end: load1 },
    perProcess: perProcess.sort((a, b) => (b.pct ?? 0) - (a.pct ?? 0)),
  };
  const file = writeResult('demo-cpu', result);
  appendRun('demo-cpu', { date: info.date, ffmpegPct, nodePct, totalPct, postgresPct, othersPctOfOneCore: cpu.othersPctOfOneCore, allOnlineMs });

  const where = `${info.nproc} cores ${info.cpuModel}; others' load during the window ${cpu.othersPctOfOneCore} % of a core (loadavg ${load0.split(' ').slice(0, 3).join(' ')}); ${info.date.slice(0, 10)}`;
  console.log(`\nResults: ${path.relative(root, file)}\n`);
  for (const [r, v] of Object.entries(result.pctOfOneCore.byRole)) console.log(`  ${r.padEnd(40)} ${String(v.processes).padStart(3)} processes  ${String(v.pct).padStart(6)} % of one core`);
  console.log('');
  console.log('| what | target | measured | command | machine, date |');
  console.log('|---|---|---|---|---|');
  console.log(`| demo cameras CPU, steady state (${cams.length} cameras, ${ffmpegCount} ffmpeg, loops mode) | ≤ ${TARGET_PCT} % of one core | ffmpeg ${ffmpegPct} % (${verdictWord(verdicts[0]!)}) + server node ${nodePct} % = ${totalPct} % (${verdictWord(verdicts[1]!)}); besides: recorder ${recorderPct} %, PostgreSQL ${postgresPct} % | \`npm run bench:demo-cpu\` | ${where} |`);
  console.log('');
  for (const v of verdicts) console.log(`${verdictWord(v).padEnd(12)} ${v.target}: ${v.measured} ${v.unit}`);
  if (restarted) console.log(`note: started during the window: ${startedDuring.map((p) => `${p.role} (pid ${p.pid})`).join(', ')}`);
});
