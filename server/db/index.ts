// The database the room works in: embedded PostgreSQL unless DATABASE_URL names one, migrated and prepared as
// the owner, then used as a role that owns nothing (app-role.ts).
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { openSql, startEmbeddedPostgres, type Sql } from './connect.js';
import { appRolePassword, ensureAppRole } from './app-role.js';
import { migrate } from './migrate.js';
import { stopInReverse } from '../capability.js';

export async function startDatabase(d: {
  config: Config; log: Logger;
  /** Runs as the owner after the migrations: reference data, demo seeds, start checks. */
  asOwner(sql: Sql): Promise<void>;
}): Promise<{ sql: Sql; url: string; stop(): Promise<void> }> {
  const { config, log } = d;
  const stops: Array<() => Promise<unknown>> = [];
  const stop = () => stopInReverse(stops, (e) => log.warn({ err: e }, 'stop step failed'));
  try {
    let url = config.DATABASE_URL;
    if (!url) {
      const pg = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log });
      stops.push(pg.stop);
      url = pg.url;
      log.info({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT }, 'embedded PostgreSQL started');
    }
    const owner = openSql(url);
    stops.push(() => owner.end({ timeout: 5 }));
    const ran = await migrate(owner);
    if (ran.length) log.info({ migrations: ran }, 'migrations applied');
    await d.asOwner(owner);
    const appRole = await ensureAppRole(owner, url, await appRolePassword(owner));
    if (!appRole) {
      log.warn('database: DATABASE_URL\'s role may not create roles, so the server works as that role; give it no more than row rights (see README)');
      return { sql: owner, url, stop };
    }
    const sql = openSql(appRole.url);
    await stops.pop()!();
    stops.push(() => sql.end({ timeout: 5 }));
    log.info({ role: appRole.role }, 'database: working as the application role (owns nothing; audit trail append-only by grant)');
    return { sql, url: appRole.url, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
