// The evidence contract: items, clips, custody, links, the signed manifest. Shared by routes, socket events, the
// verify CLI and the client. Importable by the browser: zod only.
import { z } from 'zod';
import { cameraIdSchema, municipalityIdSchema } from '../cameras/schema.js';
import { isoInstant, timeRangeSchema } from '../recordings/schema.js';
import { appliedMasksSchema } from '../masks/schema.js';

declare module '../events.js' {
  interface DomainEvents {
    // An evidence item or one of its clips changed (state, progress, hold).
    'evidence.changed': [item: EvidenceItem];
    // An entry was committed to an item's custody trail: consoles that have the item open follow it live.
    'evidence.custody': [itemId: string];
  }
}

export const evidenceStateSchema = z.enum(['pending', 'ready', 'failed', 'purged']);
export const clipStateSchema = z.enum(['waiting', 'producing', 'ready', 'failed', 'purged']);
export type ClipState = z.infer<typeof clipStateSchema>;

// Why police may see the images: an order of the public prosecutor (art. 126nd Sv), their own investigation
// (Wpg art. 9), or something else that they must then describe in `note`.
export const legalBasisSchema = z.enum(['order-126nd-sv', 'investigation-wpg-9', 'other']);
export type LegalBasis = z.infer<typeof legalBasisSchema>;
export const caseNumberSchema = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{2,39}$/, 'a case number such as PL0600-2026123456 (3–40 letters, digits, . _ / -)');

const purposeFields = {
  caseNumber: caseNumberSchema,
  legalBasis: legalBasisSchema,
  note: z.string().trim().max(500).optional(),
};
const noteWhenOther = (p: { legalBasis?: LegalBasis; note?: string }) => p.legalBasis !== 'other' || !!p.note;
const noteIssue = { message: 'describe the legal basis when it is "other"', path: ['note'] };

/** The purpose of a view or download: required for police and for every package download. */
export const purposeSchema = z.object(purposeFields).strict().refine(noteWhenOther, noteIssue).meta({ id: 'EvidencePurpose' });
export type Purpose = z.infer<typeof purposeSchema>;

export const evidenceCreateSchema = z.object({
  cameras: z.array(cameraIdSchema).min(1).max(16),
  // Either a moment (default: now), giving the range moment −2 min … +3 min, or both from and to.
  moment: isoInstant.optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  reason: z.string().trim().min(3).max(2000),
  incidentId: z.uuid().optional(),
}).strict().meta({ id: 'EvidenceCreate' });
export type EvidenceCreate = z.infer<typeof evidenceCreateSchema>;

export const evidenceClipSchema = z.object({
  id: z.string(),
  cameraId: cameraIdSchema,
  cameraName: z.string(),
  municipalityId: municipalityIdSchema,
  municipalityName: z.string(),
  street: z.string(),
  state: clipStateSchema,
  progress: z.number(),                    // 0..1 while producing; 1 when ready
  error: z.string().nullable(),            // why it failed (e.g. "disk_full: …", "no_recording: …")
  actualFrom: z.string().nullable(),       // first frame (a keyframe at or just before the requested start)
  actualTo: z.string().nullable(),
  durationMs: z.number().nullable(),
  frames: z.number().nullable(),
  bytes: z.number().nullable(),
  sha256: z.string().nullable(),
  gaps: z.array(timeRangeSchema),          // stretches of the requested range without recording
}).meta({ id: 'EvidenceClip' });
export type EvidenceClip = z.infer<typeof evidenceClipSchema>;

export const evidenceItemSchema = z.object({
  id: z.string(),
  number: z.number(),
  version: z.number(),
  state: evidenceStateSchema,              // pending until every clip is ready (ready) or one failed (failed)
  requestedFrom: z.string(),
  requestedTo: z.string(),
  reason: z.string().nullable(),           // null in police search results until they state a purpose
  incidentId: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.object({ id: z.string(), username: z.string(), displayName: z.string() }),
  legalHold: z.boolean(),
  releasedAt: z.string().nullable(),
  releasedBy: z.string().nullable(),       // username
  releaseReason: z.string().nullable(),
  clips: z.array(evidenceClipSchema),
  caseNumbers: z.array(z.string()),        // case numbers under which it was viewed or exported
}).meta({ id: 'EvidenceItem' });
export type EvidenceItem = z.infer<typeof evidenceItemSchema>;

// What can happen to an item, in its custody trail. Every one has a label in nl and en (evidence.custodyActions).
export const custodyActionSchema = z.enum(['preserved', 'produced', 'failed', 'resumed', 'retried', 'viewed', 'played', 'exported', 'released', 'purged']);
export type CustodyAction = z.infer<typeof custodyActionSchema>;

export const custodyEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string().nullable(),            // username; null = the system
  role: z.string().nullable(),
  action: z.string(),                      // a CustodyAction (a string here: manifests are read back by the verifier)
  caseNumber: z.string().nullable(),
  legalBasis: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  remoteAddr: z.string().nullable(),
}).meta({ id: 'CustodyEntry' });
export type CustodyEntry = z.infer<typeof custodyEntrySchema>;

export const evidenceDetailSchema = evidenceItemSchema.extend({ custody: z.array(custodyEntrySchema) }).meta({ id: 'EvidenceDetail' });
export type EvidenceDetail = z.infer<typeof evidenceDetailSchema>;

export const evidenceListQuerySchema = z.object({
  camera: cameraIdSchema.optional(),
  municipality: municipalityIdSchema.optional(),
  from: isoInstant.optional(),             // items whose range overlaps [from, to]
  to: isoInstant.optional(),
  incident: z.uuid().optional(),
  caseNumber: caseNumberSchema.optional(),
  state: evidenceStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const evidenceIdParams = z.object({ id: z.uuid() });
export const linkTokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a download link token') });

export const accessRequestSchema = purposeSchema;
export const clipLinkRequestSchema = z.object({
  cameraId: cameraIdSchema,
  ...purposeFields,
  caseNumber: caseNumberSchema.optional(),  // required for police (400 naming the field)
  legalBasis: legalBasisSchema.optional(),
}).strict().refine(noteWhenOther, noteIssue).meta({ id: 'ClipLinkRequest' });
/**
 * An export ordered with liftable privacy masks lifted (police, supervisors): per camera the mask ids, and why. The
 * order is named in the signed manifest (files[].masks.lifted and liftReason). Permanent masks are never lifted.
 */
export const maskLiftOrderSchema = z.object({
  cameras: z.array(z.object({ cameraId: cameraIdSchema, maskIds: z.array(z.string().min(1).max(40)).min(1).max(32) }).strict()).min(1).max(16),
  reason: z.string().trim().min(3).max(500),
}).strict().meta({ id: 'MaskLiftOrder' });
export type MaskLiftOrder = z.infer<typeof maskLiftOrderSchema>;

export const packageLinkRequestSchema = z.object({ ...purposeFields, liftMasks: maskLiftOrderSchema.optional() })
  .strict().refine(noteWhenOther, noteIssue).meta({ id: 'PackageLinkRequest' });
export type PackageLinkRequest = z.infer<typeof packageLinkRequestSchema>;

export const evidenceLinkSchema = z.object({
  url: z.string(),                         // relative: GET it with the same session within expiresAt
  expiresAt: z.string(),
}).meta({ id: 'EvidenceLink' });

export const releaseRequestSchema = z.object({ reason: z.string().trim().min(3).max(2000) }).strict();

export const publicKeySchema = z.object({ algorithm: z.literal('Ed25519'), pem: z.string(), fingerprint: z.string() }).meta({ id: 'EvidencePublicKey' });

// ---- the signed manifest inside an export package ----------------------------------------------------------------

const instantPair = z.object({ utc: z.string().nullable(), amsterdam: z.string().nullable() });

export const manifestSchema = z.object({
  format: z.literal('uitkijk-evidence/1'),
  evidence: z.object({ id: z.string(), number: z.number(), reason: z.string(), incidentId: z.string().nullable(), legalHold: z.boolean() }),
  requested: z.object({ from: instantPair, to: instantPair }),
  preservedBy: z.object({ username: z.string(), displayName: z.string(), at: z.string() }),
  export: z.object({ at: z.string(), by: z.string(), role: z.string(), caseNumber: z.string(), legalBasis: legalBasisSchema, note: z.string().nullable() }),
  files: z.array(z.object({
    name: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number(),
    camera: z.object({ id: z.string(), name: z.string(), street: z.string(), lat: z.number(), lon: z.number(), municipalityId: z.string(), municipality: z.string() }),
    actual: z.object({ from: instantPair, to: instantPair }),
    durationMs: z.number(),
    frames: z.number(),
    codec: z.string().nullable(), width: z.number().nullable(), height: z.number().nullable(),
    gaps: z.array(timeRangeSchema),
    // Privacy masks (#16): the versions in force when it was recorded, the ids burned in, the ids left visible by
    // this export's order and why. Absent: the camera had no masks (the clip is the recording, copied).
    masks: appliedMasksSchema.optional(),
  })),
  custody: z.array(custodyEntrySchema),
  signature: z.object({ algorithm: z.literal('Ed25519'), publicKeyFingerprint: z.string(), file: z.literal('manifest.sig') }),
  // SHA-256 of the package's SHA256SUMS (which lists every file but manifest.json and manifest.sig): ties it to this
  // signed manifest. Packages exported before it existed have none (their SHA256SUMS is not tied).
  sha256sums: z.string().regex(/^[0-9a-f]{64}$/).optional(),
}).meta({ id: 'EvidenceManifest' });
export type Manifest = z.infer<typeof manifestSchema>;
