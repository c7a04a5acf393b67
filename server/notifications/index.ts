// Console notifications (written by other capabilities in their own transactions; read and marked here).
import type { Sql } from '../db/connect.js';
import type { Capability } from '../capability.js';
import { notificationRoutes } from './routes.js';

export function start(d: { sql: Sql }): Capability {
  return { routes: notificationRoutes(d.sql), stop: async () => {} };
}
