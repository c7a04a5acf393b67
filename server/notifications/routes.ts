import { z } from 'zod';
import { route } from '../http/route.js';
import type { Sql } from '../db/connect.js';
import { listFor, markRead } from './store.js';
import { markReadSchema, notificationQuerySchema, notificationSchema } from './schema.js';

export function notificationRoutes(sql: Sql) {
  return [
    route({ method: 'get', path: '/api/notifications', action: 'notifications.read', tag: 'notifications', summary: 'Your console notifications, newest first (for your role, or your municipality)',
      query: notificationQuerySchema, response: z.array(notificationSchema), handler: (c) => listFor(sql, c.user!, c.query) }),
    route({ method: 'post', path: '/api/notifications/read', action: 'notifications.read', tag: 'notifications', summary: 'Mark notifications read (ids, or all: true)',
      body: markReadSchema, response: z.object({ marked: z.number() }), handler: async (c) => ({ marked: await markRead(sql, c.user!, c.body) }) }),
  ];
}
