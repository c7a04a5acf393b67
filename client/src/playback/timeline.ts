// The arithmetic of the playback timeline, kept apart from React so it can be tested on its own: where a moment
// falls (recorded or in a gap, and then where the next recording starts) and the time axis in Amsterdam wall clock.
import { DateTime } from 'luxon';
import type { TimeRange } from '../../../server/recordings/schema';
import { ZONE } from '../../../server/bookings/local-time';

export interface Span { from: number; to: number }

export const toSpans = (ranges: TimeRange[]): Span[] =>
  ranges.map((r) => ({ from: Date.parse(r.from), to: Date.parse(r.to) })).filter((s) => s.to > s.from).sort((a, b) => a.from - b.from);

/** Less than this much left of a recorded stretch is not worth a playback: start a little earlier instead. */
const MIN_LEFT_MS = 2000;

export type Located =
  | { kind: 'recorded'; start: number }
  /** Nothing recorded at that moment: `next` is where the next recording (in the known ranges) starts, or null. */
  | { kind: 'gap'; next: number | null };

/** Where a playback asked for at `at` really starts. */
export function locate(spans: Span[], at: number): Located {
  for (const s of spans) {
    if (at >= s.from && at < s.to) return { kind: 'recorded', start: s.to - at < MIN_LEFT_MS ? Math.max(s.from, s.to - MIN_LEFT_MS) : at };
  }
  const next = spans.find((s) => s.from > at);
  return { kind: 'gap', next: next ? next.from : null };
}

export const isRecorded = (spans: Span[], at: number) => spans.some((s) => at >= s.from && at < s.to);

export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Position of a moment on the bar, 0…1. */
export const fractionOf = (at: number, w: Span) => clamp((at - w.from) / (w.to - w.from), 0, 1);

export interface Tick { at: number; label: string; day: boolean }

/** Steps of the axis: about six to eight labels, whatever the window. */
function stepMinutes(spanMs: number): number {
  const h = spanMs / 3_600_000;
  if (h <= 0.25) return 2;
  if (h <= 1.5) return 10;
  if (h <= 3) return 30;
  if (h <= 7) return 60;
  if (h <= 13) return 120;
  if (h <= 25) return 180;
  return 720;
}

/**
 * The ticks of the time axis in Amsterdam wall clock: whole 10 minutes, hours or 3-hour marks of the local clock
 * (also across a daylight-saving change), midnight labelled with the day.
 */
export function axisTicks(w: Span, lng: string): Tick[] {
  const step = stepMinutes(w.to - w.from);
  const locale = lng === 'en' ? 'en-GB' : 'nl-NL';
  const ticks: Tick[] = [];
  // Amsterdam's offsets are whole hours: walking UTC in steps of minutes from a local whole hour stays on local marks.
  const inc = Math.min(step, 60) * 60_000;
  let at = DateTime.fromMillis(w.from, { zone: ZONE }).startOf('hour').toMillis();
  for (let i = 0; at <= w.to && i < 2000; at += inc, i++) {
    if (at < w.from) continue;
    const d = DateTime.fromMillis(at, { zone: ZONE }).setLocale(locale);
    if (step >= 60 && (d.minute !== 0 || d.hour % (step / 60) !== 0)) continue;
    const day = d.hour === 0 && d.minute === 0;
    ticks.push({ at, label: day ? d.toFormat('ccc d LLL') : d.toFormat('HH:mm'), day });
  }
  return ticks;
}

/** "14:32:07" in Amsterdam. */
export const clockText = (at: number) => DateTime.fromMillis(at, { zone: ZONE }).toFormat('HH:mm:ss');

