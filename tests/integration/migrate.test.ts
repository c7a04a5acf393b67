import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, MigrationError } from '../../server/db/migrate.js';
import { freshDatabase } from '../support/db.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => { db = await freshDatabase(); });
afterAll(async () => { await db?.drop(); });

describe('migrations', () => {
  it('are recorded and not applied twice', async () => {
    const names = (await db.sql`select name from schema_migrations`).map((r) => r.name);
    expect(names).toContain('0001_platform.sql');
    expect(names).toContain('0009_masks.sql');
    expect(await migrate(db.sql)).toEqual([]);
  });

  it('a failing migration stops with the file and the error, and leaves nothing half-done', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mig-'));
    writeFileSync(path.join(dir, '0001_ok.sql'), 'create table mig_ok (id int);');
    writeFileSync(path.join(dir, '0002_broken.sql'), 'create table mig_half (id int);\nselect * from no_such_table;');
    writeFileSync(path.join(dir, '0003_later.sql'), 'create table mig_later (id int);');
    const err = await migrate(db.sql, dir).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err.message).toMatch(/0002_broken\.sql.*no_such_table/);
    const tables = (await db.sql`select tablename from pg_tables where tablename like 'mig_%'`).map((r) => r.tablename);
    expect(tables).toEqual(['mig_ok']);
    const names = (await db.sql`select name from schema_migrations`).map((r) => r.name);
    expect(names).toContain('0001_ok.sql');
    expect(names).not.toContain('0002_broken.sql');
  });
});
