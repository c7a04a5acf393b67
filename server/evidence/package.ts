// The export package for police: a zip (yazl, stored, not compressed: MP4 does not compress) holding the clips,
// manifest.json, its detached Ed25519 signature manifest.sig, the public key, SHA256SUMS and a README that shows
// how to check it all with sha256sum and openssl alone. SHA256SUMS lists every file but the manifest and its
// signature, and the signed manifest carries SHA256SUMS's own hash: so `sha256sum -c` proves nothing was changed
// only once that hash is checked too (a changed clip with a rewritten SHA256SUMS fails there).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import type { Manifest } from './schema.js';
import type { SigningKey } from './signing.js';

export const PACKAGE_README = `Uitkijk - bewijspakket / evidence package
==========================================

NL  Dit pakket bevat camerabeelden (MP4, ongewijzigd uit de opname geknipt; met privacymaskers opnieuw gecodeerd
    met de gemaskeerde delen zwart, zie files[].masks), manifest.json (welke camera,
    welke periode, wie het bewaarde en waarom, de keten van bewaring) en manifest.sig: een Ed25519-handtekening
    van manifest.json met de sleutel van de toezichtsruimte. Controleer zo, met standaardgereedschap:

EN  This package holds camera footage (MP4, cut from the recording without re-encoding; with privacy masks
    re-encoded with the masked areas black, see files[].masks), manifest.json (which
    camera, which period, who preserved it and why, the custody trail) and manifest.sig: an Ed25519 signature
    of manifest.json by the supervision room's key. Check it with standard tools:

  1. The key / de sleutel: compare the fingerprint with the one the room publishes (GET /api/evidence/public-key):
       openssl pkey -pubin -in public-key.pem -outform DER | sha256sum
     (better: use the public key obtained from the room itself instead of the one in this package)

  2. The signature / de handtekening (OpenSSL 3):
       openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig
     prints "Signature Verified Successfully".

  3. SHA256SUMS is the one the signed manifest names / SHA256SUMS is die uit het ondertekende manifest:
       grep -q "\\"sha256sums\\": \\"$(sha256sum < SHA256SUMS | cut -c1-64)\\"" manifest.json && echo OK

  4. The files / de bestanden (every other file: clips, public-key.pem, README.txt):
       sha256sum --strict -c SHA256SUMS

  Each step must succeed; together they fail on any change to any file of this package.
  Elke stap moet slagen; samen falen ze bij elke wijziging van elk bestand in dit pakket.

  Or all at once / of alles tegelijk:  npm run evidence:verify -- <package.zip> [--key public-key.pem]
`;

export interface PackageFile { name: string; abs: string }

/** Serialises the manifest exactly once: these bytes are signed and these bytes go into the zip. */
export function manifestBytes(m: Manifest): Buffer {
  return Buffer.from(JSON.stringify(m, null, 2) + '\n', 'utf8');
}

/** SHA256SUMS: the clips (hashes from the manifest), the public key and the README, in `sha256sum` format. */
export function checksumsFile(files: Manifest['files'], publicPem: string): Buffer {
  const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
  const lines = [...files.map((f) => [f.sha256, f.name]), [sha256(publicPem), 'public-key.pem'], [sha256(PACKAGE_README), 'README.txt']];
  return Buffer.from(lines.map(([hash, name]) => `${hash}  ${name}\n`).join(''));
}

/** The package of a manifest (signed here, after SHA256SUMS's hash is put into it). */
export function buildPackage(unsigned: Omit<Manifest, 'sha256sums'>, files: PackageFile[], key: SigningKey): Readable {
  const sums = checksumsFile(unsigned.files, key.publicPem);
  const manifest: Manifest = { ...unsigned, sha256sums: createHash('sha256').update(sums).digest('hex') };
  const bytes = manifestBytes(manifest);
  const zip = new yazl.ZipFile();
  const mtime = new Date(manifest.export.at);
  for (const f of files) zip.addFile(f.abs, f.name, { compress: false, mtime, mode: 0o100444 });
  zip.addBuffer(bytes, 'manifest.json', { mtime, mode: 0o100444 });
  zip.addBuffer(key.sign(bytes), 'manifest.sig', { compress: false, mtime, mode: 0o100444 });
  zip.addBuffer(Buffer.from(key.publicPem), 'public-key.pem', { mtime, mode: 0o100444 });
  zip.addBuffer(sums, 'SHA256SUMS', { mtime, mode: 0o100444 });
  zip.addBuffer(Buffer.from(PACKAGE_README), 'README.txt', { mtime, mode: 0o100444 });
  zip.end();
  return zip.outputStream as unknown as Readable;
}
