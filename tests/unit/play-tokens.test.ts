import { describe, expect, it } from 'vitest';
import { PlayTokens, sessionRef } from '../../server/live/play-tokens.js';
import { playedInGrantedSession } from '../../server/live/service.js';
import { COOKIE, hashToken } from '../../server/auth/sessions.js';

describe('play tokens', () => {
  let now = 1_000_000;
  const tokens = new PlayTokens(60_000, () => now);
  const claims = { userId: 'u1', cameraId: 'ens-oude-markt', stream: 'sub' as const };

  it('verifies a fresh token for its own camera stream only', () => {
    const { token, expiresAt } = tokens.sign(claims);
    expect(expiresAt.getTime()).toBe(now + 60_000);
    expect(tokens.verify(token, 'ens-oude-markt', 'sub')).toMatchObject({ ok: true, claims: { userId: 'u1' } });
    expect(tokens.verify(token, 'ens-oude-markt', 'main')).toEqual({ ok: false, reason: 'token-for-other-stream' });
    expect(tokens.verify(token, 'hgl-beekstraat', 'sub')).toEqual({ ok: false, reason: 'token-for-other-stream' });
  });

  it('carries the login session as a hash (never the session itself) and tells when it was signed', () => {
    const sid = sessionRef('a'.repeat(64));
    expect(sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sid).not.toContain('a'.repeat(8));
    expect(sessionRef('b'.repeat(64))).not.toBe(sid);
    const signedAt = now;
    const { token } = tokens.sign({ ...claims, sid });
    const v = tokens.verify(token, 'ens-oude-markt', 'sub');
    expect(v).toMatchObject({ ok: true, claims: { sid } });
    if (v.ok) expect(tokens.issuedAt(v.claims)).toBe(signedAt);
  });

  it('refuses an expired, tampered or foreign token', () => {
    const { token } = tokens.sign(claims);
    const [body, mac] = token.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, userId: 'u2', exp: now + 60_000 })).toString('base64url');
    expect(tokens.verify(`${forgedBody}.${mac}`, 'ens-oude-markt', 'sub')).toEqual({ ok: false, reason: 'bad-signature' });
    expect(tokens.verify(new PlayTokens(60_000, () => now).sign(claims).token, 'ens-oude-markt', 'sub')).toEqual({ ok: false, reason: 'bad-signature' });
    expect(tokens.verify('garbage', 'ens-oude-markt', 'sub')).toEqual({ ok: false, reason: 'malformed-token' });
    now += 60_001;
    expect(tokens.verify(`${body}.${mac}`, 'ens-oude-markt', 'sub')).toEqual({ ok: false, reason: 'expired-token' });
  });

  it('a grant plays only with the cookie of its own login session; the server\'s own tokens need none', () => {
    const mine = 'session-token-of-the-observer', theirs = 'session-token-of-someone-else';
    const claims2 = { ...claims, sid: sessionRef(hashToken(mine)), exp: now + 60_000 };
    expect(playedInGrantedSession(claims2, `theme=dark; ${COOKIE}=${mine}`)).toBe(true);
    expect(playedInGrantedSession(claims2, null)).toBe(false);
    expect(playedInGrantedSession(claims2, 'theme=dark')).toBe(false);
    expect(playedInGrantedSession(claims2, `${COOKIE}=${theirs}`)).toBe(false);
    expect(playedInGrantedSession(claims2, `${COOKIE}=`)).toBe(false);
    expect(playedInGrantedSession({ ...claims, exp: now + 60_000 }, null)).toBe(true);
  });
});
