// Dates and times as the room writes them, whatever the browser's own locale: day, month, year (Dutch 12-06-2026,
// English 12/06/2026) and a 24-hour clock. Chromium's native date inputs follow the browser's locale, not the page's
// language (mm/dd/yyyy and AM/PM on an American browser, even inside the Dutch console), so the consoles type dates
// into text fields read and written by these two pure functions. Values stay what the forms and the API already use:
// '2026-06-12', '2026-06-12T21:00', '2026-06-12T21:00:05', '2026-06'.
export type DateTextKind = 'date' | 'dateTime' | 'dateTimeSeconds' | 'month';

const pad = (n: number) => String(n).padStart(2, '0');

function isRealDay(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

// Day first (1-6-2026, 01/06/2026, 1.6.2026) or ISO (2026-06-01, as pasted from elsewhere); a time after a space or T.
const DATE_TIME = /^(?:(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})|(\d{4})-(\d{2})-(\d{2}))(?:(?:\s+|T)(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$/;
const MONTH = /^(?:(\d{1,2})[-/.](\d{4})|(\d{4})-(\d{2}))$/;

/** What was typed, as the value the form keeps; null when it is not such a date (or time) at all. */
export function parseDateText(text: string, kind: DateTextKind): string | null {
  const s = text.trim();
  if (kind === 'month') {
    const m = MONTH.exec(s);
    if (!m) return null;
    const month = Number(m[1] ?? m[4]), year = Number(m[2] ?? m[3]);
    return month >= 1 && month <= 12 ? `${year}-${pad(month)}` : null;
  }
  const m = DATE_TIME.exec(s);
  if (!m) return null;
  const d = Number(m[1] ?? m[6]), mo = Number(m[2] ?? m[5]), y = Number(m[3] ?? m[4]);
  if (!isRealDay(y, mo, d)) return null;
  const day = `${y}-${pad(mo)}-${pad(d)}`;
  const hasTime = m[7] !== undefined;
  if (kind === 'date') return hasTime ? null : day;
  if (!hasTime) return null;
  const h = Number(m[7]), min = Number(m[8]), sec = m[9] === undefined ? 0 : Number(m[9]);
  if (h > 23 || min > 59 || sec > 59) return null;
  if (kind === 'dateTime') return m[9] === undefined ? `${day}T${pad(h)}:${pad(min)}` : null;
  return `${day}T${pad(h)}:${pad(min)}:${pad(sec)}`;
}

const ISO: Record<DateTextKind, RegExp> = {
  date: /^(\d{4})-(\d{2})-(\d{2})$/,
  dateTime: /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/,
  dateTimeSeconds: /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/,
  month: /^(\d{4})-(\d{2})$/,
};

/** A kept value as the field shows it in the console's language; anything else (what was typed) as it is. */
export function formatDateText(value: string, kind: DateTextKind, lng: string): string {
  const m = ISO[kind].exec(value);
  if (!m) return value;
  const sep = lng === 'en' ? '/' : '-';
  if (kind === 'month') return `${m[2]}${sep}${m[1]}`;
  const day = `${m[3]}${sep}${m[2]}${sep}${m[1]}`;
  if (kind === 'date') return day;
  return kind === 'dateTime' ? `${day} ${m[4]}:${m[5]}` : `${day} ${m[4]}:${m[5]}:${m[6] ?? '00'}`;
}
