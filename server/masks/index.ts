// Privacy masks (issue #16): per-camera polygons that consoles cover live and that exports burn in.
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Capability } from '../capability.js';
import { MaskService } from './service.js';
import { maskRoutes } from './routes.js';
import { cameraMunicipality, openLifts } from './store.js';
import type { MaskLift } from './schema.js';
import { createFrameGrabber } from './frame-grabber.js';

export { burnPlan, liftableIds, type BurnPlan, type MaskLiftOrder } from './burn-plan.js';

export interface Masks extends Capability { service: MaskService }

// setTimeout holds at most ~24.8 days; lifts last at most MAX_LIFT_MINUTES, far below it.
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function start(d: {
  sql: Sql; bus: EventBus; log: Logger; now?: () => Date;
  ffmpegPath: string | null;
  /** The live side of the admin's frame: is the camera live, and a URL of its main stream the room may read. */
  live: { isLive(cameraId: string): boolean; playUrl(cameraId: string): string };
}): Promise<Masks> {
  const now = d.now ?? (() => new Date());
  // A lift ends by itself at `until`: the consoles hear it then, so the lifted-mask marker goes and the cover returns.
  const timers = new Set<NodeJS.Timeout>();
  const announceEnd = (lift: MaskLift) => {
    const t = setTimeout(async () => {
      timers.delete(t);
      const municipalityId = await cameraMunicipality(d.sql, lift.cameraId).catch(() => null);
      if (municipalityId) d.bus.emit('masks.changed', lift.cameraId, municipalityId);
    }, Math.min(MAX_TIMER_MS, Math.max(0, Date.parse(lift.until) - now().getTime()) + 50));
    t.unref();
    timers.add(t);
  };
  const service = new MaskService({ sql: d.sql, bus: d.bus, now, grabFrame: createFrameGrabber({ ffmpegPath: () => d.ffmpegPath, isLive: d.live.isLive, playUrl: d.live.playUrl }), onLift: announceEnd });
  for (const l of await openLifts(d.sql, now())) announceEnd(l);
  return {
    routes: maskRoutes(service), service,
    stop: async () => { for (const t of timers) clearTimeout(t); timers.clear(); },
  };
}
