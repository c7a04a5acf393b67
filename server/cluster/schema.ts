// The cluster's contract: the nodes, the jobs' leases and the cameras' owners, as the admin console sees them.
import { z } from 'zod';

declare module '../events.js' {
  interface DomainEvents {
    // The cameras this node holds changed (claimed, taken over, rebalanced): the RTSP bridges follow.
    'cluster.cameras': [held: ReadonlySet<string>];
    // A node's lease ran out and this node noted it first (exactly one node does): it announces that node's cameras offline.
    'cluster.node_down': [nodeId: string];
  }
}

export const nodeIdSchema = z.string().regex(/^[a-z0-9-]{1,40}$/, 'a node id: lowercase letters, digits and dashes');

export const clusterNodeSchema = z.object({
  id: nodeIdSchema,
  apiUrl: z.string(),
  mediaHost: z.string().nullable(),   // null: the console's own host name
  rtmpPort: z.number().int(),
  flvPorts: z.array(z.number().int()),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  alive: z.boolean(),
  cameras: z.number().int(),
}).meta({ id: 'ClusterNode' });
export type ClusterNode = z.infer<typeof clusterNodeSchema>;

export const clusterLeaseSchema = z.object({ name: z.string(), nodeId: z.string(), since: z.string(), alive: z.boolean() });
export const clusterSchema = z.object({
  self: nodeIdSchema,
  nodes: z.array(clusterNodeSchema),
  leases: z.array(clusterLeaseSchema),
  owners: z.array(z.object({ cameraId: z.string(), nodeId: z.string().nullable(), sourceType: z.enum(['rtmp', 'rtsp']), enabled: z.boolean() })),
}).meta({ id: 'Cluster' });
export type Cluster = z.infer<typeof clusterSchema>;

// The platform does not import the cameras' contract (a capability): the id's shape is checked again there.
export const cameraParams = z.object({ id: z.string().regex(/^[a-z0-9-]{2,60}$/, 'a camera id') });
export const moveCameraSchema = z.object({ nodeId: nodeIdSchema }).strict();
export const rebalanceResultSchema = z.object({ moved: z.array(z.object({ cameraId: z.string(), from: z.string().nullable(), to: z.string() })) }).meta({ id: 'Rebalance' });
export type RebalanceResult = z.infer<typeof rebalanceResultSchema>;
