// The shift report as a printable PDF: the same figures as the CSV (incidents, alerts, response times), with the
// shift's facts and hand-over notes, in Dutch or English. Times in Europe/Amsterdam.
import { tablePdf } from './pdf.js';
import type { ShiftReport } from './schema.js';

export type ReportLang = 'nl' | 'en';

const labels = {
  nl: {
    title: 'Dienstrapport', observer: 'Observant', start: 'Begin', end: 'Einde', running: 'loopt nog', cameras: "Camera's",
    incidents: 'Incidenten', alerts: 'Meldingen aan de meldkamer', escalated: 'Geëscaleerd', tagToAck: 'Tag tot ontvangst (mediaan / p90, aantal)',
    ackToOnScene: 'Ontvangst tot ter plaatse (mediaan / p90, aantal)', handover: 'Overdrachtsnotities', none: 'Geen.',
    noIncidents: 'Geen incidenten in deze dienst.', noAlerts: 'Geen meldingen aan de meldkamer in deze dienst.', continued: '(vervolg)',
    number: 'Nr.', taggedAt: 'Getagd', category: 'Categorie', priority: 'Prio', location: 'Locatie', municipality: 'Gemeente', status: 'Status',
    raisedAt: 'Gemeld', acknowledgedAt: 'Ontvangen', onSceneAt: 'Ter plaatse', closedAt: 'Afgesloten', alertStatus: 'Stand',
    tagToAckS: 'Tag tot ontvangst', ackToOnSceneS: 'Ontvangst tot ter plaatse', yes: 'ja', no: 'nee',
    footer: (at: string) => `Uitkijk · vertrouwelijk · gemaakt ${at} · tijden in Europe/Amsterdam`,
    incidentStatus: { open: 'open', closed: 'gesloten' } as Record<string, string>,
    alertStatusNames: { raised: 'gemeld', acknowledged: 'ontvangen', unit_sent: 'eenheid onderweg', on_scene: 'ter plaatse', closed: 'afgesloten' } as Record<string, string>,
  },
  en: {
    title: 'Shift report', observer: 'Observer', start: 'Start', end: 'End', running: 'still running', cameras: 'Cameras',
    incidents: 'Incidents', alerts: 'Alerts to the dispatch centre', escalated: 'Escalated', tagToAck: 'Tag to acknowledged (median / p90, count)',
    ackToOnScene: 'Acknowledged to on scene (median / p90, count)', handover: 'Hand-over notes', none: 'None.',
    noIncidents: 'No incidents in this shift.', noAlerts: 'No alerts to the dispatch centre in this shift.', continued: '(continued)',
    number: 'No.', taggedAt: 'Tagged', category: 'Category', priority: 'Prio', location: 'Location', municipality: 'Municipality', status: 'Status',
    raisedAt: 'Raised', acknowledgedAt: 'Acknowledged', onSceneAt: 'On scene', closedAt: 'Closed', alertStatus: 'State',
    tagToAckS: 'Tag to acknowledged', ackToOnSceneS: 'Acknowledged to on scene', yes: 'yes', no: 'no',
    footer: (at: string) => `Uitkijk · confidential · made ${at} · times in Europe/Amsterdam`,
    incidentStatus: { open: 'open', closed: 'closed' } as Record<string, string>,
    alertStatusNames: { raised: 'raised', acknowledged: 'acknowledged', unit_sent: 'unit en route', on_scene: 'on scene', closed: 'closed' } as Record<string, string>,
  },
};

export async function shiftReportPdf(r: ShiftReport, opts: { lang: ReportLang; categoryName(id: string): string; now?: Date }): Promise<Uint8Array> {
  const L = labels[opts.lang];
  const locale = opts.lang === 'nl' ? 'nl-NL' : 'en-GB';
  const dateTime = new Intl.DateTimeFormat(locale, {
    timeZone: 'Europe/Amsterdam', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const at = (iso: string | null) => (iso ? dateTime.format(new Date(iso)) : '–');
  const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const secs = (v: number | null) => (v === null ? '–' : `${num.format(v)} s`);
  const stats = (s: ShiftReport['summary']['tagToAck']) => `${secs(s.medianSeconds)} / ${secs(s.p90Seconds)} (${s.count})`;
  const { shift, summary } = r;

  return tablePdf({
    title: `${L.title} ${shift.userName}`,
    subtitle: `${at(shift.startedAt)} – ${shift.endedAt ? at(shift.endedAt) : L.running}`,
    lang: locale,
    author: shift.userName,
    orientation: 'landscape',
    continued: L.continued,
    meta: [
      [L.observer, shift.userName],
      [L.start, at(shift.startedAt)],
      [L.end, shift.endedAt ? at(shift.endedAt) : L.running],
      [L.cameras, shift.cameraIds.join(', ') || '–'],
      [L.incidents, String(summary.incidents)],
      [L.alerts, String(summary.alerts)],
      [L.escalated, String(summary.escalated)],
      [L.tagToAck, stats(summary.tagToAck)],
      [L.ackToOnScene, stats(summary.ackToOnScene)],
      [L.handover, shift.handoverNotes || L.none],
    ],
    sections: [
      {
        heading: L.incidents,
        empty: L.noIncidents,
        columns: [
          { label: L.number, width: 0.5, align: 'right' }, { label: L.taggedAt, width: 1.4 }, { label: L.category, width: 1.4 },
          { label: L.priority, width: 0.45, align: 'right' }, { label: L.location, width: 2.2 }, { label: L.municipality, width: 1 },
          { label: L.cameras, width: 1.8 }, { label: L.status, width: 0.8 },
        ],
        rows: r.incidents.map((i) => [
          String(i.number), at(i.taggedAt), opts.categoryName(i.categoryId), String(i.priority), i.location, i.municipality, i.cameras,
          L.incidentStatus[i.status] ?? i.status,
        ]),
      },
      {
        heading: L.alerts,
        empty: L.noAlerts,
        columns: [
          { label: L.number, width: 0.5, align: 'right' }, { label: L.raisedAt, width: 1.4 }, { label: L.acknowledgedAt, width: 1.4 },
          { label: L.onSceneAt, width: 1.4 }, { label: L.closedAt, width: 1.4 }, { label: L.alertStatus, width: 1 },
          { label: L.escalated, width: 0.8 }, { label: L.tagToAckS, width: 1, align: 'right' }, { label: L.ackToOnSceneS, width: 1, align: 'right' },
        ],
        rows: r.incidents.filter((i) => i.alertStatus).map((i) => [
          String(i.number), at(i.raisedAt), at(i.acknowledgedAt), at(i.onSceneAt), at(i.closedAt),
          L.alertStatusNames[i.alertStatus!] ?? i.alertStatus!, i.escalated ? L.yes : L.no, secs(i.tagToAckSeconds), secs(i.ackToOnSceneSeconds),
        ]),
      },
    ],
    footer: L.footer(dateTime.format(opts.now ?? new Date())),
  });
}
