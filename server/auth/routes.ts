import type { Sql } from '../db/connect.js';
import { route, reply } from '../http/route.js';
import { HttpError } from '../http/errors.js';
import { appendAudit } from '../audit/store.js';
import type { EventBus } from '../events.js';
import { policy } from './policy.js';
import { loginSchema, meSchema } from './schema.js';
import { verifyPassword, dummyHash } from './passwords.js';
import { COOKIE, createSession, type SessionTimes, type SessionUser } from './sessions.js';
import { loginBlockedFor, type ThrottleRule } from './throttle.js';
import { clearLoginFailures, endSession, loginAccount, recordLoginFailure } from './store.js';

export const toMe = (u: SessionUser) => ({ id: u.id, username: u.username, displayName: u.displayName, role: u.role, municipalityId: u.municipalityId, actions: [...policy[u.role]] });

export function authRoutes(sql: Sql, bus: EventBus, opts: { times: SessionTimes; throttle: ThrottleRule; secureCookie: boolean }) {
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: opts.secureCookie, path: '/', maxAge: opts.times.maxMs };
  return [
    route({ method: 'post', path: '/api/session', action: 'public', tag: 'auth', summary: 'Log in',
      body: loginSchema, response: meSchema,
      handler: async ({ body, remoteAddr, res }) => {
        const wait = await loginBlockedFor(sql, body.username, remoteAddr, opts.throttle);
        if (wait > 0) {
          await appendAudit(sql, { action: 'login.throttled', subject: body.username, remoteAddr });
          throw new HttpError(429, 'too_many_attempts', `too many failed logins; try again in ${wait} s`, undefined, { 'Retry-After': String(wait) });
        }
        const u = await loginAccount(sql, body.username);
        const ok = await verifyPassword(body.password, u?.passwordHash ?? (await dummyHash));
        if (!u || !ok || u.disabled) {
          await recordLoginFailure(sql, body.username, remoteAddr);
          await appendAudit(sql, { action: 'login.failed', subject: body.username, remoteAddr, details: { reason: !u ? 'unknown user' : u.disabled && ok ? 'disabled' : 'wrong password' } });
          throw new HttpError(401, 'bad_credentials', 'wrong username or password');
        }
        const { user } = u;
        const token = await createSession(sql, user.id, remoteAddr, opts.times);
        await clearLoginFailures(sql, user.username);
        await appendAudit(sql, { action: 'login.ok', actor: user, subject: user.username, remoteAddr });
        res.cookie(COOKIE, token, cookieOptions);
        return toMe(user);
      } }),
    route({ method: 'get', path: '/api/session', action: 'session.self', tag: 'auth', summary: 'Who is logged in', response: meSchema,
      handler: async ({ user }) => toMe(user!) }),
    route({ method: 'delete', path: '/api/session', action: 'session.self', tag: 'auth', summary: 'Log out',
      handler: async ({ user, sessionTokenHash, remoteAddr, res }) => {
        await endSession(sql, sessionTokenHash!);
        await appendAudit(sql, { action: 'logout', actor: user, subject: user!.username, remoteAddr });
        bus.emit('session.ended', { tokenHash: sessionTokenHash! });
        res.clearCookie(COOKIE, { ...cookieOptions, maxAge: undefined });
        return reply(204);
      } }),
  ];
}
