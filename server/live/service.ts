// Live-video rules: who gets a play grant for which camera stream, and whether the media server lets a player in.
import type { Sql } from '../db/connect.js';
import type { SessionUser } from '../auth/sessions.js';
import { can, liveViewOnlyOpenAlerts, type Role } from '../auth/policy.js';
import { cameraInOpenAlert } from '../incidents/store.js';
import { getCamera } from '../cameras/store.js';
import { scopeOf } from '../cameras/service.js';
import { HttpError, notFound } from '../http/errors.js';
import { playPath } from '../../streams/stream-path.js';
import { SYSTEM_RECORDER, type PlayTokens } from './play-tokens.js';
import type { StatusBoard } from './status-board.js';
import type { PlayGrant } from './schema.js';

export class LiveService {
  constructor(private sql: Sql, private tokens: PlayTokens, private board: StatusBoard, private flvPort: () => number) {}

  async grant(user: SessionUser, cameraId: string, wanted: 'main' | 'sub'): Promise<PlayGrant> {
    const camera = await getCamera(this.sql, scopeOf(user), cameraId);
    if (!camera) throw notFound('camera');
    if (!camera.enabled) throw new HttpError(409, 'camera_disabled', 'this camera is disabled', 'id');
    if (!(await this.mayWatch(user.role, cameraId))) throw new HttpError(403, 'not_in_open_alert', 'you may watch only the cameras of open alerts', 'id');
    // Walls ask for the sub stream; where a camera has none (or it is not live) they get the main stream.
    const stream = wanted === 'sub' && camera.hasSubStream && this.board.get(cameraId).subStreamOnline ? 'sub' : 'main';
    const { token, expiresAt } = this.tokens.sign({ userId: user.id, cameraId, stream });
    return { cameraId, stream, port: this.flvPort(), path: playPath({ cameraId, stream }, token), expiresAt: expiresAt.toISOString() };
  }

  /** A play token for the recorder (internal credential; never handed out over HTTP). */
  recorderToken(cameraId: string): string {
    return this.tokens.sign({ userId: SYSTEM_RECORDER, cameraId, stream: 'main' }).token;
  }

  /** Called by the media server before a player gets a byte. The user must still exist, be enabled and hold the permission. */
  async authorizePlay(cameraId: string, stream: 'main' | 'sub', token: string): Promise<{ ok: true; user: { id: string; username: string } } | { ok: false; reason: string }> {
    const v = this.tokens.verify(token, cameraId, stream);
    if (!v.ok) return v;
    // The recorder reads every live camera's main stream with a token only this process can mint.
    if (v.claims.userId === SYSTEM_RECORDER) return { ok: true, user: { id: SYSTEM_RECORDER, username: SYSTEM_RECORDER } };
    const [u] = await this.sql<{ id: string; username: string; role: Role; disabled: boolean }[]>`select id, username, role, disabled from users where id = ${v.claims.userId}`;
    if (!u || u.disabled || !can(u.role, 'live.view')) return { ok: false, reason: 'user-not-permitted' };
    // Checked again at play: the alert may have closed since the grant.
    if (!(await this.mayWatch(u.role, cameraId))) return { ok: false, reason: 'not-in-open-alert' };
    return { ok: true, user: { id: u.id, username: u.username } };
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
    const users = new Map((await this.sql<{ id: string; role: Role; disabled: boolean }[]>`select id, role, disabled from users where id = any(${ids}::uuid[])`).map((u) => [u.id, u]));
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
