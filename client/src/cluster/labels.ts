// Words and addresses the cluster views derive from GET /api/cluster: the job leases' readable names, a node's
// heartbeat age, and where an RTMP camera pushes. Pure functions (no React), so tests/unit can hold them.
import { LIVE_APP, streamName } from '../../../streams/stream-path';
import type { Cluster, ClusterNode } from '../api/cluster';

// The job leases the server takes (server/*/index.ts runExclusive(...), retention per node: recordings/index.ts),
// each with its key under cluster.jobs.names in nl.json / en.json. tests/unit/cluster-labels.test.ts checks that
// every lease name the server's source takes is here and has words in both languages.
const jobKeys = {
  'dispatch.outbox': 'dispatchOutbox',
  'dispatch.escalation': 'dispatchEscalation',
  'evidence.clips': 'evidenceClips',
  'bookings.activation': 'bookingsActivation',
  'recordings.retention': 'recordingsRetention',
} as const;
export type JobKey = (typeof jobKeys)[keyof typeof jobKeys];
export const knownJobs = Object.keys(jobKeys);

/**
 * A lease name split into its job and, for a job that runs once per node ('recordings.retention@node-2', each
 * node's own disk), that node. key is null for a lease this console does not know yet (shown by its name).
 */
export function parseJob(name: string): { key: JobKey | null; node: string | null } {
  const at = name.indexOf('@');
  const base = at < 0 ? name : name.slice(0, at);
  const key = (jobKeys as Record<string, JobKey>)[base] ?? null;
  return { key, node: at < 0 ? null : name.slice(at + 1) };
}

/**
 * How long ago a node last beat, on PostgreSQL's clock rather than the browser's (which may be off by minutes): the
 * newest heartbeat in the answer is within a beat (1 s) of the server's now, so a node's age is its distance to that
 * one, plus the time since the answer arrived.
 */
export function heartbeatAgeMs(cluster: Cluster, node: ClusterNode, fetchedAt: number, now: number): number {
  const newest = Math.max(...cluster.nodes.map((n) => Date.parse(n.heartbeatAt)));
  return Math.max(0, newest - Date.parse(node.heartbeatAt) + (now - fetchedAt));
}

/** An age in the largest unit that reads at a glance: 3 s, 12 min, 5 h. */
export function ageParts(ms: number): { unit: 'seconds' | 'minutes' | 'hours'; n: number } {
  const s = Math.floor(ms / 1000);
  if (s < 90) return { unit: 'seconds', n: s };
  if (s < 90 * 60) return { unit: 'minutes', n: Math.round(s / 60) };
  return { unit: 'hours', n: Math.round(s / 3600) };
}

/**
 * Where an RTMP camera pushes: rtmp://<host>:<port>/live/<cameraId> (the stream name of streams/stream-path.ts, the
 * publish key left out: it is shown once, when it is made). The host is the node's media host, or — a node that
 * names none is reached under the console's own host name — the host this console was opened on.
 */
export function ingestAddress(node: Pick<ClusterNode, 'mediaHost' | 'rtmpPort'>, cameraId: string, consoleHost: string): string {
  const host = node.mediaHost ?? consoleHost;
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let name = cameraId;
  try { name = streamName({ cameraId, stream: 'main' }); } catch { /* an id the media server would refuse: shown as it is */ }
  return `rtmp://${shownHost}:${node.rtmpPort}/${LIVE_APP}/${name}`;
}

export interface Ingest {
  nodeId: string | null;
  /** The node holds a live lease (a camera on a node that is down cannot push there now). */
  alive: boolean;
  /** null: no node assigned yet, or the node's row is gone. */
  address: string | null;
}

/** The node an RTMP camera is assigned to and its ingest address; null when the cluster does not list the camera. */
export function ingestOf(cluster: Cluster, cameraId: string, consoleHost: string): Ingest | null {
  const owner = cluster.owners.find((o) => o.cameraId === cameraId);
  if (!owner) return null;
  const node = owner.nodeId ? cluster.nodes.find((n) => n.id === owner.nodeId) : undefined;
  return { nodeId: owner.nodeId, alive: !!node?.alive, address: node ? ingestAddress(node, cameraId, consoleHost) : null };
}
