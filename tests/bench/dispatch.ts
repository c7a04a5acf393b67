// Dispatch benchmark (issue 5, Targets). The real server runs as a child process (node --import tsx server/main.ts)
// on an embedded PostgreSQL this harness owns, so it can be SIGKILLed and restarted on the same database.
//   A: 20 observer + 5 dispatcher consoles, 10 alerts/s for BENCH_SECONDS (60): latency from just before the alert
//      POST to each dispatcher socket's receipt of kind 'raised' for that alert (target p99 <= 50 ms). One of the 5
//      dispatcher consoles is a real Chromium page (the built console, logged in through the login page): the last hop
//      is measured to the moment the alert's row appears in its queue's DOM (a MutationObserver in the page), on the
//      wall clock of both sides (performance.timeOrigin + performance.now()).
//   B: the same load, the server SIGKILLed 5 times at random moments and restarted on the same database; consoles
//      reconnect and catch up with GET /api/alerts (as the console does). Lost (201 but never shown) and shown twice.
// Run: npm run bench:dispatch  (BENCH_SECONDS=10 to shorten; BENCH_PARTS=A or B to run one part; BENCH_KILLS=5)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { Browser, Page } from 'playwright-core';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { DispatchMessage } from '../../server/dispatch/schema.js';
import { startEmbeddedPostgres } from '../../server/db/connect.js';
import { createLogger } from '../../server/log.js';
import { ApiClient } from '../support/room.js';
import { freePort } from '../support/ports.js';
import { findChromium, launchBrowser } from '../support/browser.js';
import { check, ensureClientBuilt, loadMeter, log, machine, percentile, prepareDataDir, resultsDir, root, round, runBench, verdictWord, waitFor, writeResult, type Verdict } from './support.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const KILLS = Number(process.env.BENCH_KILLS ?? 5);
const PARTS = (process.env.BENCH_PARTS ?? 'AB').toUpperCase();
const N_OBS = 20, N_DISP = 5;
const PASSWORD = 'uitkijk-demo';
const CAMERAS = ['ens-stationsplein', 'ens-oude-markt'];
type Cleanup = (fn: () => Promise<unknown> | unknown) => void;

/**
 * Runs in the dispatcher's page before the console's own scripts: for every alert id, the wall-clock time
 * (performance.timeOrigin + performance.now(), the same clock as the harness's) at which a row for it first appears in
 * the queue (a MutationObserver, so the time is taken in the microtask checkpoint right after React's commit), and the
 * start of the next animation frame after that (the frame that lays out and paints it). Also the page's long tasks.
 */
const PAGE_PROBE = `(() => {
  globalThis.__name ??= (f) => f;
  const wall = () => performance.timeOrigin + performance.now();
  const QUEUE = '[data-testid="alerts-queue"]';
  const seen = new Map();
  const longTasks = [];
  // When the page's main thread got each 'raised' socket.io message (a listener that runs before socket.io's own): splits
  // the last hop into "to the page" (server, network, waiting for the main thread) and "in the page" (decode, React, DOM).
  const wsAt = new Map();
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (e) => {
        const at = wall();
        if (typeof e.data !== 'string' || !e.data.startsWith('42') || !e.data.includes('dispatch:alert')) return;
        try {
          const [ev, m] = JSON.parse(e.data.slice(e.data.indexOf('[')));
          if (ev === 'dispatch:alert' && m && m.kind === 'raised' && m.alert && !wsAt.has(m.alert.id)) wsAt.set(m.alert.id, at);
        } catch { /* not ours */ }
      });
    }
  };
  let waiting = [];
  const note = (el, at) => {
    const id = el.getAttribute('data-alert-id');
    if (!id || seen.has(id) || !el.closest(QUEUE)) return; // the detail panel carries data-alert-id too: rows only
    const r = { dom: at, frame: null };
    seen.set(id, r);
    waiting.push(r);
  };
  new MutationObserver((records) => {
    const at = wall();
    for (const rec of records) for (const n of rec.addedNodes) {
      if (n.nodeType !== 1) continue;
      if (n.hasAttribute('data-alert-id')) note(n, at);
      n.querySelectorAll('[data-alert-id]').forEach((el) => note(el, at));
    }
    if (waiting.length) {
      const batch = waiting;
      waiting = [];
      requestAnimationFrame(() => { const f = wall(); for (const r of batch) r.frame = f; });
    }
  }).observe(document, { childList: true, subtree: true });
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push([performance.timeOrigin + e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
  } catch { /* no long-task timing */ }
  globalThis.__dispatchProbe = {
    now: wall,
    count: () => seen.size,
    seen: () => [...seen].map(([id, r]) => [id, r.dom, r.frame, wsAt.get(id) ?? null]),
    longTasks: () => longTasks,
    rows: () => document.querySelectorAll(QUEUE + ' [data-alert-id]').length,
  };
})();`;
interface PageProbe { now(): number; count(): number; seen(): Array<[string, number, number | null, number | null]>; longTasks(): Array<[number, number]>; rows(): number }
// Functions given to page.evaluate run in the page: they reach the probe through this global, written out in each.
declare global { var __dispatchProbe: PageProbe }

/** Offset of the page's wall clock from ours (page − harness), from the round trip with the smallest delay. */
async function clockOffset(page: Page, n = 30) {
  const samples: Array<{ rttMs: number; offsetMs: number }> = [];
  for (let i = 0; i < n; i++) {
    const a = performance.timeOrigin + performance.now();
    const b = await page.evaluate(() => performance.timeOrigin + performance.now());
    const c = performance.timeOrigin + performance.now();
    samples.push({ rttMs: c - a, offsetMs: b - (a + c) / 2 });
  }
  const best = samples.reduce((x, y) => (y.rttMs < x.rttMs ? y : x));
  return { offsetMs: round(best.offsetMs, 2), rttMs: round(best.rttMs, 2), samples: n };
}

/** The browser dispatcher: Chromium (the project's launch args) logged in through the real login page. */
async function openBrowserDispatcher(url: string, username: string, cleanup: Cleanup) {
  const t = performance.now();
  const browser: Browser = await launchBrowser();
  let closed = false;
  const close = async () => { if (!closed) { closed = true; await browser.close(); } };
  cleanup(close);
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.addInitScript({ content: PAGE_PROBE });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message.slice(0, 300)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') pageErrors.push(`console.${m.type()}: ${m.text()}`.slice(0, 300)); });
  await page.goto(url + '/');
  await page.getByLabel('Gebruikersnaam', { exact: true }).fill(username);
  await page.getByLabel('Wachtwoord', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
  await page.getByTestId('current-user').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="alerts-queue"][data-loaded="true"]').waitFor({ timeout: 30_000 });
  await waitFor('the console live', async () => (await page.getByTestId('live-state').innerText()).trim() === 'Live', 30_000, 100);
  return { browser, page, pageErrors, close, readyMs: performance.now() - t };
}

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

async function part(name: 'A' | 'B', server: Server, kills: number, cleanup: Cleanup, withBrowser = false) {
  const url = server.url;
  log(`[${name}] starting the server …`);
  const firstStartMs = await server.start();
  // Accounts: the demo observer/dispatcher plus extras made through the admin API (idempotent across parts).
  const admin = await new ApiClient(url).login('admin', PASSWORD);
  const names = (role: string, n: number) => [role, ...Array.from({ length: n - 1 }, (_, i) => `bench-${role}-${String(i + 1).padStart(2, '0')}`)];
  const obsNames = names('observer', N_OBS), allDispNames = names('dispatcher', N_DISP);
  // With the browser, the last dispatcher account is the Chromium page; the others are socket.io clients.
  const dispNames = withBrowser ? allDispNames.slice(0, -1) : allDispNames;
  const browserUser = withBrowser ? allDispNames.at(-1)! : null;
  for (const [role, list] of [['observer', obsNames], ['dispatcher', dispNames]] as const) {
    for (const u of (role === 'dispatcher' ? allDispNames : list).slice(1)) {
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
  const bd = browserUser ? await openBrowserDispatcher(url, browserUser, cleanup) : null;
  const clockBefore = bd ? await clockOffset(bd.page) : null;
  if (bd) log(`[${name}] Chromium dispatcher console '${browserUser}' logged in and live after ${Math.round(bd.readyMs)} ms; page clock − harness clock ${clockBefore!.offsetMs} ms (round trip ${clockBefore!.rttMs} ms)`);

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
  const browserHasAll = async () => !bd || (await bd.page.evaluate(() => globalThis.__dispatchProbe.count())) >= ok.length;
  while (Date.now() < drainUntil && !(ok.every((s) => dispatchers.every((d) => d.firstSeen.has(s.alertId!))) && dispatchers.every((d) => d.socket.connected) && (await browserHasAll()))) await new Promise((r) => setTimeout(r, 100));
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
  const stats = (v: number[]) => ({ n: v.length, p50: round(percentile(v, 50), 1), p95: round(percentile(v, 95), 1), p99: round(percentile(v, 99), 1), max: round(v.length ? Math.max(...v) : null, 1) });
  // Per 10 s of the run (the queue grows by 100 open alerts in each: the bench closes none).
  const slices = (pairs: Array<{ t0: number; ms: number }>) => {
    const out = [];
    for (let from = 0; from < SECONDS; from += 10) {
      const v = pairs.filter((x) => (x.t0 - tStart) / 1000 >= from && (x.t0 - tStart) / 1000 < from + 10).map((x) => x.ms);
      out.push({ fromS: from, toS: Math.min(SECONDS, from + 10), ...stats(v) });
    }
    return out;
  };
  const socketPairs = ok.flatMap((s) => dispatchers.map((d) => d.firstSeen.get(s.alertId!)).filter((f) => f?.via === 'socket').map((f) => ({ t0: s.t0, ms: f!.at - s.t0 })));
  let browserResult: Record<string, unknown> | null = null;
  if (bd) {
    const clockAfter = await clockOffset(bd.page);
    const seen = new Map((await bd.page.evaluate(() => globalThis.__dispatchProbe.seen())).map(([id, dom, frame, ws]) => [id, { dom, frame, ws }]));
    const rowsAtEnd = await bd.page.evaluate(() => globalThis.__dispatchProbe.rows());
    const tStartWall = performance.timeOrigin + tStart, tEndWall = performance.timeOrigin + tStart + durationMs;
    const longTasks = (await bd.page.evaluate(() => globalThis.__dispatchProbe.longTasks())).filter(([at]) => at >= tStartWall && at <= tEndWall);
    const domPairs: Array<{ t0: number; ms: number }> = [], framePairs: Array<{ t0: number; ms: number }> = [];
    const toPage: number[] = [], inPage: Array<{ t0: number; ms: number }> = [];
    const missing: string[] = [];
    for (const s of ok) {
      const f = seen.get(s.alertId!);
      if (!f) { missing.push(s.alertId!); continue; }
      const t0Wall = performance.timeOrigin + s.t0;
      domPairs.push({ t0: s.t0, ms: f.dom - t0Wall });
      if (f.frame != null) framePairs.push({ t0: s.t0, ms: f.frame - t0Wall });
      if (f.ws != null) { toPage.push(f.ws - t0Wall); inPage.push({ t0: s.t0, ms: f.dom - f.ws }); }
    }
    const ltDur = longTasks.map(([, d]) => d);
    browserResult = {
      what: 'last hop in a real browser: alert POST (harness) -> the alert\'s row first in the queue DOM of a Chromium dispatcher console (MutationObserver)',
      dispatcher: browserUser, chromium: (await findChromium()).path, readyMs: Math.round(bd.readyMs),
      latencyMs: stats(domPairs.map((x) => x.ms)),
      toNextFrameMs: { what: 'to the start of the next animation frame after the row appeared (the frame that lays it out and paints it)', ...stats(framePairs.map((x) => x.ms)) },
      split: {
        what: 'the same alerts split at the moment the page\'s main thread got the socket.io message (WebSocket message event; alerts that came over a socket.io polling request or the GET /api/alerts load are not in n)',
        toPageMs: stats(toPage), inPageMs: stats(inPage.map((x) => x.ms)), inPagePer10sMs: slices(inPage),
      },
      per10s: slices(domPairs),
      missing: missing.length, missingIds: missing.slice(0, 20), rowsInQueueAtEnd: rowsAtEnd,
      longTasksDuringLoad: { count: ltDur.length, totalMs: Math.round(ltDur.reduce((a, b) => a + b, 0)), maxMs: round(ltDur.length ? Math.max(...ltDur) : null, 1) },
      clock: { what: 'page wall clock − harness wall clock, from the page.evaluate round trip with the least delay (not subtracted from the figures)', before: clockBefore, after: clockAfter },
      pageErrors: bd.pageErrors.slice(0, 20), pageErrorCount: bd.pageErrors.length,
    };
    await bd.close();
  }
  const result = {
    part: name, seconds: SECONDS, ratePerS: RATE, observers: N_OBS, dispatchers: N_DISP, socketDispatchers: dispatchers.length, browserDispatchers: bd ? 1 : 0, kills: killLog,
    attempted: sent.length, incident201: sent.filter((s) => s.incidentStatus === 201).length, alert201: ok.length,
    alertNot201: sent.filter((s) => s.incidentStatus === 201 && s.alertStatus !== 201).length,
    failedDuringOutage: sent.filter((s) => s.incidentStatus !== 201).length,
    latencyMs: { samples: all.length, p50: round(percentile(all, 50), 1), p95: round(percentile(all, 95), 1), p99: round(percentile(all, 99), 1), max: round(all.length ? Math.max(...all) : null, 1) },
    latencyPer10sMs: slices(socketPairs),
    ...(browserResult ? { browser: browserResult } : {}),
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
  const m = machine(PARTS.includes('A') ? { chromiumPath: (await findChromium()).path } : {});
  log(`dispatch benchmark: ${SECONDS} s at ${RATE} alerts/s, parts ${PARTS}; load average ${m.loadavgAtStart}`);
  const dir = prepareDataDir(mkdtempSync(path.join(tmpdir(), 'uitkijk-bench-dispatch-')));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const pgLog = createLogger('warn');
  const results: Record<string, unknown> = {};
  const verdicts: Verdict[] = [];
  let clientBuild: { built: boolean; ms: number } | null = null;
  if (PARTS.includes('A')) {
    clientBuild = ensureClientBuilt();
    log(clientBuild.built ? `console built (npx vite build) in ${clientBuild.ms} ms` : 'console build (dist/client) up to date');
  }
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
      RTMP_PORT: String(await freePort()), FLV_PORT: String(await freePort()), FLV_PORTS: '1', DEMO_RTSP_PORT: String(await freePort()),
      DATA_DIR: dataDir, MEDIA_DIR: path.join(dataDir, 'media'), DEMO: 'true', DEMO_CAMERAS: 'false', RECORDING: 'off',
      LOG_LEVEL: 'warn', SERVE_CLIENT: name === 'A' ? 'true' : 'false', DISPATCH_ESCALATE_SECONDS: '3600', DISPATCH_WEBHOOK_URL: '',
    }, `http://127.0.0.1:${port}`);
    cleanup(() => server.stop());
    const r = await part(name, server, kills, cleanup, name === 'A');
    await server.stop();
    await pg.stop(); pgStopped = true;
    return r;
  };
  if (PARTS.includes('A')) {
    const a = await runPart('A', 0);
    results.A = a;
    verdicts.push(check(`A: alert POST -> dispatcher socket, p99 (20 obs + 5 disp of which ${a.socketDispatchers} socket.io, 10/s, loopback)`, a.latencyMs.p99, 50, 'ms'));
    const b = a.browser as { latencyMs: { n: number; p50: number | null; p95: number | null; p99: number | null; max: number | null }; toNextFrameMs: { p99: number | null }; missing: number; split: { inPageMs: { p50: number | null; p99: number | null } } } | undefined;
    if (b) {
      verdicts.push(check('A: alert POST -> row in a real browser dispatcher console (Chromium, DOM), p99 (same load)', b.latencyMs.p99, 50, 'ms'));
      verdicts.push(check('A: alerts never shown in the browser dispatcher console', b.missing, 0, 'alerts'));
    }
    log(`[A] latency p50 ${a.latencyMs.p50} / p95 ${a.latencyMs.p95} / p99 ${a.latencyMs.p99} / max ${a.latencyMs.max} ms over ${a.latencyMs.samples} deliveries (${a.socketDispatchers} socket.io dispatchers)`
      + (b ? `; browser (last hop in Chromium, DOM) p50 ${b.latencyMs.p50} / p95 ${b.latencyMs.p95} / p99 ${b.latencyMs.p99} / max ${b.latencyMs.max} ms over ${b.latencyMs.n} alerts, ${b.missing} not shown, next frame p99 ${b.toNextFrameMs.p99} ms, socket message -> row in the page p50 ${b.split.inPageMs.p50} / p99 ${b.split.inPageMs.p99} ms` : '')
      + `; load ${a.load.loadavg} (machine ${a.load.machineBusyPctOfOneCore} % of one core, others ${a.load.othersPctOfOneCore} %)`);
  }
  if (PARTS.includes('B')) {
    const b = await runPart('B', KILLS);
    results.B = b;
    verdicts.push(check(`B: alerts lost (201 but never shown) across ${KILLS} SIGKILLs`, b.lostAlerts, 0, 'alerts'));
    verdicts.push(check(`B: alerts shown twice (distinct 'raised' messages per alert and console)`, b.shownTwice, 0, 'alerts'));
    log(`[B] lost ${b.lostAlerts}, shown twice ${b.shownTwice}, redeliveries ${b.redeliveriesSameMessageId}, first via catch-up ${b.reachedFirstViaCatchup}, never over the socket ${b.neverOverSocket}; latency p99 ${b.latencyMs.p99} ms`);
  }
  for (const v of verdicts) log(`${verdictWord(v)}: ${v.target}: ${v.measured} ${v.unit}`);
  // A part not run this time keeps its figures from the previous file (marked, with their own date and verdicts).
  const previousFile = path.join(resultsDir, 'dispatch.json');
  const carried: Record<string, unknown> = {};
  if (existsSync(previousFile)) {
    try {
      const prev = JSON.parse(readFileSync(previousFile, 'utf8'));
      for (const p of ['A', 'B'] as const) {
        if (PARTS.includes(p) || !prev[p]) continue;
        const from = prev[p].carriedOverFrom ?? { date: prev.machine?.date, loadavgAtStart: prev.machine?.loadavgAtStart };
        carried[p] = { ...prev[p], carriedOverFrom: from };
        for (const v of prev.verdicts ?? []) if (String(v.target).startsWith(`${p}:`)) verdicts.push({ ...v, target: `${String(v.target).replace(/ \[from the run of [^\]]*\]/g, '')} [from the run of ${from.date}]` });
      }
    } catch { /* unreadable: nothing carried over */ }
  }
  const file = writeResult('dispatch', {
    benchmark: 'dispatch', command: 'npm run bench:dispatch (tsx tests/bench/dispatch.ts)', env: { BENCH_SECONDS: SECONDS, BENCH_RATE: RATE, BENCH_KILLS: KILLS, BENCH_PARTS: PARTS },
    machine: m, loadavgAtEnd: (await import('./support.js')).loadavg(), clientBuild, verdicts, ...Object.fromEntries((['A', 'B'] as const).filter((p) => results[p] ?? carried[p]).map((p) => [p, results[p] ?? carried[p]])),
    notes: [
      'Server: node --import tsx server/main.ts as a child process, DEMO=true DEMO_CAMERAS=false RECORDING=off LOG_LEVEL=warn (SERVE_CLIENT=true in A for the browser console, false in B), embedded PostgreSQL started by the harness (DATABASE_URL), all on 127.0.0.1.',
      'Latency: performance.now() in the harness just before the alert POST, to the first receipt of a kind "raised" dispatch:alert for that alert id on each dispatcher socket (same process, same clock). Load generator and the socket.io clients (A: 20 observers + 4 dispatchers; B: 20 + 5) share one Node process.',
      'A, browser: the 5th dispatcher console is headless Chromium (tests/support/browser.ts launch args) on the built console (dist/client), logged in through the login page. A MutationObserver installed before the console\'s scripts records performance.timeOrigin + performance.now() when each alert\'s row (data-alert-id inside data-testid=alerts-queue) first enters the DOM; the harness takes performance.timeOrigin + performance.now() just before the alert POST (the same instant as the socket figures\' start). browser.clock is the measured offset between the two wall clocks (not subtracted). The bench closes no alert, so the queue grows to every alert of the run (600 rows at 10/s x 60 s); per10s shows the latency as it grows. Chromium runs on the same 2 cores as the server and the harness.',
      'A part absent from BENCH_PARTS keeps its object from the previous dispatch.json, marked carriedOverFrom (date of that run), and its verdicts are repeated with that date.',
      'B: lost = alert POST returned 201 but some dispatcher console never got it (socket or the GET /api/alerts?state=all catch-up after reconnect) within 15 s after the load. Shown twice = a console got two distinct "raised" messageIds for one alert (after dropping repeated messageIds).',
    ],
  });
  log(`results: ${file}`);
});
