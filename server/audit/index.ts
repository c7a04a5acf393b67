// The audit trail's reading side (writing is appendAudit in store.ts, called by every capability).
import type { Sql } from '../db/connect.js';
import type { Capability } from '../capability.js';
import { auditRoutes } from './routes.js';

export function start(d: { sql: Sql }): Capability {
  return { routes: auditRoutes(d.sql), stop: async () => {} };
}
