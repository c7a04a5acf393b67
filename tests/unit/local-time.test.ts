import { describe, expect, it } from 'vitest';
import { formatLocal, localDayEnd, monthRange, parseLocal, workingDaysBetween } from '../../server/bookings/local-time.js';

describe('Amsterdam wall clock', () => {
  it('reads summer and winter times to the right instant', () => {
    expect(parseLocal('2026-06-12T21:00')).toEqual({ ok: true, at: new Date('2026-06-12T19:00:00Z') });
    expect(parseLocal('2026-12-31T23:30')).toEqual({ ok: true, at: new Date('2026-12-31T22:30:00Z') });
  });
  it('refuses the hour that does not exist in March and asks which of the two October hours', () => {
    expect(parseLocal('2026-03-29T02:00')).toMatchObject({ ok: false, code: 'nonexistent_time' });
    expect(parseLocal('2026-03-29T03:00')).toEqual({ ok: true, at: new Date('2026-03-29T01:00:00Z') });
    expect(parseLocal('2026-10-25T02:00')).toMatchObject({ ok: false, code: 'ambiguous_time' });
    expect(parseLocal('2026-10-25T02:00+02:00')).toEqual({ ok: true, at: new Date('2026-10-25T00:00:00Z') });
    expect(parseLocal('2026-10-25T02:00+01:00')).toEqual({ ok: true, at: new Date('2026-10-25T01:00:00Z') });
    expect(parseLocal('2026-10-25T02:00+05:00')).toMatchObject({ ok: false, code: 'invalid_time' });
    expect(parseLocal('2026-02-30T10:00')).toMatchObject({ ok: false, code: 'invalid_time' });
  });
  it('writes an instant back with its offset, which reads back to the same instant', () => {
    for (const iso of ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', '2026-03-29T01:00:00Z']) {
      const text = formatLocal(iso);
      expect(parseLocal(text)).toEqual({ ok: true, at: new Date(iso) });
    }
    expect(formatLocal('2026-10-25T01:30:00Z')).toBe('2026-10-25T02:30+01:00');
  });
  it('knows 23- and 25-hour days and Amsterdam months', () => {
    expect(localDayEnd('2026-10-25').getTime() - new Date('2026-10-24T22:00:00Z').getTime()).toBe(25 * 3_600_000);
    expect(localDayEnd('2026-03-29').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(monthRange('2026-10')).toEqual({ from: new Date('2026-09-30T22:00:00Z'), to: new Date('2026-10-31T23:00:00Z') });
  });
  it('counts working days without weekends and holidays', () => {
    const holidays = new Set(['2026-12-25']);
    // Friday 18 Dec → Monday 28 Dec: 21, 22, 23, 24, (25 holiday), 28.
    expect(workingDaysBetween(new Date('2026-12-18T10:00:00Z'), new Date('2026-12-28T20:00:00Z'), holidays)).toBe(5);
    expect(workingDaysBetween(new Date('2026-12-18T10:00:00Z'), new Date('2026-12-18T20:00:00Z'), holidays)).toBe(0);
  });
});
