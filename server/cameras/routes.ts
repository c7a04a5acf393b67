import { z } from 'zod';
import { route, reply } from '../http/route.js';
import type { CameraService } from './service.js';
import { cameraCreateSchema, cameraListQuerySchema, cameraSchema, cameraUpdateSchema, cameraWithKeySchema, idParams, municipalitySchema } from './schema.js';
import { listMunicipalities } from './store.js';
import type { Sql } from '../db/connect.js';
import { scopeOf } from './service.js';

export function cameraRoutes(cameras: CameraService, sql: Sql) {
  const actor = (c: { user: any; remoteAddr: string }) => ({ user: c.user, remoteAddr: c.remoteAddr });
  return [
    route({ method: 'get', path: '/api/municipalities', action: 'municipalities.read', tag: 'cameras', summary: 'Municipalities (a municipality user: only its own)',
      response: z.array(municipalitySchema), handler: ({ user }) => listMunicipalities(sql, scopeOf(user!)) }),
    route({ method: 'get', path: '/api/cameras', action: 'cameras.read', tag: 'cameras', summary: 'Camera registry (a municipality user: only its own)',
      query: cameraListQuerySchema, response: z.array(cameraSchema), handler: ({ user, query }) => cameras.list(user!, query) }),
    route({ method: 'get', path: '/api/cameras/:id', action: 'cameras.read', tag: 'cameras', summary: 'One camera',
      params: idParams, response: cameraSchema, handler: ({ user, params }) => cameras.get(user!, params.id) }),
    route({ method: 'post', path: '/api/cameras', action: 'cameras.manage', tag: 'cameras', summary: 'Register a camera; an RTMP camera gets its publish key, shown once',
      body: cameraCreateSchema, response: cameraWithKeySchema, handler: async (c) => reply(201, await cameras.create(actor(c), c.body)) }),
    route({ method: 'patch', path: '/api/cameras/:id', action: 'cameras.manage', tag: 'cameras', summary: 'Change a camera',
      params: idParams, body: cameraUpdateSchema, response: cameraWithKeySchema, handler: (c) => cameras.update(actor(c), c.params.id, c.body) }),
    route({ method: 'post', path: '/api/cameras/:id/disable', action: 'cameras.manage', tag: 'cameras', summary: 'Disable a camera (it can no longer publish)',
      params: idParams, response: cameraSchema, handler: (c) => cameras.disable(actor(c), c.params.id) }),
    route({ method: 'post', path: '/api/cameras/:id/rotate-key', action: 'cameras.manage', tag: 'cameras', summary: 'Issue a new publish key (shown once); the old one stops working',
      params: idParams, response: cameraWithKeySchema, handler: (c) => cameras.rotateKey(actor(c), c.params.id) }),
  ];
}
