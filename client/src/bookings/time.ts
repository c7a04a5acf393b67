// Dates and times of bookings as the room reads them: Europe/Amsterdam wall clock, whatever the browser's zone.
// Parsing and the daylight-saving rules are the server's own (server/bookings/local-time.ts).
import { DateTime } from 'luxon';
import { parseLocal, ZONE } from '../../../server/bookings/local-time';
import { localeOf } from '../i18n';

export { ZONE };

export const inZone = (at: string | Date) => DateTime.fromJSDate(new Date(at), { zone: ZONE });

/** Today in Amsterdam, as YYYY-MM-DD. */
export const todayLocal = (now = new Date()) => inZone(now).toISODate()!;
/** This month in Amsterdam, as YYYY-MM. */
export const thisMonth = (now = new Date()) => inZone(now).toFormat('yyyy-MM');

/** The Amsterdam calendar day of an instant (YYYY-MM-DD). */
export const dayOf = (at: string | Date) => inZone(at).toISODate()!;

/** Start of a local day as a UTC ISO instant (for the API's from/to). */
export const dayStartIso = (day: string) => DateTime.fromISO(day, { zone: ZONE }).startOf('day').toUTC().toISO()!;

/** "2026-10-25T02:30" happens twice (the October change): the user must say which. */
export const isAmbiguous = (wall: string) => {
  const r = parseLocal(wall);
  return !r.ok && r.code === 'ambiguous_time';
};
export const isNonexistent = (wall: string) => {
  const r = parseLocal(wall);
  return !r.ok && r.code === 'nonexistent_time';
};

/** A server's "2026-10-25T02:30+01:00" split into the wall clock the form holds and, when it matters, the offset. */
export function splitLocal(local: string): { wall: string; offset: '' | '+02:00' | '+01:00' } {
  const wall = local.slice(0, 16);
  const off = local.slice(16);
  return { wall, offset: isAmbiguous(wall) && (off === '+02:00' || off === '+01:00') ? off : '' };
}

export function clock(at: string | Date): string {
  return inZone(at).toFormat('HH:mm');
}

export function dayLabel(at: string | Date, lng: string, fmt = 'ccc d LLL yyyy'): string {
  return inZone(at).setLocale(localeOf(lng)).toFormat(fmt);
}

/** "za 12 dec 2026 20:00–23:00", or across midnight "za 12 dec 2026 22:00 – zo 13 dec 01:00". A time of the repeated
 *  October hour carries its offset, so the two 02:30s are told apart. */
export function windowText(w: { start: string; end: string }, lng: string): string {
  const s = inZone(w.start), e = inZone(w.end);
  const mark = (d: DateTime) => (isAmbiguous(d.toFormat("yyyy-MM-dd'T'HH:mm")) ? ` (${d.toFormat('ZZ')})` : '');
  const sText = `${s.toFormat('HH:mm')}${mark(s)}`, eText = `${e.toFormat('HH:mm')}${mark(e)}`;
  if (s.toISODate() === e.toISODate() || (e.toFormat('HH:mm') === '00:00' && e.minus({ minutes: 1 }).toISODate() === s.toISODate())) {
    return `${dayLabel(w.start, lng)} ${sText}–${eText}`;
  }
  return `${dayLabel(w.start, lng)} ${sText} – ${dayLabel(w.end, lng, 'ccc d LLL')} ${eText}`;
}

/** Hours as the reader writes them: "1,5" in Dutch, "1.5" in English. */
export function formatHours(n: number, lng: string): string {
  return n.toLocaleString(localeOf(lng), { maximumFractionDigits: 2 });
}
