import { z } from 'zod';
import { route, reply } from '../http/route.js';
import { idParams } from '../cameras/schema.js';
import type { MaskService } from './service.js';
import { cameraMasksSchema, maskLiftInputSchema, maskLiftParams, maskLiftSchema, maskVersionInputSchema, maskVersionSchema } from './schema.js';

export function maskRoutes(masks: MaskService) {
  const actor = (c: { user: any; remoteAddr: string }) => ({ user: c.user, remoteAddr: c.remoteAddr });
  return [
    route({ method: 'get', path: '/api/cameras/:id/masks', action: 'masks.read', tag: 'masks', summary: 'The privacy masks a console covers now: the current version and the lifts in force (a municipality user: own cameras)',
      params: idParams, response: cameraMasksSchema, handler: (c) => masks.current(c.user!, c.params.id) }),
    route({ method: 'get', path: '/api/cameras/:id/masks/versions', action: 'masks.history', tag: 'masks', summary: 'Every version of the camera\'s masks, newest first',
      params: idParams, response: z.array(maskVersionSchema), handler: (c) => masks.versions(c.user!, c.params.id) }),
    route({ method: 'put', path: '/api/cameras/:id/masks', action: 'masks.manage', tag: 'masks', summary: 'Save a new version of the masks, in force from now (409 mask_version_conflict when baseVersion is not the current one)',
      params: idParams, body: maskVersionInputSchema, response: maskVersionSchema, handler: (c) => masks.save(actor(c), c.params.id, c.body) }),
    route({ method: 'get', path: '/api/cameras/:id/masks/frame', action: 'masks.manage', tag: 'masks', summary: 'A fresh JPEG of the camera to draw masks on (503 camera_offline when not live); every frame viewed is audited',
      params: idParams, handler: async (c) => reply(200, await masks.frame(actor(c), c.params.id), { 'content-type': 'image/jpeg', 'cache-control': 'private, no-store' }) }),
    route({ method: 'post', path: '/api/cameras/:id/masks/lifts', action: 'masks.lift', tag: 'masks', summary: 'Lift liftable masks of the current version for a limited time, with a reason',
      params: idParams, body: maskLiftInputSchema, response: maskLiftSchema, handler: async (c) => reply(201, await masks.lift(actor(c), c.params.id, c.body)) }),
    route({ method: 'delete', path: '/api/cameras/:id/masks/lifts/:liftId', action: 'masks.lift', tag: 'masks', summary: 'End a lift before its time',
      params: maskLiftParams, response: maskLiftSchema, handler: (c) => masks.endLift(actor(c), c.params.id, c.params.liftId) }),
  ];
}
