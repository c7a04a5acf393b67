import { z } from 'zod';
import { route, reply } from '../http/route.js';
import { uuidParams } from '../incidents/schema.js';
import type { DispatchService, Actor } from './service.js';
import {
  alertListQuerySchema, alertRemarkSchema, alertSchema, alertStepInputSchema, attemptSchema, boardSchema, deliveryQuerySchema, deliverySchema,
  raiseAlertSchema,
} from './schema.js';

export function dispatchRoutes(dispatch: DispatchService) {
  const actor = (c: { user: any; remoteAddr: string }): Actor => ({ user: c.user, remoteAddr: c.remoteAddr });
  return [
    route({ method: 'post', path: '/api/incidents/:id/alert', action: 'alerts.raise', tag: 'dispatch', summary: 'Raise the incident to the dispatch centre (409 alert_open when already raised)',
      params: uuidParams, body: raiseAlertSchema, response: alertSchema, handler: async (c) => reply(201, await dispatch.raiseAlert(actor(c), c.params.id, c.body.remark)) }),
    route({ method: 'get', path: '/api/alerts', action: 'alerts.read', tag: 'dispatch', summary: 'The dispatch queue: open alerts by priority, then age (state=all: every alert, newest first)',
      query: alertListQuerySchema, response: z.array(alertSchema), handler: ({ query }) => dispatch.listAlerts(query) }),
    route({ method: 'get', path: '/api/alerts/:id', action: 'alerts.read', tag: 'dispatch', summary: 'One alert with its steps',
      params: uuidParams, response: alertSchema, handler: ({ params }) => dispatch.getAlert(params.id) }),
    route({ method: 'post', path: '/api/alerts/:id/status', action: 'alerts.handle', tag: 'dispatch', summary: 'Acknowledge, unit sent, on scene or close (409 alert_conflict: someone was first)',
      params: uuidParams, body: alertStepInputSchema, response: alertSchema, handler: (c) => dispatch.stepAlert(actor(c), c.params.id, c.body) }),
    route({ method: 'post', path: '/api/alerts/:id/remarks', action: 'alerts.handle', tag: 'dispatch', summary: 'A remark on an open alert, seen live by the observer',
      params: uuidParams, body: alertRemarkSchema, response: alertSchema, handler: (c) => dispatch.remarkAlert(actor(c), c.params.id, c.body.remark) }),
    route({ method: 'get', path: '/api/board', action: 'incidents.board', tag: 'incidents', summary: 'The supervisor’s live board: open incidents, open alerts, counts',
      response: boardSchema, handler: () => dispatch.board() }),
    route({ method: 'get', path: '/api/dispatch/deliveries', action: 'dispatch.monitor', tag: 'dispatch', summary: 'Deliveries to the external dispatch system (CAP and JSON), newest first',
      query: deliveryQuerySchema, response: z.array(deliverySchema), handler: ({ query }) => dispatch.listDeliveries(query) }),
    route({ method: 'get', path: '/api/dispatch/deliveries/:id/attempts', action: 'dispatch.monitor', tag: 'dispatch', summary: 'Every attempt of one delivery, with its outcome',
      params: z.object({ id: z.coerce.number().int().min(1) }), response: z.array(attemptSchema), handler: ({ params }) => dispatch.listAttempts(params.id) }),
  ];
}
