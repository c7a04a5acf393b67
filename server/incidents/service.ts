// The rules of incidents: validation against the registry and the categories, the timeline, the audit trail and the
// snapshot of the tagged moment. An incident raised to the dispatch centre has an alert there (dispatch/): what an
// incident change does to it goes through the small AlertsOfIncidents door dispatch attaches at start, so incidents
// imports nothing of dispatch. No express, no sockets: changes leave as bus events.
import type { Sql } from '../db/connect.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../events.js';
import type { SessionUser } from '../auth/sessions.js';
import { can } from '../auth/policy.js';
import { appendAudit } from '../audit/store.js';
import type { AuditAction } from '../audit/schema.js';
import { DomainError, conflict, invalid, notFound } from '../errors.js';
import type { Categories } from './categories.js';
import type { SnapshotGrabber, GrabResult } from './snapshot-grabber.js';
import * as store from './store.js';
import type { Incident, IncidentCreate, IncidentDetail, IncidentUpdate, SnapshotInfo } from './schema.js';

export interface Actor { user: SessionUser; remoteAddr: string | null }

const MAX_FUTURE_MS = 60_000;            // console clocks drift a little; a key press "from the future" beyond this is wrong
const MAX_PAST_MS = 24 * 3_600_000;      // an incident is tagged live, not a day later
const SNAPSHOT_ATTACH_MS = 15 * 60_000;  // a pre-grabbed snapshot must be used within this time

const ref = (u: SessionUser): store.ActorRef => ({ id: u.id, name: u.displayName });
const tx$ = (t: unknown) => t as Sql;

/**
 * What an incident change does to the incident's open alert at the dispatch centre. dispatch/ attaches it at start
 * (it starts after incidents and depends on them); a service on its own has no dispatch centre, so nothing to tell.
 */
export interface AlertsOfIncidents {
  /** Inside the incident's transaction: what dispatchers see of it changed. True when an outbox message was written. */
  incidentChanged(tx: Sql, incidentId: string): Promise<boolean>;
  /** After the commit: the outbox messages written wake the dispatch worker. */
  outboxCommitted(): void;
  /** After the commit: cameras taken off the incident left its open alert (whoever watched them through it loses them). */
  camerasReleased(released: { alertId: string; incidentId: string; cameraIds: string[] }): void;
}

const NO_DISPATCH: AlertsOfIncidents = { incidentChanged: async () => false, outboxCommitted: () => {}, camerasReleased: () => {} };

export interface IncidentServiceDeps {
  sql: Sql; bus: EventBus; log: Logger; categories: Categories; grabber: SnapshotGrabber;
  /** The clock of the key-press checks. */
  now: () => Date;
  /** Reads a stored snapshot file (relative to MEDIA_DIR). */
  snapshots: { read(file: string): Promise<Buffer> };
}

export class IncidentService {
  private grabs = new Set<Promise<void>>();
  private stopped = false;
  private alerts = NO_DISPATCH;
  constructor(private d: IncidentServiceDeps) {}

  /** dispatch/ (index.ts) attaches its alerts once it has started. */
  attachAlerts(alerts: AlertsOfIncidents): void { this.alerts = alerts; }

  private audit(tx: Sql, a: Actor | null, action: AuditAction, subject: string, details: Record<string, unknown> = {}) {
    return appendAudit(tx, { action, actor: a?.user ?? null, subject, details, remoteAddr: a?.remoteAddr ?? null });
  }

  /** After the commit: wake the dispatch worker when the change wrote outbox messages, then tell the consoles. */
  private async afterCommit(incidentId: string, outbox: boolean) {
    if (outbox) this.alerts.outboxCommitted();
    return this.announce(incidentId);
  }

  // ---- for the dispatch centre: dispatch/ calls these within its own alert changes ----------------------------

  /** Tells the consoles that the incident (or its dispatch status) changed. */
  async announce(incidentId: string): Promise<Incident | null> {
    const i = await store.getIncident(this.d.sql, this.d.categories, incidentId);
    if (i) this.d.bus.emit('incident.changed', i);
    return i;
  }

  /** Reads the incident and locks it for the rest of the caller's transaction. */
  lockForChange(tx: Sql, id: string): Promise<Incident | null> { return store.getIncident(tx, this.d.categories, id, true); }

  /** A line on the incident's timeline, in the caller's transaction. */
  note(tx: Sql, incidentId: string, actor: store.ActorRef | null, kind: string, details: Record<string, unknown> = {}): Promise<void> {
    return store.addTimeline(tx, incidentId, actor, kind, details);
  }

  categories() { return this.d.categories.all(); }

  list(q: { status: 'open' | 'closed' | 'all'; limit: number }) { return store.listIncidents(this.d.sql, this.d.categories, q); }

  async get(id: string): Promise<IncidentDetail> {
    const i = await store.getIncident(this.d.sql, this.d.categories, id);
    if (!i) throw notFound('incident');
    return { ...i, timeline: await store.listTimeline(this.d.sql, id) };
  }

  // ---- incidents ------------------------------------------------------------------------------------------------

  private checkCategory(id: string) {
    if (!this.d.categories.has(id)) throw invalid('unknown_category', `categoryId: unknown category ${JSON.stringify(id)}`, 'categoryId');
  }

  private async checkCameras(sql: Sql, ids: string[]) {
    const found = await store.findCameras(sql, ids);
    const byId = new Map(found.map((c) => [c.id, c]));
    const missing = ids.findIndex((id) => !byId.has(id));
    if (missing >= 0) throw invalid('unknown_camera', `cameraIds.${missing}: unknown camera ${JSON.stringify(ids[missing])}`, `cameraIds.${missing}`);
    return ids.map((id) => byId.get(id)!);
  }

  async create(a: Actor, input: IncidentCreate): Promise<Incident> {
    this.checkCategory(input.categoryId);
    const tagged = Date.parse(input.taggedAt);
    const now = this.d.now().getTime();
    if (tagged > now + MAX_FUTURE_MS) throw invalid('invalid_input', 'taggedAt: lies in the future (check the console clock)', 'taggedAt');
    if (tagged < now - MAX_PAST_MS) throw invalid('invalid_input', 'taggedAt: more than 24 hours ago', 'taggedAt');
    const cameras = await this.checkCameras(this.d.sql, input.cameraIds);
    if (input.snapshotId) {
      const s = await store.getSnapshot(this.d.sql, input.snapshotId);
      const bad = !s ? 'unknown snapshot' : s.requested_by !== a.user.id ? 'not your snapshot' : !input.cameraIds.includes(s.camera_id) ? 'snapshot of another camera'
        : now - s.requested_at.getTime() > SNAPSHOT_ATTACH_MS ? 'snapshot too old' : (await store.snapshotInUse(this.d.sql, s.id)) ? 'snapshot already used' : null;
      if (bad) throw invalid('invalid_snapshot', `snapshotId: ${bad}`, 'snapshotId');
    }
    const first = cameras[0]!;
    let grab: string | null = null;
    const id = await this.d.sql.begin(async (t) => {
      const tx = tx$(t);
      // Without a snapshot from the key press, grab one now from the first camera.
      const snapshotId = input.snapshotId ?? (grab = await store.insertSnapshot(tx, { cameraId: first.id, requestedBy: a.user.id }));
      const { id, number } = await store.insertIncident(tx, {
        taggedAt: new Date(tagged).toISOString(), createdBy: a.user.id, categoryId: input.categoryId, priority: input.priority,
        municipalityId: first.municipality_id, street: first.street, lat: first.lat, lon: first.lon,
        locationText: input.locationText, persons: input.persons, notes: input.notes, snapshotId,
      });
      await store.setIncidentCameras(tx, id, input.cameraIds);
      await store.addTimeline(tx, id, ref(a.user), 'created', { categoryId: input.categoryId, priority: input.priority, cameraIds: input.cameraIds, taggedAt: input.taggedAt });
      await this.audit(tx, a, 'incident.created', id, { number, categoryId: input.categoryId, priority: input.priority, cameraIds: input.cameraIds });
      return id;
    });
    if (grab) this.startGrab(grab, first.id, a.user.id);
    else if (input.snapshotId) {
      // A pre-grab that had already finished: note its outcome on the new incident's timeline.
      const s = await store.getSnapshot(this.d.sql, input.snapshotId);
      if (s && s.status !== 'pending') await store.addTimeline(this.d.sql, id, null, 'snapshot', snapshotDetails(s));
    }
    return (await this.afterCommit(id, false))!;
  }

  async update(a: Actor, id: string, u: IncidentUpdate): Promise<Incident> {
    if (u.categoryId !== undefined) this.checkCategory(u.categoryId);
    const cameras = u.cameraIds ? await this.checkCameras(this.d.sql, u.cameraIds) : null;
    // Set inside the transaction, told after the commit (a cast, so the compiler does not narrow it to null).
    let released = null as { alertId: string; cameraIds: string[] } | null;
    const result = await this.d.sql.begin(async (t) => {
      const tx = tx$(t);
      const before = await store.getIncident(tx, this.d.categories, id, true);
      if (!before) throw notFound('incident');
      if (u.expectedVersion !== undefined && u.expectedVersion !== before.version) {
        throw conflict('stale_version', `the incident was changed since version ${u.expectedVersion} (now ${before.version}): reload it`, 'expectedVersion');
      }
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const set: Record<string, unknown> = {};
      const field = <K extends keyof IncidentUpdate>(k: K, from: unknown, column: string) => {
        if (u[k] !== undefined && u[k] !== from) { changes[k] = { from, to: u[k] }; set[column] = u[k]; }
      };
      field('categoryId', before.category.id, 'category_id');
      field('priority', before.priority, 'priority');
      field('persons', before.persons, 'persons');
      field('notes', before.notes, 'notes');
      field('locationText', before.location.text, 'location_text');
      field('status', before.status, 'status');
      const oldCams = before.cameras.map((c) => c.id);
      const camerasChanged = cameras && oldCams.join(',') !== u.cameraIds!.join(',');
      if (camerasChanged) {
        changes.cameraIds = { from: oldCams, to: u.cameraIds };
        const f = cameras![0]!;
        if (f.id !== oldCams[0]) Object.assign(set, { municipality_id: f.municipality_id, street: f.street, lat: f.lat, lon: f.lon });
      }
      if (Object.keys(changes).length === 0) return { changed: false, outbox: false };
      // The latest alert is the open one, if any: a new alert is raised only once the last one closed.
      const open = before.alert && before.alert.status !== 'closed' ? before.alert : null;
      if (changes.status?.to === 'closed' && open) throw conflict('alert_open', 'the dispatch centre has not closed this incident’s alert yet', 'status');
      if (camerasChanged) await store.setIncidentCameras(tx, id, u.cameraIds!);
      const removed = camerasChanged ? oldCams.filter((c) => !u.cameraIds!.includes(c)) : [];
      if (open && removed.length) released = { alertId: open.id, cameraIds: removed };
      await store.updateIncidentRow(tx, id, set);
      if (changes.status) await store.addTimeline(tx, id, ref(a.user), changes.status.to === 'closed' ? 'closed' : 'reopened');
      const rest = Object.fromEntries(Object.entries(changes).filter(([k]) => k !== 'status'));
      if (Object.keys(rest).length) await store.addTimeline(tx, id, ref(a.user), 'changed', rest);
      await this.audit(tx, a, 'incident.changed', id, { fields: Object.keys(changes) });
      // What the dispatchers see of an open alert changed: they get the new picture.
      if (open && Object.keys(rest).length) return { changed: true, outbox: await this.alerts.incidentChanged(tx, id) };
      return { changed: true, outbox: false };
    });
    if (!result.changed) return (await store.getIncident(this.d.sql, this.d.categories, id))!;
    const incident = (await this.afterCommit(id, result.outbox))!;
    if (released) this.alerts.camerasReleased({ ...released, incidentId: id });
    return incident;
  }

  // ---- snapshots ------------------------------------------------------------------------------------------------

  /** A snapshot at the key press, before the incident is saved; its id goes with the incident. */
  async requestSnapshot(a: Actor, cameraId: string): Promise<SnapshotInfo> {
    if ((await store.findCameras(this.d.sql, [cameraId])).length === 0) throw notFound('camera');
    const id = await store.insertSnapshot(this.d.sql, { cameraId, requestedBy: a.user.id });
    await this.runGrab(id, cameraId, a.user.id);
    const s = (await store.getSnapshot(this.d.sql, id))!;
    return { id, status: s.status as SnapshotInfo['status'], cameraId, takenAt: s.taken_at?.toISOString() ?? null, url: null };
  }

  private startGrab(snapshotId: string, cameraId: string, userId: string) {
    if (this.stopped) return;
    const p = this.runGrab(snapshotId, cameraId, userId).finally(() => this.grabs.delete(p));
    this.grabs.add(p);
  }

  private async runGrab(snapshotId: string, cameraId: string, userId: string): Promise<void> {
    let r: GrabResult;
    try { r = await this.d.grabber.grab({ snapshotId, cameraId, userId }); } catch (e) { r = { status: 'failed', error: e instanceof Error ? e.message : String(e) }; }
    if (r.status !== 'taken') this.d.log.info({ cameraId, snapshotId, status: r.status, error: r.error }, 'no snapshot');
    try {
      // One transaction: the result, and (when the snapshot already belongs to an incident, as with a grab at save)
      // the incident's note of it and the open alert's new picture.
      const done = await this.d.sql.begin(async (t) => {
        const tx = tx$(t);
        await store.finishSnapshot(tx, snapshotId, r.status === 'taken' ? r : { status: r.status, error: r.error });
        const inc = await store.incidentOfSnapshot(tx, snapshotId);
        if (!inc) return null;
        await store.addTimeline(tx, inc.id, null, 'snapshot', snapshotDetails((await store.getSnapshot(tx, snapshotId))!));
        const outbox = r.status === 'taken' ? await this.alerts.incidentChanged(tx, inc.id) : false;
        return { incidentId: inc.id, outbox };
      });
      if (done) await this.afterCommit(done.incidentId, done.outbox);
    } catch (e) { this.d.log.error({ err: e, snapshotId }, 'snapshot result not stored'); }
  }

  /** The JPEG of an incident, for someone allowed to see it; every view is recorded in the audit trail. */
  async snapshotImage(a: Actor, incidentId: string): Promise<Buffer> {
    const i = await store.getIncident(this.d.sql, this.d.categories, incidentId);
    // Dispatchers see snapshots only of incidents raised to them; to anyone else the rest does not exist.
    if (!i || (!can(a.user.role, 'incidents.read') && !i.alert)) throw notFound('incident');
    const s = i.snapshot.id ? await store.getSnapshot(this.d.sql, i.snapshot.id) : null;
    if (!s || s.status !== 'taken' || !s.file) throw new DomainError('not_found', 'no_snapshot', `this incident has no snapshot (${i.snapshot.status})`);
    const buf = await this.d.snapshots.read(s.file);
    await this.audit(this.d.sql, a, 'incident.snapshot_viewed', incidentId, { snapshotId: s.id, cameraId: s.camera_id, sha256: s.sha256 });
    return buf;
  }

  /** Deletes snapshots past retention (and unused pre-grabs); the incident's timeline notes it. */
  async expireSnapshots(retentionDays: number): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await store.expireSnapshots(this.d.sql, retentionDays);
      for (const r of rows) await this.d.grabber.remove(r.file).catch((e) => this.d.log.error({ err: e, file: r.file }, 'snapshot file not deleted'));
      total += rows.length;
      if (rows.length < 500) return total;
    }
  }

  /** Waits for snapshot grabs in flight (on shutdown). */
  async drain(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.grabs]);
  }
}

function snapshotDetails(s: { id: string; status: string; camera_id: string; taken_at: Date | null; error: string | null }) {
  return { snapshotId: s.id, status: s.status, cameraId: s.camera_id, ...(s.taken_at ? { takenAt: s.taken_at.toISOString() } : {}), ...(s.error ? { error: s.error } : {}) };
}
