// All SQL of the cluster: node heartbeats, job leases, camera owners, shared keys. Every lease is set on
// PostgreSQL's clock (now()), so the nodes' own clocks never decide who holds what.
import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.js';
import type { ClusterNode } from './schema.js';

export interface NodeAddress { id: string; instance: string; host: string; pid: number; apiUrl: string; mediaHost: string | null; rtmpPort: number; flvPorts: number[] }
export interface NodeHolder { instance: string; host: string; pid: number; expiresAt: Date }

/**
 * Registers this process as the node: takes the row when it is free, expired, already this instance's, or held by
 * `replacing` (an instance known to be dead). Returns null when done, or the live instance that holds the id.
 */
export async function registerNode(sql: Sql, n: NodeAddress, ttlSeconds: number, replacing: string | null = null): Promise<NodeHolder | null> {
  const [row] = await sql<{ id: string }[]>`
    insert into nodes (id, instance, host, pid, api_url, media_host, rtmp_port, flv_ports, expires_at)
    values (${n.id}, ${n.instance}, ${n.host}, ${n.pid}, ${n.apiUrl}, ${n.mediaHost}, ${n.rtmpPort}, ${n.flvPorts}, now() + ${ttlSeconds} * interval '1 second')
    on conflict (id) do update set instance = excluded.instance, host = excluded.host, pid = excluded.pid, api_url = excluded.api_url,
      media_host = excluded.media_host, rtmp_port = excluded.rtmp_port, flv_ports = excluded.flv_ports, started_at = now(), heartbeat_at = now(),
      expires_at = excluded.expires_at, down_noted_at = null
    where nodes.expires_at < now() or nodes.instance = excluded.instance or nodes.instance = ${replacing}::uuid
    returning id`;
  if (row) return null;
  const [held] = await sql<Array<NodeHolder>>`select instance, host, pid, expires_at as "expiresAt" from nodes where id = ${n.id}`;
  return held ?? null;
}

export async function setNodeApiUrl(sql: Sql, id: string, instance: string, url: string): Promise<void> {
  await sql`update nodes set api_url = ${url} where id = ${id} and instance = ${instance}`;
}

/**
 * Renews this instance's lease. 'replaced': another instance took the id (this process must stop acting as the
 * node); 'revived': the others had noted this node down (it stalled past its lease) and now see it again.
 */
export async function heartbeat(sql: Sql, id: string, instance: string, ttlSeconds: number): Promise<'ok' | 'revived' | 'replaced'> {
  const [row] = await sql<{ was_down: boolean }[]>`
    with before as (select down_noted_at is not null as was_down from nodes where id = ${id} and instance = ${instance})
    update nodes set heartbeat_at = now(), expires_at = now() + ${ttlSeconds} * interval '1 second', down_noted_at = null
    where id = ${id} and instance = ${instance}
    returning (select was_down from before)`;
  return !row ? 'replaced' : row.was_down ? 'revived' : 'ok';
}

/** A clean stop: the node's lease and its job leases end now, so the others take over at their next tick. */
export async function releaseNode(sql: Sql, id: string, instance: string): Promise<void> {
  await sql`update leases set expires_at = now() where holder = ${instance}`;
  await sql`update nodes set expires_at = now() where id = ${id} and instance = ${instance}`;
}

export async function liveNodes(sql: Sql): Promise<Array<{ id: string; mediaHost: string | null; rtmpPort: number; flvPorts: number[]; apiUrl: string }>> {
  return sql`select id, media_host as "mediaHost", rtmp_port as "rtmpPort", flv_ports as "flvPorts", api_url as "apiUrl" from nodes where expires_at > now() order by id`;
}

export async function listNodes(sql: Sql): Promise<ClusterNode[]> {
  const rows = await sql<Array<Omit<ClusterNode, 'heartbeatAt' | 'startedAt' | 'cameras'> & { heartbeatAt: Date; startedAt: Date; cameras: number }>>`
    select n.id, n.api_url as "apiUrl", n.media_host as "mediaHost", n.rtmp_port as "rtmpPort", n.flv_ports as "flvPorts",
      n.started_at as "startedAt", n.heartbeat_at as "heartbeatAt", n.expires_at > now() as alive,
      (select count(*)::int from camera_owners o where o.node_id = n.id) as cameras
    from nodes n order by n.id`;
  return rows.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), heartbeatAt: r.heartbeatAt.toISOString() }));
}

/** Nodes whose lease ran out and that no one has noted yet: each is returned to exactly one caller. */
export async function noteDownNodes(sql: Sql): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    update nodes set down_noted_at = now() where expires_at < now() and down_noted_at is null returning id`;
  return rows.map((r) => r.id);
}

/** Takes or renews a job lease: true when this instance holds it for the next ttl. */
export async function acquireLease(sql: Sql, name: string, instance: string, nodeId: string, ttlSeconds: number): Promise<boolean> {
  const [row] = await sql<{ holder: string }[]>`
    insert into leases (name, holder, node_id, expires_at) values (${name}, ${instance}, ${nodeId}, now() + ${ttlSeconds} * interval '1 second')
    on conflict (name) do update set holder = excluded.holder, node_id = excluded.node_id, expires_at = excluded.expires_at,
      since = case when leases.holder = excluded.holder then leases.since else now() end
    where leases.holder = excluded.holder or leases.expires_at < now()
    returning holder`;
  return !!row;
}

export async function releaseLease(sql: Sql, name: string, instance: string): Promise<void> {
  await sql`update leases set expires_at = now() where name = ${name} and holder = ${instance}`;
}

export async function listLeases(sql: Sql): Promise<Array<{ name: string; nodeId: string; since: string; alive: boolean }>> {
  const rows = await sql<Array<{ name: string; nodeId: string; since: Date; alive: boolean }>>`
    select name, node_id as "nodeId", since, expires_at > now() as alive from leases order by name`;
  return rows.map((r) => ({ ...r, since: r.since.toISOString() }));
}

/**
 * One ownership tick of a node:
 * - RTSP cameras without a live owner: claimed up to this node's fair share (ceil(cameras / live nodes) − held),
 *   locked SKIP LOCKED, so two nodes ticking at once never claim the same camera;
 * - RTMP cameras never assigned: given to the live node holding the fewest cameras (their push address is set by
 *   the admin from it); a dead node's RTMP cameras stay assigned (their pushes go to its address).
 * Returns the cameras this node holds afterwards.
 */
export async function ownershipTick(sql: Sql, nodeId: string): Promise<string[]> {
  await sql.begin(async (tx) => {
    const [{ live, total, mine }] = await tx<{ live: number; total: number; mine: number }[]>`
      select (select count(*)::int from nodes where expires_at > now()) as live,
        (select count(*)::int from cameras where source_type = 'rtsp' and enabled) as total,
        (select count(*)::int from camera_owners o join cameras c on c.id = o.camera_id
          where o.node_id = ${nodeId} and c.source_type = 'rtsp' and c.enabled) as mine`;
    const share = Math.ceil(total / Math.max(1, live)) - mine;
    if (share > 0) {
      await tx`
        with free as (
          select c.id from cameras c
          left join camera_owners o on o.camera_id = c.id
          left join nodes n on n.id = o.node_id and n.expires_at > now()
          where c.source_type = 'rtsp' and c.enabled and n.id is null
          order by c.id limit ${share} for update of c skip locked)
        insert into camera_owners (camera_id, node_id) select id, ${nodeId} from free
        on conflict (camera_id) do update set node_id = excluded.node_id, since = now()`;
    }
  });
  // RTMP cameras not assigned yet (made by SQL, or before any node ran): one at a time, each in its own statement,
  // so a batch spreads over the nodes, and a camera created meanwhile (which assigns itself, assignCamera) and this
  // tick only ever meet on the unique key: no row locks held across statements, so no deadlock between them.
  const fresh = await sql<{ id: string }[]>`
    select c.id from cameras c where c.source_type = 'rtmp' and not exists (select 1 from camera_owners o where o.camera_id = c.id)
    order by c.id`;
  for (const { id } of fresh) await assignCamera(sql, id);
  const held = await sql<{ camera_id: string }[]>`select camera_id from camera_owners where node_id = ${nodeId} order by camera_id`;
  return held.map((r) => r.camera_id);
}

/**
 * Assigns one camera (just created or switched to RTMP) to the live node holding fewest cameras, if it has none.
 * Returns its node and where that node takes pushes (read here: a node that joined a moment ago may not be in this
 * node's view of the live nodes yet).
 */
export async function assignCamera(sql: Sql, cameraId: string): Promise<{ nodeId: string; mediaHost: string | null; rtmpPort: number } | null> {
  await sql`
    insert into camera_owners (camera_id, node_id)
    select ${cameraId}, n.id from nodes n where n.expires_at > now()
    order by (select count(*) from camera_owners o where o.node_id = n.id), n.id limit 1
    on conflict (camera_id) do nothing`;
  const [row] = await sql<{ nodeId: string; mediaHost: string | null; rtmpPort: number }[]>`
    select o.node_id as "nodeId", n.media_host as "mediaHost", n.rtmp_port as "rtmpPort"
    from camera_owners o join nodes n on n.id = o.node_id where o.camera_id = ${cameraId}`;
  return row ?? null;
}

/** A push to this node of a camera whose owner is down (or none): the camera moved to its backup ingest. */
export async function takeCameraIfOwnerDown(sql: Sql, cameraId: string, nodeId: string): Promise<boolean> {
  const rows = await sql`
    insert into camera_owners (camera_id, node_id) values (${cameraId}, ${nodeId})
    on conflict (camera_id) do update set node_id = excluded.node_id, since = now()
    where camera_owners.node_id = excluded.node_id
      or not exists (select 1 from nodes n where n.id = camera_owners.node_id and n.expires_at > now())`;
  return rows.count === 1;
}

/** Gives a camera to a node, only while that node is live (read here, on PostgreSQL's clock, not from a cache). */
export async function setCameraOwner(sql: Sql, cameraId: string, nodeId: string): Promise<'moved' | 'no_camera' | 'node_not_live'> {
  const rows = await sql`
    insert into camera_owners (camera_id, node_id)
    select c.id, n.id from cameras c, nodes n where c.id = ${cameraId} and n.id = ${nodeId} and n.expires_at > now()
    on conflict (camera_id) do update set node_id = excluded.node_id, since = now()`;
  if (rows.count === 1) return 'moved';
  const [camera] = await sql`select 1 from cameras where id = ${cameraId}`;
  return camera ? 'node_not_live' : 'no_camera';
}

/** Every camera's owner, with its kind (the rebalance plan and the admin's view). */
export async function cameraOwners(sql: Sql): Promise<Array<{ cameraId: string; nodeId: string | null; sourceType: 'rtmp' | 'rtsp'; enabled: boolean }>> {
  return sql`
    select c.id as "cameraId", o.node_id as "nodeId", c.source_type as "sourceType", c.enabled from cameras c left join camera_owners o on o.camera_id = c.id order by c.id`;
}

/** The key all nodes share for `name`, created by whichever node asks first. */
export async function sharedKey(sql: Sql, name: string): Promise<Buffer> {
  await sql`insert into room_keys (name, secret) values (${name}, ${randomBytes(32)}) on conflict (name) do nothing`;
  const [row] = await sql<{ secret: Buffer }[]>`select secret from room_keys where name = ${name}`;
  return row!.secret;
}
