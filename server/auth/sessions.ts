// Sessions stored in PostgreSQL. The cookie holds a random token; the table holds only its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.js';
import type { Role } from './policy.js';

export interface SessionUser { id: string; username: string; displayName: string; role: Role; municipalityId: string | null }

export const COOKIE = 'uitkijk_session';
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface SessionTimes { idleMs: number; maxMs: number }

export async function createSession(sql: Sql, userId: string, remoteAddr: string, t: SessionTimes): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await sql`insert into sessions (token_hash, user_id, expires_at, remote_addr)
            values (${hashToken(token)}, ${userId}, ${new Date(Date.now() + t.maxMs)}, ${remoteAddr})`;
  return token;
}

/** The user of a live session, touching its idle clock; null when missing, idle too long, past its end, or the user is disabled. */
export async function resolveSession(sql: Sql, token: string | undefined, t: SessionTimes): Promise<{ user: SessionUser; tokenHash: string } | null> {
  if (!token || token.length > 200) return null;
  const tokenHash = hashToken(token);
  const [row] = await sql`
    update sessions s set last_seen_at = now()
    from users u
    where s.token_hash = ${tokenHash} and u.id = s.user_id and not u.disabled
      and s.expires_at > now() and s.last_seen_at > now() - make_interval(secs => ${t.idleMs / 1000})
    returning u.id, u.username, u.display_name, u.role, u.municipality_id`;
  if (!row) return null;
  return { tokenHash, user: { id: row.id, username: row.username, displayName: row.display_name, role: row.role, municipalityId: row.municipality_id } };
}

export async function endSession(sql: Sql, tokenHash: string): Promise<void> {
  await sql`delete from sessions where token_hash = ${tokenHash}`;
}

export async function endUserSessions(sql: Sql, userId: string): Promise<void> {
  await sql`delete from sessions where user_id = ${userId}`;
}

export async function purgeExpiredSessions(sql: Sql, t: SessionTimes): Promise<void> {
  await sql`delete from sessions where expires_at < now() or last_seen_at < now() - make_interval(secs => ${t.idleMs / 1000})`;
}
