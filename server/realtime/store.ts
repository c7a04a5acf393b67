// SQL of the realtime door: whether a connected console's login session still holds (read every minute).
import type { Sql } from '../db/connect.js';

export async function sessionOpen(sql: Sql, tokenHash: string): Promise<boolean> {
  return (await sql`select 1 from sessions where token_hash = ${tokenHash} and expires_at > now()`).length > 0;
}
