// The audit trail's contract (kept apart from store and chain so the browser can import it without node:crypto).
import { z } from 'zod';

export const auditEntrySchema = z.object({ id: z.number(), at: z.string(), actor: z.string().nullable(), action: z.string(), subject: z.string().nullable(), details: z.record(z.string(), z.unknown()), remoteAddr: z.string().nullable() }).meta({ id: 'AuditEntry' });
export const chainReportSchema = z.object({ ok: z.boolean(), rows: z.number(), firstBroken: z.object({ id: z.number(), reason: z.enum(['hash', 'link', 'gap']) }).optional() }).meta({ id: 'AuditChainReport' });
