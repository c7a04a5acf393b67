import { z } from 'zod';
import { route, reply } from '../http/route.js';
import type { IncidentService, Actor } from './service.js';
import {
  alertListQuerySchema, alertRemarkSchema, alertSchema, alertStepInputSchema, boardSchema, categorySchema, incidentCreateSchema,
  incidentDetailSchema, incidentListQuerySchema, incidentSchema, incidentUpdateSchema, raiseAlertSchema, snapshotInfoSchema,
  snapshotRequestSchema, uuidParams,
} from './schema.js';

export function incidentRoutes(incidents: IncidentService) {
  const actor = (c: { user: any; remoteAddr: string }): Actor => ({ user: c.user, remoteAddr: c.remoteAddr });
  return [
    route({ method: 'get', path: '/api/incident-categories', action: 'incidents.read', tag: 'incidents', summary: 'Incident categories under the national classification’s top levels (nl + en)',
      response: z.array(categorySchema), handler: async () => incidents.categories() }),
    route({ method: 'get', path: '/api/incidents', action: 'incidents.read', tag: 'incidents', summary: 'The room’s incidents, newest tagged first (status=open by default)',
      query: incidentListQuerySchema, response: z.array(incidentSchema), handler: ({ query }) => incidents.list(query) }),
    route({ method: 'post', path: '/api/incidents', action: 'incidents.write', tag: 'incidents', summary: 'Tag an incident: the key-press time, cameras, category, priority, persons, notes (a snapshot is grabbed)',
      body: incidentCreateSchema, response: incidentSchema, handler: async (c) => reply(201, await incidents.create(actor(c), c.body)) }),
    route({ method: 'get', path: '/api/incidents/:id', action: 'incidents.read', tag: 'incidents', summary: 'One incident with its timeline (every change: who, when, what)',
      params: uuidParams, response: incidentDetailSchema, handler: ({ params }) => incidents.get(params.id) }),
    route({ method: 'patch', path: '/api/incidents/:id', action: 'incidents.write', tag: 'incidents', summary: 'Change an incident, or close/reopen it (expectedVersion: optional optimistic check)',
      params: uuidParams, body: incidentUpdateSchema, response: incidentSchema, handler: (c) => incidents.update(actor(c), c.params.id, c.body) }),
    route({ method: 'get', path: '/api/incidents/:id/snapshot', action: 'incidents.snapshot', tag: 'incidents', summary: 'The snapshot (JPEG) of the tagged moment; every view is recorded',
      params: uuidParams, handler: async (c) => reply(200, await incidents.snapshotImage(actor(c), c.params.id), { 'content-type': 'image/jpeg', 'cache-control': 'private, no-store' }) }),
    route({ method: 'post', path: '/api/snapshots', action: 'incidents.write', tag: 'incidents', summary: 'Grab a snapshot at the key press, before the incident is saved; pass its id as snapshotId',
      body: snapshotRequestSchema, response: snapshotInfoSchema, handler: async (c) => reply(201, await incidents.requestSnapshot(actor(c), c.body.cameraId)) }),
    route({ method: 'post', path: '/api/incidents/:id/alert', action: 'alerts.raise', tag: 'dispatch', summary: 'Raise the incident to the dispatch centre (409 alert_open when already raised)',
      params: uuidParams, body: raiseAlertSchema, response: alertSchema, handler: async (c) => reply(201, await incidents.raiseAlert(actor(c), c.params.id, c.body.remark)) }),
    route({ method: 'get', path: '/api/alerts', action: 'alerts.read', tag: 'dispatch', summary: 'The dispatch queue: open alerts by priority, then age (state=all: every alert, newest first)',
      query: alertListQuerySchema, response: z.array(alertSchema), handler: ({ query }) => incidents.listAlerts(query) }),
    route({ method: 'get', path: '/api/alerts/:id', action: 'alerts.read', tag: 'dispatch', summary: 'One alert with its steps',
      params: uuidParams, response: alertSchema, handler: ({ params }) => incidents.getAlert(params.id) }),
    route({ method: 'post', path: '/api/alerts/:id/status', action: 'alerts.handle', tag: 'dispatch', summary: 'Acknowledge, unit sent, on scene or close (409 alert_conflict: someone was first)',
      params: uuidParams, body: alertStepInputSchema, response: alertSchema, handler: (c) => incidents.stepAlert(actor(c), c.params.id, c.body) }),
    route({ method: 'post', path: '/api/alerts/:id/remarks', action: 'alerts.handle', tag: 'dispatch', summary: 'A remark on an open alert, seen live by the observer',
      params: uuidParams, body: alertRemarkSchema, response: alertSchema, handler: (c) => incidents.remarkAlert(actor(c), c.params.id, c.body.remark) }),
    route({ method: 'get', path: '/api/board', action: 'incidents.board', tag: 'incidents', summary: 'The supervisor’s live board: open incidents, open alerts, counts',
      response: boardSchema, handler: () => incidents.board() }),
  ];
}
