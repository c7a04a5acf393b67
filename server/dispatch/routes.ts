import { z } from 'zod';
import type { Sql } from '../db/connect.js';
import { route } from '../http/route.js';
import { deliveryQuerySchema, deliverySchema } from '../incidents/schema.js';
import { listAttempts, listDeliveries } from './outbox.js';

const attemptSchema = z.object({
  attempt: z.number(), startedAt: z.string(), durationMs: z.number(), url: z.string(), httpStatus: z.number().nullable(),
  outcome: z.string(), error: z.string().nullable(), response: z.string().nullable(),
}).meta({ id: 'DispatchAttempt' });

export function dispatchRoutes(sql: Sql) {
  return [
    route({ method: 'get', path: '/api/dispatch/deliveries', action: 'dispatch.monitor', tag: 'dispatch', summary: 'Deliveries to the external dispatch system (CAP and JSON), newest first',
      query: deliveryQuerySchema, response: z.array(deliverySchema), handler: ({ query }) => listDeliveries(sql, query) }),
    route({ method: 'get', path: '/api/dispatch/deliveries/:id/attempts', action: 'dispatch.monitor', tag: 'dispatch', summary: 'Every attempt of one delivery, with its outcome',
      params: z.object({ id: z.coerce.number().int().min(1) }), response: z.array(attemptSchema), handler: ({ params }) => listAttempts(sql, params.id) }),
  ];
}
