// The rules of flexible supervision: a municipality requests, the room's supervisor plans against capacity and
// approves (assigning units and observers) or rejects; both change and cancel with history.
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { SessionUser } from '../auth/sessions.js';
import { appendAudit } from '../audit/store.js';
import type { AuditAction } from '../audit/schema.js';
import { DomainError, conflict, invalid, notFound } from '../errors.js';
import type { Notify } from '../notifications/store.js';
import { notify } from '../notifications/store.js';
import * as store from './store.js';
import { hoursBetween, localDayEnd, localDayStart, parseLocal, workingDaysBetween } from './local-time.js';
import type { Booking, BookingChange, BookingCreate, BookingDetail, Capacity } from './schema.js';

export interface Actor { user: SessionUser; remoteAddr: string | null }
export interface BookingRules { leadWorkingDays: number; holidays: ReadonlySet<string>; maxWindowHours: number }

const tx$ = (t: unknown) => t as Sql;

/** Turns the windows as written (Amsterdam wall clock) into instants, or names the first one that is wrong. */
export function checkWindows(input: BookingCreate['windows'], decision: BookingCreate['decision'], now: Date, maxHours: number) {
  const windows = input.map((w, i) => {
    const start = parseLocal(w.start), end = parseLocal(w.end);
    if (!start.ok) throw invalid(start.code, `windows.${i}.start: ${start.message}`, `windows.${i}.start`);
    if (!end.ok) throw invalid(end.code, `windows.${i}.end: ${end.message}`, `windows.${i}.end`);
    if (end.at <= start.at) throw invalid('window_order', `windows.${i}.end: the window ends before it starts`, `windows.${i}.end`);
    if (hoursBetween(start.at, end.at) > maxHours) throw invalid('window_too_long', `windows.${i}: longer than ${maxHours} hours`, `windows.${i}`);
    if (end.at <= now) throw invalid('window_past', `windows.${i}: lies in the past`, `windows.${i}`);
    return { i, start: start.at, end: end.at };
  });
  const sorted = [...windows].sort((a, b) => a.start.getTime() - b.start.getTime());
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k]!.start < sorted[k - 1]!.end) throw invalid('windows_overlap', `windows.${sorted[k]!.i}: overlaps windows.${sorted[k - 1]!.i}`, `windows.${sorted[k]!.i}`);
  }
  if (decision.to < decision.from) throw invalid('decision_order', 'decision.to: the decision period ends before it starts', 'decision.to');
  const from = localDayStart(decision.from), toEnd = localDayEnd(decision.to);
  for (const w of windows) {
    if (w.start < from || w.end > toEnd) {
      throw invalid('outside_decision', `windows.${w.i}: lies outside the mayor's decision period ${decision.from} – ${decision.to}`, `windows.${w.i}`);
    }
  }
  return sorted.map(({ start, end }) => ({ start, end }));
}

export class BookingService {
  constructor(private d: { sql: Sql; bus: EventBus; rules: BookingRules; now: () => Date }) {}

  private async audit(tx: Sql, a: Actor, action: AuditAction, b: { id: string; reference: string }, details: Record<string, unknown> = {}) {
    await appendAudit(tx, { action, actor: a.user, subject: b.id, details: { reference: b.reference, ...details }, remoteAddr: a.remoteAddr });
  }

  /** A municipality user sees only its own bookings; another municipality's booking is "not found", as a missing one. */
  private visible(a: Actor, b: Booking | null): Booking {
    if (!b || (a.user.role === 'municipality' && b.municipalityId !== a.user.municipalityId)) throw notFound('booking');
    return b;
  }

  private async checkUnitsWanted(n: number) {
    const units = (await store.flexibleUnits(this.d.sql)).filter((u) => u.enabled).length;
    if (n > units) throw invalid('too_many_units', `unitsWanted: the region has ${units} flexible camera unit${units === 1 ? '' : 's'}`, 'unitsWanted');
  }

  private urgent(firstStart: Date) {
    return workingDaysBetween(this.d.now(), firstStart, this.d.rules.holidays) < this.d.rules.leadWorkingDays;
  }

  /** Commits, then tells the consoles: the booking for live lists, and the notifications written with it. */
  private async commit<T extends { id: string }>(work: (tx: Sql, notes: Notify[]) => Promise<T>): Promise<Booking> {
    const notes: Notify[] = [];
    const { id } = await this.d.sql.begin((t) => work(tx$(t), notes));
    const b = (await store.getBooking(this.d.sql, id))!;
    this.d.bus.emit('booking.changed', b);
    for (const n of notes) this.d.bus.emit('notification.created', n);
    return b;
  }

  async create(a: Actor, input: BookingCreate): Promise<Booking> {
    const municipalityId = a.user.municipalityId;
    if (!municipalityId) throw new DomainError('forbidden', 'forbidden', 'only a municipality user requests a booking, for their own municipality');
    const windows = checkWindows(input.windows, input.decision, this.d.now(), this.d.rules.maxWindowHours);
    await this.checkUnitsWanted(input.unitsWanted);
    const urgent = this.urgent(windows[0]!.start);
    return this.commit(async (tx, notes) => {
      const b = await store.insertBooking(tx, { ...input, municipalityId, urgent, status: 'requested' }, a.user.id);
      await store.insertWindows(tx, b.id, windows);
      await store.addEvent(tx, b.id, a.user, 'requested', { urgent });
      await this.audit(tx, a, 'booking.requested', b, { municipalityId, urgent });
      notes.push(await notify(tx, { role: 'supervisor' }, 'booking.requested', b.id, { reference: b.reference, eventName: input.eventName, municipalityId, urgent }));
      return b;
    });
  }

  async list(a: Actor, q: { from?: string; to?: string; status?: Booking['status']; municipality?: string; limit: number }): Promise<Booking[]> {
    const municipalityId = a.user.role === 'municipality' ? a.user.municipalityId! : q.municipality;
    return store.listBookings(this.d.sql, { ...q, municipalityId });
  }

  async get(a: Actor, id: string): Promise<BookingDetail> {
    const b = this.visible(a, await store.getBooking(this.d.sql, id));
    return { ...b, history: await store.history(this.d.sql, id) };
  }

  /** Locks the booking and checks it is the version the caller saw and still open for this step. */
  private async lockFor(tx: Sql, a: Actor, id: string, expectedVersion: number, allowed: Booking['status'][]): Promise<Booking> {
    const b = this.visible(a, await store.getBooking(tx, id, { forUpdate: true }));
    if (!allowed.includes(b.status)) {
      const last = await store.lastEvent(tx, id);
      const who = last?.actorName ? ` by ${last.actorName}` : '';
      throw conflict('booking_decided', `this booking is already ${b.status}${who}`, 'status');
    }
    if (b.version !== expectedVersion) {
      throw conflict('stale_version', `the booking was changed since version ${expectedVersion} (now ${b.version}): reload it`, 'expectedVersion');
    }
    return b;
  }

  async change(a: Actor, id: string, input: BookingChange): Promise<Booking> {
    return this.commit(async (tx, notes) => {
      const b = await this.lockFor(tx, a, id, input.expectedVersion, ['requested', 'approved']);
      const decision = input.decision ?? b.decision;
      // Where and when are part of the plan as much as the units: the supervisor approved units for that place and those hours.
      const placeChanged = (input.address !== undefined && input.address !== b.address)
        || (input.location !== undefined && (input.location.lat !== b.location.lat || input.location.lon !== b.location.lon));
      const planChanged = placeChanged || input.windows !== undefined || input.decision !== undefined || (input.unitsWanted ?? b.unitsWanted) !== b.unitsWanted
        || (input.observersWanted ?? b.observersWanted) !== b.observersWanted;
      // Only the period changed: the stored windows are checked against it, not against the clock (they may have begun).
      const windows = input.windows ? checkWindows(input.windows, decision, this.d.now(), this.d.rules.maxWindowHours)
        : input.decision ? checkWindows(b.windows.map((w) => ({ start: w.startLocal, end: w.endLocal })), decision, new Date(0), this.d.rules.maxWindowHours) : null;
      if (input.unitsWanted !== undefined) await this.checkUnitsWanted(input.unitsWanted);
      // A changed plan on an approved booking goes back to the supervisor: the units and observers were planned for the old one.
      const reopen = b.status === 'approved' && planChanged;
      await store.updateBooking(tx, id, {
        eventName: input.eventName ?? b.eventName, address: input.address ?? b.address, location: input.location ?? b.location,
        riskClass: input.riskClass ?? b.riskClass, unitsWanted: input.unitsWanted ?? b.unitsWanted, observersWanted: input.observersWanted ?? b.observersWanted,
        decision, contact: input.contact ?? b.contact, notes: input.notes ?? b.notes,
        urgent: windows ? this.urgent(windows[0]!.start) || b.urgent : b.urgent, status: reopen ? 'requested' : b.status,
      });
      if (reopen) await store.releaseAssignments(tx, id);
      if (windows) await store.replaceWindows(tx, id, windows);
      const fields = Object.keys(input).filter((k) => k !== 'expectedVersion');
      await store.addEvent(tx, id, a.user, 'changed', { fields, reopened: reopen });
      await this.audit(tx, a, 'booking.changed', b, { fields, reopened: reopen });
      const details = { reference: b.reference, eventName: input.eventName ?? b.eventName, reopened: reopen };
      // The other side learns of the change: the room when the municipality changed it, the municipality otherwise.
      notes.push(a.user.role === 'municipality'
        ? await notify(tx, { role: 'supervisor' }, 'booking.changed', id, details)
        : await notify(tx, { municipalityId: b.municipalityId }, 'booking.changed', id, details));
      return b;
    });
  }

  async approve(a: Actor, id: string, input: { expectedVersion: number; unitIds: string[]; observerIds: string[] }): Promise<Booking> {
    const unitIds = [...new Set(input.unitIds)], observerIds = [...new Set(input.observerIds)];
    return this.commit(async (tx, notes) => {
      const b = await this.lockFor(tx, a, id, input.expectedVersion, ['requested']);
      if (unitIds.length > b.unitsWanted) throw invalid('too_many_units', `unitIds: the municipality asked for ${b.unitsWanted}`, 'unitIds');
      const units = new Map((await store.flexibleUnits(tx)).map((u) => [u.id, u]));
      unitIds.forEach((u, i) => {
        if (!units.get(u)?.enabled) throw invalid('not_a_flexible_unit', `unitIds.${i}: ${u} is not an enabled flexible camera unit`, `unitIds.${i}`);
      });
      const windows = await store.windowsOf(tx, id);
      for (const w of windows) {
        const taken = (await store.unitsTaken(tx, w, id)).find((t) => unitIds.includes(t.cameraId));
        if (taken) throw conflict('unit_taken', `unitIds: ${taken.cameraId} is already planned for ${taken.reference} (${taken.eventName}) in that time`, 'unitIds');
      }
      for (const [i, o] of observerIds.entries()) {
        for (const w of windows) {
          if (!(await store.rosteredObservers(tx, w, id)).some((r) => r.userId === o)) {
            throw invalid('observer_not_rostered', `observerIds.${i}: this observer is not rostered for the whole of every window`, `observerIds.${i}`);
          }
        }
      }
      try {
        await store.assignUnits(tx, id, windows, unitIds);
      } catch (e) {
        // The exclusion constraint: another approval took the unit between our check and our insert.
        if ((e as { code?: string }).code === '23P01') throw conflict('unit_taken', 'unitIds: a unit was just planned for another booking in that time: reload the capacity', 'unitIds');
        throw e;
      }
      for (const o of observerIds) await store.addObserver(tx, id, o);
      await store.setStatus(tx, id, 'approved', '');
      await store.addEvent(tx, id, a.user, 'approved', { unitIds, observerIds });
      await this.audit(tx, a, 'booking.approved', b, { unitIds, observerIds });
      notes.push(await notify(tx, { municipalityId: b.municipalityId }, 'booking.approved', id, { reference: b.reference, eventName: b.eventName, units: unitIds.length }));
      return b;
    });
  }

  async reject(a: Actor, id: string, input: { expectedVersion: number; reason: string }): Promise<Booking> {
    return this.decide(a, id, input, 'rejected', ['requested']);
  }

  async cancel(a: Actor, id: string, input: { expectedVersion: number; reason: string }): Promise<Booking> {
    return this.decide(a, id, input, 'cancelled', ['requested', 'approved']);
  }

  private async decide(a: Actor, id: string, input: { expectedVersion: number; reason: string }, to: 'rejected' | 'cancelled', from: Booking['status'][]) {
    return this.commit(async (tx, notes) => {
      const b = await this.lockFor(tx, a, id, input.expectedVersion, from);
      await store.releaseAssignments(tx, id);
      await store.setStatus(tx, id, to, input.reason);
      await store.addEvent(tx, id, a.user, to, { reason: input.reason });
      await this.audit(tx, a, `booking.${to}`, b, { reason: input.reason });
      const details = { reference: b.reference, eventName: b.eventName, reason: input.reason };
      notes.push(a.user.role === 'municipality'
        ? await notify(tx, { role: 'supervisor' }, `booking.${to}`, id, details)
        : await notify(tx, { municipalityId: b.municipalityId }, `booking.${to}`, id, details));
      return b;
    });
  }

  async capacity(a: Actor, id: string): Promise<Capacity> {
    const b = this.visible(a, await store.getBooking(this.d.sql, id));
    const units = (await store.flexibleUnits(this.d.sql)).filter((u) => u.enabled);
    const windows = [];
    for (const w of await store.windowsOf(this.d.sql, id)) {
      const taken = await store.unitsTaken(this.d.sql, w, id);
      const takenIds = new Set(taken.map((t) => t.cameraId));
      const freeUnits = units.filter((u) => !takenIds.has(u.id)).map((u) => ({ cameraId: u.id, name: u.name }));
      const rostered = await store.rosteredObservers(this.d.sql, w, id);
      const observersAvailable = rostered.filter((r) => !r.assignedElsewhere).length;
      const conflicts: Capacity['windows'][number]['conflicts'] = [];
      if (freeUnits.length < b.unitsWanted) conflicts.push('units_short');
      if (observersAvailable < b.observersWanted) conflicts.push('observers_short');
      if (await store.otherBookingsOverlapping(this.d.sql, w, id)) conflicts.push('overlaps_other_bookings');
      windows.push({ windowId: w.id, start: w.start.toISOString(), end: w.end.toISOString(), unitsTotal: units.length, freeUnits, takenUnits: taken, rosteredObservers: rostered, observersAvailable, conflicts });
    }
    return { bookingId: id, unitsWanted: b.unitsWanted, observersWanted: b.observersWanted, windows };
  }

  // ---- roster -----------------------------------------------------------------------------------------------------

  listRoster(q: { from: string; to: string }) { return store.listRoster(this.d.sql, q.from, q.to); }

  async addRoster(a: Actor, input: { userId: string; start: string; end: string }) {
    const start = parseLocal(input.start), end = parseLocal(input.end);
    if (!start.ok) throw invalid(start.code, `start: ${start.message}`, 'start');
    if (!end.ok) throw invalid(end.code, `end: ${end.message}`, 'end');
    if (end.at <= start.at) throw invalid('window_order', 'end: the shift ends before it starts', 'end');
    if (hoursBetween(start.at, end.at) > 24) throw invalid('window_too_long', 'end: a rostered shift is at most 24 hours', 'end');
    if (!(await store.isActiveObserver(this.d.sql, input.userId))) throw invalid('not_an_observer', 'userId: not an active observer', 'userId');
    try {
      return await this.d.sql.begin(async (t) => {
        const e = await store.insertRoster(tx$(t), { userId: input.userId, start: start.at, end: end.at, by: a.user.id });
        await appendAudit(tx$(t), { action: 'roster.added', actor: a.user, subject: e.id, details: { userId: e.userId, start: e.start, end: e.end }, remoteAddr: a.remoteAddr });
        return e;
      });
    } catch (e) {
      if ((e as { code?: string }).code === '23P01') throw conflict('roster_overlap', 'this observer is already rostered in that time', 'start');
      throw e;
    }
  }

  async removeRoster(a: Actor, id: string) {
    await this.d.sql.begin(async (t) => {
      const r = await store.removeRoster(tx$(t), id);
      if (!r) throw notFound('roster entry');
      await appendAudit(tx$(t), { action: 'roster.removed', actor: a.user, subject: id, details: { userId: r.userId }, remoteAddr: a.remoteAddr });
    });
  }
}
