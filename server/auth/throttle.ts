// Login throttling kept in PostgreSQL, so it holds across restarts: N failures within the window,
// per account or per address, block further attempts until the oldest of them leaves the window.
import type { Sql } from '../db/connect.js';

export interface ThrottleRule { maxFailures: number; windowMs: number }

/** Seconds until a login may be tried again, or 0 when allowed. */
export async function loginBlockedFor(sql: Sql, username: string, remoteAddr: string, rule: ThrottleRule): Promise<number> {
  const since = new Date(Date.now() - rule.windowMs);
  const rows = await sql<{ oldest: Date | null; n: number }[]>`
    select min(at) as oldest, count(*)::int as n from (
      select at from login_failures where username = ${username} and at > ${since}
      order by at desc limit ${rule.maxFailures}) a
    union all
    select min(at), count(*)::int from (
      select at from login_failures where remote_addr = ${remoteAddr} and at > ${since}
      order by at desc limit ${rule.maxFailures}) b`;
  let wait = 0;
  for (const r of rows) if (r.n >= rule.maxFailures && r.oldest) wait = Math.max(wait, r.oldest.getTime() + rule.windowMs - Date.now());
  return Math.max(0, Math.ceil(wait / 1000));
}

export async function recordLoginFailure(sql: Sql, username: string, remoteAddr: string): Promise<void> {
  await sql`insert into login_failures (username, remote_addr) values (${username}, ${remoteAddr})`;
}

export async function clearLoginFailures(sql: Sql, username: string): Promise<void> {
  await sql`delete from login_failures where username = ${username}`;
}

export async function purgeOldFailures(sql: Sql, rule: ThrottleRule): Promise<void> {
  await sql`delete from login_failures where at < ${new Date(Date.now() - rule.windowMs)}`;
}
