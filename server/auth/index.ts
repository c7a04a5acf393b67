// Auth: logins, sessions and the login throttle; housekeeping purges expired sessions and old failures.
import type { Config } from '../config.js';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Capability } from '../capability.js';
import { authRoutes } from './routes.js';
import type { SessionTimes } from './sessions.js';
import { purgeExpiredSessions } from './store.js';
import { purgeOldFailures, type ThrottleRule } from './throttle.js';

// The session and login rules the settings describe, derived in one place for routes, sockets and housekeeping.
export const sessionTimes = (c: Config): SessionTimes => ({ idleMs: c.SESSION_IDLE_MINUTES * 60_000, maxMs: c.SESSION_MAX_HOURS * 3_600_000 });
export const loginThrottle = (c: Config): ThrottleRule => ({ maxFailures: c.LOGIN_MAX_FAILURES, windowMs: c.LOGIN_WINDOW_MINUTES * 60_000 });

export function start(d: { sql: Sql; bus: EventBus; log: Logger; config: Config }): Capability {
  const times = sessionTimes(d.config), throttle = loginThrottle(d.config);
  const housekeeping = setInterval(() => {
    purgeExpiredSessions(d.sql, times).catch((e) => d.log.warn({ err: e }, 'session purge failed'));
    purgeOldFailures(d.sql, throttle).catch(() => {});
  }, 10 * 60_000);
  housekeeping.unref();
  return {
    routes: authRoutes(d.sql, d.bus, { times, throttle, secureCookie: d.config.PUBLIC_ORIGIN?.startsWith('https:') ?? false }),
    stop: async () => clearInterval(housekeeping),
  };
}
