// For command-line tools: the database the server would use (DATABASE_URL, or the embedded one under DATA_DIR,
// which must not be running at the same time).
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { openSql, startEmbeddedPostgres, type Sql } from './connect.js';
import { migrate } from './migrate.js';

export async function withDatabase<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  const config = loadConfig();
  let url = config.DATABASE_URL, stop = async () => {};
  if (!url) {
    const pg = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log: createLogger('silent') });
    url = pg.url; stop = pg.stop;
  }
  const sql = openSql(url, 2);
  try { await migrate(sql); return await fn(sql); } finally { await sql.end(); await stop(); }
}
