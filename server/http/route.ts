// A route is data: method, path, the policy action it needs and zod schemas for its input and output.
// The same list mounts express handlers, generates /api/openapi.json and drives the permission-matrix test.
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Action } from '../auth/policy.js';
import type { SessionUser } from '../auth/sessions.js';

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface RouteContext<P, Q, B> {
  params: P; query: Q; body: B;
  user: SessionUser | null;      // null only on public routes
  sessionTokenHash: string | null;
  remoteAddr: string;
  req: Request; res: Response;
}

// body: JSON, a Buffer (sent as is) or a Readable (piped, e.g. a zip built on the fly). file: an absolute path sent
// with byte-range support (a browser <video> asks ranges); only paths the server resolved itself, never a user's.
export interface Reply { status: number; body?: unknown; headers?: Record<string, string>; file?: string }

export interface RouteDef<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  path: string;                  // express syntax: /api/cameras/:id
  action: Action | 'public';
  summary: string;
  tag: string;
  params?: P; query?: Q; body?: B;
  response?: z.ZodType;          // 200 body (documented; 201/204 via Reply)
  handler(ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<unknown | Reply>;
}

export function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

export const reply = (status: number, body?: unknown, headers?: Record<string, string>): Reply & { __reply: true } => ({ status, body, headers, __reply: true });
export const fileReply = (file: string, headers?: Record<string, string>): Reply & { __reply: true } => ({ status: 200, file, headers, __reply: true });
export const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && '__reply' in v;
