// The usage report as a printable PDF (Dutch: it goes to the municipalities' administration).
import { tablePdf } from '../reports/pdf.js';
import { usagePeriodText } from './usage.js';
import type { Usage } from './schema.js';

const nl = (n: number) => n.toFixed(2).replace('.', ',');

export function usagePdf(u: Usage): Promise<Uint8Array> {
  return tablePdf({
    title: `Gebruik flexibel cameratoezicht ${u.month}`,
    subtitle: u.totals.length === 1 ? u.totals[0]!.municipalityName : 'Alle gemeenten',
    lang: 'nl-NL', orientation: 'landscape', continued: '(vervolg)',
    meta: [['Periode', usagePeriodText(u)], ...u.totals.map((t): [string, string] =>
      [t.municipalityName, `${t.bookings} boeking(en), ${nl(t.bookedHours)} uur geboekt, ${nl(t.supervisedHours)} uur toezicht, ${t.incidents} incident(en), ${t.alerts} melding(en)`])],
    sections: [{
      heading: 'Per boeking',
      columns: [{ label: 'Gemeente', width: 1.2 }, { label: 'Kenmerk', width: 1 }, { label: 'Evenement', width: 2.5 }, { label: 'Risico', width: 0.6 },
        { label: 'Vensters', width: 0.7, align: 'right' }, { label: 'Units', width: 0.6, align: 'right' }, { label: 'Uren geboekt', width: 1, align: 'right' },
        { label: 'Uren toezicht', width: 1, align: 'right' }, { label: 'Incidenten', width: 0.9, align: 'right' }, { label: 'Meldingen', width: 0.9, align: 'right' }],
      rows: u.rows.map((r) => [r.municipalityName, r.reference, r.eventName, r.riskClass, String(r.windows), String(r.units), nl(r.bookedHours), nl(r.supervisedHours), String(r.incidents), String(r.alerts)]),
      empty: 'Geen goedgekeurde boekingen in deze maand.',
    }],
    footer: 'Uitkijk · cameratoezicht Twente · uren berekend in UTC, getoond per maand in Europe/Amsterdam',
  });
}
