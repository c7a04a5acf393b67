import type { Sql } from '../db/connect.js';
import type { User } from './schema.js';

const toUser = (r: Record<string, any>): User => ({ id: r.id, username: r.username, displayName: r.display_name, role: r.role, municipalityId: r.municipality_id, disabled: r.disabled, createdAt: r.created_at.toISOString() });

export async function listUsers(sql: Sql): Promise<User[]> {
  return (await sql`select * from users order by username`).map(toUser);
}
export async function getUser(sql: Sql, id: string): Promise<User | null> {
  const [r] = await sql`select * from users where id = ${id}`;
  return r ? toUser(r) : null;
}
export async function insertUser(sql: Sql, u: { username: string; displayName: string; role: string; municipalityId: string | null; passwordHash: string }): Promise<User> {
  const [r] = await sql`insert into users (username, display_name, role, municipality_id, password_hash)
    values (${u.username}, ${u.displayName}, ${u.role}, ${u.municipalityId}, ${u.passwordHash}) returning *`;
  return toUser(r);
}
/** Creates the account unless its username is taken; a taken one is left as it is (the demo seed, on every start). */
export async function insertUserUnlessTaken(sql: Sql, u: { username: string; displayName: string; role: string; municipalityId: string | null; passwordHash: string }): Promise<void> {
  await sql`insert into users (username, display_name, role, municipality_id, password_hash)
    values (${u.username}, ${u.displayName}, ${u.role}, ${u.municipalityId}, ${u.passwordHash}) on conflict (username) do nothing`;
}
/** The ids of these usernames (those that exist), by username. */
export async function userIdsByUsername(sql: Sql, usernames: string[]): Promise<Record<string, string>> {
  const rows = await sql`select username, id from users where username = any(${usernames}::text[])`;
  return Object.fromEntries(rows.map((u) => [u.username, u.id]));
}
export async function updateUser(sql: Sql, id: string, set: Record<string, unknown>): Promise<User | null> {
  const [r] = await sql`update users set ${sql(set)}, updated_at = now() where id = ${id} returning *`;
  return r ? toUser(r) : null;
}
export async function countAdmins(sql: Sql): Promise<number> {
  const [r] = await sql`select count(*)::int as n from users where role = 'admin' and not disabled`;
  return r.n;
}
