import { z } from 'zod';
import { route } from '../http/route.js';
import { appendAudit } from '../audit/store.js';
import type { Sql } from '../db/connect.js';
import type { CameraOwnership } from './ownership.js';
import type { Leases } from './leases.js';
import { cameraParams, clusterSchema, moveCameraSchema, rebalanceResultSchema } from './schema.js';
import { cameraOwners, listLeases, listNodes } from './store.js';

export function clusterRoutes(d: { sql: Sql; self: string; ownership: CameraOwnership; leases: Leases }) {
  return [
    route({ method: 'get', path: '/api/cluster', action: 'cluster.read', tag: 'cluster', summary: 'The nodes, which node holds which camera and which node runs each job',
      response: clusterSchema, handler: async () => ({ self: d.self, nodes: await listNodes(d.sql), leases: await listLeases(d.sql), owners: await cameraOwners(d.sql) }) }),
    route({ method: 'post', path: '/api/cluster/rebalance', action: 'cluster.manage', tag: 'cluster',
      summary: 'Spread the RTSP cameras evenly over the live nodes (a node that joined gets its share); RTMP cameras stay where they push',
      response: rebalanceResultSchema, handler: async ({ user, remoteAddr }) => {
        const result = await d.ownership.rebalance();
        await appendAudit(d.sql, { actor: user!, action: 'cluster.rebalanced', subject: null, details: { moved: result.moved }, remoteAddr });
        return result;
      } }),
    route({ method: 'put', path: '/api/cluster/cameras/:id/node', action: 'cluster.manage', tag: 'cluster',
      summary: 'Move one camera to another live node (for an RTMP camera: change its push address to that node with it)',
      params: cameraParams, body: moveCameraSchema, response: z.object({ cameraId: z.string(), nodeId: z.string() }), handler: async ({ user, params, body, remoteAddr }) => {
        await d.ownership.move(params.id, body.nodeId);
        await appendAudit(d.sql, { actor: user!, action: 'camera.node_moved', subject: params.id, details: { nodeId: body.nodeId }, remoteAddr });
        return { cameraId: params.id, nodeId: body.nodeId };
      } }),
  ];
}
