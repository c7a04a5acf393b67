// The one way the console talks HTTP: every answer is validated with the server's own zod schema,
// every failure becomes an ApiError built from the server's { error: { code, message, field? } } body.
import type { z } from 'zod';
import { errorBodySchema } from '../../../server/http/errors';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The server's error code, or 'network' / 'bad_response' for failures on our side. */
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Seconds to wait, from Retry-After (429). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const toApiError = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, 'network', e instanceof Error ? e.message : String(e));

// A 401 on an ordinary call means the session ended (expired, revoked): the app goes back to login.
let onSessionLost: (() => void) | null = null;
export function setSessionLostHandler(fn: (() => void) | null) { onSessionLost = fn; }

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : 'network error');
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => '');
  let parsed: z.infer<typeof errorBodySchema> | null = null;
  try { const p = errorBodySchema.safeParse(JSON.parse(text)); if (p.success) parsed = p.data; } catch { /* not JSON */ }
  const retry = Number(res.headers.get('retry-after'));
  const err = new ApiError(res.status, parsed?.error.code ?? `http_${res.status}`, parsed?.error.message ?? (res.statusText || `HTTP ${res.status}`),
    parsed?.error.field, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  if (res.status === 401 && path !== '/api/session') onSessionLost?.();
  throw err;
}

/** Sends a request and validates the JSON answer with `schema` (never a cast). */
export async function request<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
  const res = await send(method, path, body);
  let json: unknown;
  try { json = await res.json(); } catch { throw new ApiError(res.status, 'bad_response', 'answer is not JSON'); }
  const p = schema.safeParse(json);
  if (!p.success) {
    console.error('response does not match the contract', method, path, p.error.issues);
    throw new ApiError(res.status, 'bad_response', 'answer does not match the contract');
  }
  return p.data;
}

/** An image (the mask editor's fresh frame): the bytes as a Blob, failures as ApiError like every other call. */
export async function requestBlob(method: string, path: string): Promise<Blob> {
  const res = await send(method, path);
  try { return await res.blob(); } catch { throw new ApiError(res.status, 'bad_response', 'answer could not be read'); }
}

/** For answers without a body (204). */
export async function requestNoContent(method: string, path: string, body?: unknown): Promise<void> {
  await send(method, path, body);
}
