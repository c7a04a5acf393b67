// A fresh database per test file, cloned from the migrated template.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openSql, type Sql } from '../../server/db/connect.js';

export async function freshDatabase(): Promise<{ url: string; sql: Sql; drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = openSql(adminUrl, 1);
  await admin.unsafe(`create database ${name} template uitkijk_template`);
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
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

/** The superuser connection: for tests that must do what the application cannot (e.g. tamper with the audit trail). */
export function adminSql(): Sql {
  return openSql(inject('pgAdminUrl'), 1);
}
