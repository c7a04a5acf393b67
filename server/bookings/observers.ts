// Who can be put on the roster: the active observer accounts. The supervisor plans with them but has no
// users.manage to list all accounts, so the planning gets this narrow list (id and name only).
import { z } from 'zod';
import type { Sql } from '../db/connect.js';

export const rosterObserverSchema = z.object({ userId: z.string(), displayName: z.string() }).meta({ id: 'RosterObserver' });
export type RosterObserver = z.infer<typeof rosterObserverSchema>;

export async function activeObservers(sql: Sql): Promise<RosterObserver[]> {
  return sql<RosterObserver[]>`select id as "userId", display_name as "displayName" from users
    where role = 'observer' and not disabled order by display_name`;
}
