// The PostgreSQL a test run or a benchmark works on: TEST_DATABASE_URL when given (CI may use the system's
// PostgreSQL), else an embedded one in a temporary directory. Migrations are applied once, into a template database;
// each user clones it (CREATE DATABASE ... TEMPLATE), so no two see each other's rows. No vitest in here: the
// benchmarks run outside it.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSql, startEmbeddedPostgres, type Sql } from '../../server/db/connect.js';
import { migrate } from '../../server/db/migrate.js';
import { createLogger } from '../../server/log.js';
import { seedReferenceData } from '../../server/demo/seed.js';
import { freePort } from './ports.js';

const inDatabase = (adminUrl: string, name: string) => adminUrl.replace(/\/[^/]*$/, `/${name}`);

/** Starts (or connects to) the PostgreSQL and prepares `template`: migrated, reference data seeded. */
export async function startHarnessPostgres(template: string): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stopPg = async () => {};
  let dir: string | undefined;
  if (!adminUrl) {
    dir = mkdtempSync(path.join(tmpdir(), 'uitkijk-test-pg-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the 'postgres' user, which must reach its directory
    const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), log: createLogger('silent') });
    adminUrl = pg.url.replace(/\/uitkijk$/, '/postgres');
    stopPg = pg.stop;
  }
  const admin = openSql(adminUrl, 1);
  try {
    await admin.unsafe(`drop database if exists ${template}`);
    await admin.unsafe(`create database ${template}`);
  } finally { await admin.end(); }
  const tpl = openSql(inDatabase(adminUrl, template), 1);
  try {
    await migrate(tpl);
    await seedReferenceData(tpl, path.resolve('config'));
  } finally { await tpl.end(); }
  return {
    adminUrl,
    async stop() {
      if (process.env.TEST_DATABASE_URL) {
        const a = openSql(adminUrl!, 1);
        await a.unsafe(`drop database if exists ${template}`).catch(() => {});
        await a.end();
      }
      await stopPg();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database cloned from the template; drop() removes it and the server's application role for it. */
export async function databaseFrom(adminUrl: string, template: string, prefix = 't'): Promise<{ url: string; sql: Sql; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = openSql(adminUrl, 1);
  await admin.unsafe(`create database ${name} template ${template}`);
  const url = inDatabase(adminUrl, name);
  const sql = openSql(url, 4);
  return {
    url, sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.unsafe(`drop role if exists ${name}_app`);   // the server's application role (server/db/app-role.ts)
      await admin.end();
    },
  };
}
