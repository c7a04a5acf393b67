// The one socket.io event contract, imported by the server and the client.
import { z } from 'zod';
import type { Camera } from '../cameras/schema.js';
import type { CameraStatus } from '../live/schema.js';

export const topicSchema = z.enum(['cameras', 'audit']);
export type Topic = z.infer<typeof topicSchema>;

export type Ack = (r: { ok: true } | { ok: false; error: { code: string; message: string } }) => void;

export interface ServerToClientEvents {
  'camera:changed': (camera: Camera) => void;
  'camera:status': (status: CameraStatus) => void;
  'session:ended': () => void;
}

export interface ClientToServerEvents {
  subscribe: (topic: Topic, ack: Ack) => void;
}

export const rooms = {
  role: (role: string) => `role:${role}`,
  municipality: (id: string) => `municipality:${id}`,
  topic: (t: Topic) => `topic:${t}`,
};
