// The reusable PDF table document (server/reports/pdf.ts): page breaks with the table header repeated, page
// numbers, wrapping and cutting to the column width, and text outside WinAnsi that must not break the document.
import { describe, expect, it } from 'vitest';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { tablePdf, toWinAnsi, wrapText } from '../../server/reports/pdf.js';
import { readPdf } from '../support/pdf.js';

const columns = [{ label: 'Nr.', width: 0.5, align: 'right' as const }, { label: 'Locatie', width: 3 }, { label: 'Categorie' }];

describe('tablePdf', () => {
  it('breaks 200 rows over several A4 pages, repeats the heading and column header, and numbers the pages', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => [String(i + 1), `Oude Markt ${i + 1}`, 'Vechtpartij']);
    const bytes = await tablePdf({ title: 'Dienstrapport', meta: [['Observant', 'Olga Observant']], sections: [{ heading: 'Incidenten', columns, rows }],
      footer: 'Uitkijk · vertrouwelijk', continued: '(vervolg)' });
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const { doc, pages } = await readPdf(bytes);
    const n = pages.length;
    expect(n).toBeGreaterThan(1);
    const [width, height] = [doc.getPage(0).getWidth(), doc.getPage(0).getHeight()];
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]); // A4 portrait
    pages.forEach((text, i) => {
      expect(text).toContain(`p. ${i + 1}/${n}`);
      expect(text).toContain('Uitkijk · vertrouwelijk');
      expect(text.split('\n')).toContain('Locatie'); // the column header on every page
      if (i > 0) expect(text).toContain('Incidenten (vervolg)');
    });
    // Every row once, in order, none lost at a break.
    const all = pages.join('\n').split('\n').filter((l) => /^Oude Markt \d+$/.test(l)).map((l) => Number(l.split(' ').pop()));
    expect(all).toEqual(rows.map((_, i) => i + 1));
    expect(pages[0]).toContain('Olga Observant');
  });

  it('one page for a short table; an empty section shows its note; landscape when asked', async () => {
    const bytes = await tablePdf({ title: 'Kort', orientation: 'landscape', sections: [
      { heading: 'Incidenten', columns, rows: [['1', 'Beekstraat', 'Overlast']] },
      { heading: 'Meldingen', columns, rows: [], empty: 'Geen meldingen.' },
    ] });
    const { doc, pages } = await readPdf(bytes);
    expect(pages).toHaveLength(1);
    expect(doc.getPage(0).getWidth()).toBeGreaterThan(doc.getPage(0).getHeight());
    expect(pages[0]).toContain('Geen meldingen.');
    expect(pages[0]).toContain('p. 1/1');
  });

  it('keeps é ë ü and €, turns what WinAnsi lacks into a stand-in or ?, and never fails on user text', async () => {
    const bytes = await tablePdf({ title: 'Café “De Kater” – €5', sections: [{ heading: 'Tekst', columns, rows: [
      ['1', 'Coördinatie in Hengelo: überall ë', 'a → b'], ['2', 'emoji 🚓 and 中文 and \u0007 bell', 'x\ty'],
    ] }] });
    const text = (await readPdf(bytes)).pages.join('\n');
    expect(text).toContain('Café “De Kater” – €5');
    expect(text).toContain('Coördinatie in Hengelo: überall ë');
    expect(text).toContain('a -> b');
    expect(text).toContain('emoji ? and ?? and ? bell');
    expect(text).toContain('x y');
  });

  it('wraps long cells to the column, breaks words wider than it, and cuts at maxLinesPerCell with an ellipsis', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const lines = wrapText('een twee drie vier vijf zes zeven acht negen tien', font, 8, 40);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(font.widthOfTextAtSize(l, 8)).toBeLessThanOrEqual(40);
    expect(lines.join(' ')).toBe('een twee drie vier vijf zes zeven acht negen tien');
    const long = wrapText('x'.repeat(200), font, 8, 30);
    expect(long.join('')).toBe('x'.repeat(200));
    for (const l of long) expect(font.widthOfTextAtSize(l, 8)).toBeLessThanOrEqual(30);
    const cut = wrapText('woord '.repeat(500), font, 8, 60, 3);
    expect(cut).toHaveLength(3);
    expect(cut[2]!.endsWith('…')).toBe(true);
    expect(wrapText('regel een\nregel twee', font, 8, 500)).toEqual(['regel een', 'regel twee']);
    expect(toWinAnsi('a\u202Fb\u00A0c', new Set([...'abc '].map((c) => c.codePointAt(0)!)))).toBe('a b c');

    // In a document: a 10 000-character note stays within its cell's lines.
    const bytes = await tablePdf({ title: 'Lang', maxLinesPerCell: 2, sections: [{ heading: 'Notities', columns, rows: [['1', 'lang '.repeat(2000), 'kort']] }] });
    const { pages } = await readPdf(bytes);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.split('\n').filter((l) => l.startsWith('lang'))).toHaveLength(2);
  });
});
