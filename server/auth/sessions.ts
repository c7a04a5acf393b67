// Sessions stored in PostgreSQL. The cookie holds a random token; the table holds only its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.js';
import type { Role } from './policy.js';
import { insertSession, touchSession } from './store.js';

export interface SessionUser { id: string; username: string; displayName: string; role: Role; municipalityId: string | null }

export const COOKIE = 'uitkijk_session';
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface SessionTimes { idleMs: number; maxMs: number }

export async function createSession(sql: Sql, userId: string, remoteAddr: string, t: SessionTimes): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await insertSession(sql, { tokenHash: hashToken(token), userId, expiresAt: new Date(Date.now() + t.maxMs), remoteAddr });
  return token;
}

/** The user of a live session, touching its idle clock; null when missing, idle too long, past its end, or the user is disabled. */
export async function resolveSession(sql: Sql, token: string | undefined, t: SessionTimes): Promise<{ user: SessionUser; tokenHash: string } | null> {
  if (!token || token.length > 200) return null;
  const tokenHash = hashToken(token);
  const user = await touchSession(sql, tokenHash, t.idleMs);
  return user ? { tokenHash, user } : null;
}
