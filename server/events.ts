// Domain events: capabilities announce what happened; the realtime layer (and later workers) fan them out.
// Routes and services never talk to sockets directly.
import { EventEmitter } from 'node:events';
import type { Camera } from './cameras/schema.js';
import type { CameraStatus } from './live/schema.js';

export interface DomainEvents {
  // previousMunicipalityId: set when a camera moved, so the old municipality's consoles drop it.
  'camera.changed': [camera: Camera, previousMunicipalityId?: string];
  'camera.status': [status: CameraStatus];
  // A camera's right to publish ended (disabled, key rotated, source changed): cut its live stream.
  'camera.revoked': [cameraId: string];
  'session.ended': [who: { tokenHash?: string; userId?: string }];
}

export class EventBus extends EventEmitter<DomainEvents> {}
