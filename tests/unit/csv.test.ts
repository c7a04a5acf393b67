import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../server/http/csv.js';

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks, doubling quotes; ends lines with CRLF', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['two\nlines', null], [3, true]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n"two\nlines",\r\n3,true\r\n');
  });
  it('defuses spreadsheet formulas but leaves negative numbers alone', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+31 53 1234')).toBe("'+31 53 1234");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-12.5')).toBe('-12.5');
    expect(csvField(-3)).toBe('-3');
  });
});
