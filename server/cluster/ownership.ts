// Which node holds which camera (design: README.md "Cameras: ownership"). A tick a second claims what has no live
// owner up to this node's fair share and reports the set this node holds; nothing a live node holds is ever taken
// except by an admin's rebalance or move.
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { DomainError } from '../errors.js';
import type { NodeMembership } from './node.js';
import type { RebalanceResult } from './schema.js';
import { assignCamera, cameraOwners, liveNodes, noteDownNodes, ownershipTick, setCameraOwner, takeCameraIfOwnerDown } from './store.js';

export type PublishPlace = { ok: true } | { ok: false; reason: 'assigned-elsewhere'; node: string };

/**
 * The fewest moves that leave every live node within one camera of the others. Pure.
 * cameras: the RTSP cameras and their owner (a dead or missing owner counts as nobody's).
 */
export function planRebalance(cameras: Array<{ cameraId: string; nodeId: string | null }>, live: string[]): RebalanceResult['moved'] {
  if (!live.length) return [];
  const byNode = new Map(live.map((n) => [n, [] as string[]]));
  const loose: Array<{ cameraId: string; from: string | null }> = [];
  for (const c of cameras) {
    const list = c.nodeId ? byNode.get(c.nodeId) : undefined;
    if (list) list.push(c.cameraId); else loose.push({ cameraId: c.cameraId, from: c.nodeId });
  }
  // The nodes holding most keep the extra ones (fewest moves); ties in id order, so the plan is the same every time.
  const order = [...live].sort((a, b) => byNode.get(b)!.length - byNode.get(a)!.length || a.localeCompare(b));
  const base = Math.floor(cameras.length / live.length);
  const target = new Map(order.map((n, i) => [n, base + (i < cameras.length % live.length ? 1 : 0)]));
  for (const n of order) {
    const list = byNode.get(n)!.sort();
    while (list.length > target.get(n)!) loose.push({ cameraId: list.pop()!, from: n });
  }
  const moved: RebalanceResult['moved'] = [];
  for (const n of order) {
    while (byNode.get(n)!.length < target.get(n)! && loose.length) {
      const c = loose.shift()!;
      byNode.get(n)!.push(c.cameraId);
      if (c.from !== n) moved.push({ cameraId: c.cameraId, from: c.from, to: n });
    }
  }
  return moved;
}

export class CameraOwnership {
  private held = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;

  constructor(private sql: Sql, private bus: EventBus, private log: Logger, private node: NodeMembership, private tickMs = 1000) {}

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  holds(cameraId: string): boolean { return this.held.has(cameraId); }

  tick(): Promise<void> {
    return (this.ticking ??= this.step().catch((err) => this.log.warn({ err }, 'camera ownership tick failed; trying again'))
      .finally(() => { this.ticking = null; }));
  }

  private async step(): Promise<void> {
    for (const down of await noteDownNodes(this.sql)) {
      this.log.warn({ node: down }, 'node down (its lease ran out): its RTSP cameras go to the live nodes');
      this.bus.emit('cluster.node_down', down);
    }
    const now = new Set(await ownershipTick(this.sql, this.node.id));
    const changed = now.size !== this.held.size || [...now].some((c) => !this.held.has(c));
    if (!changed) return;
    const gained = [...now].filter((c) => !this.held.has(c));
    const lost = [...this.held].filter((c) => !now.has(c));
    this.held = now;
    if (gained.length || lost.length) this.log.info({ gained, lost, holds: now.size }, 'cameras held by this node changed');
    this.bus.emit('cluster.cameras', now);
  }

  /**
   * The media server's question for a push: accepted when the camera is this node's, has no owner yet, or its owner
   * is down (then it moves here: a camera pushing to its backup ingest). Refused when another live node holds it.
   */
  async publishPlace(cameraId: string, owner: string | null): Promise<PublishPlace> {
    if (owner === this.node.id) return { ok: true };
    if (owner && this.node.isLive(owner)) return { ok: false, reason: 'assigned-elsewhere', node: owner };
    if (await takeCameraIfOwnerDown(this.sql, cameraId, this.node.id)) { void this.tick(); return { ok: true }; }
    return { ok: false, reason: 'assigned-elsewhere', node: owner ?? 'unknown' };
  }

  /** Where an RTMP camera pushes: assigned now (to the least loaded live node) unless it already is. */
  async assignPush(cameraId: string): Promise<{ host: string | null; port: number } | null> {
    const at = await assignCamera(this.sql, cameraId);
    return at ? { host: at.mediaHost, port: at.rtmpPort } : null;
  }

  /** Spreads the RTSP cameras evenly over the live nodes (admin action); RTMP cameras stay where they push. */
  async rebalance(): Promise<RebalanceResult> {
    const owners = (await cameraOwners(this.sql)).filter((c) => c.sourceType === 'rtsp' && c.enabled);
    const live = await this.liveIds();
    const moved = planRebalance(owners.map((c) => ({ cameraId: c.cameraId, nodeId: c.nodeId && live.includes(c.nodeId) ? c.nodeId : null })), live);
    for (const m of moved) await setCameraOwner(this.sql, m.cameraId, m.to); // a node gone meanwhile keeps its share for the next rebalance
    await this.tick();
    return { moved };
  }

  /** Moves one camera (an RTMP camera whose push address the admin changes with it). */
  async move(cameraId: string, nodeId: string): Promise<void> {
    const r = await setCameraOwner(this.sql, cameraId, nodeId);
    if (r === 'node_not_live') throw new DomainError('conflict', 'node_not_live', `node ${nodeId} is not running`, 'nodeId');
    if (r === 'no_camera') throw new DomainError('not_found', 'not_found', 'no such camera', 'id');
    await this.tick();
  }

  private async liveIds(): Promise<string[]> {
    return (await liveNodes(this.sql)).map((n) => n.id);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }
}
