// What a logged-in console knows: who is logged in, the realtime socket, and how to log out.
import { createContext, useContext } from 'react';
import type { Me } from '../../../server/auth/schema';
import type { Action } from '../../../server/auth/policy';
import { can } from '../../../server/auth/policy';
import type { RoomSocket } from '../api/realtime';

export interface SessionValue {
  me: Me;
  socket: RoomSocket;
  /** True while the realtime connection is up. */
  live: boolean;
  logout(): Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside a logged-in console');
  return v;
}

/** The policy table decides what each role sees; the server enforces the same table. */
export function useCan(): (action: Action) => boolean {
  const { me } = useSession();
  return (action) => can(me.role, action);
}
