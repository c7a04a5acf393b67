// A fresh database per test file, cloned from the migrated template (global-setup.ts, harness-postgres.ts).
import { inject } from 'vitest';
import { openSql, type Sql } from '../../server/db/connect.js';
import { databaseFrom } from './harness-postgres.js';

export const TEST_TEMPLATE = 'uitkijk_template';

export function freshDatabase(): Promise<{ url: string; sql: Sql; drop(): Promise<void> }> {
  return databaseFrom(inject('pgAdminUrl'), TEST_TEMPLATE);
}

/** The superuser connection: for tests that must do what the application cannot (e.g. tamper with the audit trail). */
export function adminSql(): Sql {
  return openSql(inject('pgAdminUrl'), 1);
}
