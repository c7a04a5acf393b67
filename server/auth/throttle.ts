// Login throttling kept in PostgreSQL, so it holds across restarts: N failures within the window,
// per account or per address, block further attempts until the oldest of them leaves the window.
import type { Sql } from '../db/connect.js';
import { purgeFailuresBefore, recentFailures } from './store.js';

export interface ThrottleRule { maxFailures: number; windowMs: number }

/** Seconds until a login may be tried again, or 0 when allowed. */
export async function loginBlockedFor(sql: Sql, username: string, remoteAddr: string, rule: ThrottleRule): Promise<number> {
  const since = new Date(Date.now() - rule.windowMs);
  const rows = await recentFailures(sql, username, remoteAddr, since, rule.maxFailures);
  let wait = 0;
  for (const r of rows) if (r.n >= rule.maxFailures && r.oldest) wait = Math.max(wait, r.oldest.getTime() + rule.windowMs - Date.now());
  return Math.max(0, Math.ceil(wait / 1000));
}

/** Failures older than the window no longer count. */
export async function purgeOldFailures(sql: Sql, rule: ThrottleRule): Promise<void> {
  await purgeFailuresBefore(sql, new Date(Date.now() - rule.windowMs));
}
