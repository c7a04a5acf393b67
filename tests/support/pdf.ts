// Reads a PDF back the way a test needs it: pages and the text drawn on each. pdf-lib parses the document (so a
// malformed file fails here); the text comes from the page content streams (inflated), whose strings pdf-lib
// writes as hex in WinAnsi: Latin-1, plus a few signs in 0x80–0x9F (mapped below).
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFName, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib';

const winAnsiHigh: Record<number, string> = { 0x80: '€', 0x85: '…', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—' };
const decode = (hex: string) => [...Buffer.from(hex, 'hex')].map((b) => winAnsiHigh[b] ?? String.fromCharCode(b)).join('');

export async function readPdf(bytes: Uint8Array): Promise<{ doc: PDFDocument; pages: string[] }> {
  const doc = await PDFDocument.load(bytes);
  const pages = doc.getPages().map((page) => {
    const contents = page.node.get(PDFName.of('Contents'));
    const refs: PDFObject[] = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
    let text = '';
    for (const ref of refs) {
      const stream = ref instanceof PDFRef ? doc.context.lookup(ref) : ref;
      if (!(stream instanceof PDFRawStream)) continue;
      const filter = stream.dict.get(PDFName.of('Filter'));
      const raw = filter?.toString() === '/FlateDecode' ? inflateSync(stream.contents) : Buffer.from(stream.contents);
      // Each text-showing operator draws one line: join them with newlines.
      for (const m of raw.toString('latin1').matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) text += `${decode(m[1]!)}\n`;
    }
    return text;
  });
  return { doc, pages };
}
