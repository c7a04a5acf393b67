// The audit trail's reading side (writing is appendAudit in store.ts, called by every capability).
import type { Sql } from '../db/connect.js';
import type { RouteDef } from '../http/route.js';
import { auditRoutes } from './routes.js';

// Capability's shape (capability.ts), written out: the platform stands below the capabilities and imports none of their layer.
export function start(d: { sql: Sql }): { routes: RouteDef[]; stop(): Promise<void> } {
  return { routes: auditRoutes(d.sql), stop: async () => {} };
}
