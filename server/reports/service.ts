// The shift log (start, cameras, hand-over notes, end), the shift report and the supervisors' figures.
import type { Sql } from '../db/connect.js';
import type { SessionUser } from '../auth/sessions.js';
import { appendAudit } from '../audit/store.js';
import { DomainError, conflict, invalid, notFound } from '../errors.js';
import { toCsv } from '../http/csv.js';
import { getCameras } from '../cameras/store.js';
import type { Categories } from '../incidents/categories.js';
import * as store from './store.js';
import { shiftReportPdf, type ReportLang } from './shift-pdf.js';
import type { Figures, ReportIncident, Shift, ShiftReport } from './schema.js';

export interface Actor { user: SessionUser; remoteAddr: string | null }
const tx$ = (t: unknown) => t as Sql;
const secondsBetween = (a: Date | null, b: Date | null) => (a && b ? Math.round((b.getTime() - a.getTime()) / 100) / 10 : null);
const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

function stats(values: number[]) {
  if (values.length === 0) return { count: 0, medianSeconds: null, p90Seconds: null };
  const s = [...values].sort((a, b) => a - b);
  // Linear interpolation, as PostgreSQL's percentile_cont (the figures) does.
  const q = (p: number) => { const i = (s.length - 1) * p, lo = Math.floor(i), hi = Math.ceil(i); return round(s[lo]! + (s[hi]! - s[lo]!) * (i - lo)); };
  return { count: s.length, medianSeconds: q(0.5), p90Seconds: q(0.9) };
}

export class ReportService {
  constructor(private sql: Sql, private categories: Categories, private now: () => Date) {}

  private async checkCameras(ids: string[]) {
    const found = await getCameras(this.sql, { municipalityId: null }, ids);
    const i = ids.findIndex((id) => !found.has(id));
    if (i >= 0) throw invalid('unknown_camera', `cameraIds.${i}: unknown camera ${JSON.stringify(ids[i])}`, `cameraIds.${i}`);
  }

  private async own(a: Actor, id: string): Promise<Shift> {
    const s = await store.getShift(this.sql, id);
    if (!s) throw notFound('shift');
    if (s.userId !== a.user.id) throw new DomainError('forbidden', 'not_your_shift', 'only the observer of a shift changes or ends it');
    if (s.endedAt) throw conflict('shift_ended', 'this shift has ended');
    return s;
  }

  list(a: Actor, q: { scope: 'mine' | 'all'; limit: number }) { return store.listShifts(this.sql, { userId: q.scope === 'mine' ? a.user.id : null, limit: q.limit }); }
  current(a: Actor) { return store.openShiftOf(this.sql, a.user.id); }

  async start(a: Actor, cameraIds: string[]): Promise<Shift> {
    await this.checkCameras(cameraIds);
    const id = await this.sql.begin(async (t) => {
      const tx = tx$(t);
      const open = await store.openShiftOf(tx, a.user.id);
      if (open) throw conflict('shift_open', `you already have a shift running since ${open.startedAt}: end it first`);
      const id = await store.insertShift(tx, a.user.id, cameraIds);
      await appendAudit(tx, { action: 'shift.started', actor: a.user, subject: id, details: { cameraIds }, remoteAddr: a.remoteAddr });
      return id;
    });
    return (await store.getShift(this.sql, id))!;
  }

  async update(a: Actor, id: string, u: { cameraIds?: string[]; handoverNotes?: string }): Promise<Shift> {
    await this.own(a, id);
    if (u.cameraIds) await this.checkCameras(u.cameraIds);
    await this.sql.begin(async (t) => {
      const tx = tx$(t);
      await store.updateShift(tx, id, { ...(u.cameraIds ? { camera_ids: u.cameraIds } : {}), ...(u.handoverNotes !== undefined ? { handover_notes: u.handoverNotes } : {}) });
      if (u.cameraIds) await appendAudit(tx, { action: 'shift.cameras_changed', actor: a.user, subject: id, details: { cameraIds: u.cameraIds }, remoteAddr: a.remoteAddr });
    });
    return (await store.getShift(this.sql, id))!;
  }

  async end(a: Actor, id: string, handoverNotes?: string): Promise<Shift> {
    await this.own(a, id);
    await this.sql.begin(async (t) => {
      const tx = tx$(t);
      await store.updateShift(tx, id, { ended_at: this.now(), ...(handoverNotes !== undefined ? { handover_notes: handoverNotes } : {}) });
      await appendAudit(tx, { action: 'shift.ended', actor: a.user, subject: id, remoteAddr: a.remoteAddr });
    });
    return (await store.getShift(this.sql, id))!;
  }

  /** What one shift produced: its incidents, their alerts and the dispatch centre's response times. */
  async report(id: string): Promise<ShiftReport> {
    const shift = await store.getShift(this.sql, id);
    if (!shift) throw notFound('shift');
    const rows = await store.incidentsOf(this.sql, shift.userId, new Date(shift.startedAt), shift.endedAt ? new Date(shift.endedAt) : this.now());
    const incidents: ReportIncident[] = rows.map((r) => {
      const c = this.categories.get(r.category_id);
      return {
        number: Number(r.number), id: r.id, taggedAt: r.tagged_at.toISOString(), categoryId: r.category_id, category: c.nl, priority: r.priority,
        location: r.location_text ? `${r.street} (${r.location_text})` : r.street, municipality: r.municipality, cameras: r.cameras, status: r.status,
        alertStatus: r.alert_status as ReportIncident['alertStatus'], raisedAt: r.raised_at?.toISOString() ?? null, acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
        onSceneAt: r.on_scene_at?.toISOString() ?? null, closedAt: r.closed_at?.toISOString() ?? null, escalated: !!r.escalated_at,
        tagToAckSeconds: secondsBetween(r.tagged_at, r.acknowledged_at), ackToOnSceneSeconds: secondsBetween(r.acknowledged_at, r.on_scene_at),
      };
    });
    return {
      shift,
      summary: {
        incidents: incidents.length, alerts: incidents.filter((i) => i.alertStatus).length, escalated: incidents.filter((i) => i.escalated).length,
        tagToAck: stats(incidents.flatMap((i) => (i.tagToAckSeconds === null ? [] : [i.tagToAckSeconds]))),
        ackToOnScene: stats(incidents.flatMap((i) => (i.ackToOnSceneSeconds === null ? [] : [i.ackToOnSceneSeconds]))),
      },
      incidents,
    };
  }

  reportCsv(r: ShiftReport): string {
    const cols: Array<keyof ReportIncident> = ['number', 'taggedAt', 'category', 'priority', 'location', 'municipality', 'cameras', 'status', 'alertStatus',
      'raisedAt', 'acknowledgedAt', 'onSceneAt', 'closedAt', 'escalated', 'tagToAckSeconds', 'ackToOnSceneSeconds'];
    return toCsv(cols as string[], r.incidents.map((i) => cols.map((c) => i[c])));
  }

  /** The same report as a printable A4 document (Dutch or English). */
  reportPdf(r: ShiftReport, lang: ReportLang): Promise<Uint8Array> {
    return shiftReportPdf(r, { lang, categoryName: (id) => this.categories.get(id)[lang], now: this.now() });
  }

  async figures(from: string, to: string): Promise<Figures> {
    const f = await store.figures(this.sql, from, to);
    const dur = (n: number, med: number | null, p90: number | null) => ({ count: n, medianSeconds: round(med), p90Seconds: round(p90) });
    return {
      from, to,
      perNight: f.perNight,
      perMunicipality: f.perMunicipality.map((m) => ({ municipalityId: m.municipality_id, name: m.name, incidents: m.incidents })),
      perCategory: f.perCategory.map((c) => { const k = this.categories.get(c.category_id); return { categoryId: c.category_id, nl: k.nl, en: k.en, topLevel: k.topLevel.nl, incidents: c.incidents }; }),
      response: {
        tagToRaise: dur(f.resp.raise_n, f.resp.raise_med, f.resp.raise_p90),
        raiseToAck: dur(f.resp.ack_n, f.resp.ack_med, f.resp.ack_p90),
        ackToOnScene: dur(f.resp.scene_n, f.resp.scene_med, f.resp.scene_p90),
      },
    };
  }

  /** One table for a spreadsheet: section, key, label, value. */
  figuresCsv(f: Figures): string {
    const rows: unknown[][] = [
      ...f.perNight.map((n) => ['night', n.night, 'incidents', n.incidents]),
      ...f.perNight.map((n) => ['night', n.night, 'alerts', n.alerts]),
      ...f.perMunicipality.map((m) => ['municipality', m.municipalityId, m.name, m.incidents]),
      ...f.perCategory.map((c) => ['category', c.categoryId, `${c.topLevel} / ${c.nl}`, c.incidents]),
      ['response', 'tag_to_raise', 'count', f.response.tagToRaise.count], ['response', 'tag_to_raise', 'median_seconds', f.response.tagToRaise.medianSeconds],
      ['response', 'tag_to_raise', 'p90_seconds', f.response.tagToRaise.p90Seconds],
      ['response', 'raise_to_ack', 'count', f.response.raiseToAck.count], ['response', 'raise_to_ack', 'median_seconds', f.response.raiseToAck.medianSeconds],
      ['response', 'raise_to_ack', 'p90_seconds', f.response.raiseToAck.p90Seconds],
      ['response', 'ack_to_on_scene', 'count', f.response.ackToOnScene.count], ['response', 'ack_to_on_scene', 'median_seconds', f.response.ackToOnScene.medianSeconds],
      ['response', 'ack_to_on_scene', 'p90_seconds', f.response.ackToOnScene.p90Seconds],
    ];
    return toCsv(['section', 'key', 'label', 'value'], rows);
  }
}
