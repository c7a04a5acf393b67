// Reconnect storm (issue #18): N cameras arriving within S seconds at one room, as after a restart, a network blip
// or a takeover. Each camera is a real ffmpeg pushing a pre-encoded 720p ~2 Mbit/s loop with -c copy; the room
// records every one (RECORDING=on) and relays it to one HTTP-FLV viewer each. The room runs as its own process
// (`tsx server/main.ts`), so its CPU and memory are told apart from the load generators'.
//
//   npm run bench:storm                         200 cameras in 10 s, then the steady state of 100/200/300 cameras
//   npm run bench:storm -- --cameras 60 --seconds 2 --steady none
// Reports: time until all are online, refusals by reason, event-loop delay p50/p99 (the room's own
// perf_hooks.monitorEventLoopDelay through /metrics), API p99 while it runs, socket.io status events delivered,
// viewer stalls, CPU and PSS of the room's process tree and of the load generators.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { io } from 'socket.io-client';
import { findFfmpeg } from '../../streams/ffmpeg/locate.js';
import { publishUrl } from '../../streams/stream-path.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { ApiClient } from '../support/room.js';
import { appendRun, BENCH_CACHE, CLK, loop720p, log, machine, percentile, prepareDataDir, processes, round, runBench, treeIds, waitForQuiet, writeResult, type Proc } from './support.js';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1]! : dflt; };
const N = Number(arg('cameras', '200'));
const SECONDS = Number(arg('seconds', '10'));
const STEADY = arg('steady', '100,200,300') === 'none' ? [] : arg('steady', '100,200,300').split(',').map(Number);



/** CPU (cores) and PSS of the room's tree and of the generators over a window. */
function meter(roomPid: number, generatorPids: () => number[]) {
  const t0 = performance.now();
  const snap = () => { const all = processes(true); const tree = treeIds(all, roomPid); return { room: all.filter((p) => tree.has(p.pid)), gen: all.filter((p) => generatorPids().includes(p.pid) || p.pid === process.pid) }; };
  const a = snap();
  const ticks = (ps: Proc[]) => new Map(ps.map((p) => [p.pid, p.ticks]));
  const [ra, ga] = [ticks(a.room), ticks(a.gen)];
  return () => {
    const b = snap();
    const s = (performance.now() - t0) / 1000;
    // A process born in the window counts from zero; one that ended in it is not seen (its share is missing).
    const used = (ps: Proc[], before: Map<number, number>) => ps.reduce((n, p) => n + p.ticks - (before.get(p.pid) ?? 0), 0) / CLK / s;
    return {
      seconds: round(s, 1), roomCores: round(used(b.room, ra), 2), generatorCores: round(used(b.gen, ga), 2),
      roomPssMb: round(b.room.reduce((n, p) => n + p.pssKb, 0) / 1024), roomProcesses: b.room.length,
      roomFfmpeg: b.room.filter((p) => /ffmpeg/.test(p.comm)).length,
    };
  };
}

/** An overloaded room may not answer at all: every request of the benchmark gives up after `ms` (null). */
const within = <T>(p: Promise<T>, ms = 5000): Promise<T | null> =>
  Promise.race([p.catch(() => null), new Promise<null>((r) => setTimeout(() => r(null), ms).unref())]);

/** prom-client resets the event-loop histogram at every scrape: one scrape before and one after frame the window. */
async function eventLoop(base: string) {
  const text = (await within(fetch(`${base}/metrics`).then((r) => r.text()))) ?? '';
  const v = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  return { p50Ms: round(v('nodejs_eventloop_lag_p50_seconds'), 1), p99Ms: round(v('nodejs_eventloop_lag_p99_seconds'), 1), maxMs: round(v('nodejs_eventloop_lag_max_seconds'), 1) };
}

interface Camera { id: string; key: string; pusher?: ChildProcess; viewer?: http.ClientRequest; bytes: number; lastByteAt: number; attempts: number }

async function storm(room: ServerProcess, ffmpeg: string, loop: string, count: number, seconds: number) {
  const admin = await new ApiClient(room.url).login('admin');
  const observer = await new ApiClient(room.url).login('observer');
  const cams: Camera[] = [];
  for (let i = 0; i < count; i++) {
    const id = `storm-${String(i).padStart(3, '0')}`;
    const res = await admin.post('/api/cameras', { id, name: `Storm ${i}`, municipalityId: 'enschede', location: { street: 'Oude Markt', lat: 52.22, lon: 6.89 }, kind: 'permanent', source: { type: 'rtmp' } });
    if (res.status !== 201) throw new Error(`camera ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    cams.push({ id, key: res.body.publishKey, bytes: 0, lastByteAt: 0, attempts: 0 });
  }
  // A console watching: every status event it gets, and which cameras it saw come online.
  const socket = io(room.url, { extraHeaders: { cookie: observer.cookie, origin: room.url }, transports: ['websocket'] });
  const seenOnline = new Set<string>();
  let statusEvents = 0;
  socket.on('camera:status', (s: { cameraId: string; online: boolean }) => { statusEvents++; if (s.online) seenOnline.add(s.cameraId); });
  await new Promise<void>((r) => socket.on('connect', () => r()));

  // The API as the consoles use it while the storm runs.
  const apiMs: number[] = [];
  let apiErrors = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      for (const p of ['/api/live/status', '/api/incidents', '/api/cameras']) {
        const t = performance.now();
        const r = await within(observer.get(p));
        apiMs.push(performance.now() - t);
        if (!r || r.status !== 200) apiErrors++;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  const online = async () => new Set((((await within(observer.get('/api/live/status')))?.body ?? []) as Array<{ cameraId: string; online: boolean }>).filter((s) => s.online).map((s) => s.cameraId));
  await eventLoop(room.url); // resets the histogram: the next scrape covers the storm
  const m = meter(room.proc.pid!, () => cams.map((c) => c.pusher?.pid ?? -1));
  const t0 = performance.now();
  const firstTry = new Map<string, number>();
  let stopped = false;
  const rtmp = { host: '127.0.0.1', port: room.rtmpPort };
  for (let i = 0; i < cams.length; i++) {
    const c = cams[i]!;
    const at = (i * seconds * 1000) / cams.length;
    setTimeout(() => {
      firstTry.set(c.id, performance.now());
      // A camera that is refused or dropped tries again, as real ones do (every 2 s).
      const push = () => {
        c.attempts++;
        // The cameras are not part of the node: on this shared machine they run below it (nice 10), so they take the
        // CPU the room leaves, as encoders on their own hardware would not take any.
        c.pusher = spawn('nice', ['-n', '10', ffmpeg, '-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', loop, '-c', 'copy', '-f', 'flv', publishUrl(rtmp, { cameraId: c.id, stream: 'main' }, c.key)], { stdio: 'ignore' });
        c.pusher.on('exit', () => { if (!stopped) setTimeout(push, 2000); });
      };
      push();
    }, at);
  }
  let allOnlineMs: number | null = null;
  let lastReport = t0;
  const deadline = t0 + (seconds + 60) * 1000;
  while (performance.now() < deadline) {
    const on = await online().catch(() => new Set<string>());
    if (performance.now() - lastReport > 5000) { lastReport = performance.now(); log(`  ${round((lastReport - t0) / 1000, 0)} s: ${on.size} online, ${cams.reduce((n, c) => n + Math.max(0, c.attempts - 1), 0)} retries so far`); }
    if (cams.every((c) => on.has(c.id))) { allOnlineMs = performance.now() - t0; break; }
    await new Promise((r) => setTimeout(r, 250));
  }
  const load = m();
  const loop1 = await eventLoop(room.url);
  polling = false;
  await poll;
  // One viewer per camera, over HTTP-FLV with a grant from the wall's batch endpoint (as the console asks).
  const grants: Array<{ cameraId: string; ok: boolean; grant?: { port: number; path: string } }> = [];
  for (let i = 0; i < cams.length; i += 16) {
    const r = await within(observer.post('/api/live/grants', { streams: cams.slice(i, i + 16).map((c) => ({ cameraId: c.id, stream: 'main' })) }));
    grants.push(...(r?.body?.grants ?? []));
  }
  for (const g of grants) {
    const c = cams.find((x) => x.id === g.cameraId)!;
    if (!g.ok || !g.grant) continue;
    const url = new URL(`http://127.0.0.1:${g.grant.port}${g.grant.path}`);
    c.viewer = http.get(url, { headers: { cookie: observer.cookie } }, (res) => res.on('data', (d: Buffer) => { c.bytes += d.length; c.lastByteAt = performance.now(); }));
    c.viewer.on('error', () => {});
  }
  await new Promise((r) => setTimeout(r, 10_000));
  const steadyLoad = m();
  const viewing = cams.filter((c) => c.bytes > 0 && performance.now() - c.lastByteAt < 2000).length;
  const viewerMbit = round(cams.reduce((n, c) => n + c.bytes, 0) * 8 / 1e6 / 10, 1);
  stopped = true;
  for (const c of cams) { c.viewer?.destroy(); c.pusher?.kill('SIGKILL'); }
  // The room answers again once the load is gone (how long it takes says how deep the overload went).
  const tQuiet = performance.now();
  while (!(await within(fetch(`${room.url}/healthz`), 2000)) && performance.now() - tQuiet < 120_000) await new Promise((r) => setTimeout(r, 500));
  const answersAgainSeconds = round((performance.now() - tQuiet) / 1000, 1);
  // Refusals, by reason, from the audit trail (one row per refusal episode; details.count says how many).
  const refusals = (await admin.get('/api/audit?action=live.publish_refused&limit=500')).body as Array<{ details?: { reason?: string; count?: number } }> | undefined;
  const byReason: Record<string, number> = {};
  for (const r of Array.isArray(refusals) ? refusals : []) byReason[r.details?.reason ?? '?'] = (byReason[r.details?.reason ?? '?'] ?? 0) + (r.details?.count ?? 1);
  socket.close();
  return {
    cameras: count, arrivalSeconds: seconds,
    allOnlineSeconds: allOnlineMs === null ? null : round(allOnlineMs / 1000, 1),
    lastOnlineAfterFirstTrySeconds: allOnlineMs === null ? null : round((t0 + allOnlineMs - Math.max(...firstTry.values())) / 1000, 1),
    answersAgainSeconds, refusalsByReason: byReason, camerasRetried: cams.filter((c) => c.attempts > 1).length, attempts: cams.reduce((n, c) => n + c.attempts, 0), eventLoop: loop1,
    apiP50Ms: round(percentile(apiMs, 50), 0), apiP99Ms: round(percentile(apiMs, 99), 0), apiRequests: apiMs.length, apiErrors,
    socketStatusEvents: statusEvents, socketSawOnline: cams.filter((c) => seenOnline.has(c.id)).length,
    during: load, steady: { ...steadyLoad, viewing, viewerMbit, pssPerCameraMb: round(steadyLoad.roomPssMb! / count, 1) },
  };
}

runBench(async (cleanup) => {
  const quiet = await waitForQuiet();
  const ff = await findFfmpeg(process.env);
  const loop = loop720p(ff.path);
  const runs: unknown[] = [];
  for (const [count, seconds] of [[N, SECONDS] as const, ...STEADY.map((n) => [n, n / 10] as const)]) {
    const dataDir = prepareDataDir(path.join(BENCH_CACHE, `storm-${process.pid}-${count}`));
    const room = await startServerProcess({ DATA_DIR: dataDir, MEDIA_DIR: path.join(dataDir, 'media'), DEMO: 'true', DEMO_CAMERAS: 'false', RECORDING: 'true', SERVE_CLIENT: 'false', LOG_LEVEL: 'warn', FFMPEG_PATH: ff.path },
      // STORM_PROFILE=<dir>: the room writes a CPU profile there when it stops (node --cpu-prof), to find where its time goes.
      [], process.env.STORM_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STORM_PROFILE}`] : []);
    cleanup(() => room.stop());
    let stopping = false;
    room.proc.once('exit', (code, signal) => stopping || log(`THE ROOM EXITED (${code ?? signal}) during the run; its last output:\n${room.output().slice(-4000)}`));
    log(`${count} cameras arriving in ${seconds} s …`);
    const r = await storm(room, ff.path, loop, count, seconds);
    log(JSON.stringify(r));
    runs.push(r);
    stopping = true;
    await room.stop();
  }
  const result = { machine: machine(), backgroundBusyPct: quiet.busyPct, ffmpeg: ff.versionLine, runs };
  appendRun('storm', result);
  log(`written: ${writeResult('storm', result)}`);
});
