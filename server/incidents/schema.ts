// The incidents-and-dispatch contract, shared by server routes, socket events, the CAP/JSON messages and the client.
// Importable by the browser: zod only.
import { z } from 'zod';
import { cameraIdSchema } from '../cameras/schema.js';

declare module '../events.js' {
  interface DomainEvents {
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
/** The order of the steps: a step may only move forward. */
export const alertStatusOrder: Record<AlertStatus, number> = { raised: 0, acknowledged: 1, unit_sent: 2, on_scene: 3, closed: 4 };

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

export const alertStepSchema = z.object({
  step: z.enum(['raised', 'acknowledged', 'unit_sent', 'on_scene', 'closed', 'remark', 'escalated']),
  at: z.string(), by: z.string().nullable(), remark: z.string(),
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

/** What the dispatch console shows, and what every dispatch message carries. */
export const alertSchema = alertSummarySchema.extend({
  incidentId: z.string(), incidentNumber: z.number(),
  raisedBy: z.string(),
  taggedAt: z.string(),
  category: categorySchema,
  priority: prioritySchema,
  location: incidentLocationSchema,
  cameras: z.array(z.object({ id: z.string(), name: z.string() })),
  persons: z.string(),
  notes: z.string(),
  snapshot: snapshotInfoSchema,
  steps: z.array(alertStepSchema),
}).meta({ id: 'Alert' });
export type Alert = z.infer<typeof alertSchema>;

export const dispatchMessageKindSchema = z.enum(['raised', 'updated', 'status', 'remark', 'escalated']);
export type DispatchMessageKind = z.infer<typeof dispatchMessageKindSchema>;

/** One outbox message: at least once to every dispatch console; consoles drop a messageId they have seen. */
export const dispatchMessageSchema = z.object({
  messageId: z.string(),
  kind: dispatchMessageKindSchema,
  at: z.string(),
  alert: alertSchema,
}).meta({ id: 'DispatchMessage' });
export type DispatchMessage = z.infer<typeof dispatchMessageSchema>;

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

export const raiseAlertSchema = z.object({ remark: z.string().max(2000).default('') }).strict().meta({ id: 'RaiseAlert' });

export const alertStepInputSchema = z.object({
  status: z.enum(['acknowledged', 'unit_sent', 'on_scene', 'closed']),
  remark: z.string().max(2000).default(''),
}).strict().meta({ id: 'AlertStep' });
export type AlertStepInput = z.infer<typeof alertStepInputSchema>;

export const alertRemarkSchema = z.object({ remark: z.string().trim().min(1).max(2000) }).strict().meta({ id: 'AlertRemark' });

export const alertListQuerySchema = z.object({
  state: z.enum(['open', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export const snapshotRequestSchema = z.object({ cameraId: cameraIdSchema }).strict().meta({ id: 'SnapshotRequest' });

export const boardSchema = z.object({
  incidents: z.array(incidentSchema),
  alerts: z.array(alertSchema),
  counts: z.object({ openIncidents: z.number(), openAlerts: z.number(), unacknowledged: z.number(), escalated: z.number(), deliveryFailures: z.number() }),
}).meta({ id: 'IncidentBoard' });
export type Board = z.infer<typeof boardSchema>;

export const deliverySchema = z.object({
  id: z.number(), messageId: z.string(), alertId: z.string(), kind: dispatchMessageKindSchema, format: z.enum(['cap', 'json']),
  state: z.enum(['pending', 'delivered', 'failed']), attempts: z.number(), nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(), lastError: z.string().nullable(), createdAt: z.string(),
}).meta({ id: 'DispatchDelivery' });
export type Delivery = z.infer<typeof deliverySchema>;

/** Told to supervisors and admins when a webhook delivery is given up. */
export const deliveryFailureSchema = z.object({
  deliveryId: z.number(), alertId: z.string(), messageId: z.string(), format: z.enum(['cap', 'json']), attempts: z.number(), error: z.string(),
}).meta({ id: 'DispatchDeliveryFailure' });
export type DeliveryFailure = z.infer<typeof deliveryFailureSchema>;

export const deliveryQuerySchema = z.object({
  state: z.enum(['pending', 'delivered', 'failed', 'all']).default('all'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
