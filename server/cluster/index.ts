// The cluster: this process as a node, the leases of the jobs that run once, the owners of the cameras and the
// relay of server-side events between nodes. One node runs the same code (it holds everything). Design: README.md.
import path from 'node:path';
import type { Config } from '../config.js';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { RouteDef } from '../http/route.js';
import { NodeMembership } from './node.js';
import { Leases, type RunExclusive } from './leases.js';
import { CameraOwnership, type PublishPlace } from './ownership.js';
import { startRelay, RELAYED } from './relay.js';
import { clusterRoutes } from './routes.js';
import { liveNodes, setNodeApiUrl, sharedKey } from './store.js';
import { mediaFiles, type MediaFiles } from './media-files.js';

export type { RunExclusive, PublishPlace, MediaFiles };

/** What live/ needs of the cluster: where a camera belongs and where the others watch it. */
export interface CameraPlaces {
  nodeId: string;
  publishPlace(cameraId: string, owner: string | null): Promise<PublishPlace>;
  /** The media address of a live node (null: not live). */
  mediaOf(nodeId: string): { host: string | null; apiHost: string; flvPorts: number[] } | null;
}

export interface Cluster {
  nodeId: string; routes: RouteDef[]; runExclusive: RunExclusive; places: CameraPlaces; ownership: CameraOwnership; leases: Leases;
  /** The nodes' media files (segments, clips) as local paths; available once the node joined. */
  media(): MediaFiles;
  /** A key every node shares (play tokens, node-to-node requests). */
  sharedKey(name: string): Promise<Buffer>;
  /** Registers the node (once its media ports are known), starts the heartbeat, the ownership tick and the relay. */
  join(media: { rtmpPort: number; flvPorts: number[] }, greet: () => Array<{ event: (typeof RELAYED)[number]; args: unknown[] }>): Promise<void>;
  /** The API's address, once it listens (when NODE_API_URL does not say it). */
  announceApi(url: string): Promise<void>;
  stop(): Promise<void>;
}

export function start(d: { sql: Sql; bus: EventBus; log: Logger; config: Config }): Cluster {
  const { sql, bus, config } = d;
  const log = d.log.child({ part: 'cluster' });
  const address = { id: config.NODE_ID, apiUrl: config.NODE_API_URL ?? `http://127.0.0.1:${config.PORT}`, mediaHost: config.NODE_MEDIA_HOST ?? null, rtmpPort: 0, flvPorts: [] as number[] };
  // The address is completed by join() (media ports) and announceApi() (the API's port) before others read it.
  let greeting: () => Array<{ event: (typeof RELAYED)[number]; args: unknown[] }> = () => [];
  // Noted down after a stall, this node's cameras were announced offline by another: it announces them again.
  const node = new NodeMembership(sql, log, address, config.NODE_LEASE_SECONDS, 1000, () => {
    for (const g of greeting()) (bus.emit as (e: string, ...a: unknown[]) => boolean)(g.event, ...g.args);
  });
  const leases = new Leases(sql, log, { instance: node.instance, nodeId: config.NODE_ID }, config.NODE_LEASE_SECONDS);
  const ownership = new CameraOwnership(sql, bus, log, node);
  let relay: { stop(): Promise<void> } | null = null;
  let media: MediaFiles | null = null;
  const routes = clusterRoutes({ sql, self: config.NODE_ID, ownership, leases });
  return {
    nodeId: config.NODE_ID, leases, ownership, runExclusive: leases.runExclusive,
    routes,
    media: () => { if (!media) throw new Error('the node has not joined yet'); return media; },
    sharedKey: (name) => sharedKey(sql, name),
    places: {
      nodeId: config.NODE_ID,
      publishPlace: (cameraId, owner) => ownership.publishPlace(cameraId, owner),
      mediaOf: (id) => {
        const n = node.node(id);
        return n ? { host: n.mediaHost, apiHost: new URL(n.apiUrl).hostname, flvPorts: n.flvPorts } : null;
      },
    },
    async join(ports, greet) {
      Object.assign(address, ports);
      greeting = greet;
      await node.join();
      log.info({ node: config.NODE_ID, clustered: config.CLUSTERED, leaseSeconds: config.NODE_LEASE_SECONDS }, config.CLUSTERED
        ? `node ${config.NODE_ID} joined the room's cluster (PostgreSQL coordinates; see README "More than one machine")`
        : 'one node (set NODE_ID and DATABASE_URL on each node to run more than one)');
      if (config.CLUSTERED) relay = await startRelay({ sql, bus, log, nodeId: config.NODE_ID, greet });
      await ownership.start();
      media = mediaFiles({ nodeId: config.NODE_ID, mediaDir: config.MEDIA_DIR, shared: config.MEDIA_SHARED, cacheDir: path.join(config.DATA_DIR, 'media-cache'),
        key: await sharedKey(sql, 'node-media'),
        // This node's view of the live nodes is a beat old: a node back a moment ago is looked up in the database.
        apiOf: async (id) => node.node(id)?.apiUrl ?? (await liveNodes(sql)).find((n) => n.id === id)?.apiUrl ?? null });
      routes.push(media.route);
    },
    async announceApi(url) {
      if (config.NODE_API_URL) return;
      address.apiUrl = url;
      await setNodeApiUrl(sql, config.NODE_ID, node.instance, url);
    },
    async stop() {
      await leases.stop();
      await media?.stop();
      await ownership.stop();
      await relay?.stop();
      await node.stop();
    },
  };
}
