// The live-video contract, shared by server routes, socket events and the client.
import { z } from 'zod';
import { cameraIdSchema } from '../cameras/schema.js';

declare module '../events.js' {
  interface DomainEvents {
    'camera.status': [status: CameraStatus];
  }
}

export const streamKindSchema = z.enum(['main', 'sub']);
export const wallLayoutSchema = z.union([z.literal(1), z.literal(4), z.literal(9), z.literal(16)]);

export const cameraStatusSchema = z.object({
  cameraId: cameraIdSchema,
  online: z.boolean(),
  since: z.string().nullable(),          // when it went online or offline
  bitrateKbps: z.number().nullable(),
  fps: z.number().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  lastFrameAt: z.string().nullable(),
  subStreamOnline: z.boolean(),
  bridge: z.enum(['starting', 'running', 'backoff', 'stopped']).nullable(), // RTSP cameras only
}).meta({ id: 'CameraStatus' });
export type CameraStatus = z.infer<typeof cameraStatusSchema>;

export const playRequestSchema = z.object({ stream: streamKindSchema }).strict();
export const playGrantSchema = z.object({
  cameraId: cameraIdSchema, stream: streamKindSchema,
  // The client opens ws://<host, or its own host when null>:<port><path>: the media server of the node holding the camera.
  host: z.string().nullable(), port: z.number(), path: z.string(),
  expiresAt: z.string(),
}).meta({ id: 'PlayGrant' });
export type PlayGrant = z.infer<typeof playGrantSchema>;

/** A wall asks for all its tiles at once (at most 16, the largest layout): one request instead of one per tile. */
export const MAX_GRANTS_PER_REQUEST = 16;
export const playStreamRefSchema = z.object({ cameraId: cameraIdSchema, stream: streamKindSchema }).strict();
export const playBatchRequestSchema = z.object({ streams: z.array(playStreamRefSchema).min(1).max(MAX_GRANTS_PER_REQUEST) }).strict();
/** One answer per requested stream, in the order asked: a grant, or why this camera was refused (the status and code
 *  POST /api/cameras/:id/live would have answered). */
export const playBatchItemSchema = z.union([
  z.object({ cameraId: cameraIdSchema, ok: z.literal(true), grant: playGrantSchema }),
  z.object({ cameraId: cameraIdSchema, ok: z.literal(false), error: z.object({ status: z.number().int(), code: z.string(), message: z.string() }) }),
]);
export type PlayBatchItem = z.infer<typeof playBatchItemSchema>;
export const playBatchSchema = z.object({ grants: z.array(playBatchItemSchema) }).meta({ id: 'PlayGrants' });

export const liveViewSchema = z.object({
  id: z.string(), username: z.string(), cameraId: z.string(), cameraName: z.string(), stream: streamKindSchema,
  startedAt: z.string(), endedAt: z.string().nullable(), remoteAddr: z.string().nullable(),
}).meta({ id: 'LiveView' });
export type LiveView = z.infer<typeof liveViewSchema>;

export const liveViewQuerySchema = z.object({
  scope: z.enum(['mine', 'all']).default('mine'),
  camera: cameraIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type LiveViewQuery = z.infer<typeof liveViewQuerySchema>;

export const preferencesSchema = z.object({ wallLayout: wallLayoutSchema.default(4), wallCameras: z.array(cameraIdSchema.nullable()).max(16).default([]) }).meta({ id: 'Preferences' });
export type Preferences = z.infer<typeof preferencesSchema>;
