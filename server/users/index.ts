// User accounts and their roles.
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Capability } from '../capability.js';
import { UserService } from './service.js';
import { userRoutes } from './routes.js';

export function start(d: { sql: Sql; bus: EventBus }): Capability {
  return { routes: userRoutes(new UserService(d.sql, d.bus)), stop: async () => {} };
}
