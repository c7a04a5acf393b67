// The truth about each camera's live state, fed by media-server events and stats, announced on the bus.
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { appendAudit } from '../audit/store.js';
import type { AuditAction } from '../audit/schema.js';
import type { CameraStatus } from './schema.js';

export interface StreamStats { cameraId: string; stream: 'main' | 'sub'; bitrateKbps: number | null; fps: number | null; width: number | null; height: number | null; lastFrameAt: Date | null }
type BridgeState = CameraStatus['bridge'];

const blank = (cameraId: string): CameraStatus => ({ cameraId, online: false, since: null, bitrateKbps: null, fps: null, width: null, height: null, lastFrameAt: null, subStreamOnline: false, bridge: null });

export class StatusBoard {
  private board = new Map<string, CameraStatus>();
  /** The node a camera's status came from, for cameras held by another node (cluster/relay.ts); absent: this node. */
  private origin = new Map<string, string>();
  private inFlight = new Set<Promise<unknown>>();
  constructor(private sql: Sql, private bus: EventBus, private log: Logger, private now: () => Date) {}

  all(): CameraStatus[] { return [...this.board.values()]; }
  get(cameraId: string): CameraStatus { return this.board.get(cameraId) ?? blank(cameraId); }

  private set(cameraId: string, patch: Partial<CameraStatus>): void {
    const next = { ...this.get(cameraId), ...patch };
    this.board.set(cameraId, next);
    this.origin.delete(cameraId);
    this.bus.emit('camera.status', next);
  }

  /** A status announced by the node that holds the camera: kept, not announced again. */
  peer(nodeId: string, status: CameraStatus): void {
    this.board.set(status.cameraId, status);
    this.origin.set(status.cameraId, nodeId);
  }

  /** The statuses of the cameras this node holds (what a node that joins is told). */
  own(): CameraStatus[] { return this.all().filter((s) => !this.origin.has(s.cameraId)); }

  /** A node went down (this node noted it first): its cameras that were online are announced offline. */
  nodeDown(nodeId: string): void {
    for (const [cameraId, from] of [...this.origin]) {
      if (from === nodeId && this.get(cameraId).online) this.set(cameraId, { online: false, since: this.now().toISOString(), bitrateKbps: null, fps: null, bridge: null });
    }
  }

  published(cameraId: string, stream: 'main' | 'sub', remoteAddr: string): void {
    if (stream === 'sub') return this.set(cameraId, { subStreamOnline: true });
    this.set(cameraId, { online: true, since: this.now().toISOString() });
    this.audit('camera.online', cameraId, { remoteAddr });
  }

  unpublished(cameraId: string, stream: 'main' | 'sub'): void {
    if (stream === 'sub') return this.set(cameraId, { subStreamOnline: false });
    if (!this.get(cameraId).online) return;
    this.set(cameraId, { online: false, since: this.now().toISOString(), bitrateKbps: null, fps: null });
    this.audit('camera.offline', cameraId, {});
  }

  bridge(cameraId: string, state: BridgeState): void {
    if (this.get(cameraId).bridge !== state) this.set(cameraId, { bridge: state });
  }

  stats(list: StreamStats[]): void {
    for (const s of list) {
      if (s.stream !== 'main') continue;
      const cur = this.get(s.cameraId);
      if (!cur.online) continue;
      const next = { bitrateKbps: s.bitrateKbps, fps: s.fps, width: s.width, height: s.height, lastFrameAt: s.lastFrameAt?.toISOString() ?? null };
      if (JSON.stringify(next) !== JSON.stringify({ bitrateKbps: cur.bitrateKbps, fps: cur.fps, width: cur.width, height: cur.height, lastFrameAt: cur.lastFrameAt })) this.set(s.cameraId, next);
    }
  }

  /** Waits for audit rows still being written (at shutdown, before the database connection closes). */
  async drain(): Promise<void> { await Promise.all([...this.inFlight]); }

  private audit(action: AuditAction, cameraId: string, details: Record<string, unknown>) {
    const write = appendAudit(this.sql, { action, subject: cameraId, details, remoteAddr: (details.remoteAddr as string) ?? null })
      .catch((err) => this.log.error({ err, action, cameraId }, 'audit write failed'))
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }
}
