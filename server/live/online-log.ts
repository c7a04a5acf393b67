// When each camera was online, kept as periods in PostgreSQL (camera_online_periods): the usage report's
// "hours actually supervised". Written on the status board's online/offline transitions; while a camera stays
// online its period's last_seen_at is refreshed, so after a crash a dangling period ends at most that long late.
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { CameraStatus } from './schema.js';
import { endDanglingPeriods, endOnlinePeriod, startOnlinePeriod, touchOnlinePeriods } from './store.js';

export async function startOnlineLog(d: { sql: Sql; bus: EventBus; log: Logger; now: () => Date; refreshMs?: number }) {
  const { sql, now } = d;
  await endDanglingPeriods(sql);
  const online = new Set<string>();
  let chain: Promise<unknown> = Promise.resolve();
  // One write at a time, in event order: an offline must never overtake its online.
  const write = (f: () => Promise<unknown>) => { chain = chain.then(f).catch((err) => d.log.error({ err }, 'camera online period not written')); };
  const onStatus = (s: CameraStatus) => {
    if (s.online === online.has(s.cameraId)) return;
    const at = now();
    if (s.online) {
      online.add(s.cameraId);
      write(() => startOnlinePeriod(sql, s.cameraId, at));
    } else {
      online.delete(s.cameraId);
      write(() => endOnlinePeriod(sql, s.cameraId, at));
    }
  };
  d.bus.on('camera.status', onStatus);
  const timer = setInterval(() => {
    const ids = [...online];
    if (ids.length) write(() => touchOnlinePeriods(sql, ids, now()));
  }, d.refreshMs ?? 60_000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      d.bus.off('camera.status', onStatus);
      // A clean stop ends every open period now: the cameras go offline with the media server.
      const at = now();
      write(() => endOnlinePeriod(sql, null, at));
      await chain;
    },
  };
}
