// npm run bench:latency — glass-to-glass latency, time to first frame and 16-tile smoothness of the real console
// in real headless Chromium, against the real room (node-media-server, embedded PostgreSQL, demo cameras).
//
// The demo simulator in 'live-clock' mode burns the wall clock into every frame as a row of black/white blocks
// (streams/ffmpeg/latency-code.ts) and fans one live encode out to every RTMP demo camera (main 1280x720,
// sub 640x360). The page (tests/bench/page-probe.ts, injected before the console's own scripts) reads the frame each
// <video> shows at native size every 100 ms — the code row of its luma plane through a WebCodecs VideoFrame (checked
// against a canvas drawImage read of the same frame; drawImage alone cost a third of a core with 16 tiles) — decodes
// the time and subtracts it from Date.now(): encoder and page share this machine's clock. Figures go to
// bench/results/latency.json (and one line per run to latency-runs.jsonl); missed targets are reported, not thrown.
// Env: BENCH_SOAK_SECONDS (60), BENCH_ONE_TILE_SECONDS (20), BENCH_PAGE_OPENS (3), BENCH_WAIT_QUIET (s to wait for an
// idle machine first), BENCH_FALLBACK=1 (measure a bare mpegts.js page instead of the console wall).
//
// Phases: 1 tile (layout 1, sub stream) · 1 tile (focus view, main stream) · 16-tile wall opened by a page load
// (×3) · 60 s on the 16-tile wall (latency, fps per tile, stalls) · 16-tile wall reopened from the focus view.
//
// All phases run once per ffmpeg build of BENCH_FFMPEG (default: the system's, then the packaged one; see
// ffmpeg-builds.ts): the room finds its ffmpeg with findFfmpeg(process.env), so FFMPEG_PATH/FFPROBE_PATH are set per
// build and one room (with a fresh browser) runs after the other; the ffmpeg of a build makes the live encode, the
// RTSP camera and its bridge. One result file with every build's figures and the ratios to the first build.
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { build, stop as stopEsbuild } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { findChromium, launchBrowser } from '../support/browser.js';
import type { Room } from '../../server/main.js';
import { LiveService } from '../../server/live/service.js';
import { benchFfmpegBuilds, describeBuild, ratiosToBaseline, sideBySide, useBuildInProcess, type BenchFfmpeg } from './ffmpeg-builds.js';
import type { LatencySample, TileReport } from './page-probe.js';
import {
  appendRun, check, ensureClientBuilt, loadMeter, log, machine, percentile, prepareDataDir, root, round, runBench, startBenchRoom, verdictWord, waitFor, waitForQuiet, writeResult, type LoadFigures, type Verdict,
} from './support.js';

const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const ONE_TILE_SECONDS = Number(process.env.BENCH_ONE_TILE_SECONDS ?? 20);
const PAGE_OPENS = Number(process.env.BENCH_PAGE_OPENS ?? 3);
const SAMPLE_EVERY_MS = 100;
const CAMERA_FPS = 25; // streams/ffmpeg/args.ts MAIN_PROFILE / SUB_PROFILE
const VIEWPORT = { width: 1920, height: 1080 }; // one control-room monitor
const PASSWORD = 'uitkijk-demo';

interface CrossRead { first: 'canvas' | 'videoFrame'; canvas: number | null; videoFrame: number | null }
interface ProbeEnd { phase: string; seconds: number; samplingMs: number; samplerBusyMs: number; readPath: string | null; resourceEntries: number; samples: LatencySample[]; decodeFailures: number; perTile: TileReport[] }
interface FirstFrame {
  tile: number; cameraId: string | null; insertedAt: number; firstFrameAt: number | null; removed: boolean; consoleFirstFrameMs: number | null;
  grantStartAt: number | null; grantEndAt: number | null; grantServerMs: number | null; grantBatched: boolean | null;
  socketCreatedAt: number | null; socketOpenAt: number | null; firstDataAt: number | null; socketsBeforeFirstFrame: number;
  /** The console's performance marks (client/src/live/marks.ts) of the first attempt after the tile appeared. */
  marks: { grantRequested: number | null; grantReceived: number | null; socketQueued: number | null; socketCreated: number | null; socketOpen: number | null; firstData: number | null; firstFrame: number | null };
  /** First loadedmetadata / loadeddata / canplay / playing of the <video>. */
  mediaEvents?: Record<string, number>;
}
type Bench = { crossCheck(): Promise<CrossRead[]>; now(): number; marks: Record<string, number>; videos(): Array<{ tile: number; cameraId: string | null; firstFrameAt: number | null; width: number; height: number; currentTime: number }>; begin(phase: string, everyMs?: number): void; end(): ProbeEnd; firstFrames(): FirstFrame[] };
declare global { interface Window { __bench: Bench } }

/** The probe as one browser script: esbuild bundles it with latency-code.ts for the browser platform (which also proves that module browser-safe). */
async function probeScript(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(root, 'tests/bench/page-probe.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome120', logLevel: 'silent',
  });
  await stopEsbuild(); // its service process must not outlive the benchmark
  return out.outputFiles[0]!.text;
}

/** Where each tile's time to first frame went, as p50 / max over the tiles of one or more openings. */
function breakdown(tiles: FirstFrame[]) {
  const part = (f: (t: FirstFrame) => number | null) => {
    const v = tiles.map(f).filter((x): x is number => x !== null && Number.isFinite(x));
    return { p50: round(percentile(v, 50)), max: v.length ? round(Math.max(...v)) : null };
  };
  const d = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  // The console's marks where it made them; the probe's own traces (resource timing, a traced WebSocket) otherwise.
  const m = (t: FirstFrame) => ({
    grantRequested: t.marks?.grantRequested ?? t.grantStartAt, grantReceived: t.marks?.grantReceived ?? t.grantEndAt,
    socketQueued: t.marks?.socketQueued ?? null, socketCreated: t.marks?.socketCreated ?? t.socketCreatedAt,
    socketOpen: t.marks?.socketOpen ?? t.socketOpenAt, firstData: t.marks?.firstData ?? t.firstDataAt,
  });
  return {
    'tile inserted → grant requested (status known, player started)': part((t) => d(t.insertedAt, m(t).grantRequested)),
    'grant requested → received (one POST /api/live/grants for the wall, or POST /api/cameras/:id/live per tile)': part((t) => d(m(t).grantRequested, m(t).grantReceived)),
    '  of it: the request on the network (resource timing, start → response end)': part((t) => d(t.grantStartAt, t.grantEndAt)),
    '  of it: server time (request sent → first response byte)': part((t) => t.grantServerMs),
    'grant received → socket wanted (mpegts.js load, MediaSource open)': part((t) => d(m(t).grantReceived, m(t).socketQueued)),
    'socket wanted → created (queue: at most N sockets connecting at once)': part((t) => d(m(t).socketQueued, m(t).socketCreated)),
    // Chromium delays a renderer's WebSockets while many are pending (WebSocketPerProcessThrottler) and lets one at a
    // time per host:port handshake (RFC 6455 4.1); the media server checks the play token before it answers the upgrade.
    'WebSocket created → open (Chromium WebSocket throttling, one handshake at a time per host:port, token check before the upgrade)': part((t) => d(m(t).socketCreated, m(t).socketOpen)),
    'open → first FLV data (GOP cache)': part((t) => d(m(t).socketOpen, m(t).firstData)),
    'first data → first frame presented (transmux, MSE, decode)': part((t) => d(m(t).firstData, t.firstFrameAt)),
    '  of it: first data → loadedmetadata (transmux, MSE init segment)': part((t) => d(m(t).firstData, t.mediaEvents?.loadedmetadata ?? null)),
    '  of it: loadedmetadata → loadeddata (first frame decoded)': part((t) => d(t.mediaEvents?.loadedmetadata ?? null, t.mediaEvents?.loadeddata ?? null)),
    '  of it: loadeddata → playing': part((t) => d(t.mediaEvents?.loadeddata ?? null, t.mediaEvents?.playing ?? null)),
    '  of it: playing → first frame presented (requestVideoFrameCallback)': part((t) => d(t.mediaEvents?.playing ?? null, t.firstFrameAt)),
    'tiles whose grant came in a wall batch': tiles.filter((t) => t.grantBatched === true).length,
    'tiles that needed more than one connection': tiles.filter((t) => t.socketsBeforeFirstFrame > 1).length,
  };
}

function latencyStats(samples: LatencySample[]) {
  const ms = samples.map((s) => s.ms);
  const outside = ms.filter((v) => v < 0 || v > 5000).length;
  const perCamera = new Map<string, number[]>();
  for (const s of samples) { const k = s.cameraId ?? `tile-${s.tile}`; perCamera.set(k, [...(perCamera.get(k) ?? []), s.ms]); }
  return {
    n: ms.length,
    p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99),
    min: ms.length ? Math.min(...ms) : null, max: ms.length ? Math.max(...ms) : null,
    mean: ms.length ? round(ms.reduce((a, b) => a + b, 0) / ms.length, 1) : null,
    // Kept in the percentiles (nothing is filtered); counted so a misread code would show.
    outsideZeroTo5000: outside,
    perCameraP50: Object.fromEntries([...perCamera].map(([k, v]) => [k, percentile(v, 50)])),
    // Buffered end − playing position at each sample (what the console shows as "Vertraging"): the share of the
    // glass-to-glass time the frame waited in the player's buffer; the rest is capture → encode → network → decode.
    bufferAheadP50: percentile(samples.map((s) => s.bufferMs).filter((v): v is number => v !== null), 50),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Server-side time of the play-grant and play-authorisation calls (the room runs in this process): LiveService's
 * methods wrapped to time each call. Instrumentation only; what the methods do is unchanged.
 */
const serverCalls: Record<string, number[]> = {};
for (const name of ['grant', 'grants', 'authorizePlay'] as const) {
  const proto = LiveService.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const original = proto[name];
  if (typeof original !== 'function') continue;
  proto[name] = async function (this: unknown, ...a: unknown[]) {
    const t = performance.now();
    try { return await original.apply(this, a); } finally { (serverCalls[name] ??= []).push(performance.now() - t); }
  };
}
const serverCallStats = () => Object.fromEntries(Object.entries(serverCalls).map(([k, v]) => [k, { n: v.length, p50: round(percentile(v, 50), 1), p95: round(percentile(v, 95), 1), max: v.length ? round(Math.max(...v), 1) : null }]));

/** Every phase against one room whose ffmpeg is `build`; the room and the browser are stopped before it returns. */
async function measureBuild(build: BenchFfmpeg, cleanup: (fn: () => Promise<unknown> | unknown) => void) {
  const restoreEnv = useBuildInProcess(build);
  const stops: Array<() => Promise<unknown>> = [];
  try {
    return await measureWithRoom(build, cleanup, stops);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((e) => console.error(`stopping after the ${build.name} build:`, e));
    restoreEnv();
  }
}

async function measureWithRoom(build: BenchFfmpeg, cleanup: (fn: () => Promise<unknown> | unknown) => void, stops: Array<() => Promise<unknown>>) {

  // Every camera streaming (incl. the RTSP one, whose loop is encoded on a fresh start) before anything is measured.
  // Seen under load: the media server drops a publisher that sends no media for 3 s, and the live encoder's tee
  // output connects its 34 RTMP publishers one after another before the first frame, so the first few can be
  // dropped for good (tee onfail=ignore never reconnects them). Then the room is started again (reported).
  const startAttempts: Array<{ ms: number; offline: string[] }> = [];
  let room: Room | null = null;
  for (let attempt = 1; ; attempt++) {
    // A fresh data directory each start (embedded PostgreSQL, the RTSP camera's loop): the seed keeps camera rows,
    // so a reused database would keep the RTSP camera's URL with the previous start's DEMO_RTSP_PORT.
    const dataDir = prepareDataDir(mkdtempSync(path.join(tmpdir(), 'uitkijk-bench-latency-')));
    cleanup(() => rmSync(dataDir, { recursive: true, force: true }));
    log(`${build.name} ffmpeg (${build.ffmpeg.path}): starting the room (DEMO_VIDEO=live-clock) in ${dataDir}${attempt > 1 ? ` — attempt ${attempt}` : ''}`);
    const t0 = Date.now();
    const r: Room = await startBenchRoom(dataDir, { DEMO_VIDEO: 'live-clock', SERVE_CLIENT: 'true' });
    // Flexible units publish only inside a booking window (the demo seeds one live event for ens-flex-1): the others
    // are not expected online.
    const mayStream = (c: { id: string; kind: string }) => c.kind !== 'flexible' || r.activation.all().some((a) => a.cameraId === c.id);
    const offline = () => r.demo!.cameras.filter(mayStream).filter((c) => { const st = r.board.get(c.id); return !(st.online && (c.rtsp || st.subStreamOnline)); }).map((c) => c.id);
    const ok = await waitFor('every demo camera online', () => offline().length === 0, 60_000, 250).then(() => true, () => false);
    startAttempts.push({ ms: Date.now() - t0, offline: offline() });
    if (ok) { room = r; break; }
    log(`not every camera came online within 60 s (offline or without sub stream: ${offline().join(', ')}); stopping the room`);
    await r.stop();
    if (attempt === 3) throw new Error(`demo cameras did not all come online in ${attempt} starts: ${JSON.stringify(startAttempts)}`);
  }
  const stopRoom = () => room!.stop(); // idempotent: the second call finds nothing left to stop
  cleanup(stopRoom);
  stops.push(stopRoom);
  const cams = room.demo!.cameras;
  const streaming = new Set(room.activation.all().map((a) => a.cameraId));
  const rtmpIds = cams.filter((c) => !c.rtsp && (c.kind !== 'flexible' || streaming.has(c.id))).map((c) => c.id);
  const wallIds = rtmpIds.slice(0, 16);
  log(`room up at ${room.url}; ${cams.length} cameras online after ${startAttempts.at(-1)!.ms} ms (start attempt ${startAttempts.length})`);

  const script = await probeScript();
  const browser: Browser = await launchBrowser();
  cleanup(() => browser.close());
  stops.push(() => browser.close());
  const context: BrowserContext = await browser.newContext({ viewport: VIEWPORT });
  // tsx compiles this file with keepNames: functions handed to page.evaluate may call its __name helper.
  await context.addInitScript({ content: `globalThis.__name ??= (f) => f;\n${script}` });
  const page: Page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') pageErrors.push(`console.${m.type()}: ${m.text()}`.slice(0, 300)); });

  // Log in through the real console.
  await page.goto(room.url + '/');
  await page.getByLabel('Gebruikersnaam', { exact: true }).fill('observer');
  await page.getByLabel('Wachtwoord', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
  await page.getByTestId('current-user').waitFor({ timeout: 15_000 });
  log('logged in as observer');

  const savePreferences = async (wallLayout: 1 | 4 | 9 | 16) => {
    const status = await page.evaluate(async (body) => (await fetch('/api/me/preferences', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status, { wallLayout, wallCameras: wallIds });
    if (status !== 200) throw new Error(`saving preferences answered ${status}`);
  };
  const probe = {
    videos: () => page.evaluate(() => window.__bench.videos()),
    begin: (phase: string, every = SAMPLE_EVERY_MS) => page.evaluate(([p, e]) => window.__bench.begin(p as string, e as number), [phase, every] as const),
    end: () => page.evaluate(() => window.__bench.end()),
    firstFrames: () => page.evaluate(() => window.__bench.firstFrames()),
    marks: () => page.evaluate(() => ({ ...window.__bench.marks })),
  };
  const playingCount = async () => (await probe.videos()).filter((v) => v.firstFrameAt !== null && v.width > 0).length;
  // CPU of each measuring window: ours (room, ffmpeg, PostgreSQL, Chromium) and everyone else's on this machine.
  const windows: Record<string, LoadFigures> = {};
  const meter = (name: string) => {
    const m = loadMeter();
    return () => { const f = (windows[name] = m.stop()); log(`${name}: machine ${f.machineBusyPctOfOneCore} % of one core busy (ours ${f.oursPctOfOneCore} % = ${Object.entries(f.ours).map(([g, v]) => `${g} ${v}`).join(', ')}; others ${f.othersPctOfOneCore} %), loadavg ${f.loadavg}`); };
  };

  let measured: 'console' | 'fallback-page' = 'console';

  // ---- 1 tile: layout 1 (sub stream), then the focus view (main stream) ----
  await savePreferences(1);
  await page.reload();
  await page.getByTestId('camera-wall').waitFor();
  const oneTilePlaying = await waitFor('the 1-tile wall playing', async () => (await playingCount()) >= 1, 30_000).catch(() => false);
  if (!oneTilePlaying) throw new Error('the 1-tile wall did not play within 30 s (see the fallback note in the report)');
  await sleep(2000); // let latency chasing settle after the first frame
  // The fast reader (VideoFrame luma plane) against the plain one (canvas drawImage), on the same frames.
  const cross: CrossRead[] = [];
  for (let i = 0; i < 40; i++) { cross.push(...(await page.evaluate(() => window.__bench.crossCheck()))); await sleep(50); }
  const crossPairs = cross.filter((c) => c.canvas !== null && c.videoFrame !== null);
  const crossMaxDiff = crossPairs.length ? Math.max(...crossPairs.map((c) => Math.abs(c.canvas! - c.videoFrame!))) : null;
  const crossSame = crossPairs.filter((c) => Math.abs(c.canvas! - c.videoFrame!) <= 2).length;
  const crossDiffs = crossPairs.map((c) => `${c.first[0]}${c.canvas! - c.videoFrame!}`).join(' ');
  log(`reader cross-check: ${crossPairs.length}/${cross.length} read both ways, ${crossSame} agree within 2 ms, max difference ${crossMaxDiff} ms; canvas − videoFrame (c/v = read first): ${crossDiffs}`);
  let done = meter('1 tile, sub');
  await probe.begin('1 tile, layout 1, sub stream 640x360');
  await sleep(ONE_TILE_SECONDS * 1000);
  const oneSub = await probe.end();
  done();
  log(`1 tile (sub): ${oneSub.samples.length} samples, p50 ${percentile(oneSub.samples.map((s) => s.ms), 50)} ms`);

  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('1');
  await page.keyboard.press('f');
  await page.getByTestId('focus-view').waitFor();
  await waitFor('the focus view playing the main stream', async () => {
    const v = await page.evaluate(() => window.__bench.videos().filter((x) => x.firstFrameAt !== null));
    return v.length === 1 && v[0]!.width === 1280;
  }, 30_000);
  const focusFirst = (await probe.firstFrames()).filter((f) => !f.removed).at(-1)!;
  await sleep(2000);
  done = meter('1 tile, focus view, main');
  await probe.begin('1 tile, focus view, main stream 1280x720');
  await sleep(ONE_TILE_SECONDS * 1000);
  const oneMain = await probe.end();
  done();
  log(`1 tile (main): ${oneMain.samples.length} samples, p50 ${percentile(oneMain.samples.map((s) => s.ms), 50)} ms`);

  // ---- 16 tiles: opened by loading the page (layout saved as 16), PAGE_OPENS times ----
  await savePreferences(16);
  const opens: Array<{ how: string; allPlayingMs: number | null; tiles: FirstFrame[] }> = [];
  const openWall = async (how: string, open: () => Promise<unknown>, since: () => Promise<number>) => {
    await open();
    const ok = await waitFor('16 tiles playing', async () => (await playingCount()) >= 16, 30_000, 50).catch(() => false);
    const origin = await since();
    const ff = (await probe.firstFrames()).filter((f) => !f.removed && f.insertedAt >= origin - 1);
    const shown = ff.filter((f) => f.firstFrameAt !== null).map((f) => f.firstFrameAt!);
    const allPlayingMs = ok && shown.length >= 16 ? round(Math.max(...shown) - origin, 0) : null;
    opens.push({ how, allPlayingMs, tiles: ff });
    log(`${how}: all 16 playing after ${allPlayingMs ?? 'NEVER (30 s)'} ms; TTFF ${ff.map((f) => (f.firstFrameAt === null ? '–' : Math.round(f.firstFrameAt - f.insertedAt))).join(' ')}`);
    return ok;
  };
  // The room runs in this process: its event loop answers the WebSocket handshakes, the grants and the ingest.
  const loopDuringOpens = monitorEventLoopDelay({ resolution: 10 });
  loopDuringOpens.enable();
  for (const k of Object.keys(serverCalls)) delete serverCalls[k];
  done = meter('16-tile page opens');
  let wallOk = false;
  let fallbackPlayer: string | null = null;
  // BENCH_FALLBACK=1 measures the bare player page instead of the console wall (to tell the console's own cost apart).
  const forceFallback = process.env.BENCH_FALLBACK === '1';
  for (let i = 0; i < (forceFallback ? 0 : PAGE_OPENS); i++) {
    await sleep(1500); // the previous page's sockets are closed; let the machine settle
    // performance.now() of the new document counts from its navigation start: "opening" is t = 0.
    const ok = await openWall(`page load ${i + 1}`, () => page.reload(), async () => 0);
    wallOk ||= ok;
  }
  if (!wallOk) {
    // The console's wall did not play: measure the player settings alone on a minimal page (reported as such).
    log(forceFallback ? 'BENCH_FALLBACK=1: measuring the minimal mpegts.js page' : 'the console wall never had 16 tiles playing: falling back to a minimal mpegts.js page');
    measured = 'fallback-page';
    const player = await fallbackPlayerScript();
    fallbackPlayer = player.source + (process.env.BENCH_FALLBACK_MAX_CONNECTING ? `, at most ${process.env.BENCH_FALLBACK_MAX_CONNECTING} connecting at once` : '');
    log(`fallback player: ${fallbackPlayer}`);
    for (let i = 0; i < PAGE_OPENS; i++) {
      await sleep(1500);
      await openWall(`fallback page ${i + 1}`, () => openFallbackWall(page, room!.url, wallIds, player.script), () => page.evaluate(() => (window as unknown as { __benchOpenAt: number }).__benchOpenAt));
    }
  }

  loopDuringOpens.disable();
  const serverDuringOpens = serverCallStats();
  done();
  // ---- 60 s on the 16-tile wall: latency, fps per tile, stalls ----
  const loopDuringSoak = monitorEventLoopDelay({ resolution: 10 });
  loopDuringSoak.enable();
  done = meter('16-tile soak');
  await probe.begin(`16 tiles, sub streams 640x360, ${SOAK_SECONDS} s`);
  // What the cameras delivered meanwhile (the media server's ingest fps of each wall camera's sub stream).
  const ingestFps = new Map<string, number[]>();
  const soakEnd = Date.now() + SOAK_SECONDS * 1000;
  while (Date.now() < soakEnd) {
    await sleep(Math.min(5000, soakEnd - Date.now()));
    for (const st of room.media.stats()) if (st.stream === 'sub' && wallIds.includes(st.cameraId) && st.fps !== undefined) ingestFps.set(st.cameraId, [...(ingestFps.get(st.cameraId) ?? []), st.fps]);
  }
  const soak = await probe.end();
  loopDuringSoak.disable();
  done();
  const soakLoad = windows['16-tile soak']!;
  log(`16 tiles: ${soak.samples.length} samples, p50 ${percentile(soak.samples.map((s) => s.ms), 50)} ms`);
  const serverFps = Object.fromEntries(wallIds.map((id) => { const v = ingestFps.get(id) ?? []; return [id, v.length ? round(v.reduce((a, b) => a + b, 0) / v.length, 1) : null]; }));
  const ingestAll = Object.values(serverFps).filter((v): v is number => v !== null);

  // ---- the wall reopened from the focus view (Escape mounts 16 fresh tiles) ----
  if (measured === 'console') {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('1');
    await page.keyboard.press('f');
    await page.getByTestId('focus-view').waitFor();
    await waitFor('focus view playing', async () => (await playingCount()) === 1 && (await probe.videos()).length === 1, 30_000);
    await sleep(1500);
    done = meter('16-tile reopen');
    await openWall('Escape from the focus view', () => page.keyboard.press('Escape'), async () => (await probe.marks())['key:Escape'] ?? 0);
    done();
  }

  // ---- figures ----
  const allTiles = opens.flatMap((o) => o.tiles);
  const ttff = allTiles.filter((t) => t.firstFrameAt !== null).map((t) => t.firstFrameAt! - t.insertedAt);
  const consoleFf = allTiles.map((t) => t.consoleFirstFrameMs).filter((v): v is number => v !== null);
  const neverPlayed = allTiles.filter((t) => t.firstFrameAt === null).length;
  const allPlaying = opens.map((o) => o.allPlayingMs);
  const allPlayingKnown = allPlaying.filter((v): v is number => v !== null);
  // Frames shown: requestVideoFrameCallback's presentedFrames counter (video frames handed to the compositor). The
  // number of callbacks is lower when the page's main thread renders slower than the video (callbacks run in its
  // rendering steps; frames composited in between are counted by presentedFrames but get no callback of their own).
  const fps = soak.perTile.map((t) => t.presentedFps).filter((v): v is number => v !== null);
  const callbackFps = soak.perTile.map((t) => t.fps).filter((v): v is number => v !== null);
  const stalls = soak.perTile.reduce((a, t) => a + t.stalls, 0);
  const one = latencyStats(oneSub.samples);
  const oneM = latencyStats(oneMain.samples);
  const sixteen = latencyStats(soak.samples);

  const verdicts: Verdict[] = [
    check('16 tiles: latency p50 ≤ 300 ms', sixteen.p50, 300, 'ms'),
    check('16 tiles: latency p95 ≤ 500 ms', sixteen.p95, 500, 'ms'),
    check('TTFF p95 ≤ 300 ms (tile inserted → first frame presented)', round(percentile(ttff, 95)), 300, 'ms'),
    check('TTFF max ≤ 300 ms', ttff.length ? round(Math.max(...ttff)) : null, 300, 'ms'),
    check('16-tile wall all playing ≤ 1500 ms after opening (worst opening)', neverPlayed || allPlayingKnown.length < allPlaying.length ? null : Math.max(...allPlayingKnown), 1500, 'ms'),
    check(`16 tiles: every tile at the camera rate (min presented fps ≥ 98 % of ${CAMERA_FPS})`, fps.length === 16 ? round(Math.min(...fps), 2) : null, CAMERA_FPS * 0.98, 'fps', '>='),
    check(`16 tiles: no stall (frame gap > 500 ms) in ${SOAK_SECONDS} s`, soak.perTile.length === 16 ? stalls : null, 0, 'stalls'),
  ];

  const result = {
    ffmpeg: describeBuild(build),
    measured: measured === 'console' ? 'the real console (dist/client) in headless Chromium' : `FALLBACK: a minimal mpegts.js page (${forceFallback ? 'BENCH_FALLBACK=1' : 'the console wall did not play'}) with the player ${fallbackPlayer}; the 1-tile figures are from the console`,
    roomStartAttempts: startAttempts,
    consoleBuild: { entry: /assets\/[^"]+\.js/.exec(readFileSync(path.join(root, 'dist/client/index.html'), 'utf8'))?.[0] ?? null, gitHead: gitHead() },
    method: {
      source: 'DEMO_VIDEO=live-clock: one ffmpeg x264 ultrafast/zerolatency encode per resolution (25 fps, 1 s GOP, no B-frames), the wall clock as 24-bit Gray-coded block row (streams/ffmpeg/latency-code.ts), tee-fanned out over RTMP to every RTMP demo camera',
      path: 'ffmpeg → RTMP → node-media-server → WebSocket-FLV → mpegts.js (console settings) → MSE → <video>',
      sampling: `every ${SAMPLE_EVERY_MS} ms each playing <video> is drawn 1:1 (code row at native size) to a canvas; latency = Date.now() − decoded capture ms (wrap-aware). Includes the time the shown frame has been on screen (≤ 1 frame, 40 ms). Nothing is filtered.`,
      ttff: 'per <video>: inserted into the page (MutationObserver) → first requestVideoFrameCallback; "all playing" = last tile\'s first frame since navigation start (page load) or since the Escape keydown (reopen from the focus view)',
      fps: 'per tile over the window: presentedFrames (requestVideoFrameCallback metadata) per second = frames shown; also callbacks per second (bounded by the page\'s rendering rate) and decoded frames (getVideoPlaybackQuality). Stalls = gaps > 500 ms between frame callbacks.',
      wallCameras: wallIds,
      note: 'The wall plays the 16 first RTMP demo cameras; the 18th (hgl-stadhuis, RTSP) streams a pre-encoded loop without the clock code.',
    },
    targets: verdicts.map((v) => ({ ...v, verdict: verdictWord(v) })),
    latency: {
      readPath: oneSub.readPath,
      readerCrossCheck: { what: 'the same frame read via VideoFrame (luma plane) and via canvas drawImage', pairs: crossPairs.length, tries: cross.length, agreeWithin2ms: crossSame, maxDifferenceMs: crossMaxDiff, canvasMinusVideoFrameMs: crossPairs.map((c) => ({ first: c.first, diff: c.canvas! - c.videoFrame! })) },
      samplerCost: 'main-thread time of the code reader, % of one core: see sixteenTileSoak.samplerCostPctOfOneCore',
      oneTileSub: { ...one, seconds: round(oneSub.seconds, 1), decodeFailures: oneSub.decodeFailures },
      oneTileFocusMain: { ...oneM, seconds: round(oneMain.seconds, 1), decodeFailures: oneMain.decodeFailures, focusTtffMs: focusFirst.firstFrameAt === null ? null : round(focusFirst.firstFrameAt - focusFirst.insertedAt), focusConsoleFirstFrameMs: focusFirst.consoleFirstFrameMs },
      sixteenTiles: { ...sixteen, seconds: round(soak.seconds, 1), decodeFailures: soak.decodeFailures },
    },
    firstFrame: {
      ttffMs: { n: ttff.length, p50: round(percentile(ttff, 50)), p95: round(percentile(ttff, 95)), max: ttff.length ? round(Math.max(...ttff)) : null, neverPlayed },
      breakdownPageLoads: breakdown(opens.filter((o) => !o.how.startsWith('Escape')).flatMap((o) => o.tiles)),
      breakdownReopen: breakdown(opens.filter((o) => o.how.startsWith('Escape')).flatMap((o) => o.tiles)),
      serverCallsDuringPageOpensMs: { what: 'LiveService calls timed in the room (grant: one camera; grants: a wall batch; authorizePlay: the media server\'s token check before the WebSocket upgrade)', ...serverDuringOpens },
      consoleFirstFrameMs: { what: 'the console\'s own figure: play-grant request → first frame (data-first-frame-ms)', n: consoleFf.length, p50: percentile(consoleFf, 50), p95: percentile(consoleFf, 95), max: consoleFf.length ? Math.max(...consoleFf) : null },
      allSixteenPlayingMs: opens.map((o) => ({ how: o.how, ms: o.allPlayingMs })),
      opens: opens.map((o) => ({ how: o.how, allPlayingMs: o.allPlayingMs, tiles: o.tiles.map((t) => {
        const rel = (v: number | null) => (v === null ? null : round(v - t.insertedAt));
        const mk = t.marks ?? {};
        return { cameraId: t.cameraId, insertedAtMs: round(t.insertedAt), ttffMs: rel(t.firstFrameAt), consoleFirstFrameMs: t.consoleFirstFrameMs,
          grantRequested: rel(mk.grantRequested ?? null), grantStart: rel(t.grantStartAt), grantEnd: rel(t.grantEndAt), grantReceived: rel(mk.grantReceived ?? null),
          socketQueued: rel(mk.socketQueued ?? null), socketCreated: rel(mk.socketCreated ?? t.socketCreatedAt), socketOpen: rel(mk.socketOpen ?? t.socketOpenAt), firstData: rel(mk.firstData ?? t.firstDataAt),
          connections: t.socketsBeforeFirstFrame };
      }) })),
    },
    sixteenTileSoak: {
      seconds: round(soak.seconds, 1),
      fpsPerTile: { what: 'presented frames per second', min: round(Math.min(...fps), 2), median: round(percentile(fps, 50), 2), max: round(Math.max(...fps), 2) },
      frameCallbacksPerSecondPerTile: { what: 'requestVideoFrameCallback callbacks per second (the page\'s rendering rate caps it)', min: round(Math.min(...callbackFps), 2), median: round(percentile(callbackFps, 50), 2) },
      cameraIngestFps: { what: 'media server ingest fps of the wall cameras\' sub streams, mean of 5 s readings', min: ingestAll.length ? Math.min(...ingestAll) : null, median: percentile(ingestAll, 50) },
      samplerCostPctOfOneCore: round((soak.samplerBusyMs / 1000 / soak.seconds) * 100, 1),
      samplerReadPath: soak.readPath,
      resourceEntries: soak.resourceEntries,
      stalls,
      maxFrameGapMs: round(Math.max(...soak.perTile.map((t) => t.maxGapMs ?? 0))),
      droppedFrames: soak.perTile.reduce((a, t) => a + (t.droppedFrames ?? 0), 0),
      cpu: soakLoad,
      perTile: soak.perTile.map((t) => ({ cameraId: t.cameraId, stream: t.stream, bufferAheadMs: t.consoleBufferMs, size: `${t.width}x${t.height}`, fps: round(t.fps, 2), presentedFps: round(t.presentedFps, 2), decodedFps: round(t.decodedFps, 2), dropped: t.droppedFrames, stalls: t.stalls, maxGapMs: round(t.maxGapMs), serverFps: serverFps[t.cameraId ?? ''] ?? null })),
    },
    serverEventLoopDelayMs: {
      what: 'the room\'s node event loop (server, media server, harness idle): delay beyond the 10 ms timer, p50/p99/max',
      duringPageOpens: { p50: round(loopDuringOpens.percentile(50) / 1e6, 1), p99: round(loopDuringOpens.percentile(99) / 1e6, 1), max: round(loopDuringOpens.max / 1e6, 1) },
      duringSoak: { p50: round(loopDuringSoak.percentile(50) / 1e6, 1), p99: round(loopDuringSoak.percentile(99) / 1e6, 1), max: round(loopDuringSoak.max / 1e6, 1) },
    },
    cpuPerWindow: { what: '% of one core (this machine has 2): machine busy = ours (room, ffmpeg, PostgreSQL, Chromium) + others (whatever else ran)', ...windows },
    pageErrors: pageErrors.slice(0, 20),
  };

  // ---- this build's details (the table rows with every build come at the end) ----
  const day = today();
  log(`${build.name} ffmpeg, ${day}: ${measured === 'console' ? 'measured the real console' : 'measured the FALLBACK minimal mpegts.js page'}`);
  for (const v of verdicts) console.log(`${verdictWord(v).padEnd(12)} ${v.target}: ${v.measured ?? '–'} ${v.unit}`);
  console.log('\nwhere the time to first frame goes (p50 / max over tiles, ms), page loads:');
  for (const [k, v] of Object.entries(result.firstFrame.breakdownPageLoads)) console.log(`  ${k}: ${typeof v === 'number' ? v : `${v.p50} / ${v.max}`}`);
  console.log(`server calls during the page opens (n, p50 / p95 / max ms): ${Object.entries(serverDuringOpens).map(([k, v]) => `${k} ${v.n}× ${v.p50} / ${v.p95} / ${v.max}`).join('; ') || 'none'}`);
  console.log('reopen from the focus view:');
  for (const [k, v] of Object.entries(result.firstFrame.breakdownReopen)) console.log(`  ${k}: ${typeof v === 'number' ? v : `${v.p50} / ${v.max}`}`);
  console.log(`player buffer ahead (p50 at the samples): 1 tile sub ${one.bufferAheadP50} ms, focus main ${oneM.bufferAheadP50} ms, 16 tiles ${sixteen.bufferAheadP50} ms`);
  console.log(`server event loop delay p99: ${result.serverEventLoopDelayMs.duringPageOpens.p99} ms during page opens, ${result.serverEventLoopDelayMs.duringSoak.p99} ms during the soak`);
  console.log(`16 tiles: page rendering rate ${result.sixteenTileSoak.frameCallbacksPerSecondPerTile.median} frame callbacks/s per tile; latency sampler cost ${result.sixteenTileSoak.samplerCostPctOfOneCore} % of one core`);
  if (pageErrors.length) console.log(`\npage errors/warnings (${pageErrors.length}), first: ${pageErrors.slice(0, 3).join(' | ')}`);
  const worst = opens.map((o) => o.allPlayingMs);
  return {
    result, measured, forceFallback, verdicts, soakLoad,
    /** The figures compared across builds (ms, fps, stalls, % of one core). */
    figures: {
      sixteenP50: sixteen.p50, sixteenP95: sixteen.p95, oneSubP50: one.p50, oneSubP95: one.p95, focusMainP50: oneM.p50, focusMainP95: oneM.p95,
      ttffP50: result.firstFrame.ttffMs.p50, ttffP95: result.firstFrame.ttffMs.p95, ttffMax: result.firstFrame.ttffMs.max,
      allPlayingWorstMs: worst.includes(null) || worst.length === 0 ? null : Math.max(...(worst as number[])),
      fpsMin: result.sixteenTileSoak.fpsPerTile.min, stalls,
      ffmpegPctOfOneCoreOneTile: windows['1 tile, sub']?.ours.ffmpeg ?? null, ffmpegPctOfOneCoreSoak: soakLoad.ours.ffmpeg ?? null,
      othersPctOfOneCoreSoak: soakLoad.othersPctOfOneCore,
    },
  };
}

const today = () => new Date().toISOString().slice(0, 10);

runBench(async (cleanup) => {
  const info = machine({ chromiumPath: (await findChromium()).path });
  const builds = await benchFfmpegBuilds();
  for (const b of builds) log(`ffmpeg ${b.name}: ${b.ffmpeg.path} (${b.ffmpeg.versionLine}); ffprobe ${b.ffprobe}`);
  const { busyPct: busyBefore, waitedMs } = await waitForQuiet();
  log('machine', info.nproc, 'cores,', info.cpuModel, '· loadavg', info.loadavgAtStart, `· ${busyBefore} % busy before start (others' load)`);
  const clientBuild = ensureClientBuilt();
  if (clientBuild.built) log(`console built (npx vite build) in ${clientBuild.ms} ms`);

  const runs: Array<Awaited<ReturnType<typeof measureBuild>> & { build: BenchFfmpeg }> = [];
  for (const build of builds) runs.push({ build, ...(await measureBuild(build, cleanup)) });
  const of = (b: BenchFfmpeg) => runs.find((r) => r.build === b)!;
  const forceFallback = runs[0]!.forceFallback;
  const result = {
    benchmark: 'glass-to-glass latency, time to first frame, 16-tile wall, per ffmpeg build',
    command: 'npm run bench:latency',
    machine: { ...info, busyPctOfAllCoresBeforeStart: busyBefore, waitedForQuietMs: waitedMs, chromiumPath: (await findChromium()).path, viewport: VIEWPORT, clientBuild },
    order: `one room per build, one after the other: ${builds.map((b) => b.name).join(', then ')}`,
    ffmpegBuilds: builds.map(describeBuild),
    figures: Object.fromEntries(runs.map((r) => [r.build.name, r.figures])),
    ratios: ratiosToBaseline(builds, (b) => of(b).figures),
    perBuild: Object.fromEntries(runs.map((r) => [r.build.name, r.result])),
  };
  // An experiment on the bare player page never replaces the console's figures.
  const file = writeResult(forceFallback ? 'latency-fallback' : 'latency', result);
  for (const r of runs) {
    const x = r.result;
    appendRun('latency', {
      date: info.date, ffmpeg: r.build.name, measured: r.measured, console: x.consoleBuild.entry, othersPctOfOneCoreDuringSoak: r.soakLoad.othersPctOfOneCore, busyBeforeStart: busyBefore,
      oneTileSub: [x.latency.oneTileSub.p50, x.latency.oneTileSub.p95], oneTileMain: [x.latency.oneTileFocusMain.p50, x.latency.oneTileFocusMain.p95], sixteen: [x.latency.sixteenTiles.p50, x.latency.sixteenTiles.p95],
      ttff: [x.firstFrame.ttffMs.p50, x.firstFrame.ttffMs.p95, x.firstFrame.ttffMs.max], allPlaying: x.firstFrame.allSixteenPlayingMs.map((o) => o.ms),
      fpsMin: x.sixteenTileSoak.fpsPerTile.min, stalls: x.sixteenTileSoak.stalls,
    });
  }

  // ---- report: one row per figure, every build side by side (ratio to the first) ----
  const day = info.date.slice(0, 10);
  const soaks = runs.map((r) => `${r.build.name} ${r.soakLoad.othersPctOfOneCore} % (loadavg ${r.soakLoad.loadavg.split(' ').slice(0, 3).join(' ')})`).join(', ');
  const where = `${info.nproc} cores ${info.cpuModel}, ${info.chromium?.replace(/ built on.*/, '') ?? 'Chromium'}; others' load during the 16-tile soak: ${soaks}; ${day}`;
  const cmd = '`npm run bench:latency`';
  const f = (k: keyof ReturnType<typeof of>['figures'], unit = ' ms') => sideBySide(builds, (b) => of(b).figures[k], unit);
  const marks = (i: number) => runs.map((r) => `${r.build.name} ${verdictWord(r.verdicts[i]!)}`).join(', ');
  console.log(`\n${runs.every((r) => r.measured === 'console') ? 'Measured: the real console.' : 'Measured (some builds): FALLBACK minimal mpegts.js page.'} Results: ${path.relative(root, file)}\n`);
  console.log('| what | target | measured | command | machine, date |');
  console.log('|---|---|---|---|---|');
  console.log(`| glass-to-glass latency, 16-tile wall (sub 640x360), per ffmpeg build | p50 ≤ 300 ms, p95 ≤ 500 ms | p50 ${f('sixteenP50')} (${marks(0)}); p95 ${f('sixteenP95')} (${marks(1)}) | ${cmd} | ${where} |`);
  console.log(`| glass-to-glass latency, 1 tile, per ffmpeg build | — | sub p50 ${f('oneSubP50')}, p95 ${f('oneSubP95')}; focus main p50 ${f('focusMainP50')}, p95 ${f('focusMainP95')} | ${cmd} | ${where} |`);
  console.log(`| time to first frame of a tile, per ffmpeg build | ≤ 300 ms | p50 ${f('ttffP50')}; p95 ${f('ttffP95')}; max ${f('ttffMax')} | ${cmd} | ${where} |`);
  console.log(`| 16-tile wall all playing (worst opening), per ffmpeg build | ≤ 1.5 s | ${f('allPlayingWorstMs')} (${marks(4)}) | ${cmd} | ${where} |`);
  console.log(`| 16 tiles for ${SOAK_SECONDS} s, per ffmpeg build | 25 fps, 0 stalls | min fps ${f('fpsMin', '')}; stalls ${f('stalls', '')}; live encoder ffmpeg during the soak ${f('ffmpegPctOfOneCoreSoak', ' %')} of one core | ${cmd} | ${where} |`);
});

function gitHead(): string | null {
  try { return execSync('git rev-parse --short HEAD', { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() + (execSync('git status --porcelain client', { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ? ' + uncommitted client/ changes' : ''); } catch { return null; }
}

/**
 * The fallback page's player: the console's own player module (client/src/live/flvPlayer.ts: createFlvPlayer and
 * its playerConfig) bundled for the browser, so the settings are the console's. BENCH_FALLBACK_PLAYER (JSON) overrides
 * settings for an experiment, e.g. '{"liveSyncMaxLatency":0.2,"liveSyncTargetLatency":0.1}'.
 */
async function fallbackPlayerScript(): Promise<{ script: string; source: string }> {
  const override = process.env.BENCH_FALLBACK_PLAYER ? JSON.parse(process.env.BENCH_FALLBACK_PLAYER) as Record<string, unknown> : {};
  const entry = `import { createFlvPlayer, playerConfig } from ${JSON.stringify(path.join(root, 'client/src/live/flvPlayer.ts'))};
    Object.assign(playerConfig, ${JSON.stringify(override)});
    window.__benchPlayer = { create: (url) => createFlvPlayer(url).player };`;
  const out = await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome120', logLevel: 'silent' });
  await stopEsbuild();
  return { script: out.outputFiles[0]!.text, source: `client/src/live/flvPlayer.ts${Object.keys(override).length ? ` with ${JSON.stringify(override)}` : ''}` };
}

/**
 * Minimal wall page with the console's player, for when the console wall does not play (never the first choice), or
 * with BENCH_FALLBACK=1. It lives in a document of the room's own origin (/healthz, replaced): a page fulfilled by
 * the test harness counts as "public" for Chromium's Local Network Access checks, which then block its WebSocket to
 * 127.0.0.1. Scripts go in through the DevTools protocol (the room's CSP allows no inline scripts).
 */
async function openFallbackWall(page: Page, base: string, ids: string[], playerScript: string): Promise<void> {
  await page.goto(base + '/healthz');
  await page.setContent('<!doctype html><meta charset="utf-8"><title>bench wall</title><div id="w" style="display:grid;grid-template-columns:repeat(4,1fr);gap:2px;background:#000"></div>');
  await page.evaluate(playerScript);
  // BENCH_FALLBACK_MAX_CONNECTING=n: an experiment on the opening — at most n players connecting at once (a slot is
  // freed at the player's first media info), so Chromium's WebSocket throttle never sees many pending sockets.
  const maxConnecting = Number(process.env.BENCH_FALLBACK_MAX_CONNECTING ?? 0) || 1000;
  await page.evaluate(({ ids, maxConnecting }) => {
    type P = { attachMediaElement(v: HTMLVideoElement): void; load(): void; play(): unknown; on(e: string, f: () => void): void };
    const w = window as unknown as { __benchPlayer: { create(url: string): P }; __benchOpenAt: number };
    w.__benchOpenAt = performance.now();
    let connecting = 0;
    const waiting: Array<() => void> = [];
    const slot = () => (connecting < maxConnecting ? (connecting++, Promise.resolve()) : new Promise<void>((r) => waiting.push(r)));
    const free = () => { const next = waiting.shift(); if (next) next(); else connecting--; };
    for (const id of ids) {
      const v = document.createElement('video');
      v.muted = true; v.autoplay = true; v.playsInline = true; v.dataset.cameraId = id; v.style.width = '100%';
      document.getElementById('w')!.appendChild(v);
      void fetch(`/api/cameras/${id}/live`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stream: 'sub' }) })
        .then((r) => r.json()).then(async (g: { port: number; path: string }) => {
          await slot();
          const p = w.__benchPlayer.create(`ws://${location.hostname}:${g.port}${g.path}`);
          let freed = false;
          const once = () => { if (!freed) { freed = true; free(); } };
          p.on('media_info', once);
          p.on('error', once);
          p.attachMediaElement(v); p.load(); void p.play();
        });
    }
  }, { ids, maxConnecting });
}
