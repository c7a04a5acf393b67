// The express app: security headers, CSRF origin check, session resolution, policy-checked routes, JSON errors, the built client.
import express, { type Request, type Response, type NextFunction } from 'express';
import helmet from 'helmet';
import { parse as parseCookie } from 'cookie';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import path from 'node:path';
import { z } from 'zod';
import { ping, type Sql } from '../db/connect.js';
import type { Logger } from '../log.js';
import { can } from '../auth/policy.js';
import { COOKIE, resolveSession, type SessionTimes } from '../auth/sessions.js';
import { HttpError, forbidden, fromPostgres, fromZod, toHttp, unauthenticated } from './errors.js';
import { DomainError } from '../errors.js';
import { isReply, type RouteDef } from './route.js';
import { withCleanText } from './clean-text.js';
import type { Metrics } from './metrics.js';

export interface AppDeps {
  sql: Sql; log: Logger; metrics: Metrics; routes: RouteDef[]; times: SessionTimes;
  clientDir: string | null; publicOrigin?: string; openapi: () => unknown;
}

export const remoteAddrOf = (req: Request) => (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');

/** Cookie-authenticated writes must come from our own origin (SameSite=Strict is the first line, this the second). */
function sameOrigin(req: Request, publicOrigin?: string): boolean {
  const origin = req.get('origin');
  if (!origin) return req.get('sec-fetch-site') === undefined || ['same-origin', 'none'].includes(req.get('sec-fetch-site')!);
  if (publicOrigin && origin === publicOrigin) return true;
  try { return new URL(origin).host === req.get('host'); } catch { return false; }
}

export function createApp(d: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet({
    contentSecurityPolicy: { directives: {
      'default-src': ["'self'"], 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"],
      // Live video comes over WebSocket-FLV from the media server's own port, and mpegts.js runs a blob worker.
      'connect-src': ["'self'", 'ws:', 'wss:', 'http:', 'https:'], 'media-src': ["'self'", 'blob:'], 'worker-src': ["'self'", 'blob:'],
      'img-src': ["'self'", 'data:', 'blob:'],
    } },
  }));
  app.use((req, res, next) => {
    const end = d.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ?? (req.path.startsWith('/api') ? 'unmatched' : 'static'), status: res.statusCode }));
    next();
  });

  app.get('/healthz', async (_req, res) => {
    try {
      await Promise.race([ping(d.sql), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000))]);
      res.json({ status: 'ok', database: 'up' });
    } catch (e) {
      res.status(503).json({ status: 'degraded', database: 'down', error: e instanceof Error ? e.message : String(e) });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', d.metrics.registry.contentType).send(await d.metrics.registry.metrics());
  });
  app.get('/api/openapi.json', (_req, res) => { res.json(d.openapi()); });

  app.use('/api', express.json({ limit: '1mb' }));
  app.use('/api', (req, _res, next) => {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !sameOrigin(req, d.publicOrigin)) return next(new HttpError(403, 'bad_origin', 'cross-site request refused'));
    next();
  });

  for (const r of d.routes) {
    // Every route's input passes the one text check first (NUL, lone surrogates): see clean-text.ts.
    const schemas = {
      params: r.params && withCleanText(r.params), query: r.query && withCleanText(r.query), body: r.body && withCleanText(r.body),
    };
    app[r.method](r.path, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const remoteAddr = remoteAddrOf(req);
        let user = null, sessionTokenHash = null;
        if (r.action !== 'public') {
          const token = parseCookie(req.get('cookie') ?? '')[COOKIE];
          const s = await resolveSession(d.sql, token, d.times);
          if (!s) throw unauthenticated();
          if (!can(s.user.role, r.action)) throw forbidden();
          user = s.user; sessionTokenHash = s.tokenHash;
        }
        const parse = <T>(schema: z.ZodType<T> | undefined, v: unknown, where: 'params' | 'query' | 'body'): T => {
          if (!schema) return undefined as T;
          const p = schema.safeParse(v ?? {});
          if (!p.success) throw fromZod(p.error, where);
          return p.data;
        };
        const params = parse(schemas.params, req.params, 'params');
        const query = parse(schemas.query, req.query, 'query');
        const body = parse(schemas.body, req.body, 'body');
        const out = await r.handler({ params, query, body, user, sessionTokenHash, remoteAddr, req, res });
        if (isReply(out)) {
          if (out.file) {
            const file = out.file;
            await new Promise<void>((resolve, reject) => res.sendFile(file, { headers: out.headers, dotfiles: 'allow' }, (err) => (err && !res.headersSent ? reject(err) : resolve())));
            return;
          }
          if (out.headers) res.set(out.headers);
          if (out.body instanceof Readable) {
            res.status(out.status);
            out.body.once('error', (err) => { d.log.warn({ err, path: req.path }, 'streamed reply failed'); res.destroy(err); });
            out.body.pipe(res);
            return;
          }
          if (out.body === undefined) res.status(out.status).end();
          else if (Buffer.isBuffer(out.body)) res.status(out.status).send(out.body); // binary (e.g. a snapshot JPEG): headers name the type
          else res.status(out.status).json(out.body);
        } else res.json(out);
      } catch (e) { next(e); }
    });
  }

  app.use('/api', (req, _res, next) => next(new HttpError(404, 'not_found', `no API route ${req.method} ${req.path}`)));

  if (d.clientDir && existsSync(path.join(d.clientDir, 'index.html'))) {
    app.use(express.static(d.clientDir, { index: false, maxAge: '1h' }));
    app.get('/{*path}', (_req, res) => res.sendFile(path.join(d.clientDir!, 'index.html')));
  }

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let e: HttpError;
    const anyErr = err as { type?: string; status?: number };
    if (err instanceof HttpError) e = err;
    else if (err instanceof DomainError) e = toHttp(err);
    else if (anyErr?.type === 'entity.too.large') e = new HttpError(413, 'too_large', 'request body over 1 MB');
    else if (anyErr?.type === 'entity.parse.failed') e = new HttpError(400, 'malformed_json', 'request body is not valid JSON', 'body');
    else if (anyErr?.status && anyErr.status >= 400 && anyErr.status < 500) e = new HttpError(anyErr.status, 'bad_request', 'bad request');
    else {
      const pg = fromPostgres(err);
      if (pg) e = pg;
      else {
        d.log.error({ err, path: req.path, method: req.method }, 'unhandled error');
        e = new HttpError(500, 'internal', 'internal error');
      }
    }
    if (e.headers) res.set(e.headers);
    res.status(e.status).json({ error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } });
  });
  return app;
}
