import { z } from 'zod';
import { route, reply } from '../http/route.js';
import type { UserService } from './service.js';
import { userCreateSchema, userIdParams, userSchema, userUpdateSchema } from './schema.js';

export function userRoutes(users: UserService) {
  return [
    route({ method: 'get', path: '/api/users', action: 'users.manage', tag: 'users', summary: 'All accounts', response: z.array(userSchema), handler: () => users.list() }),
    route({ method: 'post', path: '/api/users', action: 'users.manage', tag: 'users', summary: 'Create an account', body: userCreateSchema, response: userSchema,
      handler: async (c) => reply(201, await users.create({ user: c.user, remoteAddr: c.remoteAddr }, c.body)) }),
    route({ method: 'patch', path: '/api/users/:id', action: 'users.manage', tag: 'users', summary: 'Change, disable or reset an account', params: userIdParams, body: userUpdateSchema, response: userSchema,
      handler: (c) => users.update({ user: c.user, remoteAddr: c.remoteAddr }, c.params.id, c.body) }),
  ];
}
