// The system's evidence signing key: Ed25519, generated on first start under DATA_DIR/keys (private key 0600).
// Anyone can check a package with the public key (GET /api/evidence/public-key) and openssl alone.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SigningKey {
  readonly publicPem: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, hex: what people compare when they check they hold the right key. */
  readonly fingerprint: string;
  sign(data: Buffer): Buffer;
}

export const fingerprintOf = (publicKey: KeyObject) => createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  const dir = path.join(dataDir, 'keys');
  const privFile = path.join(dir, 'evidence-ed25519.key.pem');
  const pubFile = path.join(dir, 'evidence-ed25519.pub.pem');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(privFile)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    // Written aside and renamed: a crash never leaves half a key that a later start would trust.
    const tmp = `${privFile}.${process.pid}.tmp`;
    writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    renameSync(tmp, privFile);
  }
  chmodSync(privFile, 0o600);
  const privateKey = createPrivateKey(readFileSync(privFile));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${privFile} is not an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  if (!existsSync(pubFile) || readFileSync(pubFile, 'utf8') !== publicPem) writeFileSync(pubFile, publicPem, { mode: 0o644 });
  return { publicPem, fingerprint: fingerprintOf(publicKey), sign: (data) => sign(null, data, privateKey) };
}

export function verifySignature(publicPem: string, data: Buffer, signature: Buffer): boolean {
  try { return verify(null, data, createPublicKey(publicPem), signature); } catch { return false; }
}
