// The rules of alerts at the dispatch centre: raising an incident, the one-step-forward life cycle (first dispatcher
// wins), remarks, the escalation of alerts nobody acknowledged in time, and the outbox message written in the same
// transaction as every alert change. No express, no sockets: changes leave as bus events.
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { SessionUser } from '../auth/sessions.js';
import { appendAudit } from '../audit/store.js';
import type { AuditAction } from '../audit/schema.js';
import { conflict, notFound } from '../errors.js';
import type { Categories } from '../incidents/categories.js';
import type { AlertStatus, Incident } from '../incidents/schema.js';
import * as store from './store.js';
import { alertStatusOrder, type Alert, type AlertStepInput, type Attempt, type Board, type Delivery, type DispatchMessageKind } from './schema.js';

export interface Actor { user: SessionUser; remoteAddr: string | null }

/** From which states a step may be taken. Closing needs an acknowledgement first (response times start there). */
const allowedFrom: Record<AlertStepInput['status'], AlertStatus[]> = {
  acknowledged: ['raised'],
  unit_sent: ['acknowledged'],
  on_scene: ['acknowledged', 'unit_sent'],
  closed: ['acknowledged', 'unit_sent', 'on_scene'],
};

const ref = (u: SessionUser) => ({ id: u.id, name: u.displayName });
const tx$ = (t: unknown) => t as Sql;

/** What an alert needs of its incident. incidents/ gives it (its IncidentService): dispatch depends on incidents, never back. */
export interface IncidentsOfAlerts {
  /** Reads the incident and locks it for the rest of the caller's transaction. */
  lockForChange(tx: Sql, id: string): Promise<Incident | null>;
  /** A line on the incident's timeline, in the caller's transaction. */
  note(tx: Sql, incidentId: string, actor: { id: string; name: string } | null, kind: string, details?: Record<string, unknown>): Promise<void>;
  /** After the commit: the consoles learn that the incident (its dispatch status) changed. */
  announce(incidentId: string): Promise<Incident | null>;
  list(q: { status: 'open'; limit: number }): Promise<Incident[]>;
}

export interface DispatchServiceDeps {
  sql: Sql; bus: EventBus; categories: Categories; incidents: IncidentsOfAlerts;
  /** Queue webhook deliveries with each outbox message (DISPATCH_WEBHOOK_URL is set). */
  webhook: boolean;
}

export class DispatchService {
  constructor(private d: DispatchServiceDeps) {}

  private audit(tx: Sql, a: Actor | null, action: AuditAction, subject: string, details: Record<string, unknown> = {}) {
    return appendAudit(tx, { action, actor: a?.user ?? null, subject, details, remoteAddr: a?.remoteAddr ?? null });
  }

  /** The outbox message goes into the caller's transaction, so it commits with the change it reports. */
  private async enqueue(tx: Sql, kind: DispatchMessageKind, alertId: string): Promise<void> {
    const alert = (await store.getAlert(tx, this.d.categories, alertId))!;
    await store.enqueueDispatch(tx, kind, alert, { webhook: this.d.webhook });
  }

  /** After the commit: wake the dispatch worker, and tell the consoles the incident's dispatch status changed. */
  private announce(incidentId: string) {
    this.d.bus.emit('dispatch.outbox');
    return this.d.incidents.announce(incidentId);
  }

  listAlerts(q: { state: 'open' | 'all'; limit: number }) { return store.listAlerts(this.d.sql, this.d.categories, q); }

  async getAlert(id: string): Promise<Alert> {
    const al = await store.getAlert(this.d.sql, this.d.categories, id);
    if (!al) throw notFound('alert');
    return al;
  }

  async raiseAlert(a: Actor, incidentId: string, remark: string): Promise<Alert> {
    const alertId = await this.d.sql.begin(async (t) => {
      const tx = tx$(t);
      const i = await this.d.incidents.lockForChange(tx, incidentId);
      if (!i) throw notFound('incident');
      if (i.status === 'closed') throw conflict('incident_closed', 'this incident is closed: reopen it first');
      const open = await store.openAlertOf(tx, incidentId);
      if (open) throw conflict('alert_open', `this incident was already raised (alert ${open.id}, ${open.status})`);
      const alertId = await store.insertAlert(tx, incidentId, a.user.id, remark);
      await store.addAlertStep(tx, alertId, ref(a.user), 'raised', remark);
      await this.d.incidents.note(tx, incidentId, ref(a.user), 'alert.raised', { alertId, remark });
      await this.audit(tx, a, 'alert.raised', alertId, { incidentId, number: i.number, priority: i.priority, categoryId: i.category.id });
      await this.enqueue(tx, 'raised', alertId);
      return alertId;
    });
    await this.announce(incidentId);
    return this.getAlert(alertId);
  }

  async stepAlert(a: Actor, alertId: string, input: AlertStepInput): Promise<Alert> {
    const to = input.status;
    const incidentId = await this.d.sql.begin(async (t) => {
      const tx = tx$(t);
      // The conditional UPDATE decides: of two dispatchers (or two clicks) the first moves the alert, the second finds it moved.
      if (!(await store.moveAlert(tx, alertId, allowedFrom[to], to, a.user.id, input.remark))) {
        const now = await store.alertState(tx, alertId);
        if (!now) throw notFound('alert');
        if (alertStatusOrder[now.status] >= alertStatusOrder[to]) {
          const who = now.acknowledged_by_name && to === 'acknowledged' ? ` by ${now.acknowledged_by_name} at ${now.acknowledged_at!.toISOString()}` : '';
          throw conflict('alert_conflict', `this alert is already ${now.status.replace('_', ' ')}${who}`, 'status');
        }
        throw conflict('invalid_transition', `an alert that is ${now.status.replace('_', ' ')} cannot become ${to.replace('_', ' ')}`, 'status');
      }
      const st = (await store.alertState(tx, alertId))!;
      await store.addAlertStep(tx, alertId, ref(a.user), to, input.remark);
      await this.d.incidents.note(tx, st.incident_id, ref(a.user), `alert.${to}`, { alertId, remark: input.remark });
      await this.audit(tx, a, `alert.${to}`, alertId, { incidentId: st.incident_id, ...(input.remark ? { remark: input.remark } : {}) });
      await this.enqueue(tx, 'status', alertId);
      return st.incident_id;
    });
    const incident = await this.announce(incidentId);
    // Dispatchers watched these cameras through this alert: that ends with it (the media server cuts them).
    if (to === 'closed' && incident) this.d.bus.emit('alert.cameras_released', { alertId, incidentId, cameraIds: incident.cameras.map((c) => c.id) });
    return this.getAlert(alertId);
  }

  async remarkAlert(a: Actor, alertId: string, remark: string): Promise<Alert> {
    const incidentId = await this.d.sql.begin(async (t) => {
      const tx = tx$(t);
      const st = await store.alertState(tx, alertId);
      if (!st) throw notFound('alert');
      if (st.status === 'closed') throw conflict('alert_closed', 'this alert is closed');
      await store.remarkAlert(tx, alertId, remark);
      await store.addAlertStep(tx, alertId, ref(a.user), 'remark', remark);
      await this.d.incidents.note(tx, st.incident_id, ref(a.user), 'alert.remark', { alertId, remark });
      await this.enqueue(tx, 'remark', alertId);
      return st.incident_id;
    });
    await this.announce(incidentId);
    return this.getAlert(alertId);
  }

  /**
   * Escalates every alert still unacknowledged after `seconds`. Derived from the database (raised_at, status,
   * escalated_at), so an alert raised before a restart escalates after it; the flag makes it happen once.
   */
  async escalateOverdue(seconds: number): Promise<number> {
    const escalated = await this.d.sql.begin(async (t) => {
      const tx = tx$(t);
      const rows = await store.escalateOverdue(tx, seconds);
      for (const r of rows) {
        await store.addAlertStep(tx, r.id, null, 'escalated', `niet bevestigd binnen ${seconds} s`);
        await this.d.incidents.note(tx, r.incident_id, null, 'alert.escalated', { alertId: r.id, afterSeconds: seconds });
        await this.audit(tx, null, 'alert.escalated', r.id, { incidentId: r.incident_id, afterSeconds: seconds });
        await this.enqueue(tx, 'escalated', r.id);
      }
      return rows;
    });
    for (const r of escalated) await this.announce(r.incident_id);
    return escalated.length;
  }

  /** The supervisor's board: the open incidents and the open alerts side by side (so it lives here, with the alerts). */
  async board(): Promise<Board> {
    const [incidents, alerts, deliveryFailures] = await Promise.all([
      this.d.incidents.list({ status: 'open', limit: 500 }), this.listAlerts({ state: 'open', limit: 500 }), store.countFailedDeliveries(this.d.sql),
    ]);
    return {
      incidents, alerts,
      counts: {
        openIncidents: incidents.length, openAlerts: alerts.length, unacknowledged: alerts.filter((x) => x.status === 'raised').length,
        escalated: alerts.filter((x) => x.status === 'raised' && x.escalatedAt).length, deliveryFailures,
      },
    };
  }

  listDeliveries(q: { state: 'pending' | 'delivered' | 'failed' | 'all'; limit: number }): Promise<Delivery[]> { return store.listDeliveries(this.d.sql, q); }

  listAttempts(deliveryId: number): Promise<Attempt[]> { return store.listAttempts(this.d.sql, deliveryId); }

  // ---- what an incident change does to its alert (incidents/ calls these; index.ts attaches them) ---------------

  /**
   * The incident changed in what the dispatchers see: its open alert gets a new version and an 'updated' message,
   * in the incident's transaction. False when the incident has no open alert.
   */
  async incidentChanged(tx: Sql, incidentId: string): Promise<boolean> {
    const alertId = await store.touchOpenAlert(tx, incidentId);
    if (alertId) await this.enqueue(tx, 'updated', alertId);
    return !!alertId;
  }

  /** After the incident's commit: the messages it wrote wake the dispatch worker. */
  outboxCommitted(): void { this.d.bus.emit('dispatch.outbox'); }

  /** After the incident's commit: cameras taken off the incident left its open alert. */
  camerasReleased(released: { alertId: string; incidentId: string; cameraIds: string[] }): void { this.d.bus.emit('alert.cameras_released', released); }
}
