// Live-video rules: who gets a play grant for which camera stream, and whether the media server lets a player in.
import type { Sql } from '../db/connect.js';
import { parse as parseCookie } from 'cookie';
import { COOKIE, hashToken, type SessionUser } from '../auth/sessions.js';
import { can, liveViewOnlyOpenAlerts, type Role } from '../auth/policy.js';
import { cameraInOpenAlert } from '../dispatch/store.js';
import { getCamera, getCameras } from '../cameras/store.js';
import type { Camera } from '../cameras/schema.js';
import { scopeOf } from '../cameras/service.js';
import { DomainError, forbidden, notFound } from '../errors.js';
import { playPath } from '../../streams/stream-path.js';
import { SYSTEM_RECORDER, sessionRef, type PlayClaims, type PlayTokens } from './play-tokens.js';
import type { StatusBoard } from './status-board.js';
import type { LiveView, LiveViewQuery, PlayGrant, Preferences } from './schema.js';
import { getPreferences, getViewer, getViewers, listLiveViews, savePreferences, type ViewerRow } from './store.js';

type StreamKind = 'main' | 'sub';

/** One camera of a wall's batch: its grant, or the refusal that camera alone gets (routes.ts answers it as HTTP would). */
export interface PlayPlace { host: string | null; ports: readonly number[] }
export type GrantOutcome = { cameraId: string; ok: true; grant: PlayGrant } | { cameraId: string; ok: false; refusal: DomainError };

/**
 * How long the media server's play check may use a user row read earlier (sixteen tiles opening are sixteen checks of
 * the same user). Changes made through the room (disable, role, password, logout) take effect at once through
 * sessionEnded(); this bounds only changes made behind its back (SQL by hand).
 */
export const VIEWER_CACHE_MS = 5_000;

export class LiveService {
  private viewerCache = new Map<string, { until: number; row: Promise<ViewerRow | null> }>();
  /** sid → until when tokens of that ended login session could still be presented. */
  private endedSessions = new Map<string, number>();
  /** userId → when all their sessions were ended: tokens signed before then are void. */
  private usersCutAt = new Map<string, number>();

  private portTurn = 0;

  /**
   * playPlace: where a camera is played — the media server of the node that holds it (host null: the console's own
   * host) and its play ports, which grants take in turn (a wall's sockets then open in parallel).
   */
  constructor(private sql: Sql, private tokens: PlayTokens, private board: StatusBoard, private playPlace: (cameraId: string) => Promise<PlayPlace>, private now: () => number) {}

  /** One camera stream. sessionTokenHash binds the grant to the login session it was asked in. */
  async grant(user: SessionUser, cameraId: string, wanted: StreamKind, sessionTokenHash: string | null): Promise<PlayGrant> {
    this.sawViewer(user);
    const camera = await getCamera(this.sql, scopeOf(user), cameraId);
    return this.grantFor(user, cameraId, camera, wanted, sessionTokenHash, new Map());
  }

  /**
   * A whole wall in one go: exactly the checks of grant() for each stream (scope, enabled, the dispatchers' open-alert
   * rule), with one camera query instead of one request and query per tile. A refused camera refuses only its tile.
   */
  async grants(user: SessionUser, streams: ReadonlyArray<{ cameraId: string; stream: StreamKind }>, sessionTokenHash: string | null): Promise<GrantOutcome[]> {
    this.sawViewer(user);
    const cameras = await getCameras(this.sql, scopeOf(user), streams.map((s) => s.cameraId));
    const watchable = new Map<string, Promise<boolean>>();
    return Promise.all(streams.map(async ({ cameraId, stream }): Promise<GrantOutcome> => {
      try {
        return { cameraId, ok: true, grant: await this.grantFor(user, cameraId, cameras.get(cameraId) ?? null, stream, sessionTokenHash, watchable) };
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return { cameraId, ok: false, refusal: e };
      }
    }));
  }

  private async grantFor(user: SessionUser, cameraId: string, camera: Camera | null, wanted: StreamKind, sessionTokenHash: string | null,
    watchable: Map<string, Promise<boolean>>): Promise<PlayGrant> {
    if (!camera) throw notFound('camera');
    if (!camera.enabled) throw new DomainError('conflict', 'camera_disabled', 'this camera is disabled', 'id');
    if (!watchable.has(cameraId)) watchable.set(cameraId, this.mayWatch(user.role, cameraId));
    if (!(await watchable.get(cameraId))) throw new DomainError('forbidden', 'not_in_open_alert', 'you may watch only the cameras of open alerts', 'id');
    // Walls ask for the sub stream; where a camera has none (or it is not live) they get the main stream.
    const stream = wanted === 'sub' && camera.hasSubStream && this.board.get(cameraId).subStreamOnline ? 'sub' : 'main';
    const { token, expiresAt } = this.tokens.sign({ userId: user.id, cameraId, stream, ...(sessionTokenHash ? { sid: sessionRef(sessionTokenHash) } : {}) });
    const place = await this.playPlace(cameraId);
    return { cameraId, stream, host: place.host, port: this.nextPort(place.ports), path: playPath({ cameraId, stream }, token), expiresAt: expiresAt.toISOString() };
  }

  /** Chromium opens one WebSocket per host:port at a time: consecutive grants get different ports. */
  private nextPort(ports: readonly number[]): number {
    this.portTurn = (this.portTurn + 1) % Math.max(1, ports.length);
    return ports[this.portTurn] ?? ports[0]!;
  }

  /** The viewing history: one's own, or everyone's for those who may read all of it (supervisors). */
  async liveViews(user: SessionUser, q: LiveViewQuery): Promise<LiveView[]> {
    if (q.scope === 'all' && !can(user.role, 'views.read.all')) throw forbidden();
    return listLiveViews(this.sql, { userId: q.scope === 'all' ? null : user.id, cameraId: q.camera, limit: q.limit });
  }

  /** The console preferences (wall layout) of a person, the same on every console they log in to. */
  preferences(userId: string): Promise<Preferences> { return getPreferences(this.sql, userId); }
  savePreferences(userId: string, p: Preferences): Promise<void> { return savePreferences(this.sql, userId, p); }

  /** A play token for the recorder (internal credential; never handed out over HTTP). */
  recorderToken(cameraId: string): string {
    return this.tokens.sign({ userId: SYSTEM_RECORDER, cameraId, stream: 'main' }).token;
  }

  /**
   * Called by the media server before a player gets a byte: the token must be genuine and current, presented with the
   * cookie of the login session it was granted in (see playedInGrantedSession), that session not ended, the user still
   * enabled and holding the permission (and, for dispatchers, the camera still in an open alert). A wall opening is sixteen checks of one user within a fraction of a second, each holding up a WebSocket
   * handshake, so the user row is kept VIEWER_CACHE_MS; the dispatchers' alert rule is always read fresh.
   */
  async authorizePlay(cameraId: string, stream: StreamKind, token: string, cookie: string | null = null): Promise<{ ok: true; user: { id: string; username: string } } | { ok: false; reason: string }> {
    const v = this.tokens.verify(token, cameraId, stream);
    if (!v.ok) return v;
    // The recorder reads every live camera's main stream with a token only this process can mint.
    if (v.claims.userId === SYSTEM_RECORDER) return { ok: true, user: { id: SYSTEM_RECORDER, username: SYSTEM_RECORDER } };
    if (!playedInGrantedSession(v.claims, cookie)) return { ok: false, reason: 'not-the-granted-session' };
    if (this.sessionEndedFor(v.claims)) return { ok: false, reason: 'session-ended' };
    const u = await this.viewer(v.claims.userId);
    if (this.sessionEndedFor(v.claims)) return { ok: false, reason: 'session-ended' }; // ended while the row was read
    if (!u || u.disabled || !can(u.role, 'live.view')) return { ok: false, reason: 'user-not-permitted' };
    // Checked again at play: the alert may have closed since the grant.
    if (!(await this.mayWatch(u.role, cameraId))) return { ok: false, reason: 'not-in-open-alert' };
    return { ok: true, user: { id: u.id, username: u.username } };
  }

  /**
   * A login session ended (logout: tokenHash) or all of a user's sessions did (disabled, role or password changed:
   * userId). Play tokens handed out in them are refused from now on, and the user row is read again.
   */
  sessionEnded(who: { tokenHash?: string; userId?: string }): void {
    const now = this.now();
    this.forgetExpired(now);
    if (who.tokenHash) this.endedSessions.set(sessionRef(who.tokenHash), now + this.tokens.ttlMs);
    if (who.userId) {
      this.usersCutAt.set(who.userId, now);
      this.viewerCache.delete(who.userId);
    }
  }

  private sessionEndedFor(c: PlayClaims): boolean {
    if (c.sid !== undefined && this.endedSessions.has(c.sid)) return true;
    const cut = this.usersCutAt.get(c.userId);
    return cut !== undefined && this.tokens.issuedAt(c) <= cut;
  }

  /** Entries older than a token's life can no longer match a valid token. */
  private forgetExpired(now: number): void {
    for (const [sid, until] of this.endedSessions) if (until < now) this.endedSessions.delete(sid);
    for (const [id, at] of this.usersCutAt) if (at + this.tokens.ttlMs < now) this.usersCutAt.delete(id);
    for (const [id, e] of this.viewerCache) if (e.until < now) this.viewerCache.delete(id);
  }

  /**
   * A grant is asked in a live session, which was just checked against the users table (enabled, role): the player's
   * play check a moment later can use that instead of reading the row again.
   */
  private sawViewer(user: SessionUser): void {
    const now = this.now();
    // Not right after the user's sessions were ended: this request may have passed its session check just before.
    const cut = this.usersCutAt.get(user.id);
    if (cut !== undefined && now - cut <= this.tokens.ttlMs) return;
    this.viewerCache.set(user.id, { until: now + VIEWER_CACHE_MS, row: Promise.resolve({ id: user.id, username: user.username, role: user.role, disabled: false }) });
  }

  private viewer(userId: string): Promise<ViewerRow | null> {
    const now = this.now();
    const hit = this.viewerCache.get(userId);
    if (hit && hit.until >= now) return hit.row;
    if (this.viewerCache.size > 1000) this.forgetExpired(now);
    const row = getViewer(this.sql, userId);
    const entry = { until: now + VIEWER_CACHE_MS, row };
    this.viewerCache.set(userId, entry);
    // A failed read is not remembered.
    row.catch(() => { if (this.viewerCache.get(userId) === entry) this.viewerCache.delete(userId); });
    return row;
  }

  /**
   * Of the viewers playing now, those whose right to watch has ended since they were let in (the same rule as at
   * play: a dispatcher's alert closed, an account disabled). Returns their media-server session ids.
   */
  async viewersToCut(viewers: ReadonlyArray<{ sessionId: string; viewerId: string; cameraId: string }>): Promise<Set<string>> {
    const people = viewers.filter((v) => v.viewerId !== SYSTEM_RECORDER);
    const cut = new Set<string>();
    if (people.length === 0) return cut;
    const ids = [...new Set(people.map((v) => v.viewerId))];
    const users = new Map((await getViewers(this.sql, ids)).map((u) => [u.id, u]));
    const watchable = new Map<string, boolean>(); // per role and camera, asked once
    for (const v of people) {
      const u = users.get(v.viewerId);
      if (!u || u.disabled || !can(u.role, 'live.view')) { cut.add(v.sessionId); continue; }
      const key = `${u.role}/${v.cameraId}`;
      if (!watchable.has(key)) watchable.set(key, await this.mayWatch(u.role, v.cameraId));
      if (!watchable.get(key)) cut.add(v.sessionId);
    }
    return cut;
  }

  /** Dispatchers (liveViewOnlyOpenAlerts) watch only cameras of open alerts; other roles with live.view any camera. */
  private async mayWatch(role: Role, cameraId: string): Promise<boolean> {
    return !liveViewOnlyOpenAlerts.includes(role) || cameraInOpenAlert(this.sql, cameraId);
  }
}

/**
 * A grant handed out over HTTP (it carries the sid of its login session) plays only with that session's cookie: the
 * console's browser sends it with the player's request to the media server (cookies go to every port of the host), a
 * URL copied elsewhere has none, or another user's. So a play URL is no bearer token. A hash and a compare, no database
 * read: the grant and the wall's start are no slower. Tokens the server mints for its own reads (snapshots) carry no
 * sid and are never handed out.
 */
export function playedInGrantedSession(claims: PlayClaims, cookie: string | null): boolean {
  if (claims.sid === undefined) return true;
  const sessionToken = cookie ? parseCookie(cookie)[COOKIE] : undefined;
  return !!sessionToken && sessionRef(hashToken(sessionToken)) === claims.sid;
}
