// SQL of logins: sessions (the table holds only the SHA-256 of each cookie's token) and the login failures the
// throttle counts.
import type { Sql } from '../db/connect.js';
import type { SessionUser } from './sessions.js';

const toSessionUser = (r: Record<string, any>): SessionUser => ({ id: r.id, username: r.username, displayName: r.display_name, role: r.role, municipalityId: r.municipality_id });

/** The account a login names, with what the login checks: its password hash and whether it is disabled. */
export async function loginAccount(sql: Sql, username: string): Promise<{ user: SessionUser; passwordHash: string; disabled: boolean } | null> {
  const [u] = await sql`select id, username, display_name, role, municipality_id, password_hash, disabled from users where username = ${username}`;
  return u ? { user: toSessionUser(u), passwordHash: u.password_hash, disabled: u.disabled } : null;
}

// ---- sessions ---------------------------------------------------------------------------------------------------

export async function insertSession(sql: Sql, s: { tokenHash: string; userId: string; expiresAt: Date; remoteAddr: string }): Promise<void> {
  await sql`insert into sessions (token_hash, user_id, expires_at, remote_addr)
            values (${s.tokenHash}, ${s.userId}, ${s.expiresAt}, ${s.remoteAddr})`;
}

/** Touches the session's idle clock and answers its user; null when missing, idle too long, past its end, or the user is disabled. */
export async function touchSession(sql: Sql, tokenHash: string, idleMs: number): Promise<SessionUser | null> {
  const [row] = await sql`
    update sessions s set last_seen_at = now()
    from users u
    where s.token_hash = ${tokenHash} and u.id = s.user_id and not u.disabled
      and s.expires_at > now() and s.last_seen_at > now() - make_interval(secs => ${idleMs / 1000})
    returning u.id, u.username, u.display_name, u.role, u.municipality_id`;
  return row ? toSessionUser(row) : null;
}

export async function endSession(sql: Sql, tokenHash: string): Promise<void> {
  await sql`delete from sessions where token_hash = ${tokenHash}`;
}

export async function endUserSessions(sql: Sql, userId: string): Promise<void> {
  await sql`delete from sessions where user_id = ${userId}`;
}

export async function purgeExpiredSessions(sql: Sql, t: { idleMs: number }): Promise<void> {
  await sql`delete from sessions where expires_at < now() or last_seen_at < now() - make_interval(secs => ${t.idleMs / 1000})`;
}

// ---- login failures ---------------------------------------------------------------------------------------------

/** The latest `max` failures since `since`, per account and per address: how many, and the oldest of them. */
export async function recentFailures(sql: Sql, username: string, remoteAddr: string, since: Date, max: number) {
  return sql<{ oldest: Date | null; n: number }[]>`
    select min(at) as oldest, count(*)::int as n from (
      select at from login_failures where username = ${username} and at > ${since}
      order by at desc limit ${max}) a
    union all
    select min(at), count(*)::int from (
      select at from login_failures where remote_addr = ${remoteAddr} and at > ${since}
      order by at desc limit ${max}) b`;
}

export async function recordLoginFailure(sql: Sql, username: string, remoteAddr: string): Promise<void> {
  await sql`insert into login_failures (username, remote_addr) values (${username}, ${remoteAddr})`;
}

export async function clearLoginFailures(sql: Sql, username: string): Promise<void> {
  await sql`delete from login_failures where username = ${username}`;
}

export async function purgeFailuresBefore(sql: Sql, before: Date): Promise<void> {
  await sql`delete from login_failures where at < ${before}`;
}
