// Reports: shift reports and figures, from incidents and alerts.
import type { Sql } from '../db/connect.js';
import type { Capability } from '../capability.js';
import type { Categories } from '../incidents/categories.js';
import { ReportService } from './service.js';
import { reportRoutes } from './routes.js';

export function start(d: { sql: Sql; categories: Categories; now?: () => Date }): Capability {
  return { routes: reportRoutes(new ReportService(d.sql, d.categories, d.now ?? (() => new Date()))), stop: async () => {} };
}
