// Jobs that run once in the cluster. Each runs under a named lease (store.ts acquireLease): every tick each node
// tries it; the holder starts the job and renews; when another holds it, the job here is stopped. With one node the
// lease is simply always ours (the same code path, nothing to configure).
import type { Sql } from '../db/connect.js';
import type { Logger } from '../log.js';
import { acquireLease, releaseLease } from './store.js';

export interface Job { stop(): Promise<void> }
/** Runs a job while this node holds its lease; the handle's stop ends it here and lets the lease go. */
export type RunExclusive = (name: string, start: () => Promise<Job> | Job) => Promise<Job>;

interface Entry { name: string; start: () => Promise<Job> | Job; job: Job | null; busy: Promise<void> | null }

export class Leases {
  private entries: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private sql: Sql, private log: Logger, private me: { instance: string; nodeId: string }, private ttlSeconds: number, private tickMs = 1000) {}

  /** Runs the job while this node holds `name`. The first try is now: with one node, the job runs when this resolves. */
  readonly runExclusive: RunExclusive = async (name, start) => {
    const e: Entry = { name, start, job: null, busy: null };
    this.entries.push(e);
    await this.tryOne(e);
    if (!this.timer) {
      this.timer = setInterval(() => { for (const x of this.entries) void this.tryOne(x); }, this.tickMs);
      this.timer.unref();
    }
    return { stop: () => this.end(e) };
  };

  private async end(e: Entry): Promise<void> {
    this.entries = this.entries.filter((x) => x !== e);
    await e.busy;
    const job = e.job;
    e.job = null;
    if (job) { await job.stop(); await releaseLease(this.sql, e.name, this.me.instance).catch(() => {}); }
  }

  /** Which jobs run here now (the admin's view and the tests). */
  held(): string[] { return this.entries.filter((e) => e.job).map((e) => e.name); }

  private tryOne(e: Entry): Promise<void> {
    return (e.busy ??= this.step(e).finally(() => { e.busy = null; }));
  }

  private async step(e: Entry): Promise<void> {
    if (this.stopped) return;
    let mine: boolean;
    try {
      mine = await acquireLease(this.sql, e.name, this.me.instance, this.me.nodeId, this.ttlSeconds);
    } catch (err) {
      // PostgreSQL unreachable: keep what runs. No other node can take the lease without the database either;
      // if only this node lost it, the other's job and this one overlap for a while (the jobs are idempotent).
      this.log.warn({ err, lease: e.name }, 'lease not renewed; trying again');
      return;
    }
    if (mine && !e.job && !this.stopped) {
      e.job = await e.start();
      this.log.info({ lease: e.name, node: this.me.nodeId }, 'job started here');
    } else if (!mine && e.job) {
      const job = e.job;
      e.job = null;
      await job.stop();
      this.log.warn({ lease: e.name }, 'job lease held by another node: stopped here');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const e of [...this.entries].reverse()) await this.end(e);
  }
}
