// Dispatch: the hand-off to the emergency dispatch centre. The outbox worker delivers every alert change to the
// dispatcher consoles and the external system (CAP or JSON webhook); the escalation sweep escalates alerts not
// acknowledged in time. Both start from the database, so whatever a previous process left is handled now.
import type { Config } from '../config.js';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Capability } from '../capability.js';
import { DispatchWorker } from './worker.js';
import { startEscalationSweep } from './escalation.js';
import { dispatchRoutes } from './routes.js';

export async function start(d: { sql: Sql; bus: EventBus; log: Logger; config: Config; escalateOverdue: (seconds: number) => Promise<number> }): Promise<Capability> {
  const { sql, bus, log, config } = d;
  const routes = dispatchRoutes(sql);
  if (!config.DISPATCH_WORKER) return { routes, stop: async () => {} };
  const worker = new DispatchWorker({
    sql, bus, log: log.child({ part: 'dispatch' }),
    webhook: config.DISPATCH_WEBHOOK_URL ? {
      url: config.DISPATCH_WEBHOOK_URL, secret: config.DISPATCH_WEBHOOK_SECRET!, timeoutMs: config.DISPATCH_WEBHOOK_TIMEOUT_MS,
      retryBaseMs: config.DISPATCH_RETRY_BASE_MS, retryMaxMs: config.DISPATCH_RETRY_MAX_MS, maxAttempts: config.DISPATCH_WEBHOOK_MAX_ATTEMPTS,
    } : null,
    cap: { sender: config.DISPATCH_CAP_SENDER, senderName: 'Uitkijk cameratoezicht Twente', publicOrigin: config.PUBLIC_ORIGIN ?? null },
  });
  await worker.start();
  const sweep = startEscalationSweep({ everyMs: 1000, log: log.child({ part: 'escalation' }), escalate: () => d.escalateOverdue(config.DISPATCH_ESCALATE_SECONDS) });
  return { routes, stop: async () => { await sweep.stop(); await worker.stop(); } };
}
