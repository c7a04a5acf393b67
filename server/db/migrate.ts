// Forward-only migrations: numbered SQL files, each applied once in its own transaction and recorded.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from './connect.js';

export const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export class MigrationError extends Error {}

export async function migrate(sql: Sql, dir = migrationsDir): Promise<string[]> {
  await sql`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`;
  const files = readdirSync(dir).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  const applied = new Set((await sql<{ name: string }[]>`select name from schema_migrations`).map((r) => r.name));
  const ran: string[] = [];
  for (const file of files) {
    if (applied.has(file)) continue;
    const text = readFileSync(path.join(dir, file), 'utf8');
    try {
      await sql.begin(async (tx) => {
        // Serialise concurrent starters: the second waits and then finds the migration recorded.
        await tx`select pg_advisory_xact_lock(727001)`;
        const [done] = await tx`select 1 from schema_migrations where name = ${file}`;
        if (done) return;
        await tx.unsafe(text);
        await tx`insert into schema_migrations (name) values (${file})`;
      });
    } catch (e) {
      throw new MigrationError(`migration ${file} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    ran.push(file);
  }
  return ran;
}
