// Dispatch benchmark (issue 5, Targets). The real server runs as a child process (node --import tsx server/main.ts)
// on an embedded PostgreSQL this harness owns, so it can be SIGKILLed and restarted on the same database.
//   A: 20 observer + 5 dispatcher socket.io consoles, 10 alerts/s for BENCH_SECONDS (60): latency from just before
//      the alert POST to each dispatcher socket's receipt of kind 'raised' for that alert (target p99 <= 50 ms).
//   B: the same load, the server SIGKILLed 5 times at random moments and restarted on the same database; consoles
//      reconnect and catch up with GET /api/alerts (as the console does). Lost (201 but never shown) and shown twice.
// Run: npm run bench:dispatch  (BENCH_SECONDS=10 to shorten; BENCH_PARTS=A or B to run one part; BENCH_KILLS=5)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { DispatchMessage } from '../../server/incidents/schema.js';
import { startEmbeddedPostgres } from '../../server/db/connect.js';
import { createLogger } from '../../server/log.js';
import { ApiClient } from '../support/room.js';
import { freePort } from '../support/ports.js';
import { check, loadMeter, log, machine, percentile, prepareDataDir, root, round, runBench, verdictWord, waitFor, writeResult, type Verdict } from './support.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const KILLS = Number(process.env.BENCH_KILLS ?? 5);
const PARTS = (process.env.BENCH_PARTS ?? 'AB').toUpperCase();
const N_OBS = 20, N_DISP = 5;
const PASSWORD = 'uitkijk-demo';
const CAMERAS = ['ens-stationsplein', 'ens-oude-markt'];

/** The server as a child process on fixed ports (clients reconnect to the same URL after a restart). */
class Server {
  child: ChildProcess | null = null;
  exits: Array<{ code: number | null; signal: string | null }> = [];
  stderrTail = '';
  constructor(readonly env: Record<string, string>, readonly url: string) {}
  async start(): Promise<number> {
    const t = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    child.stdout!.on('data', () => {});
    child.stderr!.on('data', (d: Buffer) => { this.stderrTail = (this.stderrTail + d.toString()).slice(-4000); });
    child.on('exit', (code, signal) => { this.exits.push({ code, signal }); if (this.child === child) this.child = null; });
    await waitFor('server /healthz', async () => {
      if (this.child !== child) throw new Error(`server exited during start: ${this.stderrTail}`);
      try { return (await fetch(this.url + '/healthz')).status === 200; } catch { return false; }
    }, 60_000, 50);
    return performance.now() - t;
  }
  /** SIGKILL the server's process group (the node process and tsx's esbuild helper it started). */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c?.pid) return;
    const gone = new Promise((r) => c.once('exit', r));
    try { process.kill(-c.pid, 'SIGKILL'); } catch { try { c.kill('SIGKILL'); } catch { /* gone */ } }
    await gone;
  }
  async stop(): Promise<void> {
    const c = this.child;
    if (!c?.pid) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000))]);
    if (this.child === c) await this.kill();
  }
}

interface Dispatcher { name: string; api: ApiClient; socket: Client; seenMsg: Set<string>; raisedMsgsByAlert: Map<string, Set<string>>; firstSeen: Map<string, { at: number; via: 'socket' | 'catchup' }>; socketSeen: Set<string>; rawRaised: number; redeliveries: number; reconnects: number; catchups: number }

async function part(name: 'A' | 'B', server: Server, kills: number) {
  const url = server.url;
  log(`[${name}] starting the server …`);
  const firstStartMs = await server.start();
  // Accounts: the demo observer/dispatcher plus extras made through the admin API (idempotent across parts).
  const admin = await new ApiClient(url).login('admin', PASSWORD);
  const names = (role: string, n: number) => [role, ...Array.from({ length: n - 1 }, (_, i) => `bench-${role}-${String(i + 1).padStart(2, '0')}`)];
  const obsNames = names('observer', N_OBS), dispNames = names('dispatcher', N_DISP);
  for (const [role, list] of [['observer', obsNames], ['dispatcher', dispNames]] as const) {
    for (const u of list.slice(1)) {
      const r = await admin.post('/api/users', { username: u, displayName: u, role, password: PASSWORD });
      if (r.status !== 201 && r.status !== 409) throw new Error(`create ${u}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }
  const observers = await Promise.all(obsNames.map((u) => new ApiClient(url).login(u, PASSWORD)));
  const reconnection = { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500, randomizationFactor: 0.2 };
  const open = (cookie: string) => connect(url, { transports: ['websocket'], extraHeaders: { cookie }, ...reconnection }) as Client;
  const obsSockets = observers.map((o) => open(o.cookie));
  const dispatchers: Dispatcher[] = [];
  for (const u of dispNames) {
    const api = await new ApiClient(url).login(u, PASSWORD);
    const d: Dispatcher = { name: u, api, socket: open(api.cookie), seenMsg: new Set(), raisedMsgsByAlert: new Map(), firstSeen: new Map(), socketSeen: new Set(), rawRaised: 0, redeliveries: 0, reconnects: 0, catchups: 0 };
    d.socket.on('dispatch:alert', (m: DispatchMessage) => {
      const at = performance.now();
      if (m.kind !== 'raised') return;
      d.rawRaised++;
      d.socketSeen.add(m.alert.id);
      if (d.seenMsg.has(m.messageId)) { d.redeliveries++; return; }
      d.seenMsg.add(m.messageId);
      let s = d.raisedMsgsByAlert.get(m.alert.id);
      if (!s) d.raisedMsgsByAlert.set(m.alert.id, (s = new Set()));
      s.add(m.messageId);
      if (!d.firstSeen.has(m.alert.id)) d.firstSeen.set(m.alert.id, { at, via: 'socket' });
    });
    let connectedOnce = false;
    d.socket.on('connect', () => {
      if (!connectedOnce) { connectedOnce = true; return; }
      d.reconnects++;
      // What the console does on reconnect: fetch the queue and merge by alert id.
      void d.api.get('/api/alerts?state=all&limit=500').then((r) => {
        if (r.status !== 200) return;
        d.catchups++;
        const at = performance.now();
        for (const a of r.body as Array<{ id: string }>) if (!d.firstSeen.has(a.id)) d.firstSeen.set(a.id, { at, via: 'catchup' });
      }).catch(() => {});
    });
    dispatchers.push(d);
  }
  const allSockets = [...obsSockets, ...dispatchers.map((d) => d.socket)];
  await waitFor('all consoles connected', () => allSockets.every((s) => s.connected), 15_000, 50);
  log(`[${name}] ${obsSockets.length} observer and ${dispatchers.length} dispatcher consoles connected (server up in ${Math.round(firstStartMs)} ms)`);

  // The load: one alert every 1000/RATE ms, observers in turn; each = POST incident, then POST alert.
  const sent: Array<{ seq: number; t0: number; alertId: string | null; incidentStatus: number | string; alertStatus: number | string | null; ms: number | null }> = [];
  const meter = loadMeter();
  const tStart = performance.now();
  const durationMs = SECONDS * 1000;
  const inflight = new Set<Promise<void>>();
  let seq = 0;
  const fire = async (n: number) => {
    const o = observers[n % observers.length]!;
    const rec: (typeof sent)[number] = { seq: n, t0: 0, alertId: null, incidentStatus: 'error', alertStatus: null, ms: null };
    sent.push(rec);
    try {
      const i = await o.post('/api/incidents', { taggedAt: new Date().toISOString(), cameraIds: [CAMERAS[n % CAMERAS.length]!], categoryId: 'verdachte-situatie', priority: 1 + (n % 3), notes: `bench ${name} #${n}` });
      rec.incidentStatus = i.status;
      if (i.status !== 201) return;
      rec.t0 = performance.now();
      rec.alertStatus = 'error';
      const a = await o.post(`/api/incidents/${i.body.id}/alert`, {});
      rec.alertStatus = a.status;
      rec.ms = performance.now() - rec.t0;
      if (a.status === 201) rec.alertId = a.body.id;
    } catch (e) { /* server down: refused or reset */ }
  };
  const loadDone = (async () => {
    for (;;) {
      const due = tStart + seq * (1000 / RATE);
      if (due - tStart >= durationMs) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const p = fire(seq++).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
  })();

  // B: SIGKILL at random moments (5 %..90 % of the run), restart on the same database at once.
  const killLog: Array<{ atS: number; restartMs: number }> = [];
  const killsDone = (async () => {
    const times = Array.from({ length: kills }, () => (0.05 + Math.random() * 0.85) * durationMs).sort((a, b) => a - b);
    for (const t of times) {
      const wait = tStart + t - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const atS = (performance.now() - tStart) / 1000;
      await server.kill();
      const restartMs = await server.start();
      killLog.push({ atS: round(atS, 2)!, restartMs: Math.round(restartMs) });
      log(`[${name}] SIGKILL at ${atS.toFixed(1)} s; up again after ${Math.round(restartMs)} ms`);
    }
  })();
  await Promise.all([loadDone, killsDone]);
  const load = meter.stop();
  // Drain: allow the outbox worker (and reconnect catch-ups) to finish.
  const ok = sent.filter((s) => s.alertStatus === 201 && s.alertId);
  const drainUntil = Date.now() + 15_000;
  while (Date.now() < drainUntil && !(ok.every((s) => dispatchers.every((d) => d.firstSeen.has(s.alertId!))) && dispatchers.every((d) => d.socket.connected))) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000)); // late redeliveries

  // Figures.
  const perDisp = dispatchers.map((d) => {
    const values: number[] = [];
    let viaCatchup = 0, lost = 0;
    for (const s of ok) {
      const f = d.firstSeen.get(s.alertId!);
      if (!f) { lost++; continue; }
      if (f.via === 'catchup') { viaCatchup++; continue; }
      values.push(f.at - s.t0);
    }
    const shownTwice = [...d.raisedMsgsByAlert.values()].filter((m) => m.size > 1).length;
    const neverOverSocket = ok.filter((s) => !d.socketSeen.has(s.alertId!)).length;
    return {
      dispatcher: d.name, received: values.length, viaCatchup, neverOverSocket, lost, shownTwice, redeliveriesSameMessageId: d.redeliveries, reconnects: d.reconnects, catchups: d.catchups,
      p50Ms: round(percentile(values, 50), 1), p95Ms: round(percentile(values, 95), 1), p99Ms: round(percentile(values, 99), 1), maxMs: round(values.length ? Math.max(...values) : null, 1), values,
    };
  });
  const all = perDisp.flatMap((p) => p.values);
  const postMs = ok.map((s) => s.ms!).filter((v) => v != null);
  const lostAlerts = ok.filter((s) => dispatchers.some((d) => !d.firstSeen.has(s.alertId!)));
  const lostEverywhere = ok.filter((s) => dispatchers.every((d) => !d.firstSeen.has(s.alertId!)));
  const shownTwice = perDisp.reduce((n, p) => n + p.shownTwice, 0);
  const result = {
    part: name, seconds: SECONDS, ratePerS: RATE, observers: N_OBS, dispatchers: N_DISP, kills: killLog,
    attempted: sent.length, incident201: sent.filter((s) => s.incidentStatus === 201).length, alert201: ok.length,
    alertNot201: sent.filter((s) => s.incidentStatus === 201 && s.alertStatus !== 201).length,
    failedDuringOutage: sent.filter((s) => s.incidentStatus !== 201).length,
    latencyMs: { samples: all.length, p50: round(percentile(all, 50), 1), p95: round(percentile(all, 95), 1), p99: round(percentile(all, 99), 1), max: round(all.length ? Math.max(...all) : null, 1) },
    alertPostMs: { p50: round(percentile(postMs, 50), 1), p95: round(percentile(postMs, 95), 1), p99: round(percentile(postMs, 99), 1), max: round(postMs.length ? Math.max(...postMs) : null, 1) },
    perDispatcher: perDisp.map(({ values, ...rest }) => rest),
    lostAlerts: lostAlerts.length, lostAlertsOnEveryConsole: lostEverywhere.length, lostAlertIds: lostAlerts.slice(0, 20).map((s) => s.alertId),
    shownTwice, redeliveriesSameMessageId: perDisp.reduce((n, p) => n + p.redeliveriesSameMessageId, 0),
    reachedFirstViaCatchup: perDisp.reduce((n, p) => n + p.viaCatchup, 0),
    neverOverSocket: perDisp.reduce((n, p) => n + p.neverOverSocket, 0),
    load,
  };
  for (const s of allSockets) s.close();
  await server.stop();
  return result;
}

runBench(async (cleanup) => {
  const m = machine();
  log(`dispatch benchmark: ${SECONDS} s at ${RATE} alerts/s, parts ${PARTS}; load average ${m.loadavgAtStart}`);
  const dir = prepareDataDir(mkdtempSync(path.join(tmpdir(), 'uitkijk-bench-dispatch-')));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const pgLog = createLogger('warn');
  const results: Record<string, unknown> = {};
  const verdicts: Verdict[] = [];
  const runPart = async (name: 'A' | 'B', kills: number) => {
    // Each part on its own fresh database (B must not count A's alerts).
    const pgDir = prepareDataDir(path.join(dir, `pg-${name}`));
    const pg = await startEmbeddedPostgres({ dataDir: pgDir, port: await freePort(), log: pgLog });
    let pgStopped = false;
    cleanup(async () => { if (!pgStopped) await pg.stop(); });
    const dataDir = prepareDataDir(path.join(dir, `data-${name}`));
    const port = await freePort();
    const server = new Server({
      NODE_ENV: 'development', DATABASE_URL: pg.url, HOST: '127.0.0.1', MEDIA_HOST: '127.0.0.1', PORT: String(port),
      RTMP_PORT: String(await freePort()), FLV_PORT: String(await freePort()), DEMO_RTSP_PORT: String(await freePort()),
      DATA_DIR: dataDir, MEDIA_DIR: path.join(dataDir, 'media'), DEMO: 'true', DEMO_CAMERAS: 'false', RECORDING: 'off',
      LOG_LEVEL: 'warn', SERVE_CLIENT: 'false', DISPATCH_ESCALATE_SECONDS: '3600', DISPATCH_WEBHOOK_URL: '',
    }, `http://127.0.0.1:${port}`);
    cleanup(() => server.stop());
    const r = await part(name, server, kills);
    await server.stop();
    await pg.stop(); pgStopped = true;
    return r;
  };
  if (PARTS.includes('A')) {
    const a = await runPart('A', 0);
    results.A = a;
    verdicts.push(check('A: alert POST -> dispatcher socket, p99 (20 obs + 5 disp, 10/s, loopback)', a.latencyMs.p99, 50, 'ms'));
    log(`[A] latency p50 ${a.latencyMs.p50} / p95 ${a.latencyMs.p95} / p99 ${a.latencyMs.p99} / max ${a.latencyMs.max} ms over ${a.latencyMs.samples} deliveries; load ${a.load.loadavg}`);
  }
  if (PARTS.includes('B')) {
    const b = await runPart('B', KILLS);
    results.B = b;
    verdicts.push(check(`B: alerts lost (201 but never shown) across ${KILLS} SIGKILLs`, b.lostAlerts, 0, 'alerts'));
    verdicts.push(check(`B: alerts shown twice (distinct 'raised' messages per alert and console)`, b.shownTwice, 0, 'alerts'));
    log(`[B] lost ${b.lostAlerts}, shown twice ${b.shownTwice}, redeliveries ${b.redeliveriesSameMessageId}, first via catch-up ${b.reachedFirstViaCatchup}, never over the socket ${b.neverOverSocket}; latency p99 ${b.latencyMs.p99} ms`);
  }
  for (const v of verdicts) log(`${verdictWord(v)}: ${v.target}: ${v.measured} ${v.unit}`);
  const file = writeResult('dispatch', {
    benchmark: 'dispatch', command: 'npm run bench:dispatch (tsx tests/bench/dispatch.ts)', env: { BENCH_SECONDS: SECONDS, BENCH_RATE: RATE, BENCH_KILLS: KILLS, BENCH_PARTS: PARTS },
    machine: m, loadavgAtEnd: (await import('./support.js')).loadavg(), verdicts, ...results,
    notes: [
      'Server: node --import tsx server/main.ts as a child process, DEMO=true DEMO_CAMERAS=false RECORDING=off LOG_LEVEL=warn SERVE_CLIENT=false, embedded PostgreSQL started by the harness (DATABASE_URL), all on 127.0.0.1.',
      'Latency: performance.now() in the harness just before the alert POST, to the first receipt of a kind "raised" dispatch:alert for that alert id on each dispatcher socket (same process, same clock). Load generator and 25 socket.io clients share one Node process.',
      'B: lost = alert POST returned 201 but some dispatcher console never got it (socket or the GET /api/alerts?state=all catch-up after reconnect) within 15 s after the load. Shown twice = a console got two distinct "raised" messageIds for one alert (after dropping repeated messageIds).',
    ],
  });
  log(`results: ${file}`);
});
