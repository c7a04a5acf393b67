// Checks an export package: the manifest's signature (with a given public key, or the one in the package, whose
// fingerprint is reported for comparison), every file's SHA-256 and size against the manifest, and no file
// missing or unaccounted for. Used by `npm run evidence:verify` and the tests.
import { createHash, createPublicKey } from 'node:crypto';
import yauzl from 'yauzl';
import { manifestSchema, type Manifest } from './schema.js';
import { fingerprintOf, verifySignature } from './signing.js';

export interface VerifyReport {
  ok: boolean;
  signature: 'valid' | 'invalid' | 'missing';
  keySource: 'given' | 'package';
  keyFingerprint: string | null;
  manifestFingerprint: string | null;
  files: Array<{ name: string; ok: boolean; problem?: string }>;
  problems: string[];
  manifest: Manifest | null;
}

const KNOWN = new Set(['manifest.json', 'manifest.sig', 'public-key.pem', 'SHA256SUMS', 'README.txt']);

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip!))));
}

async function entries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  const list: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => { list.push(e); zip.readEntry(); });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return list;
}

function stream(zip: yauzl.ZipFile, e: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(e, (err, s) => (err ? reject(err) : resolve(s!))));
}

async function readAll(zip: yauzl.ZipFile, e: yauzl.Entry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await stream(zip, e)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** SHA256SUMS against the hash the signed manifest gives it, and each of its lines against the file it names. */
async function checkSums(zip: yauzl.ZipFile, byName: Map<string, yauzl.Entry>, expected: string, digests: Map<string, string>): Promise<string[]> {
  const entry = byName.get('SHA256SUMS');
  if (!entry) return ['SHA256SUMS missing'];
  const raw = await readAll(zip, entry);
  if (createHash('sha256').update(raw).digest('hex') !== expected) return ['SHA256SUMS is not the one the signed manifest names'];
  const problems: string[] = [];
  for (const line of raw.toString('utf8').split('\n').filter(Boolean)) {
    const [, hash, name] = /^([0-9a-f]{64}) {2}(.+)$/.exec(line) ?? [];
    if (!hash || !name) { problems.push(`SHA256SUMS: unreadable line ${JSON.stringify(line.slice(0, 100))}`); continue; }
    const e = byName.get(name);
    if (!e) { problems.push(`${name}: listed in SHA256SUMS, missing from the package`); continue; }
    const digest = digests.get(name) ?? createHash('sha256').update(await readAll(zip, e)).digest('hex');
    if (digest !== hash) problems.push(`${name}: SHA-256 ${digest} differs from SHA256SUMS's ${hash}`);
  }
  return problems;
}

export async function verifyPackage(file: string, opts: { publicKeyPem?: string } = {}): Promise<VerifyReport> {
  const problems: string[] = [];
  const zip = await openZip(file);
  try {
    const list = await entries(zip);
    const byName = new Map(list.map((e) => [e.fileName, e]));
    const manifestEntry = byName.get('manifest.json'), sigEntry = byName.get('manifest.sig');
    if (!manifestEntry) return { ok: false, signature: 'missing', keySource: 'package', keyFingerprint: null, manifestFingerprint: null, files: [], problems: ['manifest.json missing'], manifest: null };
    const manifestRaw = await readAll(zip, manifestEntry);
    const bundled = byName.get('public-key.pem') ? (await readAll(zip, byName.get('public-key.pem')!)).toString() : null;
    const keyPem = opts.publicKeyPem ?? bundled;
    let keyFingerprint: string | null = null;
    try { keyFingerprint = keyPem ? fingerprintOf(createPublicKey(keyPem)) : null; } catch { problems.push('the public key cannot be read'); }
    let signature: VerifyReport['signature'] = 'missing';
    if (!sigEntry) problems.push('manifest.sig missing');
    else if (!keyPem) problems.push('no public key: give one with --key');
    else {
      signature = verifySignature(keyPem, manifestRaw, await readAll(zip, sigEntry)) ? 'valid' : 'invalid';
      if (signature === 'invalid') problems.push('the signature of manifest.json does not verify: the manifest was altered or signed by another key');
    }
    let manifest: Manifest | null = null;
    try { manifest = manifestSchema.parse(JSON.parse(manifestRaw.toString('utf8'))); } catch (e) { problems.push(`manifest.json is not a valid manifest: ${e instanceof Error ? e.message.slice(0, 200) : e}`); }
    const manifestFingerprint = manifest?.signature.publicKeyFingerprint ?? null;
    if (manifest && keyFingerprint && manifestFingerprint !== keyFingerprint) problems.push('the manifest names another signing key than the one used to check it');
    const files: VerifyReport['files'] = [];
    const digests = new Map<string, string>();
    for (const f of manifest?.files ?? []) {
      const e = byName.get(f.name);
      if (!e) { files.push({ name: f.name, ok: false, problem: 'missing from the package' }); continue; }
      const h = createHash('sha256');
      let size = 0;
      for await (const c of await stream(zip, e)) { h.update(c as Buffer); size += (c as Buffer).length; }
      const digest = h.digest('hex');
      digests.set(f.name, digest);
      if (digest !== f.sha256) files.push({ name: f.name, ok: false, problem: `SHA-256 ${digest} differs from the manifest's ${f.sha256}` });
      else if (size !== f.bytes) files.push({ name: f.name, ok: false, problem: `${size} bytes, the manifest says ${f.bytes}` });
      else files.push({ name: f.name, ok: true });
    }
    const listed = new Set((manifest?.files ?? []).map((f) => f.name));
    for (const name of byName.keys()) if (!KNOWN.has(name) && !listed.has(name)) problems.push(`${name} is not in the manifest`);
    for (const f of files) if (!f.ok) problems.push(`${f.name}: ${f.problem}`);
    if (manifest?.sha256sums) problems.push(...await checkSums(zip, byName, manifest.sha256sums, digests));
    return {
      ok: problems.length === 0 && signature === 'valid', signature, keySource: opts.publicKeyPem ? 'given' : 'package',
      keyFingerprint, manifestFingerprint, files, problems, manifest,
    };
  } finally {
    zip.close();
  }
}
