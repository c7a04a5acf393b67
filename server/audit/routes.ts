import { z } from 'zod';
import type { Sql } from '../db/connect.js';
import { route } from '../http/route.js';
import { listAudit, subjectLabels, verifyChain } from './store.js';

import { auditEntrySchema, chainReportSchema } from './schema.js';

export function auditRoutes(sql: Sql) {
  return [
    route({ method: 'get', path: '/api/audit', action: 'audit.read', tag: 'audit', summary: 'The audit trail, newest first',
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), before: z.coerce.number().int().positive().optional(), action: z.string().max(60).optional() }),
      response: z.array(auditEntrySchema),
      handler: async ({ query }) => {
        const rows = await listAudit(sql, query);
        const subjects = await subjectLabels(sql, rows);
        return rows.map((r, i) => ({ id: Number(r.id), at: r.at.toISOString(), actor: r.actor_name, action: r.action, subject: r.subject,
          subjectKind: subjects[i]!.kind, subjectLabel: subjects[i]!.label, details: r.details, remoteAddr: r.remote_addr }));
      } }),
    route({ method: 'get', path: '/api/audit/verify', action: 'audit.verify', tag: 'audit', summary: 'Verify the hash chain; names the first broken link', response: chainReportSchema,
      handler: () => verifyChain(sql) }),
  ];
}
