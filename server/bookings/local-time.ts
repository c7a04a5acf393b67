// Wall-clock times in Europe/Amsterdam, as municipalities write them, to and from UTC instants.
// Shared by server and client. On the last Sunday of March 02:00–03:00 does not exist (refused); on the last
// Sunday of October 02:00–03:00 happens twice (refused unless the offset says which: +02:00 first, +01:00 second).
import { DateTime } from 'luxon';

export const ZONE = 'Europe/Amsterdam';

const LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::00)?(Z|[+-]\d{2}:\d{2})?$/;

export type LocalTimeError = { code: 'invalid_time' | 'nonexistent_time' | 'ambiguous_time'; message: string };

/** "2026-10-25T02:30" or "2026-10-25T02:30+01:00" (Amsterdam wall clock) → the instant, or why not. */
export function parseLocal(text: string): { ok: true; at: Date } | ({ ok: false } & LocalTimeError) {
  const m = LOCAL.exec(text);
  const wall = m ? DateTime.fromISO(`${m[1]}T${m[2]}`, { zone: ZONE }) : null;
  if (!m || !wall?.isValid) return { ok: false, code: 'invalid_time', message: `${JSON.stringify(text)} is not a date and time such as 2026-06-12T21:00` };
  // luxon moves a time in the spring-forward gap to after it: the wall clock it gives back differs from the text.
  if (wall.toFormat("yyyy-MM-dd'T'HH:mm") !== `${m[1]}T${m[2]}`) {
    return { ok: false, code: 'nonexistent_time', message: `${m[1]} ${m[2]} does not exist in the Netherlands (clocks go from 02:00 to 03:00)` };
  }
  const candidates = wall.getPossibleOffsets();
  if (m[3]) {
    const wanted = m[3] === 'Z' ? 0 : (m[3].startsWith('-') ? -1 : 1) * (Number(m[3].slice(1, 3)) * 60 + Number(m[3].slice(4, 6)));
    const hit = candidates.find((c) => c.offset === wanted);
    if (!hit) return { ok: false, code: 'invalid_time', message: `${m[1]} ${m[2]} is not at UTC${m[3]} in the Netherlands` };
    return { ok: true, at: hit.toJSDate() };
  }
  if (candidates.length > 1) {
    return { ok: false, code: 'ambiguous_time', message: `${m[1]} ${m[2]} happens twice (clocks go back from 03:00 to 02:00): add +02:00 for the first or +01:00 for the second` };
  }
  return { ok: true, at: wall.toJSDate() };
}

/** The instant as Amsterdam wall clock with its offset: "2026-10-25T02:30+01:00" (unambiguous, and parseLocal reads it back). */
export function formatLocal(at: Date | string): string {
  return DateTime.fromJSDate(new Date(at), { zone: ZONE }).toFormat("yyyy-MM-dd'T'HH:mmZZ");
}

/** Start of a local calendar day ("2026-06-12") in Amsterdam. */
export function localDayStart(day: string): Date {
  return DateTime.fromISO(day, { zone: ZONE }).startOf('day').toJSDate();
}

/** End of a local calendar day: the start of the next one (23, 24 or 25 hours later). */
export function localDayEnd(day: string): Date {
  return DateTime.fromISO(day, { zone: ZONE }).startOf('day').plus({ days: 1 }).toJSDate();
}

export function localDay(at: Date): string {
  return DateTime.fromJSDate(at, { zone: ZONE }).toISODate()!;
}

/** A calendar month in Amsterdam ("2026-10") as [start, end). */
export function monthRange(month: string): { from: Date; to: Date } {
  const start = DateTime.fromISO(`${month}-01`, { zone: ZONE }).startOf('month');
  return { from: start.toJSDate(), to: start.plus({ months: 1 }).toJSDate() };
}

/** Working days (Monday–Friday, not a listed holiday) after the day of `from` up to and including the day of `to`. */
export function workingDaysBetween(from: Date, to: Date, holidays: ReadonlySet<string>): number {
  let day = DateTime.fromJSDate(from, { zone: ZONE }).startOf('day').plus({ days: 1 });
  const last = DateTime.fromJSDate(to, { zone: ZONE }).startOf('day');
  let n = 0;
  for (; day <= last && n < 1000; day = day.plus({ days: 1 })) if (day.weekday <= 5 && !holidays.has(day.toISODate()!)) n++;
  return n;
}

export const hoursBetween = (from: Date | string, to: Date | string) => (new Date(to).getTime() - new Date(from).getTime()) / 3_600_000;
