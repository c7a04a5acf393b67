// The planning calendar: a week or a month of Amsterdam days, each booking's windows placed on the days they touch
// (a window past midnight on both), coloured and named by status, urgent requests marked. Chips are buttons.
import { DateTime, Info } from 'luxon';
import { useTranslation } from 'react-i18next';
import type { Booking } from '../../../server/bookings/schema';
import { localeOf } from '../i18n';
import { dayOf, inZone, todayLocal, ZONE } from './time';

export type CalendarMode = 'week' | 'month';

export interface Period { mode: CalendarMode; anchor: string; days: string[]; from: string; to: string; monthOf: string }

/** The days shown for a mode around an anchor day: a Monday-to-Sunday week, or the whole weeks covering a month. */
export function periodOf(mode: CalendarMode, anchor: string): Period {
  const a = DateTime.fromISO(anchor, { zone: ZONE });
  const first = mode === 'week' ? a.startOf('week') : a.startOf('month').startOf('week');
  const last = mode === 'week' ? first.plus({ weeks: 1 }) : a.startOf('month').plus({ months: 1 }).minus({ days: 1 }).startOf('week').plus({ weeks: 1 });
  const days: string[] = [];
  for (let d = first; d < last; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
  return { mode, anchor, days, from: first.toUTC().toISO()!, to: last.toUTC().toISO()!, monthOf: a.toFormat('yyyy-MM') };
}

export function shiftAnchor(mode: CalendarMode, anchor: string, by: number): string {
  return DateTime.fromISO(anchor, { zone: ZONE }).plus(mode === 'week' ? { weeks: by } : { months: by }).toISODate()!;
}

/** The month ("december 2026"), or the week's number and first and last day. */
export function periodTitle(p: Period, lng: string, week: (x: { n: number; from: string; to: string }) => string): string {
  const locale = localeOf(lng);
  if (p.mode === 'month') return DateTime.fromISO(p.anchor, { zone: ZONE }).setLocale(locale).toFormat('LLLL yyyy');
  const s = DateTime.fromISO(p.days[0]!, { zone: ZONE }).setLocale(locale), e = DateTime.fromISO(p.days[6]!, { zone: ZONE }).setLocale(locale);
  return week({ n: s.weekNumber, from: s.toFormat('d LLL'), to: e.toFormat('d LLL yyyy') });
}

interface Chip { booking: Booking; start: string; end: string; fromBefore: boolean; toAfter: boolean }

function chipsByDay(bookings: Booking[], days: string[]): Map<string, Chip[]> {
  const out = new Map<string, Chip[]>(days.map((d) => [d, []]));
  for (const b of bookings) {
    for (const w of b.windows) {
      const startDay = dayOf(w.start), lastDay = dayOf(new Date(Date.parse(w.end) - 1));
      for (let d = DateTime.fromISO(startDay, { zone: ZONE }); d.toISODate()! <= lastDay; d = d.plus({ days: 1 })) {
        const list = out.get(d.toISODate()!);
        if (list) list.push({ booking: b, start: w.start, end: w.end, fromBefore: d.toISODate() !== startDay, toAfter: d.toISODate() !== lastDay });
      }
    }
  }
  for (const list of out.values()) list.sort((x, y) => x.start.localeCompare(y.start));
  return out;
}

interface Props {
  period: Period;
  bookings: Booking[];
  selected: string | null;
  onSelect(b: Booking): void;
}

export function Calendar({ period, bookings, selected, onSelect }: Props) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const byDay = chipsByDay(bookings, period.days);
  const weeks: string[][] = [];
  for (let i = 0; i < period.days.length; i += 7) weeks.push(period.days.slice(i, i + 7));
  const today = todayLocal();
  const weekdays = Info.weekdays(period.mode === 'week' ? 'long' : 'short', { locale: localeOf(lng) });
  return (
    <table className={`calendar calendar--${period.mode}`} data-testid="calendar" data-mode={period.mode} data-first-day={period.days[0]}>
      <caption className="visually-hidden">{t('planning.calendarCaption')}</caption>
      <thead>
        <tr>{weekdays.map((w) => <th key={w} scope="col">{w}</th>)}</tr>
      </thead>
      <tbody>
        {weeks.map((week) => (
          <tr key={week[0]}>
            {week.map((day) => {
              const d = DateTime.fromISO(day, { zone: ZONE }).setLocale(localeOf(lng));
              const outside = period.mode === 'month' && d.toFormat('yyyy-MM') !== period.monthOf;
              const chips = byDay.get(day) ?? [];
              return (
                <td key={day} data-testid={`cal-day-${day}`} className={`calendar__day${outside ? ' calendar__day--outside' : ''}${day === today ? ' calendar__day--today' : ''}`}>
                  <div className="calendar__date">
                    <span aria-hidden="true">{period.mode === 'week' ? d.toFormat('d LLL') : d.toFormat('d')}</span>
                    <span className="visually-hidden">{d.toFormat('cccc d LLLL yyyy')}{day === today ? `, ${t('planning.today')}` : ''}</span>
                  </div>
                  {chips.length > 0 && (
                    <ul className="calendar__chips">
                      {chips.map((c, i) => {
                        const b = c.booking;
                        const time = `${c.fromBefore ? '…' : inZone(c.start).toFormat('HH:mm')}–${c.toAfter ? '…' : inZone(c.end).toFormat('HH:mm')}`;
                        return (
                          <li key={`${b.id}-${c.start}-${i}`}>
                            <button type="button" className={`cal-chip cal-chip--${b.status}${b.urgent ? ' cal-chip--urgent' : ''}`} aria-pressed={b.id === selected}
                              onClick={() => onSelect(b)} data-testid={`cal-chip-${b.reference}`} data-status={b.status}>
                              {b.urgent && <span className="cal-chip__urgent" aria-hidden="true">!</span>}
                              <span className="cal-chip__time mono">{time}</span>
                              <span className="cal-chip__name">{b.eventName}</span>
                              <span className="visually-hidden">, {b.municipalityName}, {t(`bookings.status.${b.status}`)}{b.urgent ? `, ${t('bookings.urgent')}` : ''}</span>
                            </button>
                          </li>
                        );
                      })}
                    </ul>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
