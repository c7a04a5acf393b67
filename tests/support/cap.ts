// Validates CAP XML against the official OASIS CAP 1.2 schema (tests/fixtures/CAP-v1.2.xsd) with xmllint (WebAssembly).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';

const xsd = readFileSync(path.resolve('tests/fixtures/CAP-v1.2.xsd'), 'utf8');

export async function validateCap(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const r = await validateXML({ xml: [{ fileName: 'alert.xml', contents: xml }], schema: [xsd] });
  return { valid: r.valid, errors: r.errors.map((e) => e.message) };
}
