import { z } from 'zod';
import { route, reply } from '../http/route.js';
import type { IncidentService, Actor } from './service.js';
import {
  categorySchema, incidentCreateSchema, incidentDetailSchema, incidentListQuerySchema, incidentSchema, incidentUpdateSchema, snapshotInfoSchema,
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
  ];
}
