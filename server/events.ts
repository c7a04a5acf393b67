// Domain events: capabilities announce what happened; the realtime layer (and later workers) fan them out.
// Routes and services never talk to sockets directly.
import { EventEmitter } from 'node:events';
import type { Camera } from './cameras/schema.js';
import type { CameraStatus } from './live/schema.js';
import type { DeliveryFailure, DispatchMessage, Incident } from './incidents/schema.js';
import type { DiskLowAlert } from './recordings/schema.js';
import type { EvidenceItem } from './evidence/schema.js';
import type { Activation, Booking } from './bookings/schema.js';
import type { Notify } from './notifications/store.js';

export interface DomainEvents {
  // previousMunicipalityId: set when a camera moved, so the old municipality's consoles drop it.
  'camera.changed': [camera: Camera, previousMunicipalityId?: string];
  'camera.status': [status: CameraStatus];
  // A camera's right to publish ended (disabled, key rotated, source changed): cut its live stream.
  'camera.revoked': [cameraId: string];
  'session.ended': [who: { tokenHash?: string; userId?: string }];
  // An incident (or its dispatch status) changed: observers' and supervisors' live lists.
  'incident.changed': [incident: Incident];
  // Cameras left an open alert (it closed, or they were taken off its incident): whoever watches them only
  // through that alert (dispatchers, liveViewOnlyOpenAlerts) loses the picture.
  'alert.cameras_released': [released: { alertId: string; incidentId: string; cameraIds: string[] }];
  // Messages were committed to the dispatch outbox: wake the dispatch worker.
  'dispatch.outbox': [];
  // The dispatch worker delivers an outbox message to the consoles (at least once; consoles drop seen messageIds).
  'dispatch.message': [message: DispatchMessage];
  // A webhook delivery was given up (permanent refusal or too many attempts): the room must know.
  'dispatch.delivery_failed': [failure: DeliveryFailure];
  // A recorded segment was closed and indexed (the evidence worker waits for post-rolls on it).
  'recording.segment': [segment: { cameraId: string; startedAt: string; endedAt: string }];
  // Free disk space fell below DISK_MIN_FREE_MB: the oldest unpreserved recordings were deleted; supervisors must know.
  'recordings.disk_low': [alert: DiskLowAlert];
  // An evidence item or one of its clips changed (state, progress, hold).
  'evidence.changed': [item: EvidenceItem];
  // An entry was committed to an item's custody trail: consoles that have the item open follow it live.
  'evidence.custody': [itemId: string];
  // A booking was requested, changed, approved, rejected or cancelled: the planning and the municipality's list.
  'booking.changed': [booking: Booking];
  // A flexible unit's window opened (activation) or closed (null): walls add or drop it.
  'camera.activation': [cameraId: string, activation: Activation | null];
  // A console notification was committed for a role or a municipality.
  'notification.created': [n: Notify];
}

export class EventBus extends EventEmitter<DomainEvents> {}
