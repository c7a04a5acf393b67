// Domain errors: what a rule refuses, in the domain's words. Services throw these and know nothing of HTTP;
// http/errors.ts maps each kind to its status in one place (toHttp).
export type FailureKind =
  | 'invalid'          // the request breaks a rule about its own content (400)
  | 'unauthenticated'  // no one is logged in (401)
  | 'forbidden'        // this person may not do this to this thing (403)
  | 'not_found'        // it does not exist, or is not theirs to see (404)
  | 'conflict'         // the state of things does not allow it now (409)
  | 'gone'             // it existed and has expired (410)
  | 'too_large'        // (413)
  | 'unprocessable'    // well-formed, but there is nothing to do it with (422)
  | 'too_many'         // slow down (429)
  | 'unavailable';     // a part the rule needs is missing or down; try again (503)

export class DomainError extends Error {
  constructor(readonly kind: FailureKind, readonly code: string, message: string, readonly field?: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

export const notFound = (what = 'resource') => new DomainError('not_found', 'not_found', `${what} not found`);
export const forbidden = () => new DomainError('forbidden', 'forbidden', 'your role may not do this');
export const invalid = (code: string, message: string, field?: string) => new DomainError('invalid', code, message, field);
export const conflict = (code: string, message: string, field?: string) => new DomainError('conflict', code, message, field);

/** The room cannot start (a port taken, no admin in production): the message says what to do; no stack trace. */
export class StartError extends Error {}
