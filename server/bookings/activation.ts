// Ties each flexible unit to its legal basis: it may publish only inside an approved booking's window (plus the
// set-up and tear-down margins). The publish check asks the database at that moment; a sweep every second finds
// windows that opened or closed, tells the consoles (walls add or drop the unit) and cuts a stream whose window
// ended. The same sweep sends "starts within 24 h" notifications, once per window (a unique index keeps it once
// across restarts).
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { notifyOnce, type Notify } from '../notifications/store.js';
import { activeUnits, windowsStartingBetween } from './store.js';
import type { Activation } from './schema.js';

export interface ActivationSettings { setupMs: number; teardownMs: number; everyMs?: number }

export class ActivationSweeper {
  private current = new Map<string, Activation>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /**
   * Every node sweeps (each needs the open windows for its console and its publish checks), but only the node
   * holding the 'bookings.activation' lease announces them: the consoles' events, the cut of an ended window's
   * stream and the notifications happen once in the cluster.
   */
  private leading = false;

  constructor(private d: { sql: Sql; bus: EventBus; log: Logger; now: () => Date; settings: ActivationSettings }) {}

  /** May this flexible unit publish now? Asked by the media server's publish check. */
  async mayPublish(cameraId: string): Promise<boolean> {
    const rows = await activeUnits(this.d.sql, this.d.now(), this.margins());
    return rows.some((r) => r.cameraId === cameraId);
  }

  all(): Activation[] { return [...this.current.values()]; }

  private margins() { return { setup: this.d.settings.setupMs, teardown: this.d.settings.teardownMs }; }

  /** One pass; tests call it after moving the clock. Overlapping calls share one pass. */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => { this.running = null; });
    return this.running;
  }

  private async pass() {
    const now = this.d.now();
    const rows = await activeUnits(this.d.sql, now, this.margins());
    const next = new Map(rows.map((r) => [r.cameraId, { cameraId: r.cameraId, bookingId: r.bookingId, reference: r.reference, eventName: r.eventName, until: new Date(r.until).toISOString() }]));
    if (!this.leading) { this.current = next; return; }
    for (const [id, a] of next) {
      const before = this.current.get(id);
      if (!before || before.bookingId !== a.bookingId || before.until !== a.until) this.d.bus.emit('camera.activation', id, a);
    }
    for (const id of this.current.keys()) {
      if (next.has(id)) continue;
      this.d.bus.emit('camera.activation', id, null);
      // Its window (and tear-down margin) ended: the unit loses its right to publish; observers see it leave.
      this.d.bus.emit('camera.revoked', id);
      this.d.log.info({ cameraId: id }, 'flexible unit deactivated: window ended');
    }
    this.current = next;
    await this.startsSoon(now);
  }

  private async startsSoon(now: Date) {
    const due = await windowsStartingBetween(this.d.sql, now, new Date(now.getTime() + 86_400_000));
    const sent: Notify[] = [];
    for (const r of due) {
      const details = { reference: r.reference, eventName: r.eventName, windowId: r.windowId, startsAt: new Date(r.starts).toISOString() };
      for (const audience of [{ municipalityId: r.municipalityId }, { role: 'supervisor' as const }, { role: 'observer' as const }]) {
        const n = await notifyOnce(this.d.sql, audience, 'booking.starts_soon', r.bookingId, details);
        if (n) sent.push(n);
      }
    }
    for (const n of sent) this.d.bus.emit('notification.created', n);
  }

  /** Taken (or lost) the lease: announce from the next pass on (or stop announcing). */
  lead(on: boolean): void { this.leading = on; }

  async start() {
    await this.tick();
    this.timer = setInterval(() => { this.tick().catch((err) => this.d.log.error({ err }, 'activation sweep failed')); }, this.d.settings.everyMs ?? 1000);
    this.timer.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }
}
