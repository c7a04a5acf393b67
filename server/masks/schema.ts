// The privacy-mask contract (issue #16), shared by server routes, socket events, the evidence manifest and the client.
// A camera's masks are polygons in normalised coordinates (0–1 of the picture's width and height), so the main and
// sub stream (different sizes, same picture) share them. Every change is a new version; a version is never edited.
import { z } from 'zod';
import { cameraIdSchema } from '../cameras/schema.js';

declare module '../events.js' {
  interface DomainEvents {
    // A new mask version, or a lift started or ended: every console showing the camera redraws its cover.
    // The municipality rides along so realtime/ reaches that municipality's consoles without asking the database.
    'masks.changed': [cameraId: string, municipalityId: string];
  }
}

const text = (max: number) => z.string().trim().min(1).max(max);

export const MAX_MASKS_PER_CAMERA = 32;
export const MAX_POINTS_PER_MASK = 64;
export const MAX_LIFT_MINUTES = 240;

/** A point of the picture: x from the left edge, y from the top, both 0–1. */
export const maskPointSchema = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
export const maskKindSchema = z.enum(['permanent', 'liftable']);

export const maskSchema = z.object({
  // Stable across versions while the mask is kept, so a lift and a manifest can name it.
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes, 1–40 long'),
  kind: maskKindSchema,
  // Why this area is hidden, in the words of the camera plan ("voortuin Hengelosestraat 12").
  reason: text(200),
  points: z.array(maskPointSchema).min(3).max(MAX_POINTS_PER_MASK),
}).meta({ id: 'PrivacyMask' });
export type PrivacyMask = z.infer<typeof maskSchema>;

/** One version of a camera's masks. Version 0 (no row yet) is "no masks". */
export const maskVersionSchema = z.object({
  cameraId: cameraIdSchema,
  version: z.number().int().min(0),
  masks: z.array(maskSchema),
  // From when this version is in force; footage recorded from then on is exported with it.
  validFrom: z.string().nullable(),
  changedBy: z.string().nullable(),
  changeReason: z.string().nullable(),
}).meta({ id: 'MaskVersion' });
export type MaskVersion = z.infer<typeof maskVersionSchema>;

/** PUT /api/cameras/:id/masks: the whole new set, replacing the version the admin started from. */
export const maskVersionInputSchema = z.object({
  masks: z.array(maskSchema).max(MAX_MASKS_PER_CAMERA)
    .refine((ms) => new Set(ms.map((m) => m.id)).size === ms.length, 'each mask id once'),
  // What changed and why (audit): "camera plan 2027 adds the terrace of café X".
  changeReason: text(500),
  // Optimistic concurrency: the version the drawing started from; another admin's save in between is a conflict.
  baseVersion: z.number().int().min(0),
}).strict();
export type MaskVersionInput = z.infer<typeof maskVersionInputSchema>;

/** A liftable mask lifted for a limited time (supervisor), visible to every console as a marker. */
export const maskLiftSchema = z.object({
  id: z.string(),
  cameraId: cameraIdSchema,
  maskIds: z.array(z.string()).min(1),
  reason: z.string(),
  liftedBy: z.string(),
  liftedAt: z.string(),
  until: z.string(),
  endedAt: z.string().nullable(),
}).meta({ id: 'MaskLift' });
export type MaskLift = z.infer<typeof maskLiftSchema>;

export const maskLiftInputSchema = z.object({
  maskIds: z.array(z.string().min(1).max(40)).min(1).max(MAX_MASKS_PER_CAMERA),
  reason: text(500),
  minutes: z.number().int().min(1).max(MAX_LIFT_MINUTES),
}).strict();
export type MaskLiftInput = z.infer<typeof maskLiftInputSchema>;

export const maskLiftParams = z.object({ id: cameraIdSchema, liftId: z.uuid() });

/** GET /api/cameras/:id/masks: what a console must cover now. */
export const cameraMasksSchema = z.object({
  current: maskVersionSchema,
  // Lifts in force now (until > now, not ended).
  lifts: z.array(maskLiftSchema),
}).meta({ id: 'CameraMasks' });
export type CameraMasks = z.infer<typeof cameraMasksSchema>;

/** The masks a console covers at this moment: every mask of the version except those lifted now. */
export function masksToCover(m: CameraMasks): PrivacyMask[] {
  const lifted = new Set(m.lifts.flatMap((l) => l.maskIds));
  return m.current.masks.filter((mask) => mask.kind === 'permanent' || !lifted.has(mask.id));
}

/** What the evidence manifest records of the masks applied to one camera's clip. */
export const appliedMasksSchema = z.object({
  versions: z.array(z.number().int().min(0)),   // the versions in force while the footage was recorded
  burnedIn: z.array(z.string()),                // mask ids covered in the exported pixels
  lifted: z.array(z.string()),                  // liftable mask ids left visible, by explicit order
  liftReason: z.string().nullable(),
}).meta({ id: 'AppliedMasks' });
export type AppliedMasks = z.infer<typeof appliedMasksSchema>;
