// npm run bench:playback — playing a recording in Chromium: the product's on-the-fly fragmented-MP4 remux
// (GET /api/recordings/:id/play, one ffmpeg -c copy per playback) against HLS over the same MPEG-TS segments
// (a playlist made from the segment index, the segments served as files, hls.js transmuxing to fMP4 in the
// browser). Issue 4 item 3 asked to choose between the two by measurement; this is that measurement.
//
// Set-up: five minutes of a 1080p 25 fps, 1-s GOP, ~4 Mbit/s camera as 150 × 2-s MPEG-TS segments (the cached
// test pattern of the evidence-clip benchmark, cut like the recorder's segments: continuous timestamps), linked
// into the room's MEDIA_DIR and indexed in recording_segments as if recorded during the last five minutes.
// The room runs in a child process of its own (real embedded PostgreSQL, the real express app and Playback with
// real ffmpeg/ffprobe), so that "server CPU" is that process tree alone: node, the ffmpeg/ffprobe it spawns
// (reaped children show in its cutime/cstime) and PostgreSQL. The same child serves the HLS alternative on a
// second port: bench code, NOT a product route, doing what such a route would have to do per request (the
// session cookie resolved like every API route; per playlist the segment query, recording_views row and audit
// entry, as Playback does; per segment an index lookup and the file).
//
// Each trial opens a fresh page in real headless Chromium (playwright-core + Debian's chromium) on the origin
// that serves the video (the room's for the remux, the bench server's for HLS, with hls.js already loaded),
// then starts the clock and plays: <video src=route> or hls.js with startPosition. Measured per trial:
//   - TTFB: request sent → first byte of media (CDP Network events; HLS: playlist request → first segment byte),
//   - TTFF: start → first frame presented (requestVideoFrameCallback), plus loadeddata / playing,
//   - server CPU of the whole trial (start, BENCH_PLAY_SECONDS of playback, teardown): node, ffmpeg, PostgreSQL;
//     net of the server's idle rate, per played second; Chromium's CPU beside it (HLS transmuxes there),
//   - bytes the server sent (bytesWritten of every socket its HTTP servers accepted, counted in the child) and the bytes
//     Chromium received (CDP).
// Two scenarios, BENCH_RUNS (10) trials each, approaches alternating: "start" (from the first recorded moment)
// and "middle" (a moment 2–3 minutes in, never on a keyframe; HLS seeks to it exactly, the remux starts at the
// keyframe before it, as the product does). p50/p95 → bench/results/playback.json (+ one line per run in
// playback-runs.jsonl). BENCH_WAIT_QUIET=<s>: wait for a quiet machine first, and up to a minute before each trial
// (2 cores: others' load shows); BENCH_QUIET_TRIAL_PCT (50): the JSON's quietSubset keeps only the trials during
// which others used less than that % of one core. The HLS side needs the hls.js devDependency.
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { parse as parseCookie } from 'cookie';
import { findChromium, launchBrowser } from '../support/browser.js';
import {
  appendRun, backgroundBusy, descendantProcesses, loadavg, loadMeter, log, machine, percentile, prepareDataDir, root, round, runBench, waitForQuiet, writeResult,
} from './support.js';
import { source1080p } from './evidence-support.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const PLAY_SECONDS = Number(process.env.BENCH_PLAY_SECONDS ?? 10);
const RECORDED_SECONDS = 300;
const CAMERA = 'bench-playback';
const ROLE_ENV = 'UITKIJK_BENCH_PLAYBACK_ROLE';
const FIRST_FRAME_TIMEOUT_MS = 20_000;

type Approach = 'remux' | 'hls';
type Scenario = 'start' | 'middle';

interface Ready {
  type: 'ready'; roomUrl: string; hlsUrl: string; cookie: string; base: number; end: number; segments: number; segmentBytes: number; serverPid: number;
}

// ───────────────────────────── the server side (child process) ─────────────────────────────

async function serverMain(): Promise<void> {
  const { startBenchRoom } = await import('./support.js');
  const { segmentPath } = await import('../../streams/recorder.js');
  const { planClip } = await import('../../streams/clip.js');
  const { segmentsOverlapping } = await import('../../server/recordings/store.js');
  const { PLAYBACK_MAX_MINUTES } = await import('../../server/recordings/playback.js');
  const { COOKIE, resolveSession } = await import('../../server/auth/sessions.js');
  const { can } = await import('../../server/auth/policy.js');
  const { appendAudit } = await import('../../server/audit/store.js');
  const { hashPassword } = await import('../../server/auth/passwords.js');
  type Sql = import('../../server/db/connect.js').Sql;

  // Bytes sent: every socket the child's servers accept (the room's express app, the HLS bench server) is counted.
  let closedBytes = 0;
  const open = new Set<Socket>();
  const emit = NetServer.prototype.emit;
  NetServer.prototype.emit = function (this: NetServer, event: string | symbol, ...args: unknown[]) {
    if (event === 'connection') {
      const sock = args[0] as Socket;
      open.add(sock);
      sock.once('close', () => { closedBytes += sock.bytesWritten; open.delete(sock); });
    }
    return (emit as (this: NetServer, e: string | symbol, ...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit;
  process.on('message', (m: { type?: string; id?: number }) => {
    if (m?.type === 'bytes') process.send?.({ type: 'bytes', id: m.id, value: closedBytes + [...open].reduce((n, sock) => n + sock.bytesWritten, 0) });
  });

  const src = await source1080p(RECORDED_SECONDS);
  const dataDir = prepareDataDir(mkdtempSync(path.join(tmpdir(), 'uitkijk-bench-play-')));
  // DEMO off: no simulated cameras or RTSP bridges whose CPU would mix into the figures; our own observer instead.
  const room = await startBenchRoom(dataDir, { DEMO: 'false', DEMO_CAMERAS: 'false', RECORDING: 'off', SERVE_CLIENT: 'false', DISPATCH_WORKER: 'false' });
  const sql = room.sql;
  const mediaDir = room.config.MEDIA_DIR;
  let http: ReturnType<typeof createServer> | null = null;
  const stop = async () => {
    if (http) await new Promise<void>((r) => { http!.closeAllConnections(); http!.close(() => r()); });
    await room.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'stop') void stop().finally(() => { process.send?.({ type: 'stopped' }); setTimeout(() => process.exit(0), 50); });
  });
  process.on('disconnect', () => { void stop().finally(() => process.exit(0)); });

  // The recording: 150 segments of one recorder run, ending 5 s ago.
  await sql`insert into cameras (id, name, municipality_id, street, lat, lon, kind, source_type, key_hash) values (${CAMERA}, 'Bench playback', 'enschede', 'Oude Markt', 52.2, 6.9, 'permanent', 'rtmp', 'x')`;
  const runId = '00000000-0000-4000-8000-00000000beef';
  const end = Date.now() - 5000;
  const base = end - src.segments.length * 2000;
  const rows = src.segments.map((file, i) => {
    const s = base + i * 2000;
    const rel = segmentPath(CAMERA, runId, i, new Date(s));
    mkdirSync(path.dirname(path.join(mediaDir, rel)), { recursive: true });
    symlinkSync(file, path.join(mediaDir, rel));
    return { camera_id: CAMERA, run_id: runId, seq: i, started_at: new Date(s), ended_at: new Date(s + 2000), bytes: statSync(file).size, path: rel };
  });
  await sql`insert into recording_segments ${sql(rows)}`;

  // An observer's session, logged in as the console would.
  const password = 'bench-playback-password';
  await sql`insert into users (username, display_name, role, password_hash) values ('bench-observer', 'Bench observer', 'observer', ${await hashPassword(password)})`;
  const login = await fetch(`${room.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: room.url }, body: JSON.stringify({ username: 'bench-observer', password }) });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  const cookie = parseCookie(login.headers.get('set-cookie')!.split(';')[0]!)[COOKIE]!;
  const times = { idleMs: room.config.SESSION_IDLE_MINUTES * 60_000, maxMs: room.config.SESSION_MAX_HOURS * 3_600_000 };

  // ── The HLS alternative (bench only) ──
  const hlsJs = path.join(root, 'node_modules/hls.js/dist/hls.min.js');
  if (!existsSync(hlsJs)) throw new Error('hls.js is missing: npm install (it is a devDependency for this benchmark)');
  const page = '<!doctype html><html><head><meta charset="utf-8"><title>hls bench</title><script src="/hls.min.js"></script></head><body style="margin:0;background:#000"></body></html>';
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const sessionOf = async (req: IncomingMessage) => {
    const s = await resolveSession(sql, parseCookie(req.headers.cookie ?? '')[COOKIE], times);
    return s && can(s.user.role, 'recordings.read') ? s.user : null;
  };
  const playlist = async (req: IncomingMessage, url: URL): Promise<string | null> => {
    const user = await sessionOf(req);
    if (!user) return null;
    const now = Date.now();
    const from = Date.parse(url.searchParams.get('from') ?? '');
    const to = url.searchParams.get('to') ? Date.parse(url.searchParams.get('to')!) : Math.min(now, from + PLAYBACK_MAX_MINUTES * 60_000);
    const segs = await segmentsOverlapping(sql, CAMERA, new Date(from), new Date(to));
    const plan = planClip(segs.map((s) => ({ file: s.id, runId: s.runId, seq: s.seq, startedAt: s.startedAt.getTime(), endedAt: s.endedAt.getTime(), bytes: s.bytes })), from, to);
    if (plan.groups.length === 0) return '';
    const first = plan.groups[0]![0]!, last = plan.groups.at(-1)!.at(-1)!;
    await sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      const [row] = await tx`insert into recording_views (user_id, camera_id, range_from, range_to, remote_addr)
        values (${user.id}, ${CAMERA}, ${new Date(first.startedAt)}, ${new Date(Math.min(to, last.endedAt))}, '127.0.0.1') returning id`;
      await appendAudit(tx, { action: 'recordings.play', actor: user, subject: CAMERA, remoteAddr: '127.0.0.1', details: { viewId: row!.id, hls: true } });
    });
    const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-TARGETDURATION:${Math.ceil(Math.max(...plan.groups.flat().map((s) => (s.endedAt - s.startedAt) / 1000)))}`, '#EXT-X-MEDIA-SEQUENCE:0'];
    plan.groups.forEach((g, i) => {
      if (i > 0) lines.push('#EXT-X-DISCONTINUITY');
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(g[0]!.startedAt).toISOString()}`);
      for (const s of g) lines.push(`#EXTINF:${((s.endedAt - s.startedAt) / 1000).toFixed(3)},`, `seg/${s.file}.ts`);
    });
    lines.push('#EXT-X-ENDLIST');
    return lines.join('\n') + '\n';
  };
  http = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/page.html') return send(res, 200, 'text/html; charset=utf-8', page);
      if (url.pathname === '/hls.min.js') return send(res, 200, 'text/javascript', readFileSync(hlsJs));
      if (url.pathname === `/hls/${CAMERA}/playlist.m3u8`) {
        const text = await playlist(req, url);
        if (text === null) return send(res, 401, 'text/plain', 'unauthenticated');
        if (text === '') return send(res, 404, 'text/plain', 'no recording');
        return send(res, 200, 'application/vnd.apple.mpegurl', text);
      }
      const m = new RegExp(`^/hls/${CAMERA}/seg/(\\d+)\\.ts$`).exec(url.pathname);
      if (m) {
        if (!(await sessionOf(req))) return send(res, 401, 'text/plain', 'unauthenticated');
        const [seg] = await sql<{ path: string; bytes: string }[]>`select path, bytes from recording_segments where id = ${m[1]!} and camera_id = ${CAMERA}`;
        if (!seg) return send(res, 404, 'text/plain', 'no such segment');
        res.writeHead(200, { 'Content-Type': 'video/mp2t', 'Content-Length': Number(seg.bytes), 'Cache-Control': 'no-store' });
        const rs = createReadStream(path.join(mediaDir, seg.path), { highWaterMark: 256 * 1024 });
        rs.once('error', () => res.destroy());
        res.once('close', () => rs.destroy());
        rs.pipe(res);
        return;
      }
      send(res, 404, 'text/plain', 'not found');
    })().catch((e) => { if (!res.headersSent) send(res, 500, 'text/plain', String(e)); else res.destroy(); });
  });
  await new Promise<void>((r) => http!.listen(0, '127.0.0.1', () => r()));
  const port = (http.address() as { port: number }).port;
  const ready: Ready = {
    type: 'ready', roomUrl: room.url.replace('localhost', '127.0.0.1'), hlsUrl: `http://127.0.0.1:${port}`, cookie, base, end,
    segments: rows.length, segmentBytes: rows.reduce((n, r) => n + r.bytes, 0), serverPid: process.pid,
  };
  process.send!(ready);
}

// ───────────────────────────── /proc accounting ─────────────────────────────

const CLK_TCK = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
interface ProcTimes { pid: number; comm: string; self: number; children: number }
function procTimes(pid: number): ProcTimes | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z') return null;
    return { pid, comm, self: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
  } catch { return null; }
}
function treeOf(pid: number): number[] {
  const all: Array<{ pid: number; ppid: number }> = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = readFileSync(`/proc/${e}/stat`, 'utf8');
      all.push({ pid: Number(e), ppid: Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) });
    } catch { /* gone */ }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const p of all) if (p.ppid === out[i]) out.push(p.pid);
  return out;
}


/**
 * CPU of a process tree in ticks, counted once: every live process's own time plus the time of its reaped
 * children (ffmpeg and ffprobe after they exit show in node's cutime/cstime; ended PostgreSQL backends in the
 * postmaster's). Grouped by what the process is.
 */
function serverSnapshot(serverPid: number) {
  const groups = { node: 0, ffmpeg: 0, postgres: 0, other: 0 };
  for (const pid of treeOf(serverPid)) {
    const t = procTimes(pid);
    if (!t) continue;
    if (pid === serverPid) { groups.node += t.self; groups.ffmpeg += t.children; } // node's reaped children are ffmpeg/ffprobe (PostgreSQL lives on)
    else if (/ffmpeg|ffprobe/.test(t.comm)) groups.ffmpeg += t.self + t.children;
    else if (/postgres|postmaster/.test(t.comm)) groups.postgres += t.self + t.children;
    else groups.other += t.self + t.children;
  }
  return { ...groups, at: performance.now() };
}
type ServerSnap = ReturnType<typeof serverSnapshot>;
const liveFfmpeg = (serverPid: number) => treeOf(serverPid).filter((p) => p !== serverPid && /ffmpeg|ffprobe/.test(procTimes(p)?.comm ?? '')).length;

function chromiumTicks(): number {
  let n = 0;
  for (const p of descendantProcesses()) {
    const t = procTimes(p.pid);
    if (t && /chrom/i.test(t.comm)) n += t.self + t.children;
  }
  return n;
}
const ms = (ticks: number) => (ticks * 1000) / CLK_TCK;

// ───────────────────────────── the page ─────────────────────────────

interface PageResult {
  t0: number | null; firstFrameAt: number | null; firstFrameMediaTime: number | null; targetFrameAt: number | null; targetFrameMediaTime: number | null; loadeddataAt: number | null; playingAt: number | null;
  lastMediaTime: number | null; frames: number; waiting: number; errors: string[]; dropped: number | null; decoded: number | null; bufferedAheadS: number | null;
}
type PbApi = { start(kind: Approach, url: string, startPosition: number): void; result(): PageResult; stop(): void };
declare global { interface Window { __pb: PbApi; Hls?: any } }

/**
 * Installed into each fresh page (page.evaluate runs past the room's CSP). Plain JavaScript in a string: a
 * function passed from here would carry the __name helper that tsx's transform adds, which the page lacks.
 */
const PROBE_JS = `(() => {
  const r = { t0: null, firstFrameAt: null, firstFrameMediaTime: null, targetFrameAt: null, targetFrameMediaTime: null, loadeddataAt: null, playingAt: null, lastMediaTime: null, frames: 0, waiting: 0, errors: [], dropped: null, decoded: null, bufferedAheadS: null };
  let video = null, hls = null;
  window.__pb = {
    start(kind, url, startPosition) {
      const v = document.createElement('video');
      video = v;
      v.muted = true; v.autoplay = true; v.playsInline = true; v.style.width = '960px'; v.style.height = '540px';
      document.body.appendChild(v);
      v.addEventListener('loadeddata', () => { r.loadeddataAt ??= performance.now(); });
      v.addEventListener('playing', () => { r.playingAt ??= performance.now(); });
      v.addEventListener('waiting', () => { if (r.firstFrameAt !== null) r.waiting++; });
      v.addEventListener('error', () => { r.errors.push('video error ' + (v.error && v.error.code) + ': ' + ((v.error && v.error.message) || '')); });
      // The frame the viewer asked for: HLS seeks to the moment itself (its first frame shown may be the segment's
      // first, before the seek lands); the remux starts its stream at the keyframe before the moment (media time 0).
      const target = kind === 'hls' ? startPosition : 0;
      const onFrame = (now, meta) => {
        if (r.firstFrameAt === null) { r.firstFrameAt = performance.now(); r.firstFrameMediaTime = meta.mediaTime; }
        if (r.targetFrameAt === null && meta.mediaTime >= target - 0.021) { r.targetFrameAt = performance.now(); r.targetFrameMediaTime = meta.mediaTime; }
        r.frames++;
        r.lastMediaTime = meta.mediaTime;
        if (video === v) v.requestVideoFrameCallback(onFrame);
      };
      v.requestVideoFrameCallback(onFrame);
      r.t0 = performance.now();
      if (kind === 'remux') {
        v.src = url;
      } else {
        const Hls = window.Hls;
        hls = new Hls({ startPosition });
        hls.on(Hls.Events.ERROR, (e, d) => { if (d.fatal) r.errors.push('hls: ' + d.details); });
        hls.attachMedia(v);
        hls.loadSource(url);
      }
      v.play().catch((e) => { if (!/interrupted|aborted/i.test(e.message)) r.errors.push('play(): ' + e.message); });
    },
    result() {
      if (video) {
        try { const q = video.getVideoPlaybackQuality(); r.dropped = q.droppedVideoFrames; r.decoded = q.totalVideoFrames; } catch (e) { /* none */ }
        const b = video.buffered;
        r.bufferedAheadS = b.length ? b.end(b.length - 1) - video.currentTime : null;
      }
      return r;
    },
    stop() {
      const v = video;
      video = null;
      if (hls) { hls.destroy(); hls = null; }
      if (v) { v.pause(); v.removeAttribute('src'); v.load(); v.remove(); }
    },
  };
})()`;

interface NetEvent { id: string; url: string; sentAt: number; headersAt: number | null; firstDataAt: number | null; bytes: number; encoded: number }
function watchNetwork(cdp: CDPSession) {
  const reqs = new Map<string, NetEvent>();
  cdp.on('Network.requestWillBeSent', (e: any) => { if (!reqs.has(e.requestId)) reqs.set(e.requestId, { id: e.requestId, url: e.request.url, sentAt: e.timestamp * 1000, headersAt: null, firstDataAt: null, bytes: 0, encoded: 0 }); });
  cdp.on('Network.responseReceived', (e: any) => { const r = reqs.get(e.requestId); if (r) r.headersAt ??= e.timestamp * 1000; });
  cdp.on('Network.dataReceived', (e: any) => { const r = reqs.get(e.requestId); if (r) { r.firstDataAt ??= e.timestamp * 1000; r.bytes += e.dataLength; r.encoded += e.encodedDataLength; } });
  cdp.on('Network.loadingFinished', (e: any) => { const r = reqs.get(e.requestId); if (r && e.encodedDataLength > r.encoded) r.encoded = e.encodedDataLength; });
  return reqs;
}

// ───────────────────────────── the harness ─────────────────────────────

interface Trial {
  approach: Approach; scenario: Scenario; run: number; targetOffsetS: number; url: string;
  ttfbMs: number | null; headersMs: number | null; playlistTtfbMs: number | null;
  ttffMs: number | null; anyFrameMs: number | null; loadeddataMs: number | null; playingMs: number | null; firstFrameMediaTime: number | null; targetMediaTime: number | null;
  playedS: number; frames: number; dropped: number | null; waiting: number; errors: string[];
  server: { nodeMs: number; ffmpegMs: number; postgresMs: number; otherMs: number; totalMs: number; netMs: number; wallS: number; netPctOfCorePerPlayedS: number | null; msPerVideoSecondSent: number | null };
  chromiumMs: number; bytesSent: number; bytesReceived: number; requests: number; bufferedAheadS: number | null;
  othersPctOfOneCore: number; waitedForQuietMs: number;
}

const iso = (t: number) => new Date(t).toISOString();

async function harness(cleanup: (fn: () => Promise<unknown> | unknown) => void): Promise<void> {
  const quiet = await waitForQuiet();
  const info = machine({ chromiumPath: (await findChromium()).path });
  log(`machine ${quiet.busyPct} % busy before start (loadavg ${info.loadavgAtStart}); ${RUNS} runs × 2 scenarios × 2 approaches, ${PLAY_SECONDS} s of playback each`);

  // The room (and the HLS bench server) in a child process.
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, [ROLE_ENV]: 'server' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  cleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.send({ type: 'stop' });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const srv = await new Promise<Ready>((resolve, reject) => {
    child.on('message', (m: any) => { if (m?.type === 'ready') resolve(m as Ready); });
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before it was ready`)));
  });
  let asked = 0;
  const bytesSent = () => new Promise<number>((resolve) => {
    const id = ++asked;
    const on = (m: any) => { if (m?.type === 'bytes' && m.id === id) { child.off('message', on); resolve(m.value as number); } };
    child.on('message', on);
    child.send({ type: 'bytes', id });
  });
  log(`room ${srv.roomUrl}, HLS bench server ${srv.hlsUrl}; ${srv.segments} segments (${round(srv.segmentBytes / 1e6, 1)} MB) indexed from ${iso(srv.base)}`);

  const browser: Browser = await launchBrowser();
  cleanup(() => browser.close());
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  // Cookies are per host, not per port: the one session serves the room and the HLS bench server.
  await context.addCookies([{ name: 'uitkijk_session', value: srv.cookie, url: srv.roomUrl, sameSite: 'Strict', httpOnly: true }]);

  // The server's idle CPU (the room's own timers and sweeps), to subtract from each trial.
  const idle0 = serverSnapshot(srv.serverPid);
  await new Promise((r) => setTimeout(r, 10_000));
  const idle1 = serverSnapshot(srv.serverPid);
  const idleTicksPerS = ((idle1.node + idle1.ffmpeg + idle1.postgres + idle1.other) - (idle0.node + idle0.ffmpeg + idle0.postgres + idle0.other)) / ((idle1.at - idle0.at) / 1000);
  log(`server idle: ${round(ms(idleTicksPerS), 1)} ms CPU per second`);

  const videoBytesPerS = srv.segmentBytes / (srv.segments * 2);

  // The moment in the middle of trial i: 2–3 minutes in, at varying places inside a 2-s segment (never on a keyframe: GOP 1 s).
  const middleOffset = (i: number) => 130 + ((i * 7) % 40) + [0.32, 0.74, 1.18, 1.63][i % 4]!;

  // With BENCH_WAIT_QUIET, each trial also waits (up to a minute) for a second in which the machine is quiet.
  const quietPct = Number(process.env.BENCH_QUIET_PCT ?? 30);
  const gate = async () => {
    if (!process.env.BENCH_WAIT_QUIET) return 0;
    const t = Date.now();
    while (Date.now() - t < 60_000 && (await backgroundBusy(1000)) >= quietPct) { /* others are busy */ }
    return Date.now() - t;
  };

  async function trial(approach: Approach, scenario: Scenario, run: number): Promise<Trial> {
    const offsetS = scenario === 'start' ? 0 : middleOffset(run);
    const from = srv.base + Math.round(offsetS * 1000);
    const firstSegStart = srv.base + Math.floor(offsetS / 2) * 2000;
    const startPosition = (from - firstSegStart) / 1000; // the playlist begins with the segment holding `from`
    const url = approach === 'remux'
      ? `${srv.roomUrl}/api/recordings/${CAMERA}/play?from=${encodeURIComponent(iso(from))}`
      : `${srv.hlsUrl}/hls/${CAMERA}/playlist.m3u8?from=${encodeURIComponent(iso(from))}`;
    const page: Page = await context.newPage();
    try {
      // The page of the origin that serves the video (the console is served by the room; the HLS page by the bench server).
      await page.goto(approach === 'remux' ? `${srv.roomUrl}/healthz` : `${srv.hlsUrl}/page.html`);
      if (approach === 'hls') await page.waitForFunction(() => typeof window.Hls === 'function');
      await page.evaluate(PROBE_JS);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      const reqs = watchNetwork(cdp);
      await new Promise((r) => setTimeout(r, 300)); // let the page settle before the clock starts
      const waitedMs = await gate();
      const meter = loadMeter();
      const b0 = await bytesSent();
      const s0 = serverSnapshot(srv.serverPid);
      const c0 = chromiumTicks();
      await page.evaluate(([k, u, p]) => window.__pb.start(k as Approach, u as string, p as number), [approach, url, startPosition] as const);
      await page.waitForFunction(() => window.__pb.result().targetFrameAt !== null || window.__pb.result().errors.length > 0, undefined, { timeout: FIRST_FRAME_TIMEOUT_MS, polling: 50 }).catch(() => {});
      // Playback, then the viewer leaves.
      await page.waitForFunction((s) => { const r = window.__pb.result(); return r.errors.length > 0 || (r.targetFrameMediaTime !== null && r.lastMediaTime !== null && r.lastMediaTime - r.targetFrameMediaTime >= s); }, PLAY_SECONDS, { timeout: (PLAY_SECONDS + 20) * 1000, polling: 100 }).catch(() => {});
      const res = await page.evaluate(() => window.__pb.result());
      await page.evaluate(() => window.__pb.stop());
      await cdp.detach().catch(() => {});
      await page.close();
      // Everything the playback started on the server has ended (the route's ffmpeg is killed on close).
      const deadline = Date.now() + 5000;
      while (liveFfmpeg(srv.serverPid) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200));
      const s1 = serverSnapshot(srv.serverPid);
      const c1 = chromiumTicks();
      const sent = (await bytesSent()) - b0;
      const load = meter.stop();
      const d = (k: keyof ServerSnap) => s1[k] - s0[k];
      const wallS = (s1.at - s0.at) / 1000;
      const totalTicks = d('node') + d('ffmpeg') + d('postgres') + d('other');
      const playedS = res.targetFrameMediaTime !== null && res.lastMediaTime !== null ? res.lastMediaTime - res.targetFrameMediaTime : 0;
      const netMs = Math.max(0, ms(totalTicks - idleTicksPerS * wallS));
      const all = [...reqs.values()].filter((r) => !/\/page\.html|\/hls\.min\.js|\/healthz/.test(r.url));
      const media = all.filter((r) => approach === 'remux' ? r.url.includes('/play?') : r.url.includes('/seg/'));
      const list = all.find((r) => r.url.includes('playlist.m3u8'));
      const firstRequestAt = Math.min(...all.map((r) => r.sentAt));
      const firstMedia = media.filter((r) => r.firstDataAt !== null).sort((a, b) => a.firstDataAt! - b.firstDataAt!)[0];
      return {
        approach, scenario, run, targetOffsetS: round(offsetS, 3)!, url: url.replace(srv.roomUrl, '<room>').replace(srv.hlsUrl, '<hls>'),
        ttfbMs: firstMedia ? round(firstMedia.firstDataAt! - firstRequestAt, 1) : null,
        headersMs: firstMedia?.headersAt ? round(firstMedia.headersAt - firstMedia.sentAt, 1) : null,
        playlistTtfbMs: list?.firstDataAt ? round(list.firstDataAt - list.sentAt, 1) : null,
        ttffMs: res.targetFrameAt !== null ? round(res.targetFrameAt - res.t0!, 1) : null,
        anyFrameMs: res.firstFrameAt !== null ? round(res.firstFrameAt - res.t0!, 1) : null,
        loadeddataMs: res.loadeddataAt !== null ? round(res.loadeddataAt - res.t0!, 1) : null,
        playingMs: res.playingAt !== null ? round(res.playingAt - res.t0!, 1) : null,
        firstFrameMediaTime: res.firstFrameMediaTime === null ? null : round(res.firstFrameMediaTime, 3),
        targetMediaTime: res.targetFrameMediaTime === null ? null : round(res.targetFrameMediaTime, 3),
        playedS: round(playedS, 2)!, frames: res.frames, dropped: res.dropped, waiting: res.waiting, errors: res.errors,
        server: {
          nodeMs: ms(d('node')), ffmpegMs: ms(d('ffmpeg')), postgresMs: ms(d('postgres')), otherMs: ms(d('other')), totalMs: ms(totalTicks), netMs: round(netMs)!, wallS: round(wallS, 2)!,
          netPctOfCorePerPlayedS: playedS > 0 ? round((netMs / 1000 / playedS) * 100, 2) : null,
          // Steady state: what one second of video costs to deliver, whatever the browser chose to read ahead.
          msPerVideoSecondSent: sent > 0 ? round(netMs / (sent / videoBytesPerS), 2) : null,
        },
        chromiumMs: ms(c1 - c0), bytesSent: sent, bytesReceived: all.reduce((n, r) => n + r.bytes, 0), requests: all.length,
        bufferedAheadS: res.bufferedAheadS === null ? null : round(res.bufferedAheadS, 1),
        othersPctOfOneCore: load.othersPctOfOneCore, waitedForQuietMs: waitedMs,
      };
    } finally {
      if (!page.isClosed()) await page.close().catch(() => {});
    }
  }

  // Warm-up (not counted): the first playback of each kind pays for Chromium's codec start, hls.js's worker, ffmpeg's first load.
  for (const a of ['remux', 'hls'] as const) { const w = await trial(a, 'middle', 99); log(`warm-up ${a}: first frame ${w.ttffMs} ms ${w.errors.join('; ')}`); }

  const trials: Trial[] = [];
  const overall = loadMeter();
  for (let i = 0; i < RUNS; i++) {
    for (const scenario of ['start', 'middle'] as const) {
      const order: Approach[] = (i + (scenario === 'middle' ? 1 : 0)) % 2 === 0 ? ['remux', 'hls'] : ['hls', 'remux'];
      for (const a of order) {
        const t = await trial(a, scenario, i);
        trials.push(t);
        log(`${scenario.padEnd(6)} ${a.padEnd(5)} #${i + 1}: TTFB ${t.ttfbMs} ms, first frame ${t.ttffMs} ms (media ${t.targetMediaTime} s; any frame ${t.anyFrameMs} ms at ${t.firstFrameMediaTime} s), played ${t.playedS} s, server ${round(t.server.netMs)} ms CPU net (ffmpeg ${t.server.ffmpegMs}), ${round(t.bytesSent / 1e6, 1)} MB sent, chromium ${t.chromiumMs} ms, others ${t.othersPctOfOneCore} %${t.errors.length ? ` ERRORS ${t.errors.join('; ')}` : ''}`);
      }
    }
  }
  const load = overall.stop();

  const stat = (xs: Array<number | null>) => { const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)); return { p50: round(percentile(v, 50), 1), p95: round(percentile(v, 95), 1), n: v.length }; };
  const summarise = (a: Approach, s: Scenario, keep: (t: Trial) => boolean = () => true) => {
    const ts = trials.filter((t) => t.approach === a && t.scenario === s && keep(t));
    return {
      ttfbMs: stat(ts.map((t) => t.ttfbMs)),
      ttffMs: stat(ts.map((t) => t.ttffMs)),
      anyFrameMs: stat(ts.map((t) => t.anyFrameMs)),
      loadeddataMs: stat(ts.map((t) => t.loadeddataMs)),
      playingMs: stat(ts.map((t) => t.playingMs)),
      serverCpuMsPerPlayback: stat(ts.map((t) => t.server.netMs)),
      ffmpegCpuMsPerPlayback: stat(ts.map((t) => t.server.ffmpegMs)),
      serverCpuPctOfCoreWhilePlaying: stat(ts.map((t) => t.server.netPctOfCorePerPlayedS)),
      serverCpuMsPerVideoSecondSent: stat(ts.map((t) => t.server.msPerVideoSecondSent)),
      chromiumCpuMsPerPlayback: stat(ts.map((t) => t.chromiumMs)),
      bytesSentMB: stat(ts.map((t) => round(t.bytesSent / 1e6, 2))),
      bytesReceivedMB: stat(ts.map((t) => round(t.bytesReceived / 1e6, 2))),
      bufferedAheadS: stat(ts.map((t) => t.bufferedAheadS)),
      playedS: stat(ts.map((t) => t.playedS)),
      waitingAfterFirstFrame: ts.reduce((n, t) => n + t.waiting, 0),
      othersPctOfOneCore: stat(ts.map((t) => t.othersPctOfOneCore)),
      failures: ts.filter((t) => t.ttffMs === null || t.errors.length > 0).length,
    };
  };
  const summary = {
    remux: { start: summarise('remux', 'start'), middle: summarise('remux', 'middle') },
    hls: { start: summarise('hls', 'start'), middle: summarise('hls', 'middle') },
  };
  // The same over the trials during which others' work on the machine stayed below BENCH_QUIET_TRIAL_PCT (50) % of one core.
  const quietTrialPct = Number(process.env.BENCH_QUIET_TRIAL_PCT ?? 50);
  const calm = (t: Trial) => t.othersPctOfOneCore < quietTrialPct;
  const quietSubset = {
    othersBelowPctOfOneCore: quietTrialPct,
    remux: { start: summarise('remux', 'start', calm), middle: summarise('remux', 'middle', calm) },
    hls: { start: summarise('hls', 'start', calm), middle: summarise('hls', 'middle', calm) },
  };
  const faster = (s: Scenario) => {
    const r = summary.remux[s].ttffMs.p50!, h = summary.hls[s].ttffMs.p50!;
    return { remuxP50: r, hlsP50: h, faster: Math.abs(r - h) / Math.max(r, h) < 0.1 ? 'neither (within 10 %)' : r < h ? 'remux' : 'hls', ratioHlsOverRemux: round(h / r, 2) };
  };
  const cheaper = (s: Scenario) => {
    const r = summary.remux[s].serverCpuMsPerVideoSecondSent.p50!, h = summary.hls[s].serverCpuMsPerVideoSecondSent.p50!;
    return { remuxP50MsPerVideoS: r, hlsP50MsPerVideoS: h, cheaper: Math.abs(r - h) / Math.max(r, h, 0.01) < 0.1 ? 'neither (within 10 %)' : r < h ? 'remux' : 'hls' };
  };
  const verdict = { firstFrame: { start: faster('start'), middle: faster('middle') }, serverCpu: { start: cheaper('start'), middle: cheaper('middle') } };
  const file = writeResult('playback', {
    bench: 'playback',
    date: new Date().toISOString(),
    machine: { ...info, busyPctOfAllCoresBeforeStart: quiet.busyPct, waitedForQuietMs: quiet.waitedMs },
    load: { duringTrials: load, loadavgAtEnd: loadavg(), note: "othersPctOfOneCore: CPU of processes not started by this benchmark (other people's work on the machine), % of one core" },
    setup: {
      source: `${srv.segments} × 2-s MPEG-TS segments, 1920x1080 25 fps, GOP 1 s, ~4 Mbit/s (${round(srv.segmentBytes / 1e6, 1)} MB), one recorder run, indexed as the last ${RECORDED_SECONDS} s`,
      runs: RUNS, playSeconds: PLAY_SECONDS,
      remux: 'GET /api/recordings/:id/play?from= (the product route: session, index query, ffprobe of the first segment for the keyframe when from is inside it, recording_views + audit, ffmpeg -c copy to fragmented MP4 on stdout); <video src>',
      hls: 'bench-only server in the room process: playlist from the segment index (session, index query, recording_views + audit), segments as files (session + index lookup per segment); hls.js ' + JSON.parse(readFileSync(path.join(root, 'node_modules/hls.js/package.json'), 'utf8')).version + ' default config with startPosition; transmuxes MPEG-TS to fMP4 in the browser (MSE)',
      scenarios: { start: 'from the first recorded moment', middle: 'from a moment 130–170 s in, never on a keyframe (HLS seeks to it exactly; the remux starts at the keyframe before it)' },
      measures: {
        ttfbMs: 'first request of the playback sent → first byte of media received (CDP; HLS: playlist request → first segment byte)',
        ttffMs: 'src set / hls.loadSource → first frame of the asked-for moment presented (requestVideoFrameCallback; HLS: media time ≥ the seek target, remux: its stream starts at the keyframe before the moment)',
        anyFrameMs: 'src set → any first frame presented (HLS may show the segment\'s first frame before its seek lands)',
        serverCpuMsPerPlayback: 'CPU of the server process tree (node, ffmpeg/ffprobe, PostgreSQL) over the whole trial (start, playback, teardown) minus its idle rate',
        serverCpuPctOfCoreWhilePlaying: 'serverCpuMsPerPlayback / seconds played, in % of one core (the browser read ahead far more than it played: see bytesSentMB)',
        serverCpuMsPerVideoSecondSent: 'serverCpuMsPerPlayback / (bytes sent / bytes per second of the source): the steady-state cost of one second of video, read-ahead included (÷10 = % of one core per continuous playback)',
        bytesSentMB: 'bytes the server handed to its HTTP sockets over the trial (read-ahead included, also what still sat in kernel buffers when the viewer left)',
        bufferedAheadS: 'what the <video> had buffered beyond the playing position when the viewer left',
      },
    },
    serverIdleCpuMsPerS: round(ms(idleTicksPerS), 1),
    summary,
    quietSubset,
    verdict,
    trials,
  });
  appendRun('playback', { at: new Date().toISOString(), runs: RUNS, playSeconds: PLAY_SECONDS, loadavgAtStart: info.loadavgAtStart, othersPctOfOneCore: load.othersPctOfOneCore, verdict, p50: Object.fromEntries((['remux', 'hls'] as const).flatMap((a) => (['start', 'middle'] as const).map((s) => [`${a}.${s}`, { ttfb: summary[a][s].ttfbMs.p50, ttff: summary[a][s].ttffMs.p50, serverCpuMs: summary[a][s].serverCpuMsPerPlayback.p50 }]))) });
  for (const s of ['start', 'middle'] as const) {
    for (const a of ['remux', 'hls'] as const) {
      const x = summary[a][s];
      log(`${s.padEnd(6)} ${a.padEnd(5)}: TTFB p50 ${x.ttfbMs.p50} / p95 ${x.ttfbMs.p95} ms; first frame p50 ${x.ttffMs.p50} / p95 ${x.ttffMs.p95} ms; server CPU p50 ${x.serverCpuMsPerPlayback.p50} / p95 ${x.serverCpuMsPerPlayback.p95} ms per playback (${x.serverCpuMsPerVideoSecondSent.p50} ms per second of video sent; ffmpeg ${x.ffmpegCpuMsPerPlayback.p50} ms); chromium ${x.chromiumCpuMsPerPlayback.p50} ms; sent ${x.bytesSentMB.p50} MB; failures ${x.failures}`);
    }
  }
  log(`verdict: ${JSON.stringify(verdict)}`);
  log(`others' load during the trials: ${load.othersPctOfOneCore} % of one core (loadavg ${load.loadavg}) → ${file}`);
}

if (process.env[ROLE_ENV] === 'server') {
  serverMain().catch((e) => { console.error('playback bench server failed:', e); process.exit(1); });
} else {
  runBench(harness);
}
