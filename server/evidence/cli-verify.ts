// npm run evidence:verify -- <package.zip> [--key public-key.pem]
// Checks an evidence package: signature of manifest.json, SHA-256 and size of every clip. Exit 0 only when all hold.
import { readFileSync } from 'node:fs';
import { verifyPackage } from './verify.js';

async function main() {
  const args = process.argv.slice(2);
  const k = args.indexOf('--key');
  const keyFile = k >= 0 ? args[k + 1] : undefined;
  const zip = args.find((a, i) => !a.startsWith('--') && (k < 0 || i !== k + 1));
  if (!zip || (k >= 0 && !keyFile)) {
    console.error('usage: npm run evidence:verify -- <package.zip> [--key public-key.pem]');
    process.exit(2);
  }
  const r = await verifyPackage(zip, { publicKeyPem: keyFile ? readFileSync(keyFile, 'utf8') : undefined });
  const m = r.manifest;
  if (m) {
    console.log(`Bewijsstuk ${m.evidence.number} (${m.evidence.id}), geëxporteerd ${m.export.at} door ${m.export.by} voor zaak ${m.export.caseNumber}`);
    for (const f of m.files) console.log(`  ${f.name}: ${f.camera.name} (${f.camera.municipality}) ${f.actual.from.amsterdam} – ${f.actual.to.amsterdam}, ${(f.durationMs / 1000).toFixed(1)} s, ${f.frames} frames${f.gaps.length ? `, ${f.gaps.length} gap(s)` : ''}`);
  }
  console.log(`signature: ${r.signature} (key from ${r.keySource === 'given' ? keyFile : 'the package: compare its fingerprint with the published one'})`);
  console.log(`key fingerprint (SHA-256 of the public key): ${r.keyFingerprint ?? '-'}`);
  for (const f of r.files) console.log(`  ${f.ok ? 'OK  ' : 'FAIL'} ${f.name}${f.problem ? `: ${f.problem}` : ''}`);
  if (r.ok) console.log('VERIFIED: signature valid and every file matches the manifest');
  else { for (const p of r.problems) console.error(`problem: ${p}`); console.error('NOT VERIFIED'); }
  process.exit(r.ok ? 0 : 1);
}

main().catch((e) => { console.error(`evidence:verify failed: ${e instanceof Error ? e.message : String(e)}`); process.exit(2); });
