import { z } from 'zod';
import type { Sql } from '../db/connect.js';
import { route } from '../http/route.js';
import { forbidden } from '../http/errors.js';
import { can } from '../auth/policy.js';
import { idParams } from '../cameras/schema.js';
import type { LiveService } from './service.js';
import type { StatusBoard } from './status-board.js';
import {
  cameraStatusSchema, liveViewQuerySchema, liveViewSchema, MAX_GRANTS_PER_REQUEST, playBatchRequestSchema, playBatchSchema, playGrantSchema, playRequestSchema, preferencesSchema,
} from './schema.js';
import { listLiveViews } from './views.js';

export function liveRoutes(sql: Sql, live: LiveService, board: StatusBoard) {
  return [
    route({ method: 'post', path: '/api/cameras/:id/live', action: 'live.view', tag: 'live', summary: 'A short-lived play grant for one camera stream (sub for walls, main for focus)',
      params: idParams, body: playRequestSchema, response: playGrantSchema, handler: ({ user, params, body, sessionTokenHash }) => live.grant(user!, params.id, body.stream, sessionTokenHash) }),
    route({ method: 'post', path: '/api/live/grants', action: 'live.view', tag: 'live',
      summary: `Play grants for up to ${MAX_GRANTS_PER_REQUEST} camera streams at once (a wall opening): each checked as by POST /api/cameras/:id/live, a refused camera answered in its own entry`,
      body: playBatchRequestSchema, response: playBatchSchema, handler: async ({ user, body, sessionTokenHash }) => ({ grants: await live.grants(user!, body.streams, sessionTokenHash) }) }),
    route({ method: 'get', path: '/api/live/status', action: 'live.status', tag: 'live', summary: 'Online/offline, bitrate, fps, resolution and last frame per camera',
      response: z.array(cameraStatusSchema), handler: async () => board.all() }),
    route({ method: 'get', path: '/api/live/views', action: 'views.read.own', tag: 'live', summary: 'Viewing history: your own (scope=mine) or everyone’s (scope=all, supervisors)',
      query: liveViewQuerySchema, response: z.array(liveViewSchema),
      handler: async ({ user, query }) => {
        if (query.scope === 'all' && !can(user!.role, 'views.read.all')) throw forbidden();
        return listLiveViews(sql, { userId: query.scope === 'all' ? null : user!.id, cameraId: query.camera, limit: query.limit });
      } }),
    route({ method: 'get', path: '/api/me/preferences', action: 'session.self', tag: 'auth', summary: 'Your console preferences (wall layout)', response: preferencesSchema,
      handler: async ({ user }) => preferencesSchema.parse((await sql`select preferences from users where id = ${user!.id}`)[0]?.preferences ?? {}) }),
    route({ method: 'put', path: '/api/me/preferences', action: 'session.self', tag: 'auth', summary: 'Save your console preferences', body: preferencesSchema, response: preferencesSchema,
      handler: async ({ user, body }) => { await sql`update users set preferences = ${sql.json(body as never)} where id = ${user!.id}`; return body; } }),
  ];
}
