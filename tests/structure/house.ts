// Measures the shape of the code base: the figures issue #15 asked to report before and after the restructuring,
// and the rules tests/unit/architecture.test.ts holds the tree to. Run: npm run metrics:house
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE_DIRS = ['server', 'streams', 'client/src'];

export function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(root, dir))) {
      const rel = path.posix.join(dir, name);
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
    }
  };
  SOURCE_DIRS.forEach(walk);
  return out.sort();
}

/**
 * Layers, lowest first. An import from a lower layer into a higher one "runs back up". Contracts (schema.ts) are
 * the exception: every layer, the client included, may import them.
 */
export function layerOf(file: string): number {
  if (file.startsWith('streams/')) return 0;
  if (file.startsWith('client/src/')) {
    const rest = file.slice('client/src/'.length);
    if (/^(App|main)\.tsx$/.test(rest) || rest.startsWith('shell/')) return 13;
    if (rest.startsWith('views/')) return 12;
    if (rest.startsWith('components/')) return 10;
    if (!rest.includes('/') || /^(api|i18n)\//.test(rest)) return 9;
    return 11; // one folder per capability: live, incidents, dispatch, bookings, evidence, …
  }
  const rest = file.slice('server/'.length);
  if (rest === 'main.ts' || /(^|\/)cli-[\w-]+\.ts$/.test(rest)) return 6;
  if (rest.startsWith('demo/')) return 5;
  if (rest.startsWith('realtime/')) return 4;
  // The platform every capability stands on: the database, HTTP, who may do what (auth), the audit trail and the
  // cluster (which node does what).
  if (/^(db|http|auth|audit|cluster)\//.test(rest) || /^(log|config|events|errors|capability)\.ts$/.test(rest)) return 1;
  return 3;
}

export const isContract = (file: string) => /(^|\/)schema\.ts$/.test(file);
const capabilityOf = (file: string) => file.startsWith('server/') ? file.split('/').length > 2 ? file.split('/')[1] : null : null;

interface Parsed { file: string; lines: number; imports: string[]; sqlLines: number[]; functions: Array<{ name: string; lines: number }> }

const SQL_TAG = /(^|\.)(sql|tx|owner|admin)$/;

export function parse(file: string): Parsed {
  const text = readFileSync(path.join(root, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const imports: string[] = [];
  const sqlLines: number[] = [];
  const functions: Parsed['functions'] = [];
  const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const nameOf = (n: ts.Node): string => {
    const named = n as { name?: ts.Node };
    if (named.name && ts.isIdentifier(named.name)) return named.name.text;
    if (ts.isConstructorDeclaration(n)) return 'constructor';
    const p = n.parent;
    if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    if (p && ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) return p.name.text;
    return '(anonymous)';
  };
  const visit = (n: ts.Node) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) imports.push(n.moduleSpecifier.text);
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) imports.push(n.arguments[0].text);
    if (ts.isTaggedTemplateExpression(n) && SQL_TAG.test(n.tag.getText(sf))) sqlLines.push(line(n.getStart(sf)));
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n)) {
      if ((n as ts.FunctionLikeDeclaration).body) functions.push({ name: nameOf(n), lines: line(n.getEnd()) - line(n.getStart(sf)) + 1 });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { file, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports, sqlLines, functions };
}

/** Resolves a relative import to a source file of the tree (null: a package, or outside the measured folders). */
export function resolveImport(from: string, spec: string, files: Set<string>): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec)).replace(/\.js$/, '');
  for (const c of [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) if (files.has(c)) return c;
  return null;
}

export interface HouseReport {
  files: number;
  largestFiles: Array<{ file: string; lines: number }>;
  largestFunctions: Array<{ file: string; name: string; lines: number }>;
  sqlOutsideStores: Array<{ file: string; queries: number }>;
  upwardImports: Array<{ from: string; to: string; why: string }>;
}

/** The imports among `edges` that run back up a layer, or tie two capabilities to each other. */
export function findUpward(edges: Array<{ from: string; to: string }>): HouseReport['upwardImports'] {
  const upward: HouseReport['upwardImports'] = [];
  for (const e of edges) {
    // Contracts may be imported by the capabilities, the layers above them and the client, not by the platform.
    if (isContract(e.to) && (layerOf(e.from) >= 3 || e.from.startsWith('client/'))) continue;
    const [a, b] = [layerOf(e.from), layerOf(e.to)];
    if (e.from.startsWith('streams/') && !e.to.startsWith('streams/')) upward.push({ ...e, why: 'streams/ imports the server or client' });
    else if (b > a) upward.push({ ...e, why: `layer ${a} imports layer ${b}` });
  }
  // Two capabilities that import each other (the platform, layer 1, is one layer: http and auth know each other):
  // neither sits below the other, so one of the arrows runs back up.
  const capEdges = new Set(edges.map((e) => `${capabilityOf(e.from)}>${capabilityOf(e.to)}`));
  for (const e of edges) {
    const [a, b] = [capabilityOf(e.from), capabilityOf(e.to)];
    if (a && b && a !== b && layerOf(e.from) === 3 && layerOf(e.to) === 3 && capEdges.has(`${b}>${a}`)) upward.push({ ...e, why: `${a} and ${b} import each other` });
  }
  return upward;
}

export function measure(): HouseReport {
  const files = sourceFiles();
  const set = new Set(files);
  const parsed = files.map(parse);
  const edges = parsed.flatMap((p) => p.imports.map((s) => resolveImport(p.file, s, set)).filter((t): t is string => !!t).map((to) => ({ from: p.file, to })));
  const upward = findUpward(edges);
  return {
    files: files.length,
    largestFiles: parsed.map((p) => ({ file: p.file, lines: p.lines })).sort((x, y) => y.lines - x.lines).slice(0, 5),
    largestFunctions: parsed.flatMap((p) => p.functions.map((f) => ({ file: p.file, ...f }))).sort((x, y) => y.lines - x.lines).slice(0, 5),
    sqlOutsideStores: parsed.filter((p) => p.sqlLines.length && !/(^|\/)store\.ts$/.test(p.file)).map((p) => ({ file: p.file, queries: p.sqlLines.length })),
    upwardImports: upward,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = measure();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`source files: ${r.files} (server/, streams/, client/src/)`);
  out('largest files:'); for (const f of r.largestFiles) out(`  ${String(f.lines).padStart(5)}  ${f.file}`);
  out('largest functions:'); for (const f of r.largestFunctions) out(`  ${String(f.lines).padStart(5)}  ${f.file} ${f.name}`);
  out(`files with SQL outside store.ts: ${r.sqlOutsideStores.length}`); for (const f of r.sqlOutsideStores) out(`  ${String(f.queries).padStart(5)}  ${f.file}`);
  out(`imports that run back up: ${r.upwardImports.length}`); for (const u of r.upwardImports) out(`  ${u.from} → ${u.to} (${u.why})`);
}
