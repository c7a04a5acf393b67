// When each camera was online, kept as periods in PostgreSQL (camera_online_periods): the usage report's
// "hours actually supervised". Written on the status board's online/offline transitions; while a camera stays
// online its period's last_seen_at is refreshed, so after a crash a dangling period ends at most that long late.
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { CameraStatus } from './schema.js';

export async function startOnlineLog(d: { sql: Sql; bus: EventBus; log: Logger; now?: () => Date; refreshMs?: number }) {
  const { sql } = d;
  const now = d.now ?? (() => new Date());
  await sql`update camera_online_periods set ended_at = last_seen_at where ended_at is null`;
  const online = new Set<string>();
  let chain: Promise<unknown> = Promise.resolve();
  // One write at a time, in event order: an offline must never overtake its online.
  const write = (f: () => Promise<unknown>) => { chain = chain.then(f).catch((err) => d.log.error({ err }, 'camera online period not written')); };
  const onStatus = (s: CameraStatus) => {
    if (s.online === online.has(s.cameraId)) return;
    const at = now();
    if (s.online) {
      online.add(s.cameraId);
      write(() => sql`insert into camera_online_periods (camera_id, started_at, last_seen_at) values (${s.cameraId}, ${at}, ${at}) on conflict do nothing`);
    } else {
      online.delete(s.cameraId);
      write(() => sql`update camera_online_periods set ended_at = greatest(${at}, started_at), last_seen_at = ${at} where camera_id = ${s.cameraId} and ended_at is null`);
    }
  };
  d.bus.on('camera.status', onStatus);
  const timer = setInterval(() => {
    const ids = [...online];
    if (ids.length) write(() => sql`update camera_online_periods set last_seen_at = ${now()} where ended_at is null and camera_id = any(${ids})`);
  }, d.refreshMs ?? 60_000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      d.bus.off('camera.status', onStatus);
      // A clean stop ends every open period now: the cameras go offline with the media server.
      const at = now();
      write(() => sql`update camera_online_periods set ended_at = greatest(${at}, started_at), last_seen_at = ${at} where ended_at is null`);
      await chain;
    },
  };
}
