// This process as a node of the room: its row in `nodes`, renewed every second (the heartbeat lease), and what it
// knows of the other live nodes (refreshed with each beat, for play grants and publish decisions).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Sql } from '../db/connect.js';
import type { Logger } from '../log.js';
import { StartError } from '../errors.js';
import { heartbeat, liveNodes, registerNode, releaseNode, type NodeAddress } from './store.js';

const processAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; } };

export interface LiveNode { id: string; mediaHost: string | null; rtmpPort: number; flvPorts: number[]; apiUrl: string }

export class NodeMembership {
  readonly instance = randomUUID();
  private live = new Map<string, LiveNode>();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private replaced = false;

  constructor(private sql: Sql, private log: Logger, readonly address: Omit<NodeAddress, 'instance' | 'host' | 'pid'>, readonly ttlSeconds: number, private beatMs = 1000,
    /** The others had noted this node down (a stall past its lease) and see it again: it re-announces its state. */
    private onRevived: () => void = () => {}) {}

  get id(): string { return this.address.id; }

  /**
   * Takes this node's row. A row still beating is this node before a crash (its process is gone: on this machine
   * that is seen at once, elsewhere its lease runs out within ttlSeconds) or another process given the same NODE_ID
   * (it keeps beating: refuse to start).
   */
  async join(): Promise<void> {
    const me = { ...this.address, instance: this.instance, host: hostname(), pid: process.pid };
    const deadline = Date.now() + (this.ttlSeconds + 2) * 1000;
    for (let announced = false, replacing: string | null = null; ;) {
      const holder = await registerNode(this.sql, me, this.ttlSeconds, replacing);
      if (!holder) break;
      if (holder.host === me.host && holder.pid !== me.pid && replacing !== holder.instance && !processAlive(holder.pid)) { replacing = holder.instance; continue; }
      if (Date.now() > deadline) throw new StartError(`NODE_ID ${this.id} is in use by another running node (its heartbeat goes on): give each node its own NODE_ID`);
      if (!announced) { announced = true; this.log.warn({ node: this.id, until: holder.expiresAt }, 'this node id is still held (a crash a moment ago, or another process with the same NODE_ID): waiting for its lease to run out'); }
      await new Promise((r) => setTimeout(r, 250));
    }
    await this.refresh();
    this.timer = setInterval(() => { this.beating ??= this.beat().finally(() => { this.beating = null; }); }, this.beatMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      const beat = await heartbeat(this.sql, this.id, this.instance, this.ttlSeconds);
      if (beat === 'replaced' && !this.replaced) {
        this.replaced = true;
        this.log.error({ node: this.id }, 'another process took this NODE_ID: this one no longer holds leases or cameras');
      }
      if (beat === 'revived') {
        this.log.warn({ node: this.id }, 'this node had missed its heartbeat lease (a stall) and was noted down: it announces its cameras again');
        this.onRevived();
      }
      await this.refresh();
    } catch (err) {
      // PostgreSQL away: nothing to do but try again; the others cannot take over without it either.
      this.log.warn({ err }, 'node heartbeat failed; trying again');
    }
  }

  private async refresh(): Promise<void> {
    this.live = new Map((await liveNodes(this.sql)).map((n) => [n.id, n]));
  }

  /** A live node by id (this one included), as of the last beat. */
  node(id: string): LiveNode | undefined { return this.live.get(id); }
  isLive(id: string): boolean { return this.live.has(id); }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    if (!this.replaced) await releaseNode(this.sql, this.id, this.instance).catch((err) => this.log.warn({ err }, 'node lease not released: the others take over when it runs out'));
  }
}
