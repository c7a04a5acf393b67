// The one socket.io event contract, imported by the server and the client.
import { z } from 'zod';
import type { Camera } from '../cameras/schema.js';
import type { CameraStatus } from '../live/schema.js';
import type { Incident } from '../incidents/schema.js';
import type { DeliveryFailure, DispatchMessage } from '../dispatch/schema.js';
import type { DiskLowAlert } from '../recordings/schema.js';
import type { CustodyEntry, EvidenceItem } from '../evidence/schema.js';
import type { Activation, Booking } from '../bookings/schema.js';
import type { Notification } from '../notifications/schema.js';

export const topicSchema = z.enum(['cameras', 'audit']);
export type Topic = z.infer<typeof topicSchema>;

export type Ack = (r: { ok: true } | { ok: false; error: { code: string; message: string } }) => void;
export type CustodyAck = (r: { ok: true; custody: CustodyEntry[] } | { ok: false; error: { code: string; message: string } }) => void;

export interface ServerToClientEvents {
  'camera:changed': (camera: Camera) => void;
  'camera:status': (status: CameraStatus) => void;
  'session:ended': () => void;
  // Observers and supervisors (incidents.read): an incident or its dispatch status changed. Keep the highest version per id.
  'incident:changed': (incident: Incident) => void;
  // Dispatchers and supervisors (alerts.read): an outbox message, delivered at least once. Drop a messageId seen
  // before; per alert keep the highest alert.version. kind 'raised' and 'escalated' signal (sound + visual).
  'dispatch:alert': (message: DispatchMessage) => void;
  // Supervisors and admins (dispatch.monitor): a delivery to the external dispatch system was given up.
  'dispatch:delivery-failed': (failure: DeliveryFailure) => void;
  // Roles with evidence.read: an evidence item changed (state, per-clip state and progress 0..1, hold). Keep the highest
  // version per id (progress events share the version of the state they belong to). Police receive it with reason null.
  'evidence:changed': (item: EvidenceItem) => void;
  // Consoles following an open item ('evidence:watch'): its whole custody trail, after every entry committed to it.
  'evidence:custody': (update: { itemId: string; custody: CustodyEntry[] }) => void;
  // Roles with recordings.monitor (supervisors, admins): free disk space fell below DISK_MIN_FREE_MB.
  'recordings:disk-low': (alert: DiskLowAlert) => void;
  // Supervisors (all) and the booking's municipality (its own): a booking changed. Keep the highest version per id.
  'booking:changed': (booking: Booking) => void;
  // Roles with live.status: a flexible unit's window opened (activation) or closed (null).
  'camera:activation': (change: { cameraId: string; activation: Activation | null }) => void;
  // A notification for your role or your municipality.
  'notification': (n: Notification) => void;
  // Every console that may see the camera (a municipality: its own cameras): its masks or lifts changed, or a lift
  // ended by itself. Fetch GET /api/cameras/:id/masks again before showing more of it.
  'masks:changed': (change: { cameraId: string }) => void;
}

export interface ClientToServerEvents {
  subscribe: (topic: Topic, ack: Ack) => void;
  // Follow the custody trail of an item this user has viewed (answered with the trail so far), until unwatched.
  'evidence:watch': (itemId: string, ack: CustodyAck) => void;
  'evidence:unwatch': (itemId: string) => void;
}

export const rooms = {
  role: (role: string) => `role:${role}`,
  municipality: (id: string) => `municipality:${id}`,
  topic: (t: Topic) => `topic:${t}`,
  evidence: (itemId: string) => `evidence:${itemId}`,
};
