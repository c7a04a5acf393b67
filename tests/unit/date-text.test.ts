// Dates typed into the consoles as the room writes them (client/src/dateText.ts): day first, 24-hour clock.
import { describe, expect, it } from 'vitest';
import { formatDateText, parseDateText } from '../../client/src/dateText';

describe('dates as the room types them', () => {
  it('reads day-month-year with a 24-hour time, short or in full, and ISO as pasted', () => {
    expect(parseDateText('12-06-2027 21:00', 'dateTime')).toBe('2027-06-12T21:00');
    expect(parseDateText(' 1-6-2027 9:05 ', 'dateTime')).toBe('2027-06-01T09:05');
    expect(parseDateText('01/06/2027 09.05', 'dateTime')).toBe('2027-06-01T09:05');
    expect(parseDateText('2027-06-12T21:00', 'dateTime')).toBe('2027-06-12T21:00');
    expect(parseDateText('12-06-2027', 'date')).toBe('2027-06-12');
    expect(parseDateText('2027-06-12', 'date')).toBe('2027-06-12');
    expect(parseDateText('6-2027', 'month')).toBe('2027-06');
    expect(parseDateText('2027-06', 'month')).toBe('2027-06');
    expect(parseDateText('12-06-2027 21:00:07', 'dateTimeSeconds')).toBe('2027-06-12T21:00:07');
    expect(parseDateText('12-06-2027 21:00', 'dateTimeSeconds')).toBe('2027-06-12T21:00:00');
  });

  it('refuses what is no such moment: American order past the 12th, AM/PM, days and hours that do not exist, a missing part', () => {
    for (const text of ['06/13/2027 21:00', '12-06-2027 9:00 PM', '31-02-2027 10:00', '29-02-2027 10:00', '12-06-2027 24:00', '12-06-2027 21:60',
      '12-06-2027', '21:00', '', 'morgen', '12-06-27 21:00', '12-06-2027 21:00:05']) {
      expect(parseDateText(text, 'dateTime'), text).toBeNull();
    }
    expect(parseDateText('29-02-2028 10:00', 'dateTime')).toBe('2028-02-29T10:00');
    expect(parseDateText('12-06-2027 21:00', 'date')).toBeNull();
    expect(parseDateText('13-2027', 'month')).toBeNull();
    expect(parseDateText('12-06-2027 21:00:60', 'dateTimeSeconds')).toBeNull();
  });

  it('writes a kept value in the console’s language, and anything typed that is not one as it is', () => {
    expect(formatDateText('2027-06-01T09:05', 'dateTime', 'nl')).toBe('01-06-2027 09:05');
    expect(formatDateText('2027-06-01T09:05', 'dateTime', 'en')).toBe('01/06/2027 09:05');
    expect(formatDateText('2027-06-01', 'date', 'nl')).toBe('01-06-2027');
    expect(formatDateText('2027-06', 'month', 'nl')).toBe('06-2027');
    expect(formatDateText('2027-06-01T09:05', 'dateTimeSeconds', 'nl')).toBe('01-06-2027 09:05:00');
    expect(formatDateText('2027-06-01T09:05:07', 'dateTimeSeconds', 'en')).toBe('01/06/2027 09:05:07');
    expect(formatDateText('', 'date', 'nl')).toBe('');
    expect(formatDateText('12-06-2027 9:00 PM', 'dateTime', 'nl')).toBe('12-06-2027 9:00 PM');
    // What is written reads back to the same value.
    for (const [v, kind] of [['2027-12-31T23:59', 'dateTime'], ['2027-01-02', 'date'], ['2027-11', 'month'], ['2027-03-04T05:06:07', 'dateTimeSeconds']] as const) {
      for (const lng of ['nl', 'en']) expect(parseDateText(formatDateText(v, kind, lng), kind)).toBe(v);
    }
  });
});
