// Times are stored in UTC and always shown in the room's own time zone.
import { localeOf } from './i18n';

export const TIME_ZONE = 'Europe/Amsterdam';

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(lng: string, kind: 'dateTime' | 'time'): Intl.DateTimeFormat {
  const key = `${lng}|${kind}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(localeOf(lng), kind === 'dateTime'
      ? { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }
      : { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hour12: false });
    cache.set(key, f);
  }
  return f;
}

export function formatDateTime(iso: string | Date, lng: string): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return Number.isNaN(d.getTime()) ? String(iso) : formatter(lng, 'dateTime').format(d);
}

export function formatClock(d: Date, lng: string): string {
  return formatter(lng, 'time').format(d);
}

/** The name of something named in both languages (a category, a top level) in the reader's language. */
export const nameIn = (x: { nl: string; en: string }, lng: string) => (lng.startsWith('en') ? x.en : x.nl);

export function compareText(a: string, b: string, lng: string): number {
  return a.localeCompare(b, localeOf(lng), { sensitivity: 'base', numeric: true });
}

/** Dutch users type decimals with a comma: accept both. */
export function parseDecimal(s: string): number | null {
  const t = s.trim().replace(',', '.');
  if (t === '' || !/^[-+]?\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

/** A viewing duration in words the room reads at a glance: "45 s", "3 min 12 s", "1 u 05 min". */
export function durationParts(ms: number): { unit: 'seconds' | 'minutes' | 'hours'; h: number; m: number; s: number } {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  return { unit: h > 0 ? 'hours' : m > 0 ? 'minutes' : 'seconds', h, m, s };
}
