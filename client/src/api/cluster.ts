// The cluster's calls (issue #14), in their own file so the cluster's client work and the other capabilities' edits
// to endpoints.ts never meet. Every answer is checked with server/cluster/schema.ts, the server's own contract.
import { z } from 'zod';
import { clusterSchema, rebalanceResultSchema, type Cluster, type ClusterNode, type RebalanceResult } from '../../../server/cluster/schema';
import { request } from './http';

export type { Cluster, ClusterNode, RebalanceResult };

export const clusterApi = {
  /** The nodes (alive or down), which node runs each job lease, which node holds each camera. */
  cluster: () => request('GET', '/api/cluster', clusterSchema),
  /** Spreads the RTSP cameras over the live nodes; answers what moved (nothing when they are spread already). */
  rebalance: () => request('POST', '/api/cluster/rebalance', rebalanceResultSchema, {}),
  /** Moves one camera to another live node (an RTMP camera then pushes to that node's address). */
  moveCamera: (cameraId: string, nodeId: string) =>
    request('PUT', `/api/cluster/cameras/${encodeURIComponent(cameraId)}/node`, z.object({ cameraId: z.string(), nodeId: z.string() }), { nodeId }),
};
