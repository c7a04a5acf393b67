import { describe, expect, it } from 'vitest';
import { axisTicks, locate, toSpans } from '../../client/src/playback/timeline.js';

const at = (iso: string) => Date.parse(iso);

describe('playback timeline', () => {
  const spans = toSpans([
    { from: '2026-06-12T10:00:00Z', to: '2026-06-12T10:10:00Z' },
    { from: '2026-06-12T10:20:00Z', to: '2026-06-12T10:30:00Z' },
  ]);

  it('plays a recorded moment from that moment, and a moment at the very end of a stretch a little earlier', () => {
    expect(locate(spans, at('2026-06-12T10:05:00Z'))).toEqual({ kind: 'recorded', start: at('2026-06-12T10:05:00Z') });
    expect(locate(spans, at('2026-06-12T10:09:59.500Z'))).toEqual({ kind: 'recorded', start: at('2026-06-12T10:09:58Z') });
  });

  it('a moment in a gap goes to the next recording, or nowhere after the last', () => {
    expect(locate(spans, at('2026-06-12T10:15:00Z'))).toEqual({ kind: 'gap', next: at('2026-06-12T10:20:00Z') });
    expect(locate(spans, at('2026-06-12T09:00:00Z'))).toEqual({ kind: 'gap', next: at('2026-06-12T10:00:00Z') });
    expect(locate(spans, at('2026-06-12T10:30:00Z'))).toEqual({ kind: 'gap', next: null });
    expect(locate([], at('2026-06-12T10:30:00Z'))).toEqual({ kind: 'gap', next: null });
  });

  it('labels the axis in Amsterdam wall clock, whole marks only', () => {
    // 10:05–11:05 UTC is 12:05–13:05 in June (UTC+2): every 10 minutes from 12:10.
    const ticks = axisTicks({ from: at('2026-06-12T10:05:00Z'), to: at('2026-06-12T11:05:00Z') }, 'nl');
    expect(ticks.map((t) => t.label)).toEqual(['12:10', '12:20', '12:30', '12:40', '12:50', '13:00']);
  });

  it('marks midnight with the day and keeps 3-hour marks on the local clock across the October change', () => {
    // Sat 24 Oct 2026 22:00 to Sun 25 Oct 22:00 in Amsterdam (25 hours: the clocks go back at 03:00).
    const ticks = axisTicks({ from: at('2026-10-24T20:00:00Z'), to: at('2026-10-25T21:00:00Z') }, 'en');
    expect(ticks.map((t) => t.label)).toEqual(['Sun 25 Oct', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00']);
    expect(ticks[0]!.day).toBe(true);
  });
});
