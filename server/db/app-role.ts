// The server runs as a role that owns nothing: it reads and writes rows, but cannot alter tables, disable the
// audit trail's append-only trigger, or update and delete audit rows (not granted, so refused before the trigger
// is even reached). Migrations run as the owner (DATABASE_URL or the embedded superuser); this role is made and
// granted after them, on every start, so tables from new migrations are covered.
import { randomBytes } from 'node:crypto';
import type { Sql } from './connect.js';

/**
 * The application role's password, kept in the database (room_keys): every node of the room logs in as the same
 * role, so each must use the same password (a node with its own would reset it under the others' new connections).
 */
export async function appRolePassword(owner: Sql): Promise<string> {
  await owner`insert into room_keys (name, secret) values ('app-role-password', ${randomBytes(24)}) on conflict (name) do nothing`;
  const [row] = await owner<{ secret: Buffer }[]>`select secret from room_keys where name = 'app-role-password'`;
  return row!.secret.toString('hex');
}

export interface AppRole { url: string; role: string }

/**
 * Creates or refreshes `<database>_app` with the given password and grants it what the application needs.
 * Returns null when the owner may not create roles (then the operator's DATABASE_URL is used as it is).
 */
export async function ensureAppRole(owner: Sql, ownerUrl: string, password: string): Promise<AppRole | null> {
  const [me] = await owner`select current_database() as db, rolsuper, rolcreaterole from pg_roles where rolname = current_user`;
  if (!me || !(me.rolsuper || me.rolcreaterole)) return null;
  const role = `${me.db}_app`;
  // Identifiers from the database name (tests: t_<hex>; embedded: uitkijk) and a hex password: checked, then quoted.
  if (!/^[a-z0-9_]{1,59}$/.test(role) || !/^[0-9a-f]{16,128}$/.test(password)) throw new Error(`cannot derive an application role from database ${me.db}`);
  const db = `"${me.db}"`, r = `"${role}"`;
  await owner.begin(async (tx) => {
    // Role changes are cluster-wide: one start at a time.
    await tx`select pg_advisory_xact_lock(727003)`;
    const [exists] = await tx`select 1 from pg_roles where rolname = ${role}`;
    await tx.unsafe(`${exists ? 'alter' : 'create'} role ${r} with login nosuperuser nocreatedb nocreaterole noinherit password '${password}'`);
    await tx.unsafe(`grant connect on database ${db} to ${r}`);
    await tx.unsafe(`grant usage on schema public to ${r}`);
    await tx.unsafe(`grant select, insert, update, delete on all tables in schema public to ${r}`);
    await tx.unsafe(`grant usage, select, update on all sequences in schema public to ${r}`);
    // The audit trail and the migration record: read and append only / read only.
    await tx.unsafe(`revoke update, delete, truncate on audit_log from ${r}`);
    await tx.unsafe(`revoke insert, update, delete, truncate on schema_migrations from ${r}`);
  });
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = password;
  return { url: url.toString(), role };
}
