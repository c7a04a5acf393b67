// The incidents contract, shared by server routes, socket events and the client (the alert a dispatcher handles is
// dispatch/schema.ts; the incident shows only its alert's summary). Importable by the browser: zod only.
import { z } from 'zod';
import { cameraIdSchema } from '../cameras/schema.js';

declare module '../events.js' {
  interface DomainEvents {
    // An incident (or its dispatch status) changed: observers' and supervisors' live lists.
    'incident.changed': [incident: Incident];
  }
}

// ---- categories (config/incident-categories.json) -------------------------------------------------------------

export const capCategorySchema = z.enum(['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other']);
const slug = z.string().regex(/^[a-z0-9-]{2,60}$/, 'lowercase letters, digits and dashes');

export const categoriesFileSchema = z.object({
  topLevels: z.array(z.object({ id: slug, nl: z.string().min(1), en: z.string().min(1), capCategory: capCategorySchema })).length(9),
  categories: z.array(z.object({ id: slug, topLevel: slug, nl: z.string().min(1), en: z.string().min(1) })).min(1),
}).superRefine((f, ctx) => {
  const tops = new Set(f.topLevels.map((t) => t.id));
  const seen = new Set<string>();
  f.categories.forEach((c, i) => {
    if (!tops.has(c.topLevel)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'topLevel'], message: `unknown top level ${c.topLevel}` });
    if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'id'], message: `duplicate category ${c.id}` });
    seen.add(c.id);
  });
});
export type CategoriesFile = z.infer<typeof categoriesFileSchema>;

export const categorySchema = z.object({
  id: z.string(), nl: z.string(), en: z.string(),
  topLevel: z.object({ id: z.string(), nl: z.string(), en: z.string() }),
  capCategory: capCategorySchema,
}).meta({ id: 'IncidentCategory' });
export type Category = z.infer<typeof categorySchema>;

// ---- shared parts -----------------------------------------------------------------------------------------------

export const prioritySchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export const incidentStatusSchema = z.enum(['open', 'closed']);
export const alertStatusSchema = z.enum(['raised', 'acknowledged', 'unit_sent', 'on_scene', 'closed']);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

const personSchema = z.object({ id: z.string().nullable(), name: z.string() });

export const snapshotInfoSchema = z.object({
  id: z.string().nullable(),
  status: z.enum(['none', 'pending', 'taken', 'no_stream', 'failed', 'purged']),
  cameraId: z.string().nullable(),
  takenAt: z.string().nullable(),
  /** Authorised, audited route to the JPEG; null until there is one. */
  url: z.string().nullable(),
}).meta({ id: 'SnapshotInfo' });
export type SnapshotInfo = z.infer<typeof snapshotInfoSchema>;

export const incidentLocationSchema = z.object({
  street: z.string(), lat: z.number(), lon: z.number(), text: z.string(),
  municipalityId: z.string(), municipalityName: z.string(),
});

/** Compact alert state, shown on the observer's incident. */
export const alertSummarySchema = z.object({
  id: z.string(), status: alertStatusSchema, version: z.number(),
  raisedAt: z.string(), acknowledgedAt: z.string().nullable(), acknowledgedBy: z.string().nullable(),
  unitSentAt: z.string().nullable(), onSceneAt: z.string().nullable(), closedAt: z.string().nullable(),
  escalatedAt: z.string().nullable(), lastRemark: z.string(),
}).meta({ id: 'AlertSummary' });
export type AlertSummary = z.infer<typeof alertSummarySchema>;

export const incidentSchema = z.object({
  id: z.string(), number: z.number(),
  taggedAt: z.string(), createdAt: z.string(), updatedAt: z.string(),
  createdBy: personSchema,
  status: incidentStatusSchema,
  category: categorySchema,
  priority: prioritySchema,
  location: incidentLocationSchema,
  cameras: z.array(z.object({ id: z.string(), name: z.string() })),
  persons: z.string(),
  notes: z.string(),             // stored verbatim; consoles show it as text, never as HTML
  snapshot: snapshotInfoSchema,
  version: z.number(),
  alert: alertSummarySchema.nullable(), // the latest alert, if the incident was ever raised
}).meta({ id: 'Incident' });
export type Incident = z.infer<typeof incidentSchema>;

export const timelineEntrySchema = z.object({ id: z.number(), at: z.string(), by: z.string().nullable(), kind: z.string(), details: z.record(z.string(), z.unknown()) });
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const incidentDetailSchema = incidentSchema.extend({ timeline: z.array(timelineEntrySchema) }).meta({ id: 'IncidentDetail' });
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;

// ---- inputs -----------------------------------------------------------------------------------------------------

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a UUID');
export const uuidParams = z.object({ id: uuid });

export const incidentCreateSchema = z.object({
  /** The moment of the key press, from the console (ISO 8601 with offset). */
  taggedAt: z.iso.datetime({ offset: true }),
  cameraIds: z.array(cameraIdSchema).min(1).max(16).refine((a) => new Set(a).size === a.length, 'a camera is listed twice'),
  categoryId: slug,
  priority: prioritySchema,
  persons: z.string().max(2000).default(''),
  notes: z.string().max(10_000).default(''),
  locationText: z.string().trim().max(500).default(''),
  /** A snapshot the console asked for at the key press (POST /api/snapshots); without it the server grabs one now. */
  snapshotId: uuid.optional(),
}).strict().meta({ id: 'IncidentCreate' });
export type IncidentCreate = z.infer<typeof incidentCreateSchema>;

export const incidentUpdateSchema = z.object({
  cameraIds: incidentCreateSchema.shape.cameraIds,
  categoryId: slug,
  priority: prioritySchema,
  persons: z.string().max(2000),
  notes: z.string().max(10_000),
  locationText: z.string().trim().max(500),
  status: incidentStatusSchema,
  /** Optional optimistic check: refused with 409 stale_version when someone changed the incident since. */
  expectedVersion: z.number().int().min(1),
}).partial().strict().refine((o) => Object.keys(o).some((k) => k !== 'expectedVersion'), 'give at least one field to change').meta({ id: 'IncidentUpdate' });
export type IncidentUpdate = z.infer<typeof incidentUpdateSchema>;

export const incidentListQuerySchema = z.object({
  status: z.enum(['open', 'closed', 'all']).default('open'),
  camera: cameraIdSchema.optional(),                      // incidents on this camera (the playback timeline's marks)
  from: z.string().datetime({ offset: true }).optional(), // tagged at or after
  to: z.string().datetime({ offset: true }).optional(),   // tagged before
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const snapshotRequestSchema = z.object({ cameraId: cameraIdSchema }).strict().meta({ id: 'SnapshotRequest' });
