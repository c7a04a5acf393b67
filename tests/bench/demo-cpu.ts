// npm run bench:demo-cpu — what the demo cameras (and the recorder) cost in steady state, in the default 'loops'
// mode, with each ffmpeg build of BENCH_FFMPEG (default: the system's, then the packaged one; see ffmpeg-builds.ts).
//
// Starts the real room (embedded PostgreSQL, node-media-server, demo simulator, RTSP bridge) with all seeded demo
// cameras streaming, waits until every camera (and every sub stream) is online, then reads utime+stime of every
// ffmpeg child and of this node process (server + media-server ingest) from /proc/<pid>/stat once a second for
// BENCH_CPU_SECONDS (30 s), and stops the room. No browser watches: this is the ingest side only. Children that
// end within the window (restarted processes; before the demo switched its flexible units off outside their windows,
// their refused pushes' retries) are too short-lived for the sampling: their CPU is read from this process's
// cutime+cstime and reported apart. The recorder
// takes segment times from ffmpeg's segment list, so it runs no ffprobe in steady state (only when salvaging).
//
// One window is one room: the room finds its ffmpeg with findFfmpeg(process.env), so FFMPEG_PATH (and FFPROBE_PATH)
// are set per build and the rooms run one after another, never two at once. Order, BENCH_ROUNDS (2) times:
// RECORDING=off with each build, then RECORDING=on with each build (BENCH_RECORDING=off,on chooses), so the
// machine's load falls on both builds alike; per build the mean over the rounds counts.
//
// DATA_DIR is a persistent directory per build (BENCH_DATA_DIR, default /tmp/uitkijk-bench-cache, + /ffmpeg-<build>)
// so the loops encoded on the first start (~45 s, one at a time) are reused by later runs — each build pushes the
// loops its own ffmpeg encoded (the loop cache's fingerprint does not name the ffmpeg, so a shared cache would make
// the second build push the first one's files); the encode is one-off and never in the window. The embedded
// PostgreSQL lives there too, but is made afresh each start: the seed keeps a camera row once inserted, so the RTSP
// demo camera would keep the rtsp:// URL (with the DEMO_RTSP_PORT) of the run that created it and never come online
// on a later run with another port.
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Room } from '../../server/main.js';
import { benchFfmpegBuilds, describeBuild, ratio, ratiosToBaseline, sideBySide, useBuildInProcess, type BenchFfmpeg } from './ffmpeg-builds.js';
import { appendRun, check, loadavg, loadMeter, log, machine, prepareDataDir, root, round, runBench, startBenchRoom, verdictWord, waitFor, waitForQuiet, writeResult, type LoadFigures } from './support.js';

const SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 30);
const SETTLE_MS = 5000;
const DATA_DIR = process.env.BENCH_DATA_DIR || '/tmp/uitkijk-bench-cache';
const TARGET_PCT = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const RECORDING = (process.env.BENCH_RECORDING ?? 'off,on').split(',').map((s) => s.trim()).filter((s): s is 'off' | 'on' => s === 'off' || s === 'on');
/** Issue #12: the demo loops and the recorder may cost at most this much more with another build than with the first. */
const MAX_RATIO = 1.1;

const CLK_TCK = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;

interface Proc { pid: number; ppid: number; comm: string; ticks: number; startTicks: number; reapedChildTicks: number }

function readStat(pid: number): Proc | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after it start at the last ')'.
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    // f[0] = state (field 3); utime = field 14, stime = field 15, cutime = 16, cstime = 17, starttime = field 22.
    return { pid, ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]), startTicks: Number(f[19]), reapedChildTicks: Number(f[13]) + Number(f[14]) };
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


const SIMULATOR: Role[] = ['demo loop push (RTMP, -c copy)', 'demo RTSP source (RTP, -c copy)'];
// The demo cameras: the simulator's processes and the RTSP bridge that its RTSP camera needs. The recorder (the
// product recording every live camera) is reported beside them, not counted as demo cost.
const FFMPEG_ROLES: Role[] = [...SIMULATOR, 'RTSP bridge (-c copy)', 'other ffmpeg'];
const RECORDER: Role = 'recorder (HTTP-FLV → segments, -c copy)';
const NODE: Role = 'node (server, media server, harness)';

interface Window {
  build: string; recording: 'off' | 'on'; round: number; dataDir: string; allCamerasOnlineAfterMs: number; camerasOnlineAtEnd: string; cameras: number; seconds: number | null;
  pctOfOneCore: { ffmpegAll: number | null; simulatorOnly: number | null; nodeServer: number | null; ffmpegPlusNode: number | null; postgresNotCounted: number | null; recorder: number | null; reapedChildren: number | null; byRole: Record<string, { processes: number; pct: number | null }> };
  recorders: number; ffmpegProcesses: number; processesStartedDuringWindow: Array<{ pid: number; role: Role }>;
  cpuDuringWindow: LoadFigures; loadavg: { start: string; end: string }; perProcess: Array<{ pid: number; role: Role; pct: number | null; what: string }>;
}

/** The loops a build's rooms push (DATA_DIR/demo-loops): count and bytes, to show each build pushes its own encodes. */
function loopFiles(dataDir: string) {
  const dir = path.join(dataDir, 'demo-loops');
  const mp4 = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.mp4') && !f.includes('.partial.')) : [];
  return { dir, files: mp4.length, bytes: mp4.reduce((a, f) => a + statSync(path.join(dir, f)).size, 0) };
}

/** One room with one build: start, every camera online, settle, sample for SECONDS, stop. */
async function measureWindow(build: BenchFfmpeg, recording: 'off' | 'on', round_: number, cleanup: (fn: () => unknown) => void): Promise<Window> {
  const dataDir = prepareDataDir(path.resolve(DATA_DIR, `ffmpeg-${build.slug}`));
  for (const stale of ['postgres', '.pg-password']) rmSync(path.join(dataDir, stale), { recursive: true, force: true });
  log(`round ${round_} · ${build.name} ffmpeg · RECORDING=${recording}: starting the room (DEMO_VIDEO=loops) with DATA_DIR ${dataDir} (loops cached under demo-loops/)`);
  const t0 = Date.now();
  // Recordings of this run go to a temporary directory (they are not kept between runs, unlike the loops).
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'uitkijk-bench-media-'));
  const restoreEnv = useBuildInProcess(build);
  let room: Room | null = null;
  const stopRoom = async () => { await room?.stop(); room = null; restoreEnv(); rmSync(mediaDir, { recursive: true, force: true }); };
  cleanup(stopRoom);
  try {
    room = await startBenchRoom(dataDir, { DEMO_VIDEO: 'loops', SERVE_CLIENT: 'false', MEDIA_DIR: mediaDir, RECORDING: recording === 'on' ? 'true' : 'false' });
    const r: Room = room;
    // Flexible units stream only inside an approved window (the demo seed has one running for unit 1); the others are refused.
    const active = new Set(r.activation.all().map((a) => a.cameraId));
    const cams = r.demo!.cameras.filter((c) => c.kind !== 'flexible' || active.has(c.id));
    const online = () => cams.filter((c) => { const st = r.board.get(c.id); return st.online && (c.rtsp || st.subStreamOnline); }).length;
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
    const liveAfter = cams.filter((c) => r.board.get(c.id).online).length;
    const recorders = [...first.values()].filter((p) => p.role === RECORDER).length;

    const pct = (ticks: number) => (ticks / CLK_TCK / seconds) * 100;
    const byRole = new Map<Role, { processes: number; ticks: number }>();
    const perProcess: Window['perProcess'] = [];
    for (const [pid, a] of first) {
      const ticks = last.get(pid)!.ticks - a.ticks;
      const rr = byRole.get(a.role) ?? { processes: 0, ticks: 0 };
      byRole.set(a.role, { processes: rr.processes + 1, ticks: rr.ticks + ticks });
      if (a.role !== 'postgres') perProcess.push({ pid, role: a.role, pct: round(pct(ticks), 2), what: a.cmd.replace(/key=[^\s&]+/g, 'key=…').replace(/token=[^\s&]+/g, 'token=…').slice(0, 200) });
    }
    const sum = (roles: Role[]) => [...byRole].filter(([k]) => roles.includes(k)).reduce((acc, [, v]) => acc + v.ticks, 0);
    // Children that ended in the window (their whole CPU lands in this process's cutime+cstime when reaped): restarted
    // processes (listed in processesStartedDuringWindow when sampled).
    const reaped = last.get(process.pid)!.reapedChildTicks - first.get(process.pid)!.reapedChildTicks;
    const ffmpegPct = round(pct(sum(FFMPEG_ROLES)), 1);
    const nodePct = round(pct(sum([NODE])), 1);
    const startedDuring = [...first.values()].filter((p) => !pidsAtStart.has(p.pid)).map((p) => ({ pid: p.pid, role: p.role }));
    const w: Window = {
      build: build.name, recording, round: round_, dataDir, allCamerasOnlineAfterMs: allOnlineMs, camerasOnlineAtEnd: `${liveAfter}/${cams.length}`, cameras: cams.length, seconds: round(seconds, 1),
      pctOfOneCore: {
        ffmpegAll: ffmpegPct,
        simulatorOnly: round(pct(sum(SIMULATOR)), 1),
        nodeServer: nodePct,
        ffmpegPlusNode: round((ffmpegPct ?? 0) + (nodePct ?? 0), 1),
        postgresNotCounted: round(pct(sum(['postgres'])), 1),
        recorder: round(pct(sum([RECORDER])), 1),
        reapedChildren: round(pct(reaped), 1),
        byRole: Object.fromEntries([...byRole].map(([k, v]) => [k, { processes: v.processes, pct: round(pct(v.ticks), 2) }])),
      },
      recorders,
      ffmpegProcesses: [...first.values()].filter((p) => FFMPEG_ROLES.includes(p.role)).length,
      processesStartedDuringWindow: startedDuring,
      cpuDuringWindow: cpu, loadavg: { start: load0, end: load1 },
      perProcess: perProcess.sort((a, b) => (b.pct ?? 0) - (a.pct ?? 0)),
    };
    log(`${build.name} RECORDING=${recording}: ffmpeg ${w.pctOfOneCore.ffmpegAll} % (simulator ${w.pctOfOneCore.simulatorOnly} %), node ${nodePct} %, recorder ${w.pctOfOneCore.recorder} %; reaped children ${w.pctOfOneCore.reapedChildren} %; others ${cpu.othersPctOfOneCore} % of a core`);
    return w;
  } finally {
    await stopRoom();
  }
}

const mean = (xs: Array<number | null>) => { const v = xs.filter((x): x is number => x !== null); return v.length ? round(v.reduce((a, b) => a + b, 0) / v.length, 1) : null; };

runBench(async (cleanup) => {
  const info = machine();
  const builds = await benchFfmpegBuilds();
  for (const b of builds) log(`ffmpeg ${b.name}: ${b.ffmpeg.path} (${b.ffmpeg.versionLine}); ffprobe ${b.ffprobe}`);
  const { busyPct: busyBefore, waitedMs } = await waitForQuiet();
  log('machine', info.nproc, 'cores,', info.cpuModel, '· loadavg', info.loadavgAtStart, '· CLK_TCK', CLK_TCK, `· ${busyBefore} % busy before start (others' load)`);
  const windows: Window[] = [];
  for (let r = 1; r <= ROUNDS; r++) for (const recording of RECORDING) for (const build of builds) windows.push(await measureWindow(build, recording, r, cleanup));

  // Per build and RECORDING: the mean of each figure over the rounds.
  const of = (b: BenchFfmpeg, recording: 'off' | 'on') => windows.filter((w) => w.build === b.name && w.recording === recording);
  const figures = (b: BenchFfmpeg, recording: 'off' | 'on') => {
    const ws = of(b, recording);
    const m = (k: keyof Omit<Window['pctOfOneCore'], 'byRole'>) => mean(ws.map((w) => w.pctOfOneCore[k]));
    return {
      ffmpegAll: m('ffmpegAll'), simulatorOnly: m('simulatorOnly'), nodeServer: m('nodeServer'), ffmpegPlusNode: m('ffmpegPlusNode'), postgres: m('postgresNotCounted'),
      recorder: m('recorder'), reapedChildren: m('reapedChildren'),
      recorderPerCamera: ws.length && ws[0]!.recorders ? round((m('recorder') ?? 0) / ws[0]!.recorders, 2) : null,
      othersPctOfOneCore: mean(ws.map((w) => w.cpuDuringWindow.othersPctOfOneCore)),
    };
  };
  const perBuild = Object.fromEntries(builds.map((b) => [b.name, {
    ffmpeg: describeBuild(b), loops: loopFiles(path.resolve(DATA_DIR, `ffmpeg-${b.slug}`)),
    ...Object.fromEntries(RECORDING.map((rec) => [`recording${rec === 'on' ? 'On' : 'Off'}`, { windows: of(b, rec).length, meanPctOfOneCore: figures(b, rec) }])),
  }]));
  const ratios = Object.fromEntries(RECORDING.map((rec) => [`recording${rec === 'on' ? 'On' : 'Off'}`, ratiosToBaseline(builds, (b) => { const { othersPctOfOneCore: _, ...f } = figures(b, rec); return f; })]));
  // Issue #12's bound: the demo loops (simulator ffmpeg, RECORDING=off) and the recorder (its ffmpeg processes,
  // RECORDING=on) at most 10 % dearer with each other build than with the first.
  const base = builds[0]!;
  const bounds = builds.slice(1).flatMap((b) => [
    ...(RECORDING.includes('off') ? [{ what: `demo loops (simulator ffmpeg) ${b.name}/${base.name}`, ratio: ratio(figures(b, 'off').simulatorOnly, figures(base, 'off').simulatorOnly) }] : []),
    ...(RECORDING.includes('on') ? [{ what: `recorder (its ffmpeg per camera) ${b.name}/${base.name}`, ratio: ratio(figures(b, 'on').recorder, figures(base, 'on').recorder) }] : []),
  ]).map((x) => ({ ...x, max: MAX_RATIO, met: x.ratio === null ? null : x.ratio <= MAX_RATIO }));

  const off = (b: BenchFfmpeg) => figures(b, RECORDING.includes('off') ? 'off' : 'on');
  const verdicts = builds.flatMap((b) => [
    check(`${b.name} ffmpeg: demo cameras, all ffmpeg processes (simulator + RTSP bridge) ≤ ${TARGET_PCT} % of one core`, off(b).ffmpegAll, TARGET_PCT, '% of one core'),
    check(`${b.name} ffmpeg: demo cameras incl. the server's ingest (ffmpeg + node) ≤ ${TARGET_PCT} % of one core`, off(b).ffmpegPlusNode, TARGET_PCT, '% of one core'),
  ]);
  const result = {
    benchmark: 'CPU of the demo cameras and the recorder in steady state (DEMO_VIDEO=loops), per ffmpeg build',
    command: 'npm run bench:demo-cpu',
    machine: { ...info, clkTck: CLK_TCK, busyPctOfAllCoresBeforeStart: busyBefore, waitedForQuietMs: waitedMs },
    method: `Per window one room: the seeded cameras (RTMP ones with main 1280x720 + sub 640x360 loops, the RTSP one main-only via the demo RTSP server and the real ffmpeg bridge), all online, ${SETTLE_MS / 1000} s settle, then utime+stime from /proc/<pid>/stat of every ffmpeg child and this node process, sampled every 1 s for ${SECONDS} s; children that ended in the window (restarted processes) from this process's cutime+cstime, reported apart as reapedChildren. No viewers. % of one core = CPU seconds / wall seconds × 100. Order: ${ROUNDS} round(s) of ${RECORDING.map((r) => `RECORDING=${r} with ${builds.map((b) => b.name).join(', ')}`).join(', then ')}; figures per build are means over the rounds. Each build has its own DATA_DIR (its own loop encodes, made before the first window).`,
    ffmpegBuilds: builds.map(describeBuild),
    targets: verdicts.map((v) => ({ ...v, verdict: verdictWord(v) })),
    issue12Bound: bounds,
    perBuild,
    ratios,
    note: 'node includes the media server (RTMP ingest of every stream, HTTP-FLV to the recorder) and the room; the benchmark harness itself idles (one /proc read a second). postgres is not counted in the demo figures.',
    windows,
  };
  const file = writeResult('demo-cpu', result);
  for (const w of windows) appendRun('demo-cpu', { date: info.date, build: w.build, recording: w.recording, round: w.round, ffmpegPct: w.pctOfOneCore.ffmpegAll, simulatorPct: w.pctOfOneCore.simulatorOnly, nodePct: w.pctOfOneCore.nodeServer, totalPct: w.pctOfOneCore.ffmpegPlusNode, recorderPct: w.pctOfOneCore.recorder, reapedChildrenPct: w.pctOfOneCore.reapedChildren, postgresPct: w.pctOfOneCore.postgresNotCounted, othersPctOfOneCore: w.cpuDuringWindow.othersPctOfOneCore, allOnlineMs: w.allCamerasOnlineAfterMs });

  const others = windows.map((w) => w.cpuDuringWindow.othersPctOfOneCore);
  const where = `${info.nproc} cores ${info.cpuModel}; others' load during the windows ${Math.min(...others)}–${Math.max(...others)} % of a core (loadavg at start ${info.loadavgAtStart.split(' ').slice(0, 3).join(' ')}); ${info.date.slice(0, 10)}`;
  const cams = windows[0]!.cameras;
  console.log(`\nResults: ${path.relative(root, file)}\n`);
  for (const b of builds) for (const rec of RECORDING) {
    const f = figures(b, rec);
    console.log(`  ${b.name.padEnd(10)} RECORDING=${rec.padEnd(3)} ffmpeg ${f.ffmpegAll} % (simulator ${f.simulatorOnly} %), node ${f.nodeServer} %, recorder ${f.recorder} %, reaped children ${f.reapedChildren} %, postgres ${f.postgres} %; others ${f.othersPctOfOneCore} %`);
  }
  console.log('');
  console.log('| what | target | measured | command | machine, date |');
  console.log('|---|---|---|---|---|');
  const cmd = '`npm run bench:demo-cpu`';
  if (RECORDING.includes('off')) console.log(`| demo cameras CPU, steady state (${cams} cameras, loops mode), per ffmpeg build (ratio to ${base.name}), mean of ${ROUNDS} | ≤ ${TARGET_PCT} % of one core | demo loops (simulator ffmpeg) ${sideBySide(builds, (b) => figures(b, 'off').simulatorOnly, ' %')}; all ffmpeg ${sideBySide(builds, (b) => figures(b, 'off').ffmpegAll, ' %')}; with the server's ingest ${sideBySide(builds, (b) => figures(b, 'off').ffmpegPlusNode, ' %')} | ${cmd} | ${where} |`);
  if (RECORDING.includes('on')) console.log(`| recording the demo cameras (RECORDING=on, ${windows.find((w) => w.recording === 'on')?.recorders ?? '?'} recorders), per ffmpeg build, mean of ${ROUNDS} | — | recorder ffmpeg ${sideBySide(builds, (b) => figures(b, 'on').recorder, ' %')} (per camera ${sideBySide(builds, (b) => figures(b, 'on').recorderPerCamera, ' %')}); server node ${sideBySide(builds, (b) => figures(b, 'on').nodeServer, ' %')} | ${cmd} | ${where} |`);
  console.log('');
  for (const v of verdicts) console.log(`${verdictWord(v).padEnd(12)} ${v.target}: ${v.measured} ${v.unit}`);
  for (const x of bounds) console.log(`${(x.met === null ? 'NOT MEASURED' : x.met ? 'met' : 'MISSED').padEnd(12)} ${x.what} ≤ ×${MAX_RATIO}: ×${x.ratio}`);
  const restarted = windows.filter((w) => w.processesStartedDuringWindow.length);
  for (const w of restarted) console.log(`note: round ${w.round} ${w.build} RECORDING=${w.recording}: started during the window: ${w.processesStartedDuringWindow.map((p) => `${p.role} (pid ${p.pid})`).join(', ')}`);
});
