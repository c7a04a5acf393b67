// The export package for police: a zip (yazl, stored, not compressed: MP4 does not compress) holding the clips,
// manifest.json, its detached Ed25519 signature manifest.sig, the public key, SHA256SUMS and a README that shows
// how to check it all with sha256sum and openssl alone.
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import type { Manifest } from './schema.js';
import type { SigningKey } from './signing.js';

export const PACKAGE_README = `Uitkijk - bewijspakket / evidence package
==========================================

NL  Dit pakket bevat camerabeelden (MP4, ongewijzigd uit de opname geknipt), manifest.json (welke camera,
    welke periode, wie het bewaarde en waarom, de keten van bewaring) en manifest.sig: een Ed25519-handtekening
    van manifest.json met de sleutel van de toezichtsruimte. Controleer zo, met standaardgereedschap:

EN  This package holds camera footage (MP4, cut from the recording without re-encoding), manifest.json (which
    camera, which period, who preserved it and why, the custody trail) and manifest.sig: an Ed25519 signature
    of manifest.json by the supervision room's key. Check it with standard tools:

  1. The key / de sleutel: compare the fingerprint with the one the room publishes (GET /api/evidence/public-key):
       openssl pkey -pubin -in public-key.pem -outform DER | sha256sum
     (better: use the public key obtained from the room itself instead of the one in this package)

  2. The signature / de handtekening (OpenSSL 3):
       openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig
     prints "Signature Verified Successfully".

  3. The files / de bestanden:
       sha256sum -c SHA256SUMS
     and check that every hash in SHA256SUMS is the "sha256" of that file in manifest.json, e.g.
       grep -o '"sha256": "[0-9a-f]*"' manifest.json

  Or all at once / of alles tegelijk:  npm run evidence:verify -- <package.zip> [--key public-key.pem]
`;

export interface PackageFile { name: string; abs: string }

/** Serialises the manifest exactly once: these bytes are signed and these bytes go into the zip. */
export function manifestBytes(m: Manifest): Buffer {
  return Buffer.from(JSON.stringify(m, null, 2) + '\n', 'utf8');
}

export function buildPackage(manifest: Manifest, files: PackageFile[], key: SigningKey): Readable {
  const bytes = manifestBytes(manifest);
  const zip = new yazl.ZipFile();
  const mtime = new Date(manifest.export.at);
  for (const f of files) zip.addFile(f.abs, f.name, { compress: false, mtime, mode: 0o100444 });
  zip.addBuffer(bytes, 'manifest.json', { mtime, mode: 0o100444 });
  zip.addBuffer(key.sign(bytes), 'manifest.sig', { compress: false, mtime, mode: 0o100444 });
  zip.addBuffer(Buffer.from(key.publicPem), 'public-key.pem', { mtime, mode: 0o100444 });
  zip.addBuffer(Buffer.from(manifest.files.map((f) => `${f.sha256}  ${f.name}\n`).join('')), 'SHA256SUMS', { mtime, mode: 0o100444 });
  zip.addBuffer(Buffer.from(PACKAGE_README), 'README.txt', { mtime, mode: 0o100444 });
  zip.end();
  return zip.outputStream as unknown as Readable;
}
