// Tables as a PDF document (A4): a title, a few label–value facts, then one or more tables. Reused by every report
// that must be printable (the shift report, the municipalities' usage report). pdf-lib only: no fonts to ship,
// no browser, no native code.
//
//   const bytes = await tablePdf({
//     title: 'Dienstrapport', subtitle: 'Olga Observant', lang: 'nl',
//     meta: [['Begin', '07-03-2025 21:00'], ['Incidenten', '2']],
//     sections: [{ heading: 'Incidenten', columns: [{ label: 'Nr.', width: 0.5, align: 'right' }, { label: 'Locatie', width: 3 }],
//                  rows: [['12', 'Oude Markt']], empty: 'Geen incidenten.' }],
//     footer: 'Uitkijk · vertrouwelijk',
//   });
//
// - Every page: the footer text on the left, "p. N/M" on the right; from the second page on, the title in small
//   print at the top. A table that runs over a page repeats its heading (with `continued`) and its column header.
// - Column widths are relative weights (default 1) of the usable width. A cell wraps at word boundaries (a word
//   longer than the column is broken), keeps explicit line breaks, and is cut at `maxLinesPerCell` lines with "…".
// - The PDF standard fonts (Helvetica) cover WinAnsi (Latin-1 plus a few signs: é ë ü ß € – “ ” … all fine).
//   Any other character becomes "?", so user text can never make the document fail.
// - Everything passed in is plain text, shown as it is: callers format dates and numbers.
import { PDFDocument, PageSizes, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

export interface PdfColumn {
  label: string;
  /** Relative width (default 1): the columns share the usable width in proportion. */
  width?: number;
  /** 'right' for numbers. Default 'left'. */
  align?: 'left' | 'right';
}

export interface PdfSection {
  heading: string;
  columns: PdfColumn[];
  /** One string per column; missing cells are blank, extra cells ignored. */
  rows: string[][];
  /** Shown instead of the table when there are no rows (default: the table header alone). */
  empty?: string;
}

export interface TablePdfInput {
  title: string;
  subtitle?: string;
  /** Label–value facts under the title (e.g. who, when, totals). Values wrap. */
  meta?: Array<[label: string, value: string]>;
  sections: PdfSection[];
  /** Small print at the bottom left of every page (e.g. "Uitkijk · vertrouwelijk · gemaakt 07-03-2025 23:10"). */
  footer?: string;
  /** Landscape suits tables of many columns. Default portrait. */
  orientation?: 'portrait' | 'landscape';
  /** Document language (BCP 47, e.g. 'nl-NL'), for screen readers. */
  lang?: string;
  /** Appended to a section heading on the pages it continues on. Default "(continued)". */
  continued?: string;
  /** Default 4. */
  maxLinesPerCell?: number;
  /** Document metadata. */
  author?: string;
}

const MARGIN = 36;
const TITLE_SIZE = 16, SUBTITLE_SIZE = 10, META_SIZE = 9, HEADING_SIZE = 11, TABLE_SIZE = 8, SMALL_SIZE = 7;
const LEADING = 1.25;
const PAD = 3;
const GREY = rgb(0.4, 0.4, 0.4), RULE = rgb(0.75, 0.75, 0.75), HEADER_FILL = rgb(0.9, 0.9, 0.9), ZEBRA = rgb(0.965, 0.965, 0.965);

// Common signs outside WinAnsi with a readable stand-in; anything else outside it becomes '?'.
const SUBSTITUTES: Record<string, string> = { '→': '->', '←': '<-', '≤': '<=', '≥': '>=', '−': '-', '‐': '-', '‑': '-', '✓': 'v', '≈': '~' };

/** Text the standard fonts can draw: NFC, any space-like character a space, outside WinAnsi a stand-in or '?'. */
export function toWinAnsi(text: string, supported: ReadonlySet<number>): string {
  let out = '';
  for (const ch of text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/[^\S\n]/g, ' ')) {
    if (ch === '\n' || supported.has(ch.codePointAt(0)!)) out += ch;
    else out += SUBSTITUTES[ch] ?? '?';
  }
  return out;
}

/** Lines of at most `width` points; words longer than a line are broken; at most `maxLines`, the last one ending in "…" when cut. */
export function wrapText(text: string, font: PDFFont, size: number, width: number, maxLines = Infinity): string[] {
  const fits = (s: string) => font.widthOfTextAtSize(s, size) <= Math.max(0, width);
  // A cell shows a few lines: no need to lay out 10 000 characters of notes (no line holds more than ~300).
  const cut = Number.isFinite(maxLines) && text.length > maxLines * 300;
  if (cut) text = text.slice(0, maxLines * 300);
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ').filter((w, i, a) => w !== '' || a.length === 1)) {
      const candidate = line ? `${line} ${word}` : word;
      if (fits(candidate)) { line = candidate; continue; }
      if (line) lines.push(line);
      // A word wider than the column: break it where it must.
      let rest = word;
      while (!fits(rest)) {
        let n = rest.length - 1;
        while (n > 1 && !fits(rest.slice(0, n))) n--;
        lines.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
    }
    lines.push(line);
  }
  if (lines.length <= maxLines && !cut) return lines;
  const kept = lines.slice(0, maxLines);
  let last = kept[maxLines - 1]!;
  while (last && !fits(`${last}…`)) last = last.slice(0, -1);
  kept[maxLines - 1] = `${last.trimEnd()}…`;
  return kept;
}

/** A printable A4 document of tables. See the top of this file. */
export async function tablePdf(input: TablePdfInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const oblique = await doc.embedFont(StandardFonts.HelveticaOblique);
  const supported = new Set(font.getCharacterSet());
  const clean = (s: string) => toWinAnsi(s, supported);

  const title = clean(input.title);
  doc.setTitle(title);
  doc.setCreator('Uitkijk');
  doc.setProducer('Uitkijk (pdf-lib)');
  if (input.author) doc.setAuthor(clean(input.author));
  if (input.lang) doc.setLanguage(input.lang);

  const [w, h] = input.orientation === 'landscape' ? [PageSizes.A4[1], PageSizes.A4[0]] : PageSizes.A4;
  const usable = w - 2 * MARGIN;
  const bottom = MARGIN + SMALL_SIZE * 2; // room for the footer line
  const maxLines = Math.max(1, input.maxLinesPerCell ?? 4);
  const continued = clean(input.continued ?? '(continued)');

  const pages: PDFPage[] = [];
  let page!: PDFPage;
  let y = 0;
  const newPage = () => {
    page = doc.addPage([w, h]);
    pages.push(page);
    // From the second page on, a running title is drawn at the top (after layout); leave room for it.
    y = h - MARGIN - (pages.length > 1 ? SMALL_SIZE * 2.5 : 0);
  };
  const text = (s: string, x: number, size: number, f: PDFFont = font, color = rgb(0, 0, 0)) => {
    if (s) page.drawText(s, { x, y: y - size, size, font: f, color });
  };
  const lineHeight = (size: number) => size * LEADING;

  newPage();

  // ---- title, subtitle, facts ----
  for (const l of wrapText(title, bold, TITLE_SIZE, usable)) { text(l, MARGIN, TITLE_SIZE, bold); y -= lineHeight(TITLE_SIZE); }
  if (input.subtitle) {
    for (const l of wrapText(clean(input.subtitle), font, SUBTITLE_SIZE, usable)) { text(l, MARGIN, SUBTITLE_SIZE, font, GREY); y -= lineHeight(SUBTITLE_SIZE); }
  }
  y -= 8;
  if (input.meta?.length) {
    const labelW = Math.min(usable * 0.3, Math.max(...input.meta.map(([k]) => bold.widthOfTextAtSize(clean(k), META_SIZE))) + 12);
    for (const [k, v] of input.meta) {
      const labelLines = wrapText(clean(k), bold, META_SIZE, labelW - 6);
      const valueLines = wrapText(clean(v), font, META_SIZE, usable - labelW, 40);
      const lines = Math.max(labelLines.length, valueLines.length);
      for (let i = 0; i < lines; i++) {
        if (y - lineHeight(META_SIZE) < bottom) newPage();
        text(labelLines[i] ?? '', MARGIN, META_SIZE, bold);
        text(valueLines[i] ?? '', MARGIN + labelW, META_SIZE);
        y -= lineHeight(META_SIZE);
      }
    }
    y -= 10;
  }

  // ---- tables ----
  const lh = lineHeight(TABLE_SIZE);
  for (const section of input.sections) {
    const heading = clean(section.heading);
    const cols = section.columns.length ? section.columns : [{ label: '' }];
    const total = cols.reduce((s, c) => s + Math.max(0.01, c.width ?? 1), 0);
    const widths = cols.map((c) => (usable * Math.max(0.01, c.width ?? 1)) / total);
    const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((s, v) => s + v, 0));
    const headerCells = cols.map((c, i) => wrapText(clean(c.label), bold, TABLE_SIZE, widths[i]! - 2 * PAD, 3));
    const headerH = Math.max(...headerCells.map((l) => l.length)) * lh + 2 * PAD;
    const headingH = lineHeight(HEADING_SIZE) + 4;

    const drawHeading = (label: string) => { text(label, MARGIN, HEADING_SIZE, bold); y -= headingH; };
    const drawHeader = () => {
      page.drawRectangle({ x: MARGIN, y: y - headerH, width: usable, height: headerH, color: HEADER_FILL });
      cols.forEach((c, i) => drawCell(headerCells[i]!, i, c.align, bold));
      y -= headerH;
    };
    const drawCell = (lines: string[], i: number, align: PdfColumn['align'], f: PDFFont) => {
      lines.forEach((l, n) => {
        const x = align === 'right' ? xs[i]! + widths[i]! - PAD - f.widthOfTextAtSize(l, TABLE_SIZE) : xs[i]! + PAD;
        if (l) page.drawText(l, { x, y: y - PAD - n * lh - TABLE_SIZE, size: TABLE_SIZE, font: f });
      });
    };

    const rows = section.rows.map((r) => cols.map((c, i) => wrapText(clean(r[i] ?? ''), font, TABLE_SIZE, widths[i]! - 2 * PAD, maxLines)));
    const rowH = (cells: string[][]) => Math.max(1, ...cells.map((l) => l.length)) * lh + 2 * PAD;
    // Keep the heading with the header and the first row (or the empty note).
    const firstH = rows.length ? rowH(rows[0]!) : lineHeight(TABLE_SIZE) + 2 * PAD;
    if (y - (headingH + headerH + firstH) < bottom) newPage();
    drawHeading(heading);
    if (rows.length === 0 && section.empty) {
      text(clean(section.empty), MARGIN, TABLE_SIZE + 1, oblique, GREY);
      y -= lineHeight(TABLE_SIZE + 1) + 12;
      continue;
    }
    drawHeader();
    rows.forEach((cells, r) => {
      const height = rowH(cells);
      if (y - height < bottom) { newPage(); drawHeading(`${heading} ${continued}`); drawHeader(); }
      if (r % 2 === 1) page.drawRectangle({ x: MARGIN, y: y - height, width: usable, height, color: ZEBRA });
      cells.forEach((lines, i) => drawCell(lines, i, cols[i]!.align, font));
      y -= height;
      page.drawLine({ start: { x: MARGIN, y }, end: { x: MARGIN + usable, y }, thickness: 0.3, color: RULE });
    });
    y -= 14;
  }

  // ---- running title, footer and page numbers, now that the page count is known ----
  const footer = input.footer ? clean(input.footer) : '';
  pages.forEach((p, n) => {
    const label = `p. ${n + 1}/${pages.length}`;
    const labelW = font.widthOfTextAtSize(label, SMALL_SIZE);
    p.drawText(label, { x: w - MARGIN - labelW, y: MARGIN, size: SMALL_SIZE, font, color: GREY });
    if (footer) p.drawText(wrapText(footer, font, SMALL_SIZE, usable - labelW - 12, 1)[0]!, { x: MARGIN, y: MARGIN, size: SMALL_SIZE, font, color: GREY });
    if (n > 0) p.drawText(wrapText(title, font, SMALL_SIZE, usable, 1)[0]!, { x: MARGIN, y: h - MARGIN - SMALL_SIZE, size: SMALL_SIZE, font, color: GREY });
  });

  return doc.save();
}
