// A room of several nodes for tests and the cluster bench: node processes (`tsx server/main.ts`, each with its own
// NODE_ID, ports, DATA_DIR and MEDIA_DIR) on one PostgreSQL (the harness's), the people who use it, and RTSP
// cameras served by the demo RTSP server (one ffmpeg RTP sender per camera, -c copy of a test loop).
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Sql } from '../../server/db/connect.js';
import { hashPassword } from '../../server/auth/passwords.js';
import { insertUserUnlessTaken } from '../../server/users/store.js';
import { rtpSourceArgs } from '../../streams/ffmpeg/args.js';
import { startDemoRtspServer, type DemoRtspServer } from '../../streams/demo-rtsp-server.js';
import { ChildTracker, testFfmpeg, testLoop, waitFor as waitUntil } from '../../streams/testing/fixtures.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { ApiClient } from './room.js';

export interface Node extends ServerProcess { id: string; dataDir: string }

/** Starts node `id` on the database (again on `dataDir`, after a kill); resolves once it says it runs. */
export async function startNode(id: string, databaseUrl: string, into: Node[], env: Record<string, string> = {}, dataDir = mkdtempSync(path.join(tmpdir(), `uitkijk-${id}-`))): Promise<Node> {
  // Every node signs evidence with the room's key: its files are copied from the first node, as an operator does.
  const first = into[0]?.dataDir;
  if (first && first !== dataDir && !existsSync(path.join(dataDir, 'keys'))) cpSync(path.join(first, 'keys'), path.join(dataDir, 'keys'), { recursive: true });
  const p = await startServerProcess({
    DATABASE_URL: databaseUrl, NODE_ID: id, DATA_DIR: dataDir, MEDIA_DIR: path.join(dataDir, 'media'), RECORDING: 'on', SEGMENT_SECONDS: '2', ...env,
  });
  const node = Object.assign(p, { id, dataDir });
  into.push(node);
  return node;
}

export async function stopNodes(nodes: Node[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.stop()));
  for (const dir of new Set(nodes.map((n) => n.dataDir))) rmSync(dir, { recursive: true, force: true });
}

/** The demo accounts (a cluster runs without demo mode), password 'uitkijk-demo' like the demo's. */
export async function seedPeople(sql: Sql): Promise<void> {
  const passwordHash = await hashPassword('uitkijk-demo');
  for (const [username, role] of [['admin', 'admin'], ['observer', 'observer'], ['dispatcher', 'dispatcher'], ['supervisor', 'supervisor']] as const) {
    await insertUserUnlessTaken(sql, { username, displayName: username, role, municipalityId: null, passwordHash });
  }
}

export interface RtspCameras { server: DemoRtspServer; url(id: string): string; stop(): Promise<void> }

/** An RTSP source per camera id, each a test loop sent as RTP (copied, not encoded: cheap). */
export async function startRtspCameras(ids: string[]): Promise<RtspCameras> {
  const [ff, loop] = await Promise.all([testFfmpeg(), testLoop()]);
  const dir = mkdtempSync(path.join(tmpdir(), 'uitkijk-rtsp-cams-'));
  const kids = new ChildTracker();
  const server = await startDemoRtspServer({ host: '127.0.0.1', port: 0 });
  for (const id of ids) {
    const sdpFile = path.join(dir, `${id}.sdp`);
    const ports = await server.addSource(id, sdpFile);
    kids.spawn(ff.path, rtpSourceArgs({ input: loop, ...ports, sdpFile }));
    await waitUntil(() => existsSync(sdpFile), 10_000, `the RTP sender of ${id}`);
  }
  return {
    server, url: (id) => server.url(id),
    async stop() { await kids.stopAll(); await server.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Registers an RTSP camera through a node's API. */
export async function createRtspCamera(admin: ApiClient, id: string, url: string): Promise<void> {
  const r = await admin.post('/api/cameras', {
    id, name: `Camera ${id}`, municipalityId: 'enschede', location: { street: 'Oude Markt', lat: 52.22, lon: 6.89 }, kind: 'permanent',
    source: { type: 'rtsp', url }, hasSubStream: false,
  });
  if (r.status !== 201) throw new Error(`camera ${id}: ${r.status} ${JSON.stringify(r.body)}`);
}

export interface ClusterView {
  self: string;
  nodes: Array<{ id: string; alive: boolean; rtmpPort: number; flvPorts: number[]; cameras: number }>;
  leases: Array<{ name: string; nodeId: string; alive: boolean }>;
  owners: Array<{ cameraId: string; nodeId: string | null; sourceType: 'rtmp' | 'rtsp' }>;
}

export async function clusterView(admin: ApiClient): Promise<ClusterView> {
  const r = await admin.get('/api/cluster');
  if (r.status !== 200) throw new Error(`GET /api/cluster: ${r.status}`);
  return r.body as ClusterView;
}
