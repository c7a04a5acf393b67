// The camera registry's contract, shared by server routes, the OpenAPI document and the client.
import { z } from 'zod';

// The camera registry's events (see ../events.ts): whoever shows or pulls cameras follows these.
declare module '../events.js' {
  interface DomainEvents {
    // previousMunicipalityId: set when a camera moved, so the old municipality's consoles drop it.
    'camera.changed': [camera: Camera, previousMunicipalityId?: string];
    // A camera's right to publish ended (disabled, key rotated, source changed): cut its live stream.
    'camera.revoked': [cameraId: string];
  }
}

export const cameraIdSchema = z.string().regex(/^[a-z0-9-]{2,60}$/, 'lowercase letters, digits and dashes, 2–60 long');
export const municipalityIdSchema = z.string().regex(/^[a-z0-9-]{2,40}$/, 'a municipality id such as "enschede"');
export const cameraKindSchema = z.enum(['permanent', 'flexible']);

const text = (max: number) => z.string().trim().min(1).max(max);

export const locationSchema = z.object({
  street: text(200),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});

export const rtspUrlSchema = z.string().max(1000).url().refine((u) => u.startsWith('rtsp://') || u.startsWith('rtsps://'), 'an rtsp:// or rtsps:// URL');

export const cameraSourceInputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('rtmp') }),                       // the camera pushes with its own key
  z.object({ type: z.literal('rtsp'), url: rtspUrlSchema }),   // the room pulls from the camera
]);

export const cameraSchema = z.object({
  id: cameraIdSchema,
  name: z.string(),
  municipalityId: municipalityIdSchema,
  municipalityName: z.string(),
  location: locationSchema,
  kind: cameraKindSchema,
  // RTSP credentials never leave the server (stored apart from the URL). Only admins get a url: the address with
  // every secret masked (rtsp://***:***@host:554/path?token=***); other roles learn only that it is an RTSP camera.
  source: z.discriminatedUnion('type', [z.object({ type: z.literal('rtmp') }), z.object({ type: z.literal('rtsp'), url: z.string().optional() })]),
  hasSubStream: z.boolean(),
  enabled: z.boolean(),
  notes: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'Camera' });
export type Camera = z.infer<typeof cameraSchema>;

export const cameraCreateSchema = z.object({
  id: cameraIdSchema,
  name: text(120),
  municipalityId: municipalityIdSchema,
  location: locationSchema,
  kind: cameraKindSchema,
  source: cameraSourceInputSchema,
  hasSubStream: z.boolean().default(true),
  notes: z.string().max(10_000).default(''),
}).strict().meta({ id: 'CameraCreate' });
export type CameraCreate = z.infer<typeof cameraCreateSchema>;

export const cameraUpdateSchema = z.object({
  name: text(120),
  municipalityId: municipalityIdSchema,
  location: locationSchema,
  kind: cameraKindSchema,
  source: cameraSourceInputSchema,
  hasSubStream: z.boolean(),
  enabled: z.boolean(),
  notes: z.string().max(10_000),
}).partial().strict().refine((o) => Object.keys(o).length > 0, 'give at least one field to change').meta({ id: 'CameraUpdate' });
export type CameraUpdate = z.infer<typeof cameraUpdateSchema>;

/** The publish key is shown exactly once: in this answer to create or rotate. */
export const cameraWithKeySchema = z.object({ camera: cameraSchema, publishKey: z.string().nullable(), publishUrl: z.string().nullable() }).meta({ id: 'CameraWithKey' });

export const cameraListQuerySchema = z.object({
  municipality: municipalityIdSchema.optional(),
  q: z.string().max(100).optional(),
  enabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

export const municipalitySchema = z.object({ id: municipalityIdSchema, name: z.string() }).meta({ id: 'Municipality' });
export type Municipality = z.infer<typeof municipalitySchema>;

export const idParams = z.object({ id: cameraIdSchema });
