// Connects the media server's events to the room: camera status, the viewing record and the audit trail.
import type { Sql } from '../db/connect.js';
import type { Logger } from '../log.js';
import type { MediaServer } from '../../streams/media-server/index.js';
import { appendAudit } from '../audit/store.js';
import type { StatusBoard } from './status-board.js';
import type { EventBus } from '../events.js';
import type { LiveService } from './service.js';
import { closeDanglingViews, endLiveView, startLiveView, usernameOf } from './store.js';
import { isSystemViewer } from './play-tokens.js';
import { PublishRefusals } from './publish-refusals.js';

export async function connectLive(d: { sql: Sql; log: Logger; bus: EventBus; media: MediaServer; board: StatusBoard; live: LiveService; statsEveryMs?: number; refusalFoldMs?: number }) {
  const { sql, log, media, board } = d;
  const fail = (what: string) => (err: unknown) => log.error({ err }, what);
  await closeDanglingViews(sql);

  // A camera that is refused retries every few seconds: its refusals are folded into episodes (publish-refusals.ts).
  const publishRefusals = new PublishRefusals({ log, foldMs: d.refusalFoldMs,
    write: (r) => appendAudit(sql, { action: 'live.publish_refused', subject: r.subject, remoteAddr: r.remoteAddr, details: r.details }) });
  media.events.on('publish', (e) => { publishRefusals.accepted(e.cameraId); board.published(e.cameraId, e.stream, e.remoteAddr); });
  media.events.on('unpublish', (e) => board.unpublished(e.cameraId, e.stream));
  const refusals = new Set<Promise<unknown>>(); // audit writes in flight, awaited at stop
  media.events.on('rejected', (e) => {
    if (e.kind === 'publish') return publishRefusals.refused(e);
    // A refused play is a person's attempt to watch (Wpg: every consultation): each one is written.
    log.warn({ kind: e.kind, cameraId: e.cameraId, reason: e.reason, remoteAddr: e.remoteAddr }, `${e.kind} refused`);
    const write = appendAudit(sql, { action: 'live.play_refused', subject: e.cameraId, remoteAddr: e.remoteAddr, details: { reason: e.reason, stream: e.stream } })
      .catch(fail('audit write failed')).finally(() => refusals.delete(write));
    refusals.add(write);
  });

  // viewerId is the user id the play token was bound to (see LiveService.authorizePlay).
  const views = new Map<string, Promise<string | null>>();
  media.events.on('playStart', (e) => {
    // The recorder is not a person watching: no live view (see SYSTEM_RECORDER).
    if (isSystemViewer(e.viewerId)) return;
    views.set(e.sessionId, (async () => {
      const username = await usernameOf(sql, e.viewerId);
      return startLiveView(sql, { userId: e.viewerId, username, cameraId: e.cameraId, stream: e.stream, remoteAddr: e.remoteAddr });
    })().catch((err) => { fail('live view not recorded')(err); return null; }));
  });
  media.events.on('playEnd', (e) => {
    const id = views.get(e.sessionId);
    views.delete(e.sessionId);
    void id?.then((v) => (v ? endLiveView(sql, v) : undefined)).catch(fail('live view end not recorded'));
  });

  const revoke = (cameraId: string) => { if (media.dropCamera(cameraId)) log.info({ cameraId }, 'live stream cut: publish right revoked'); };
  d.bus.on('camera.revoked', revoke);
  // Play tokens handed out in an ended login session (logout, user disabled, role or password changed) stop working.
  const sessionEnded = (who: { tokenHash?: string; userId?: string }) => d.live.sessionEnded(who);
  d.bus.on('session.ended', sessionEnded);

  // A dispatcher watches a camera only while it belongs to an open alert: when it leaves one, those who watched it
  // through that alert are cut (the player's reconnect then asks for a grant and is refused).
  const cuts = new Set<Promise<unknown>>();
  const released = (e: { alertId: string; cameraIds: string[] }) => {
    const cut = (async () => {
      const playing = media.viewers().filter((v) => e.cameraIds.includes(v.cameraId));
      const ended = await d.live.viewersToCut(playing);
      const n = media.dropViewers((v) => ended.has(v.sessionId));
      if (n) log.info({ alertId: e.alertId, cameraIds: e.cameraIds, viewers: n }, 'live view cut: the alert no longer holds these cameras');
    })().catch(fail('live views of a released alert not cut')).finally(() => cuts.delete(cut));
    cuts.add(cut);
  };
  d.bus.on('alert.cameras_released', released);

  const timer = setInterval(() => board.stats(media.stats().map((s) => ({
    cameraId: s.cameraId, stream: s.stream, bitrateKbps: s.bitrateKbps, fps: s.fps ?? null, width: s.width ?? null, height: s.height ?? null, lastFrameAt: s.lastFrameAt,
  }))), d.statsEveryMs ?? 2000);
  timer.unref();
  return { stop: async () => { clearInterval(timer); d.bus.off('camera.revoked', revoke); d.bus.off('session.ended', sessionEnded); d.bus.off('alert.cameras_released', released); await Promise.all([...cuts]); await Promise.all(views.values()); await Promise.all([...refusals]); await publishRefusals.stop(); await board.drain(); } };
}
