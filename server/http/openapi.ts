// /api/openapi.json, generated from the same route list and zod schemas that validate the requests.
import { createDocument } from 'zod-openapi';
import type { RouteDef } from './route.js';
import { errorBodySchema } from './errors.js';

export function openapiDocument(routes: RouteDef[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = r.path.replace(/:(\w+)/g, '{$1}');
    const err = (description: string) => ({ description, content: { 'application/json': { schema: errorBodySchema } } });
    paths[p] ??= {};
    paths[p][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      'x-uitkijk-action': r.action,
      ...(r.action === 'public' ? { security: [] } : {}),
      requestParams: { ...(r.params ? { path: r.params } : {}), ...(r.query ? { query: r.query } : {}) },
      ...(r.body ? { requestBody: { content: { 'application/json': { schema: r.body } } } } : {}),
      responses: {
        200: r.response ? { description: 'OK', content: { 'application/json': { schema: r.response } } } : { description: 'OK' },
        400: err('invalid input: the field is named'),
        ...(r.action === 'public' ? {} : { 401: err('no live session'), 403: err('the role lacks this permission') }),
      },
    };
  }
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'Uitkijk API', version: '0.1.0', description: 'Camera-supervision room. Cookie session auth; every route names the policy action it needs (x-uitkijk-action).' },
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'uitkijk_session' } } },
    security: [{ session: [] }],
    paths: paths as never,
  });
}
