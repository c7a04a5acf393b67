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
  'incidents.read',     // the room's incidents, their timeline and the categories
  'incidents.write',    // tag an incident (and grab its snapshot), change it, close it
  'incidents.snapshot', // see an incident's snapshot (every view is recorded; dispatchers: only of incidents raised to them)
  'incidents.board',    // the supervisor's live incident board
  'alerts.raise',       // raise an incident to the dispatch centre
  'alerts.read',        // the dispatch queue and alert details
  'alerts.handle',      // acknowledge, unit sent, on scene, close, remarks
  'dispatch.monitor',   // delivery state of the external dispatch link, and its attempts
  'shifts.log',         // start and end one's own shift, hand-over notes; read the shift log and shift reports
  'figures.read',       // incidents per night, municipality and category; dispatch response times
  'recordings.read',    // recorded ranges and gaps per camera (the timeline), playback (every playback is recorded)
  'recordings.monitor', // which cameras are being recorded, disk space, retention sweeps; disk-low alerts
  'evidence.preserve',  // preserve evidence (an item with a clip per camera), retry a failed clip
  'evidence.read',      // find evidence items and (police: with case number and legal basis) view and play their clips
  'evidence.release',   // end an item's legal hold: it returns to normal retention
  'evidence.export',    // download the signed evidence package (with case number and legal basis)
  'notifications.read', // own console notifications (for one's role, or one's municipality)
  'bookings.read',      // flexible-supervision bookings (municipality users: their own municipality only)
  'bookings.request',   // request a booking for an event in one's own municipality
  'bookings.change',    // change or cancel a booking (municipality users: their own)
  'bookings.plan',      // capacity, approve or reject, the observers' roster
  'bookings.usage',     // usage per month (municipality users: their own)
  'cluster.read',       // the room's nodes, which node holds which camera and runs which job
  'cluster.manage',     // spread cameras over the nodes, move a camera to another node
  'masks.read',         // a camera's privacy masks and the lifts in force (municipality users: own cameras; no images)
  'masks.history',      // every version of a camera's masks (municipality users: own cameras, to check the camera plan)
  'masks.manage',       // draw and change masks on a fresh frame of the camera (every frame viewed is audited)
  'masks.lift',         // lift liftable masks live for a limited time, with a reason; end a lift early
  'evidence.export_unmasked', // order an export with liftable masks lifted, with a reason named in the signed manifest
] as const;
export type Action = (typeof actions)[number];

const everyone: Action[] = ['session.self', 'municipalities.read', 'cameras.read', 'realtime.connect', 'notifications.read', 'masks.read'];

export const policy: Readonly<Record<Role, readonly Action[]>> = Object.freeze({
  observer: [...everyone, 'live.view', 'live.status', 'views.read.own', 'incidents.read', 'incidents.write', 'incidents.snapshot', 'alerts.raise', 'shifts.log',
    'recordings.read', 'evidence.preserve', 'evidence.read'],
  supervisor: [...everyone, 'audit.read', 'live.view', 'live.status', 'views.read.own', 'views.read.all',
    'incidents.read', 'incidents.write', 'incidents.snapshot', 'incidents.board', 'alerts.raise', 'alerts.read', 'dispatch.monitor', 'shifts.log', 'figures.read',
    'recordings.read', 'recordings.monitor', 'evidence.preserve', 'evidence.read', 'evidence.release', 'evidence.export',
    'bookings.read', 'bookings.change', 'bookings.plan', 'bookings.usage', 'cluster.read', 'masks.history', 'masks.lift', 'evidence.export_unmasked'],
  // Dispatchers watch live video only of the cameras of open alerts (see liveViewOnlyOpenAlerts below).
  dispatcher: [...everyone, 'live.view', 'live.status', 'views.read.own', 'incidents.snapshot', 'alerts.read', 'alerts.handle'],
  // Police find and retrieve evidence; every view and download names a case number and a legal basis.
  police: [...everyone, 'evidence.read', 'evidence.export', 'evidence.export_unmasked'],
  // Municipality users book supervision; recordings and evidence are police data (Wpg), never theirs.
  municipality: [...everyone, 'bookings.read', 'bookings.request', 'bookings.change', 'bookings.usage', 'masks.history'],
  // Technical staff: cameras, users and the audit trail, but no live images (Wpg: only those who need to see them).
  admin: [...everyone, 'cameras.manage', 'users.manage', 'audit.read', 'audit.verify', 'live.status', 'views.read.own', 'views.read.all', 'dispatch.monitor', 'recordings.monitor', 'cluster.read', 'cluster.manage',
    'masks.history', 'masks.manage'],
});

/** Roles whose 'live.view' covers only cameras of open alerts (enforced by LiveService on grant and on play). */
export const liveViewOnlyOpenAlerts: readonly Role[] = Object.freeze(['dispatcher']);

/** Roles that must give a case number and legal basis before viewing an evidence item or playing its clips
 *  (enforced by EvidenceService). A package download always needs them, whoever asks: it is a disclosure. */
export const evidencePurposeRequired: readonly Role[] = Object.freeze(['police']);

export function can(role: Role, action: Action): boolean {
  return policy[role].includes(action);
}
