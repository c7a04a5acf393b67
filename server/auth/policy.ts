// THE policy table: which role may do which action. Every HTTP route and socket event names one action,
// and middleware checks it here. The client imports this table too, to show each role its console.
import { z } from 'zod';

export const roles = ['observer', 'supervisor', 'dispatcher', 'police', 'municipality', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const actions = [
  'session.self',       // own session: who am I, log out, own preferences
  'municipalities.read',
  'cameras.read',       // registry metadata (municipality users: own municipality only)
  'cameras.manage',     // create, change, disable, rotate key
  'users.manage',
  'audit.read',
  'audit.verify',
  'realtime.connect',
  'live.view',          // watch live video (every view is recorded)
  'live.status',        // see which cameras are online
  'views.read.own',     // own viewing history
  'views.read.all',     // everyone's viewing history
] as const;
export type Action = (typeof actions)[number];

const everyone: Action[] = ['session.self', 'municipalities.read', 'cameras.read', 'realtime.connect'];

export const policy: Readonly<Record<Role, readonly Action[]>> = Object.freeze({
  observer: [...everyone, 'live.view', 'live.status', 'views.read.own'],
  supervisor: [...everyone, 'audit.read', 'live.view', 'live.status', 'views.read.own', 'views.read.all'],
  // Dispatchers will watch only the cameras of their open alerts (dispatch issue); until then no live video.
  dispatcher: [...everyone, 'live.status'],
  police: [...everyone],
  municipality: [...everyone],
  // Technical staff: cameras, users and the audit trail, but no live images (Wpg: only those who need to see them).
  admin: [...everyone, 'cameras.manage', 'users.manage', 'audit.read', 'audit.verify', 'live.status', 'views.read.own', 'views.read.all'],
});

export function can(role: Role, action: Action): boolean {
  return policy[role].includes(action);
}
