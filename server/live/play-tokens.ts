// Short-lived play tokens: HMAC-signed, bound to one user, one camera and one stream.
// The secret is the room's (cluster/ sharedKey 'play-tokens', in PostgreSQL): a grant handed out by one node is
// played from the media server of the node that holds the camera. Tokens live 60 s.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The recorder's viewer id. Its tokens are minted only in this process (LiveService.recorderToken), like the RTSP
 * bridges' in-memory publish key. It is not a person: its reads are not live views (the viewing log is for people;
 * what people later see of the recordings is logged when they see it: playback, evidence custody).
 */
export const SYSTEM_RECORDER = 'system:recorder';
export const isSystemViewer = (viewerId: string) => viewerId.startsWith('system:');

/**
 * sid: the login session the grant was handed out in (a hash of the session's token hash, never the session itself:
 * the token is readable by the page). Grants over HTTP always carry it; tokens minted inside this process for the
 * server's own reads (snapshots, the recorder) have none.
 */
export interface PlayClaims { userId: string; cameraId: string; stream: 'main' | 'sub'; sid?: string; exp: number }

/** The sid of a login session (see PlayClaims). */
export const sessionRef = (sessionTokenHash: string): string => createHash('sha256').update(`play-session:${sessionTokenHash}`).digest('base64url').slice(0, 22);

export class PlayTokens {
  constructor(readonly ttlMs = 60_000, private now = () => Date.now(), private secret: Buffer = randomBytes(32)) {}

  sign(c: Omit<PlayClaims, 'exp'>): { token: string; expiresAt: Date } {
    const exp = this.now() + this.ttlMs;
    const body = Buffer.from(JSON.stringify({ ...c, exp })).toString('base64url');
    return { token: `${body}.${this.mac(body)}`, expiresAt: new Date(exp) };
  }

  /** When a token with these claims was signed. */
  issuedAt(c: PlayClaims): number { return c.exp - this.ttlMs; }

  /** The claims when the token is genuine, unexpired and for this camera stream; otherwise the reason. */
  verify(token: string, cameraId: string, stream: 'main' | 'sub'): { ok: true; claims: PlayClaims } | { ok: false; reason: string } {
    const [body, mac] = token.split('.');
    if (!body || !mac) return { ok: false, reason: 'malformed-token' };
    const expected = Buffer.from(this.mac(body)), given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as PlayClaims;
    if (claims.exp < this.now()) return { ok: false, reason: 'expired-token' };
    if (claims.cameraId !== cameraId || claims.stream !== stream) return { ok: false, reason: 'token-for-other-stream' };
    return { ok: true, claims };
  }

  private mac(body: string) { return createHmac('sha256', this.secret).update(body).digest('base64url'); }
}
