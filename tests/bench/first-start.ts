// First start as a new user has it: `npm start` (console build, embedded PostgreSQL initdb, migrations, seed, demo
// loops encoded from scratch) in a fresh DATA_DIR, with RECORDING=on. Measures the time to /healthz, to every
// permanent demo camera online, to the first recorded segment, to an evidence clip cut from it, and whether the
// observer's wall plays in Chromium. Run it under .ci/fresh-machine.sh to have the packaged ffmpeg and Chromium:
//   .ci/fresh-machine.sh npm run bench:first-start
// It starts everything on free loopback ports and stops every process it started.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiClient } from '../support/room.js';
import { Consoles, findChromium, launchBrowser } from '../support/browser.js';
import { freePort } from '../support/ports.js';
import { log, machine, root, round, runBench, waitFor, writeResult } from './support.js';

const TARGET_ONLINE_MS = 90_000;

interface Status { cameraId: string; online: boolean }
interface Camera { id: string; kind: 'permanent' | 'flexible'; name: string }

runBench(async (cleanup) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'uitkijk-first-start-'));
  chmodSync(dataDir, 0o755); // as root, the embedded PostgreSQL runs as 'postgres', which must reach its directory
  const [port, rtmp, flv, pg, rtsp] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const env = {
    ...process.env, HOST: '127.0.0.1', MEDIA_HOST: '127.0.0.1', PORT: String(port), RTMP_PORT: String(rtmp), FLV_PORT: String(flv),
    FLV_PORTS: '1', EMBEDDED_PG_PORT: String(pg), DEMO_RTSP_PORT: String(rtsp), DATA_DIR: dataDir, MEDIA_DIR: path.join(dataDir, 'media'), RECORDING: 'on',
  };
  const t0 = Date.now();
  const server = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  server.stdout.on('data', (d) => (out += d));
  server.stderr.on('data', (d) => (out += d));
  const stop = async () => {
    if (server.exitCode !== null) return;
    process.kill(-server.pid!, 'SIGTERM');
    await new Promise((r) => { const t = setTimeout(() => { try { process.kill(-server.pid!, 'SIGKILL'); } catch { /* gone */ } r(null); }, 15_000); server.once('exit', () => { clearTimeout(t); r(null); }); });
  };
  cleanup(stop);
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor('/healthz', async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok === true, 180_000, 250);
    const healthzMs = Date.now() - t0;
    const ffmpegLine = /ffmpeg \d+\.x from [^"\n]*/.exec(out)?.[0] ?? /ffmpeg not found[^\n]*/.exec(out)?.[0] ?? 'not logged';
    log(`healthz after ${healthzMs} ms; ${ffmpegLine}`);

    const observer = await new ApiClient(base).login('observer');
    const cameras = (await observer.get('/api/cameras')).body as Camera[];
    const permanent = cameras.filter((c) => c.kind === 'permanent').map((c) => c.id);
    let status: Status[] = [];
    await waitFor('every permanent demo camera online', async () => {
      status = (await observer.get('/api/live/status')).body as Status[];
      return permanent.every((id) => status.find((s) => s.cameraId === id)?.online);
    }, 180_000, 250);
    const allOnlineMs = Date.now() - t0;
    const flexibleOnline = status.filter((s) => s.online && !permanent.includes(s.cameraId)).length;
    log(`${permanent.length} permanent cameras online after ${allOnlineMs} ms (+${flexibleOnline} flexible units in their window)`);

    const supervisor = await new ApiClient(base).login('supervisor');
    const cam = permanent[0]!;
    let firstSegmentMs = 0;
    await waitFor('a recorded range', async () => {
      const r = (await supervisor.get(`/api/recordings/${cam}/ranges`)).body as { ranges?: unknown[] };
      return (r.ranges?.length ?? 0) > 0;
    }, 60_000, 250);
    firstSegmentMs = Date.now() - t0;

    const now = Date.now();
    const item = (await observer.post('/api/evidence', { cameras: [cam], from: new Date(now - 8_000).toISOString(), to: new Date(now - 2_000).toISOString(), reason: 'eerste start: bewijsclip' })).body as { id: string };
    let state = '';
    await waitFor('the evidence clip', async () => {
      state = ((await supervisor.get(`/api/evidence/${item.id}`)).body as { state: string }).state;
      return state === 'ready' || state === 'failed';
    }, 90_000, 250);
    const clipReadyMs = Date.now() - t0;
    log(`first segment after ${firstSegmentMs} ms; evidence item ${state} after ${clipReadyMs} ms`);

    const browser = await launchBrowser();
    const consoles = new Consoles(() => browser, () => base, { viewport: { width: 1600, height: 900 } });
    let tilesPlaying = 0, tiles = 0;
    try {
      const page = await consoles.loginAs('observer');
      await waitFor('every tile of the wall playing', async () => {
        const r = await page.evaluate(async () => {
          const vs = [...document.querySelectorAll('video')];
          const before = vs.map((v) => v.currentTime);
          await new Promise((res) => setTimeout(res, 600));
          return { n: vs.length, playing: vs.filter((v, i) => v.currentTime > before[i]! + 0.2).length };
        });
        tiles = r.n; tilesPlaying = r.playing;
        return r.n > 0 && r.playing === r.n;
      }, 30_000, 250).catch(() => {});
    } finally {
      await consoles.closeAll();
      await browser.close();
    }
    log(`wall: ${tilesPlaying}/${tiles} tiles playing`);

    const result = {
      machine: machine({ chromiumPath: (await findChromium()).path }),
      ffmpeg: ffmpegLine,
      healthzMs, allOnlineMs, permanentCameras: permanent.length, flexibleOnline, firstSegmentMs, clipReadyMs, clipState: state,
      wall: { tiles, tilesPlaying },
      verdict: { allOnlineWithin90s: allOnlineMs <= TARGET_ONLINE_MS, wallPlays: tiles > 0 && tilesPlaying === tiles, clipCut: state === 'ready' },
    };
    writeResult('first-start', result);
    console.log(`| first start (npm start in a fresh DATA_DIR, RECORDING=on; ${ffmpegLine}) | all demo cameras online ≤ 90 s | /healthz ${round(healthzMs / 1000, 1)} s; ${permanent.length} cameras online ${round(allOnlineMs / 1000, 1)} s; first segment ${round(firstSegmentMs / 1000, 1)} s; evidence clip ${state} ${round(clipReadyMs / 1000, 1)} s; wall ${tilesPlaying}/${tiles} tiles playing | \`npm run bench:first-start\` |`);
  } catch (e) {
    console.error(`server output (last 3000 characters):\n${out.slice(-3000)}`);
    throw e;
  } finally {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
