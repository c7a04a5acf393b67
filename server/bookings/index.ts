// Flexible supervision: municipalities book flexible cameras for their events; the activation sweep opens and
// closes each unit's window (its legal basis to publish).
import type { Config } from '../config.js';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Capability } from '../capability.js';
import { BookingService } from './service.js';
import { bookingRoutes } from './routes.js';
import { ActivationSweeper } from './activation.js';
import { loadHolidays } from './holidays.js';
import type { RunExclusive } from '../cluster/index.js';

export interface Bookings extends Capability { activation: ActivationSweeper }

export async function start(d: { sql: Sql; bus: EventBus; log: Logger; config: Config; configDir: string; now: () => Date; runExclusive: RunExclusive }): Promise<Bookings> {
  const { sql, bus, config, now } = d;
  const activation = new ActivationSweeper({ sql, bus, log: d.log.child({ part: 'activation' }), now,
    settings: { setupMs: config.BOOKING_SETUP_MINUTES * 60_000, teardownMs: config.BOOKING_TEARDOWN_MINUTES * 60_000 } });
  const service = new BookingService({ sql, bus, now, rules: {
    leadWorkingDays: config.BOOKING_LEAD_WORKING_DAYS, holidays: loadHolidays(d.configDir), maxWindowHours: config.BOOKING_MAX_WINDOW_HOURS } });
  const announcing = await d.runExclusive('bookings.activation', () => { activation.lead(true); return { stop: async () => activation.lead(false) }; });
  await activation.start();
  return { routes: bookingRoutes(service, sql, now, () => activation.all()), activation, stop: async () => { await announcing.stop(); await activation.stop(); } };
}
