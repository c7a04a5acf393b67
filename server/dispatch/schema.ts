// The dispatch contract: the alert a dispatcher handles, the outbox message every console and the external system
// get, the steps and remarks, the supervisor's board and the webhook deliveries. Shared by the server routes, socket
// events, the CAP/JSON messages and the client. Importable by the browser: zod only.
import { z } from 'zod';
import {
  alertSummarySchema, categorySchema, incidentLocationSchema, incidentSchema, prioritySchema, snapshotInfoSchema, type AlertStatus,
} from '../incidents/schema.js';

declare module '../events.js' {
  interface DomainEvents {
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

// ---- the alert ----------------------------------------------------------------------------------------------------

/** The order of the steps: a step may only move forward. */
export const alertStatusOrder: Record<AlertStatus, number> = { raised: 0, acknowledged: 1, unit_sent: 2, on_scene: 3, closed: 4 };

export const alertStepSchema = z.object({
  step: z.enum(['raised', 'acknowledged', 'unit_sent', 'on_scene', 'closed', 'remark', 'escalated']),
  at: z.string(), by: z.string().nullable(), remark: z.string(),
});

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

// ---- the supervisor's board and the deliveries to the external dispatch system ----------------------------------

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

export const attemptSchema = z.object({
  attempt: z.number(), startedAt: z.string(), durationMs: z.number(), url: z.string(), httpStatus: z.number().nullable(),
  outcome: z.string(), error: z.string().nullable(), response: z.string().nullable(),
}).meta({ id: 'DispatchAttempt' });
export type Attempt = z.infer<typeof attemptSchema>;
