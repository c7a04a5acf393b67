import { z } from 'zod';
import { route } from '../http/route.js';
import { toHttp } from '../http/errors.js';
import { idParams } from '../cameras/schema.js';
import type { GrantOutcome, LiveService } from './service.js';
import type { StatusBoard } from './status-board.js';
import {
  cameraStatusSchema, liveViewQuerySchema, liveViewSchema, MAX_GRANTS_PER_REQUEST, playBatchRequestSchema, playBatchSchema, playGrantSchema, playRequestSchema, preferencesSchema,
  type PlayBatchItem,
} from './schema.js';

/** A refused camera of a batch answers with the status and code POST /api/cameras/:id/live would have. */
function batchItem(o: GrantOutcome): PlayBatchItem {
  if (o.ok) return o;
  const { status, code, message } = toHttp(o.refusal);
  return { cameraId: o.cameraId, ok: false, error: { status, code, message } };
}

export function liveRoutes(live: LiveService, board: StatusBoard) {
  return [
    route({ method: 'post', path: '/api/cameras/:id/live', action: 'live.view', tag: 'live', summary: 'A short-lived play grant for one camera stream (sub for walls, main for focus)',
      params: idParams, body: playRequestSchema, response: playGrantSchema, handler: ({ user, params, body, sessionTokenHash }) => live.grant(user!, params.id, body.stream, sessionTokenHash) }),
    route({ method: 'post', path: '/api/live/grants', action: 'live.view', tag: 'live',
      summary: `Play grants for up to ${MAX_GRANTS_PER_REQUEST} camera streams at once (a wall opening): each checked as by POST /api/cameras/:id/live, a refused camera answered in its own entry`,
      body: playBatchRequestSchema, response: playBatchSchema, handler: async ({ user, body, sessionTokenHash }) => ({ grants: (await live.grants(user!, body.streams, sessionTokenHash)).map(batchItem) }) }),
    route({ method: 'get', path: '/api/live/status', action: 'live.status', tag: 'live', summary: 'Online/offline, bitrate, fps, resolution and last frame per camera',
      response: z.array(cameraStatusSchema), handler: async () => board.all() }),
    route({ method: 'get', path: '/api/live/views', action: 'views.read.own', tag: 'live', summary: 'Viewing history: your own (scope=mine) or everyone’s (scope=all, supervisors)',
      query: liveViewQuerySchema, response: z.array(liveViewSchema), handler: ({ user, query }) => live.liveViews(user!, query) }),
    route({ method: 'get', path: '/api/me/preferences', action: 'session.self', tag: 'auth', summary: 'Your console preferences (wall layout)', response: preferencesSchema,
      handler: ({ user }) => live.preferences(user!.id) }),
    route({ method: 'put', path: '/api/me/preferences', action: 'session.self', tag: 'auth', summary: 'Save your console preferences', body: preferencesSchema, response: preferencesSchema,
      handler: async ({ user, body }) => { await live.savePreferences(user!.id, body); return body; } }),
  ];
}
