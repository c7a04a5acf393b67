// Scale-out (issue #14, items 7 and 3): room nodes (`tsx server/main.ts`, each its own process) on one PostgreSQL,
// all on this machine and on 127.0.0.1.
//
//   npm run bench:cluster                                     the full run (about 15 minutes)
//   npm run bench:cluster -- --nodes 1,2 --max-cameras 40 --step 20 --alerts 20 --walls 2 --kills 1    a quick one
//
// (a) capacity: for 1, 2, 3 nodes (1 = the one-node room: NODE_ID unset, no adapter, no leases to think about), RTMP
//     cameras pushing a pre-encoded 720p ~2 Mbit/s loop with -c copy (storm.ts's, nice 10) are added --step at a
//     time, spread evenly over the nodes; each is recorded (RECORDING=on) and relayed to one HTTP-FLV viewer. A step
//     is healthy when every camera is online, its viewer got >= 85 % of its bitrate and its recorder indexed segments
//     for >= 60 % of the window. The ceiling is the last healthy step; the CPU split (node trees, PostgreSQL, load
//     generators, others on the machine), PostgreSQL writes and sockets of each step say what limits it.
// (b) takeover: 16 RTSP cameras (demo RTSP server, -c copy of a 640x360 loop) rebalanced over three nodes; SIGKILL of
//     a node's process group; time until every one of its cameras has a live owner elsewhere, is online again there
//     (status `since` after the kill, as seen from a survivor) and has a recording segment from its new node.
// (c) alerts: incident + alert POST on node A (t0 just before the alert POST) until 'dispatch:alert' (kind raised)
//     on a dispatcher socket on node B (another node, neither holding the outbox lease) and on A itself; the same
//     on the one-node room in the same run.
// (d) wall: first frame of a 16-tile wall, with the WS-FLV reader (streams/testing/fixtures.ts readWsFlv): from the
//     grant request (POST /api/live/grants, 16 streams) until the first video tag on each tile's socket; the wall's
//     figure is its slowest tile. Cameras on three nodes against the same wall on the one-node room.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { DispatchMessage } from '../../server/dispatch/schema.js';
import { findFfmpeg } from '../../streams/ffmpeg/locate.js';
import { publishUrl } from '../../streams/stream-path.js';
import { readWsFlv } from '../../streams/testing/fixtures.js';
import { clusterView, createRtspCamera, seedPeople, startNode, startRtspCameras, type Node, type RtspCameras } from '../support/cluster.js';
import type { Sql } from '../../server/db/connect.js';
import { ApiClient } from '../support/room.js';
import { startServerProcess } from '../support/server-process.js';
import { databaseFrom, startHarnessPostgres } from '../support/harness-postgres.js';
import { appendRun, CLK, loop720p, loadavg, log, machine, machineBusy, percentile, processes, root, round, runBench, treeIds, waitFor, waitForQuiet, writeResult, type Proc } from './support.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1]! : dflt; };
const NODE_COUNTS = arg('nodes', '1,2,3').split(',').map(Number);
const MAX_CAMERAS = Number(arg('max-cameras', '160'));
const STEP = Number(arg('step', '20'));
const WINDOW_S = Number(arg('window', '10'));
const ALERTS = Number(arg('alerts', '50'));
const WALLS = Number(arg('walls', '5'));
const KILLS = Number(arg('kills', '3'));
const SKIP = new Set(arg('skip', '').split(',').filter(Boolean)); // capacity, features
const SEGMENT_SECONDS = 2;
const WALL_IDS = Array.from({ length: 16 }, (_, i) => `wall-${String(i + 1).padStart(2, '0')}`);

// ---- PostgreSQL: the harness's way (tests/support/global-setup.ts + db.ts freshDatabase) outside vitest ------------

type Harness = Awaited<ReturnType<typeof harnessPostgres>>;

/** The harness's PostgreSQL (as the tests use it), with a template of its own for this run. */
async function harnessPostgres() {
  const template = `bench_cluster_tpl_${process.pid}`;
  const pg = await startHarnessPostgres(template);
  return { ...pg, fresh: () => databaseFrom(pg.adminUrl, template, 'bench') };
}

// ---- nodes --------------------------------------------------------------------------------------------------------

const NODE_ENV_COMMON = (ffmpeg: string) => ({ RECORDING: 'on', SEGMENT_SECONDS: String(SEGMENT_SECONDS), LOG_LEVEL: 'warn', FFMPEG_PATH: ffmpeg, SERVE_CLIENT: 'false' });

/** n nodes on the database: n = 1 is the one-node room (NODE_ID unset, no adapter); n > 1 cluster nodes n1..nN. */
async function startNodes(n: number, db: { url: string; sql: Sql }, ffmpeg: string, into: Node[]): Promise<Node[]> {
  const mine: Node[] = [];
  if (n === 1) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'uitkijk-one-node-'));
    chmodSync(dataDir, 0o755);
    const p = await startServerProcess({ DATABASE_URL: db.url, DATA_DIR: dataDir, MEDIA_DIR: path.join(dataDir, 'media'), DEMO: 'false', ...NODE_ENV_COMMON(ffmpeg) });
    const node = Object.assign(p, { id: 'node-1', dataDir });
    into.push(node); mine.push(node);
  } else {
    // One after the other, as the integration test does: the first finds the database migrated and registers first.
    // startNode copies the room's keys from the first node of the list it is given: this phase's n1.
    for (let i = 1; i <= n; i++) { await startNode(`n${i}`, db.url, mine, NODE_ENV_COMMON(ffmpeg)); into.push(mine[mine.length - 1]!); }
  }
  await seedPeople(db.sql);
  return mine;
}

/** SIGTERM, and the process group's SIGKILL when it has not ended within 20 s (a stuck node never holds the bench). */
async function stopNode(n: Node): Promise<void> {
  if (n.proc.exitCode === null && n.proc.signalCode === null) {
    const t = setTimeout(() => void n.killGroup(), 20_000);
    await n.stop();
    clearTimeout(t);
  }
  rmSync(n.dataDir, { recursive: true, force: true });
}

// ---- measuring: CPU split, PostgreSQL writes, sockets, event loop ---------------------------------------------------


/** Which of our processes is what: each node's tree, PostgreSQL, and the rest of ours (load generators + harness). */
function classify(all: Proc[], nodes: Node[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const pid of treeIds(all, process.pid)) out.set(pid, 'generators');
  for (const p of all) if (out.has(p.pid) && /postgres|postmaster/.test(p.comm)) out.set(p.pid, 'postgres');
  for (const n of nodes) if (n.proc.pid && n.proc.exitCode === null) for (const pid of treeIds(all, n.proc.pid)) out.set(pid, `node ${n.id}`);
  return out;
}

/** Cores used over a window by each group of ours, and by others on the machine. */
function cpuMeter(nodes: Node[]) {
  const t0 = performance.now();
  const busy = machineBusy();
  const a = new Map(processes().map((p) => [p.pid, p.ticks]));
  return () => {
    const s = (performance.now() - t0) / 1000;
    const all = processes();
    const groups = classify(all, nodes);
    const cores: Record<string, number> = {};
    for (const p of all) {
      const g = groups.get(p.pid);
      if (!g) continue;
      cores[g] = (cores[g] ?? 0) + (p.ticks - (a.get(p.pid) ?? 0)) / CLK / s;
    }
    const machinePct = busy.stop();
    const ours = Object.values(cores).reduce((x, y) => x + y, 0);
    const nodesCores = Object.entries(cores).filter(([k]) => k.startsWith('node ')).reduce((x, [, v]) => x + v, 0);
    return {
      seconds: round(s, 1), machineBusyPct: machinePct, machineCores: round((machinePct / 100) * 2, 2),
      nodesCores: round(nodesCores, 2), postgresCores: round(cores.postgres ?? 0, 2), generatorCores: round(cores.generators ?? 0, 2),
      othersCores: round(Math.max(0, (machinePct / 100) * 2 - ours), 2),
      perNodeCores: Object.fromEntries(Object.entries(cores).filter(([k]) => k.startsWith('node ')).map(([k, v]) => [k.slice(5), round(v, 2)])),
    };
  };
}

function nodeSockets(n: Node): { sockets: number; ffmpeg: number; processes: number } {
  const all = processes();
  const ids = n.proc.pid ? treeIds(all, n.proc.pid) : new Set<number>();
  let sockets = 0;
  for (const pid of ids) {
    try { for (const fd of readdirSync(`/proc/${pid}/fd`)) { try { if (readlinkSafe(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++; } catch { /* closed */ } } } catch { /* gone */ }
  }
  return { sockets, ffmpeg: all.filter((p) => ids.has(p.pid) && /ffmpeg/.test(p.comm)).length, processes: ids.size };
}
const readlinkSafe = (p: string) => { try { return readlinkSync(p); } catch { return ''; } };

async function pgCounters(sql: Sql) {
  const [r] = await sql<{ commits: string; writes: string; conns: number }[]>`
    select xact_commit::text as commits, (tup_inserted + tup_updated + tup_deleted)::text as writes,
      (select count(*)::int from pg_stat_activity where datname = current_database()) as conns
    from pg_stat_database where datname = current_database()`;
  return { commits: Number(r!.commits), writes: Number(r!.writes), conns: r!.conns, at: performance.now() };
}

const within = <T>(p: Promise<T>, ms = 5000): Promise<T | null> =>
  Promise.race([p.catch(() => null), new Promise<null>((r) => setTimeout(() => r(null), ms).unref())]);

async function eventLoop(n: Node) {
  const text = (await within(fetch(`${n.url}/metrics`).then((r) => r.text()))) ?? '';
  const v = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  return { p99Ms: round(v('nodejs_eventloop_lag_p99_seconds'), 1), maxMs: round(v('nodejs_eventloop_lag_max_seconds'), 1) };
}

// ---- (a) capacity ---------------------------------------------------------------------------------------------------


interface Cam { id: string; key: string; node: string; pusher?: ChildProcess; pushes: number; viewer?: http.ClientRequest; viewerStatus?: number | string; bytes: number; lastByteAt: number; viewerEnded: boolean }

async function capacity(nodeCount: number, pg: Harness, ffmpeg: string, loop: string, expectedBps: number, nodes: Node[], cleanup: (fn: () => Promise<unknown> | unknown) => void) {
  const db = await pg.fresh();
  const mine = await startNodes(nodeCount, db, ffmpeg, nodes);
  const cams: Cam[] = [];
  let stopped = false;
  const stopAll = async () => {
    stopped = true;
    for (const c of cams) { c.viewer?.destroy(); c.pusher?.kill('SIGKILL'); }
    await Promise.all(mine.map(stopNode));
    await db.drop().catch((e) => log('dropping the database failed:', e));
  };
  let done = false;
  cleanup(() => (done ? undefined : stopAll()));
  const admin = await new ApiClient(mine[0]!.url).login('admin');
  const observer = await new ApiClient(mine[0]!.url).login('observer');
  const byId = new Map(mine.map((n) => [n.id, n]));
  const steps: unknown[] = [];
  let ceiling: { cameras: number; perNode: number } | null = null;
  let limit: string | null = null;
  const rtmpAssignment: Array<Record<string, number>> = [];
  for (let total = STEP; total <= MAX_CAMERAS; total += STEP) {
    const tStep = performance.now();
    // New cameras: registered on node 1, given an owner by the ownership tick, then spread evenly (admin move).
    const fresh: Cam[] = [];
    for (let i = cams.length; i < total; i++) {
      const id = `cap-${String(i).padStart(3, '0')}`;
      const r = await admin.post('/api/cameras', { id, name: `Cap ${i}`, municipalityId: 'enschede', location: { street: 'Oude Markt', lat: 52.22, lon: 6.89 }, kind: 'permanent', source: { type: 'rtmp' } });
      if (r.status !== 201) throw new Error(`camera ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      fresh.push({ id, key: r.body.publishKey, node: '', pushes: 0, bytes: 0, lastByteAt: 0, viewerEnded: false });
    }
    const view = await waitFor('the new cameras to have an owner', async () => {
      const v = await clusterView(admin);
      return fresh.every((c) => v.owners.find((o) => o.cameraId === c.id)?.nodeId) ? v : null;
    }, 20_000, 250);
    const assigned: Record<string, number> = {};
    for (const c of fresh) { const o = view.owners.find((x) => x.cameraId === c.id)!.nodeId!; assigned[o] = (assigned[o] ?? 0) + 1; c.node = o; }
    rtmpAssignment.push(assigned);
    for (const [i, c] of fresh.entries()) {
      const want = mine[(cams.length + i) % mine.length]!.id;
      if (c.node !== want) {
        const r = await admin.request('PUT', `/api/cluster/cameras/${c.id}/node`, { nodeId: want });
        if (r.status !== 200) throw new Error(`move ${c.id} to ${want}: ${r.status} ${JSON.stringify(r.body)}`);
        c.node = want;
      }
    }
    // Pushers (nice 10, as in storm.ts: the cameras take what the nodes leave), each to its node; they retry like cameras.
    for (const c of fresh) {
      const push = () => {
        if (stopped) return;
        c.pushes++;
        const n = byId.get(c.node)!;
        c.pusher = spawn('nice', ['-n', '10', ffmpeg, '-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', loop, '-c', 'copy', '-f', 'flv',
          publishUrl({ host: '127.0.0.1', port: n.rtmpPort }, { cameraId: c.id, stream: 'main' }, c.key)], { stdio: 'ignore' });
        c.pusher.on('exit', () => { if (!stopped) setTimeout(push, 2000); });
      };
      push();
    }
    cams.push(...fresh);
    // The status board as node 1's API shows it; null when it did not answer within 5 s (an overloaded node).
    let statusAnswered = true;
    const online = async () => {
      const r = await within(observer.get('/api/live/status'));
      statusAnswered = !!r && Array.isArray(r.body);
      return new Set(((statusAnswered ? r!.body : []) as Array<{ cameraId: string; online: boolean }>).filter((s) => s.online).map((s) => s.cameraId));
    };
    let on = new Set<string>();
    const tOn = performance.now();
    while (performance.now() - tOn < 30_000) { on = await online(); if (cams.every((c) => on.has(c.id))) break; await new Promise((r) => setTimeout(r, 500)); }
    const allOnlineS = cams.every((c) => on.has(c.id)) ? round((performance.now() - tOn) / 1000, 1) : null;
    // One viewer per new camera, HTTP-FLV with a grant from node 1 (it names the holding node's port).
    for (let i = 0; i < fresh.length; i += 16) {
      const r = await within(observer.post('/api/live/grants', { streams: fresh.slice(i, i + 16).map((c) => ({ cameraId: c.id, stream: 'main' })) }), 10_000);
      for (const g of (r?.body?.grants ?? []) as Array<{ cameraId: string; ok: boolean; grant?: { host: string | null; port: number; path: string } }>) {
        const c = fresh.find((x) => x.id === g.cameraId)!;
        if (!g.ok || !g.grant) { c.viewerStatus = `no grant: ${JSON.stringify(g).slice(0, 200)}`; continue; }
        c.viewer = http.get(`http://127.0.0.1:${g.grant.port}${g.grant.path}`, { headers: { cookie: observer.cookie, origin: mine[0]!.url } }, (res) => {
          c.viewerStatus = res.statusCode;
          res.on('data', (d: Buffer) => { c.bytes += d.length; c.lastByteAt = performance.now(); });
          res.on('end', () => { c.viewerEnded = true; });
        });
        c.viewer.on('error', () => { c.viewerEnded = true; });
      }
    }
    await new Promise((r) => setTimeout(r, 3000)); // viewers past their first GOP burst
    // The window.
    await Promise.all(mine.map(eventLoop)); // prom-client resets its histogram at each scrape
    const pg0 = await pgCounters(db.sql);
    const bytes0 = new Map(cams.map((c) => [c.id, c.bytes]));
    const w0 = new Date();
    const cpu = cpuMeter(mine);
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const load = cpu();
    const w1 = new Date();
    const bytes1 = new Map(cams.map((c) => [c.id, c.bytes]));
    const pg1 = await pgCounters(db.sql);
    const loops = Object.fromEntries(await Promise.all(mine.map(async (n) => [n.id, await eventLoop(n)] as const)));
    const sockets = Object.fromEntries(mine.map((n) => [n.id, nodeSockets(n)]));
    on = await online();
    await new Promise((r) => setTimeout(r, SEGMENT_SECONDS * 1000 + 500)); // the segments of the window are indexed when they close
    const segs = new Map((await db.sql<{ camera_id: string; n: number }[]>`
      select camera_id, count(*)::int as n from recording_segments where started_at >= ${w0} and started_at < ${w1} group by camera_id`).map((r) => [r.camera_id, r.n]));
    const windowS = (w1.getTime() - w0.getTime()) / 1000;
    const needSegs = Math.floor((0.6 * windowS) / SEGMENT_SECONDS);
    const bad = { offline: 0, viewerShort: 0, notRecorded: 0, statusApiUnanswered: statusAnswered ? 0 : 1 };
    const ratios: number[] = [];
    const failing: Array<{ id: string; node: string; online: boolean; viewerRatio: number | null; viewerStatus: number | string | null; viewerBytes: number; viewerEnded: boolean; segments: number }> = [];
    for (const c of cams) {
      const ratio = (bytes1.get(c.id)! - bytes0.get(c.id)!) / (expectedBps / 8 * windowS);
      ratios.push(ratio);
      if (statusAnswered && !on.has(c.id)) bad.offline++;
      if (ratio < 0.85) bad.viewerShort++;
      if ((segs.get(c.id) ?? 0) < needSegs) bad.notRecorded++;
      if ((statusAnswered && !on.has(c.id)) || ratio < 0.85 || (segs.get(c.id) ?? 0) < needSegs) {
        failing.push({ id: c.id, node: c.node, online: on.has(c.id), viewerRatio: round(ratio, 2), viewerStatus: c.viewerStatus ?? null, viewerBytes: c.bytes, viewerEnded: c.viewerEnded, segments: segs.get(c.id) ?? 0 });
      }
    }
    const healthy = bad.offline + bad.viewerShort + bad.notRecorded + bad.statusApiUnanswered === 0;
    const pgWindowS = (pg1.at - pg0.at) / 1000;
    const step = {
      cameras: total, perNode: round(total / nodeCount, 1), healthy, unhealthyCameras: bad, failing: failing.slice(0, 20), allOnlineS,
      viewerDeliveredRatio: { p5: round(percentile(ratios, 5), 2), p50: round(percentile(ratios, 50), 2) },
      viewerMbit: round(cams.reduce((n, c) => n + bytes1.get(c.id)! - bytes0.get(c.id)!, 0) * 8 / 1e6 / windowS, 0),
      pushRetries: cams.reduce((n, c) => n + c.pushes - 1, 0), viewersEnded: cams.filter((c) => c.viewerEnded).length,
      cpu: load, eventLoop: loops,
      postgres: { commitsPerS: round((pg1.commits - pg0.commits) / pgWindowS, 0), rowWritesPerS: round((pg1.writes - pg0.writes) / pgWindowS, 0), connections: pg1.conns },
      nodes: sockets, stepSeconds: round((performance.now() - tStep) / 1000, 0), loadavg: loadavg(),
    };
    steps.push(step);
    log(`  ${nodeCount} node(s), ${total} cameras: ${healthy ? 'healthy' : `UNHEALTHY ${JSON.stringify(bad)} ${JSON.stringify(failing.slice(0, 5))}`}; machine ${load.machineBusyPct} % (nodes ${load.nodesCores}, pg ${load.postgresCores}, generators ${load.generatorCores}, others ${load.othersCores} cores); viewers p5 ${step.viewerDeliveredRatio.p5}; pg ${step.postgres.commitsPerS} commits/s; loop p99 ${JSON.stringify(Object.values(loops).map((l) => l.p99Ms))} ms; load ${loadavg()}`);
    if (!healthy) {
      if (process.env.BENCH_DUMP) for (const n of mine) (await import('node:fs')).writeFileSync(`${process.env.BENCH_DUMP}-${n.id}.log`, n.output());
      limit = load.machineBusyPct >= 90 ? `CPU: the machine was ${load.machineBusyPct} % busy (nodes ${load.nodesCores}, PostgreSQL ${load.postgresCores}, load generators ${load.generatorCores}, others ${load.othersCores} of 2 cores)`
        : `not CPU-bound (machine ${load.machineBusyPct} % busy): see the step's unhealthy cameras, PostgreSQL and sockets`;
      break;
    }
    ceiling = { cameras: total, perNode: round(total / nodeCount, 1)! };
  }
  const result = {
    nodes: nodeCount, oneNodePath: nodeCount === 1, ceiling, reachedMax: ceiling?.cameras === Math.floor(MAX_CAMERAS / STEP) * STEP,
    limit: limit ?? (ceiling ? `no unhealthy step up to --max-cameras ${MAX_CAMERAS}` : null),
    rtmpAssignedByTheOwnershipTick: rtmpAssignment, steps,
  };
  done = true;
  await stopAll();
  return result;
}

// ---- (b), (c), (d) ------------------------------------------------------------------------------------------------

async function onlineSince(api: ApiClient): Promise<Map<string, number>> {
  const r = await within(api.get('/api/live/status'), 3000);
  return new Map(((Array.isArray(r?.body) ? r!.body : []) as Array<{ cameraId: string; online: boolean; since: string | null }>).filter((s) => s.online).map((s) => [s.cameraId, s.since ? Date.parse(s.since) : 0]));
}

/** WALLS walls of the 16 cameras opened by `observer` on its node. */
async function walls(observer: ApiClient, owners: (id: string) => string) {
  const runs: Array<{ wallMs: number; tileMs: number[]; grantMs: number; failed: number; nodes: Record<string, number> }> = [];
  for (let w = 0; w < WALLS; w++) {
    const t0 = performance.now();
    const r = await observer.post('/api/live/grants', { streams: WALL_IDS.map((cameraId) => ({ cameraId, stream: 'sub' })) });
    const grantMs = performance.now() - t0;
    const grants = (r.body?.grants ?? []) as Array<{ cameraId: string; ok: boolean; grant?: { host: string | null; port: number; path: string } }>;
    const nodes: Record<string, number> = {};
    for (const g of grants) nodes[owners(g.cameraId)] = (nodes[owners(g.cameraId)] ?? 0) + 1;
    const tiles = await Promise.all(grants.map(async (g) => {
      if (!g.ok || !g.grant) return null;
      const res = await readWsFlv(`ws://${g.grant.host ?? '127.0.0.1'}:${g.grant.port}${g.grant.path}`, 1, 10_000, { cookie: observer.cookie, origin: observer.base });
      return res.firstFrameMs === null ? null : performance.now() - t0;
    }));
    const ok = tiles.filter((t): t is number => t !== null);
    runs.push({ wallMs: round(ok.length === 16 ? Math.max(...ok) : NaN, 0)!, tileMs: ok.map((t) => round(t, 0)!), grantMs: round(grantMs, 0)!, failed: 16 - ok.length, nodes });
    await new Promise((r) => setTimeout(r, 1000));
  }
  const wallMs = runs.map((r) => r.wallMs).filter((x) => x !== null && Number.isFinite(x));
  const tiles = runs.flatMap((r) => r.tileMs);
  return {
    what: 'WS-FLV reader (streams/testing/fixtures.ts readWsFlv), one socket per tile as the console opens them: ms from POST /api/live/grants (16 streams, "sub"; the cameras have no sub stream, so main) to the first video tag; a wall is its slowest tile',
    walls: runs.length, wallP50Ms: percentile(wallMs, 50), wallMaxMs: wallMs.length ? Math.max(...wallMs) : null,
    tileP50Ms: percentile(tiles, 50), tileP99Ms: percentile(tiles, 99), grantP50Ms: percentile(runs.map((r) => r.grantMs), 50),
    tilesFailed: runs.reduce((n, r) => n + r.failed, 0), tilesPerNode: runs[0]?.nodes ?? {}, runs,
  };
}

function openSocket(url: string, cookie: string, into: Client[]): Promise<Client> {
  const s: Client = io(url, { transports: ['websocket'], extraHeaders: { cookie, origin: url }, reconnection: false });
  into.push(s);
  return new Promise((resolve, reject) => { s.on('connect', () => resolve(s)); s.on('connect_error', reject); });
}

/** ALERTS alerts raised on `raiseOn`, one after the other, each timed to its first 'raised' on every dispatcher socket. */
async function alerts(raiseOn: ApiClient, dispatchers: Array<{ label: string; socket: Client }>) {
  const seen = dispatchers.map(() => new Map<string, number>());
  dispatchers.forEach((d, i) => d.socket.on('dispatch:alert', (m: DispatchMessage) => {
    if (m.kind === 'raised' && m.alert && !seen[i]!.has(m.alert.id)) seen[i]!.set(m.alert.id, performance.now());
  }));
  const ms = dispatchers.map(() => [] as number[]);
  let missing = 0;
  for (let k = 0; k < ALERTS; k++) {
    const inc = await raiseOn.post('/api/incidents', { taggedAt: new Date(Date.now() - 2000).toISOString(), cameraIds: [WALL_IDS[k % 16]!], categoryId: 'verdachte-situatie', priority: 2, notes: `bench ${k}` });
    if (inc.status !== 201) throw new Error(`incident: ${inc.status} ${JSON.stringify(inc.body)}`);
    const t0 = performance.now();
    const a = await raiseOn.post(`/api/incidents/${inc.body.id}/alert`, {});
    if (a.status !== 201) throw new Error(`alert: ${a.status} ${JSON.stringify(a.body)}`);
    const id = a.body.id as string;
    const all = await within(waitFor('the alert on every dispatcher socket', () => seen.every((s) => s.has(id)), 5000, 2), 6000);
    if (!all) missing++;
    seen.forEach((s, i) => { const at = s.get(id); if (at !== undefined) ms[i]!.push(at - t0); });
    await new Promise((r) => setTimeout(r, 100));
  }
  const out: Record<string, { n: number; missing: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null }> = {};
  dispatchers.forEach((d, i) => { out[d.label] = { n: ms[i]!.length, missing, p50Ms: round(percentile(ms[i]!, 50), 1), p99Ms: round(percentile(ms[i]!, 99), 1), maxMs: round(ms[i]!.length ? Math.max(...ms[i]!) : null, 1) }; });
  return out;
}

async function registerWall(admin: ApiClient, rtsp: RtspCameras) {
  for (const id of WALL_IDS) await createRtspCamera(admin, id, rtsp.url(id));
}

async function oneNodeFeatures(pg: Harness, ffmpeg: string, rtsp: RtspCameras, nodes: Node[], cleanup: (fn: () => Promise<unknown> | unknown) => void) {
  const db = await pg.fresh();
  const [node] = await startNodes(1, db, ffmpeg, nodes);
  const sockets: Client[] = [];
  let done = false;
  const stopAll = async () => { sockets.forEach((s) => s.close()); await stopNode(node!); await db.drop().catch(() => {}); };
  cleanup(() => (done ? undefined : stopAll()));
  const admin = await new ApiClient(node!.url).login('admin');
  await registerWall(admin, rtsp);
  const observer = await new ApiClient(node!.url).login('observer');
  await waitFor('the 16 wall cameras online', async () => { const on = await onlineSince(observer); return WALL_IDS.every((c) => on.has(c)); }, 90_000, 500);
  await new Promise((r) => setTimeout(r, 2000));
  const wall = await walls(observer, () => node!.id);
  const dispatcher = await new ApiClient(node!.url).login('dispatcher');
  const sock = await openSocket(node!.url, dispatcher.cookie, sockets);
  const alert = await alerts(observer, [{ label: 'sameNode', socket: sock }]);
  done = true;
  await stopAll();
  return { wall, alerts: alert };
}

async function clusterFeatures(pg: Harness, ffmpeg: string, rtsp: RtspCameras, nodes: Node[], cleanup: (fn: () => Promise<unknown> | unknown) => void) {
  const db = await pg.fresh();
  const mine = await startNodes(3, db, ffmpeg, nodes);
  const sockets: Client[] = [];
  let done = false;
  const stopAll = async () => { sockets.forEach((s) => s.close()); await Promise.all(mine.map(stopNode)); await db.drop().catch(() => {}); };
  cleanup(() => (done ? undefined : stopAll()));
  const liveNodes = () => mine.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
  let admin = await new ApiClient(mine[0]!.url).login('admin');
  await registerWall(admin, rtsp);
  await waitFor('every wall camera owned', async () => (await clusterView(admin)).owners.filter((o) => WALL_IDS.includes(o.cameraId)).every((o) => o.nodeId), 20_000, 250);
  await admin.post('/api/cluster/rebalance', {});
  let view = await clusterView(admin);
  const observerOn = async (n: Node) => new ApiClient(n.url).login('observer');
  await waitFor('the 16 wall cameras online (seen from n1)', async () => { const on = await onlineSince(await observerOn(mine[0]!)); return WALL_IDS.every((c) => on.has(c)); }, 90_000, 500);
  await new Promise((r) => setTimeout(r, 2000));
  view = await clusterView(admin);
  const spread = Object.fromEntries(mine.map((n) => [n.id, view.owners.filter((o) => WALL_IDS.includes(o.cameraId) && o.nodeId === n.id).length]));
  log(`  wall cameras per node: ${JSON.stringify(spread)}`);

  // (c) A and B are the two nodes not running the outbox worker: the alert goes A -> PostgreSQL -> worker's node -> adapter -> B.
  const outboxNode = view.leases.find((l) => l.name === 'dispatch.outbox')?.nodeId ?? 'n1';
  const [A, B] = mine.filter((n) => n.id !== outboxNode) as [Node, Node];
  const observerA = await observerOn(A);
  const wall = await walls(observerA, (id) => view.owners.find((o) => o.cameraId === id)?.nodeId ?? '?');
  const dispB = await new ApiClient(B.url).login('dispatcher');
  const dispA = await new ApiClient(A.url).login('dispatcher');
  const alert = await alerts(observerA, [{ label: 'crossNode', socket: await openSocket(B.url, dispB.cookie, sockets) }, { label: 'sameNodeInCluster', socket: await openSocket(A.url, dispA.cookie, sockets) }]);
  sockets.forEach((s) => s.close());

  // (b) SIGKILL, KILLS times: first the outbox node, then whichever live node holds most; a replacement joins after each.
  const kills: unknown[] = [];
  for (let k = 0; k < KILLS; k++) {
    const live = liveNodes();
    view = await clusterView(admin);
    const count = (id: string) => view.owners.filter((o) => WALL_IDS.includes(o.cameraId) && o.nodeId === id).length;
    const victim = k === 0 ? live.find((n) => n.id === outboxNode)! : [...live].sort((a, b) => count(b.id) - count(a.id))[0]!;
    const survivor = live.find((n) => n !== victim)!;
    const victimCams = view.owners.filter((o) => WALL_IDS.includes(o.cameraId) && o.nodeId === victim.id).map((o) => o.cameraId);
    const watcher = await observerOn(survivor);
    admin = await new ApiClient(survivor.url).login('admin');
    // Cluster-wide jobs only: a node's own retention lease (name@node) dies with it by design.
    const jobs = view.leases.filter((l) => l.nodeId === victim.id && !l.name.includes('@')).map((l) => l.name);
    const killedAtWall = Date.now();
    const t0 = performance.now();
    await victim.killGroup();
    let claimedMs: number | null = null, onlineMs: number | null = null, jobsMovedMs: number | null = null, recordingMs: number | null = null;
    const newOwner = new Map<string, string>();
    let polls = 0;
    while (performance.now() - t0 < 40_000 && (onlineMs === null || jobsMovedMs === null || recordingMs === null)) {
      const [v, on] = await Promise.all([within(clusterView(admin), 3000), onlineSince(watcher)]);
      const at = performance.now() - t0;
      if (v) {
        const owned = victimCams.every((c) => { const o = v.owners.find((x) => x.cameraId === c)?.nodeId; return o && o !== victim.id && v.nodes.find((n) => n.id === o)?.alive; });
        if (owned && claimedMs === null) { claimedMs = at; for (const c of victimCams) newOwner.set(c, v.owners.find((x) => x.cameraId === c)!.nodeId!); }
        if (owned && onlineMs === null && victimCams.every((c) => (on.get(c) ?? 0) > killedAtWall)) onlineMs = at;
        if (jobsMovedMs === null && jobs.every((name) => { const l = v.leases.find((x) => x.name === name); return l && l.alive && l.nodeId !== victim.id; })) jobsMovedMs = at;
      }
      if (recordingMs === null && polls++ % 3 === 0) {
        const rows = await db.sql`select distinct camera_id from recording_segments where camera_id in ${db.sql(victimCams)} and node_id <> ${victim.id} and started_at > ${new Date(killedAtWall)}`;
        if (rows.length === victimCams.length) recordingMs = performance.now() - t0;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = { victim: victim.id, cameras: victimCams.length, newOwners: Object.fromEntries(newOwner), jobs, claimedMs: round(claimedMs, 0), onlineElsewhereMs: round(onlineMs, 0), jobsMovedMs: round(jobsMovedMs, 0), recordingResumedMs: round(recordingMs, 0), loadavg: loadavg() };
    kills.push(r);
    log(`  SIGKILL ${victim.id} (${victimCams.length} cameras): owned elsewhere ${r.claimedMs} ms, online elsewhere ${r.onlineElsewhereMs} ms, jobs ${r.jobsMovedMs} ms, recording ${r.recordingResumedMs} ms`);
    if (k < KILLS - 1) {
      // A replacement joins; the admin spreads the cameras again; all online before the next kill.
      await startNode(`n${4 + k}`, db.url, mine, NODE_ENV_COMMON(ffmpeg));
      nodes.push(mine[mine.length - 1]!);
      await new Promise((r) => setTimeout(r, 1500));
      await admin.post('/api/cluster/rebalance', {});
      await waitFor('the 16 wall cameras online again', async () => { const on = await onlineSince(watcher); return WALL_IDS.every((c) => on.has(c)); }, 60_000, 500);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  done = true;
  await stopAll();
  return { wallCamerasPerNode: spread, outboxNode, raisedOn: A.id, dispatcherOn: B.id, wall, alerts: alert, kills };
}

// ---- main ---------------------------------------------------------------------------------------------------------

runBench(async (cleanup) => {
  const quiet = await waitForQuiet();
  const m = machine();
  const t0 = performance.now();
  log(`cluster benchmark: nodes ${NODE_COUNTS}, cameras up to ${MAX_CAMERAS} in steps of ${STEP}, ${ALERTS} alerts, ${WALLS} walls, ${KILLS} kills; load ${m.loadavgAtStart}, background ${quiet.busyPct} % busy`);
  const ff = await findFfmpeg(process.env);
  process.env.FFMPEG_PATH = ff.path;
  const loop = loop720p(ff.path);
  const expectedBps = (statSync(loop).size * 8) / 10;
  const pg = await harnessPostgres();
  cleanup(() => pg.stop());
  const nodes: Node[] = [];
  // Whatever a phase's own cleanup did not stop (a failure mid-phase): every node ever started, by process group.
  cleanup(async () => { for (const n of nodes) if (n.proc.exitCode === null && n.proc.signalCode === null) await n.killGroup(); });
  const capacityRuns: unknown[] = [];
  if (!SKIP.has('capacity')) {
    for (const n of NODE_COUNTS) {
      log(`(a) capacity with ${n} node(s) …`);
      capacityRuns.push(await capacity(n, pg, ff.path, loop, expectedBps, nodes, cleanup));
    }
  }
  let oneNode: Awaited<ReturnType<typeof oneNodeFeatures>> | null = null;
  let three: Awaited<ReturnType<typeof clusterFeatures>> | null = null;
  if (!SKIP.has('features')) {
    const rtsp = await startRtspCameras(WALL_IDS);
    let rtspStopped = false;
    cleanup(() => (rtspStopped ? undefined : rtsp.stop()));
    log('(c, d) one-node room: wall and alerts …');
    oneNode = await oneNodeFeatures(pg, ff.path, rtsp, nodes, cleanup);
    log(`  wall p50 ${oneNode.wall.wallP50Ms} ms, alerts ${JSON.stringify(oneNode.alerts)}`);
    log('(b, c, d) three nodes: wall, alerts across nodes, SIGKILL …');
    three = await clusterFeatures(pg, ff.path, rtsp, nodes, cleanup);
    log(`  wall p50 ${three.wall.wallP50Ms} ms, alerts ${JSON.stringify(three.alerts)}`);
    await rtsp.stop(); rtspStopped = true;
  }
  const takeover = (three?.kills ?? []) as Array<{ onlineElsewhereMs: number | null; claimedMs: number | null; recordingResumedMs: number | null }>;
  const ms = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null);
  const summary = {
    capacity: (capacityRuns as Array<{ nodes: number; ceiling: { cameras: number; perNode: number } | null; limit: string | null }>).map((r) => ({ nodes: r.nodes, ceilingCameras: r.ceiling?.cameras ?? 0, perNode: r.ceiling?.perNode ?? 0, limit: r.limit })),
    takeoverOnlineElsewhereMs: { n: takeover.length, p50: percentile(ms(takeover.map((k) => k.onlineElsewhereMs)), 50), max: ms(takeover.map((k) => k.onlineElsewhereMs)).length ? Math.max(...ms(takeover.map((k) => k.onlineElsewhereMs))) : null, failed: takeover.filter((k) => k.onlineElsewhereMs === null).length },
    takeoverClaimedMs: { p50: percentile(ms(takeover.map((k) => k.claimedMs)), 50) },
    takeoverRecordingResumedMs: { p50: percentile(ms(takeover.map((k) => k.recordingResumedMs)), 50) },
    alertsOneNode: oneNode?.alerts.sameNode ?? null, alertsCrossNode: three?.alerts.crossNode ?? null, alertsSameNodeInCluster: three?.alerts.sameNodeInCluster ?? null,
    wallOneNode: oneNode ? { wallP50Ms: oneNode.wall.wallP50Ms, wallMaxMs: oneNode.wall.wallMaxMs, tileP50Ms: oneNode.wall.tileP50Ms } : null,
    wallThreeNodes: three ? { wallP50Ms: three.wall.wallP50Ms, wallMaxMs: three.wall.wallMaxMs, tileP50Ms: three.wall.tileP50Ms, tilesPerNode: three.wall.tilesPerNode } : null,
  };
  const result = {
    benchmark: 'cluster', command: `npm run bench:cluster -- ${process.argv.slice(2).join(' ')}`.trim(),
    options: { nodes: NODE_COUNTS, maxCameras: MAX_CAMERAS, step: STEP, windowSeconds: WINDOW_S, alerts: ALERTS, walls: WALLS, kills: KILLS },
    machine: m, backgroundBusyPctAtStart: quiet.busyPct, loadavgAtEnd: loadavg(), minutes: round((performance.now() - t0) / 60_000, 1), ffmpeg: ff.versionLine,
    cameraBitrateMbit: round(expectedBps / 1e6, 2), summary, capacity: capacityRuns, oneNode, threeNodes: three,
    notes: [
      'All nodes, PostgreSQL (embedded, started by the harness as tests/support/global-setup.ts does; one fresh database per phase cloned from a migrated template), the camera pushers, the RTSP server, the viewers and the harness share the same 2 vCPUs; other people\'s work on the machine shows as othersCores and in loadavg.',
      'Capacity, nodes = 1 is the one-node room (NODE_ID unset: no adapter); 2 and 3 are cluster nodes (NODE_ID n1..). RTMP cameras are created on n1, and moved with PUT /api/cluster/cameras/:id/node to spread them round-robin before they push (rtmpAssignedByTheOwnershipTick shows where the ownership tick put each batch).',
      'A step: STEP new cameras + viewers, up to 30 s for all to be online, 3 s settling, then a window of --window s. Healthy: every camera online at its end, its viewer got >= 85 % of the loop\'s bitrate in the window, its recorder indexed segments starting in the window for >= 60 % of it. cpu: cores per group over the window (node = the node process and its ffmpeg recorders; generators = pushers, RTSP senders, viewers and the harness; others = machine busy minus ours).',
      'Takeover: the status `since` (node clock, same machine) must be after the kill, so a stale "online" before the down-notice does not count.',
    ],
  };
  appendRun('cluster', result);
  log(`written: ${writeResult('cluster', result)}`);
  log(JSON.stringify(summary, null, 2));
});
