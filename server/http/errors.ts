// Errors that cross HTTP: { error: { code, message, field? } } with the right status. Never a stack trace.
import { z } from 'zod';
import { DomainError, type FailureKind } from '../errors.js';

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const STATUS: Record<FailureKind, number> = {
  invalid: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, gone: 410, too_large: 413, unprocessable: 422, too_many: 429, unavailable: 503,
};

/** The one place a domain error becomes an HTTP answer. */
export function toHttp(e: DomainError): HttpError {
  return new HttpError(STATUS[e.kind], e.code, e.message, e.field, e.retryAfterSeconds ? { 'Retry-After': String(e.retryAfterSeconds) } : {});
}

export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) }).meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const notFound = (what = 'resource') => new HttpError(404, 'not_found', `${what} not found`);
export const forbidden = () => new HttpError(403, 'forbidden', 'your role may not do this');
export const unauthenticated = () => new HttpError(401, 'unauthenticated', 'log in first (session missing or expired)');

/** Maps a zod failure to a 400 naming the first offending field. */
export function fromZod(err: z.ZodError, where: 'body' | 'query' | 'params'): HttpError {
  const issue = err.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : where;
  return new HttpError(400, 'invalid_input', `${field}: ${issue?.message ?? 'invalid'}`, field);
}

/** users_username_key → username; cameras_pkey → id. */
function uniqueField(constraint?: string): string | undefined {
  if (!constraint) return undefined;
  if (constraint.endsWith('_pkey')) return 'id';
  return constraint.replace(/_key$/, '').split('_').slice(1).join('_') || undefined;
}

/** The database cannot be reached (down, restarting, recovering): the driver's and the server's connection errors. */
const DB_UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
export const databaseUnavailable = (e: unknown) => {
  const code = (e as { code?: unknown })?.code;
  // 08xxx connection exception, 57P01-57P03 shutdown / crash / "the database system is starting up".
  return typeof code === 'string' && (DB_UNREACHABLE.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code));
};

/** Maps PostgreSQL constraint violations to client errors, and an unreachable database to 503 (try again). */
export function fromPostgres(e: unknown): HttpError | null {
  const pg = e as { code?: string; constraint_name?: string; column_name?: string };
  if (databaseUnavailable(e)) return new HttpError(503, 'database_unavailable', 'the database is not reachable right now; try again in a moment', undefined, { 'Retry-After': '2' });
  if (pg?.code === '23505') return new HttpError(409, 'conflict', `already exists (${pg.constraint_name ?? 'unique'})`, uniqueField(pg.constraint_name));
  if (pg?.code === '23503') return new HttpError(400, 'invalid_reference', `refers to something that does not exist (${pg.constraint_name ?? ''})`);
  if (pg?.code === '23514') return new HttpError(400, 'invalid_input', `violates rule ${pg.constraint_name ?? ''}`);
  return null;
}
