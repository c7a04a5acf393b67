// The hash chain of the audit trail: pure functions, shared by the writer and the verifier.
import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export interface AuditRow {
  id: number; at: Date; actorId: string | null; actorName: string | null; action: string;
  subject: string | null; details: Record<string, unknown>; remoteAddr: string | null; prevHash: string;
}

/** JSON with object keys sorted, so jsonb's reordering of keys does not change the hash. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export function rowHash(r: AuditRow): string {
  const content = canonicalJson([r.id, r.at.toISOString(), r.actorId, r.actorName, r.action, r.subject, r.details, r.remoteAddr, r.prevHash]);
  return createHash('sha256').update(content).digest('hex');
}
