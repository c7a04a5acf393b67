// Dispatch: the hand-off to the emergency dispatch centre. The alerts (raised from incidents, stepped by dispatchers),
// the outbox worker that delivers every alert change to the dispatcher consoles and the external system (CAP or JSON
// webhook), and the escalation sweep for alerts not acknowledged in time. Both start from the database, so whatever a
// previous process left is handled now. Depends on incidents (an alert is an incident raised); incidents learn of
// alerts only through the door attached here.
import type { Config } from '../config.js';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Capability } from '../capability.js';
import type { Incidents } from '../incidents/index.js';
import { DispatchService } from './service.js';
import { DispatchWorker } from './worker.js';
import { startEscalationSweep } from './escalation.js';
import { dispatchRoutes } from './routes.js';
import type { RunExclusive } from '../cluster/index.js';

export interface Dispatch extends Capability { service: DispatchService }

export async function start(d: { sql: Sql; bus: EventBus; log: Logger; config: Config; incidents: Incidents; runExclusive: RunExclusive }): Promise<Dispatch> {
  const { sql, bus, log, config } = d;
  const service = new DispatchService({ sql, bus, categories: d.incidents.categories, incidents: d.incidents.service, webhook: !!config.DISPATCH_WEBHOOK_URL });
  // From now on an incident change reaches its open alert (and the outbox) in the incident's own transaction.
  d.incidents.service.attachAlerts(service);
  const routes = dispatchRoutes(service);
  if (!config.DISPATCH_WORKER) return { routes, service, stop: async () => {} };
  // The outbox worker and the escalation sweep run on one node of the cluster at a time (server/cluster/leases.ts);
  // a node that takes the outbox over starts a fresh worker, which scans what is still undelivered.
  const newWorker = () => new DispatchWorker({
    sql, bus, log: log.child({ part: 'dispatch' }),
    webhook: config.DISPATCH_WEBHOOK_URL ? {
      url: config.DISPATCH_WEBHOOK_URL, secret: config.DISPATCH_WEBHOOK_SECRET!, timeoutMs: config.DISPATCH_WEBHOOK_TIMEOUT_MS,
      retryBaseMs: config.DISPATCH_RETRY_BASE_MS, retryMaxMs: config.DISPATCH_RETRY_MAX_MS, maxAttempts: config.DISPATCH_WEBHOOK_MAX_ATTEMPTS,
    } : null,
    cap: { sender: config.DISPATCH_CAP_SENDER, senderName: 'Uitkijk cameratoezicht Twente', publicOrigin: config.PUBLIC_ORIGIN ?? null },
  });
  const worker = await d.runExclusive('dispatch.outbox', async () => { const w = newWorker(); await w.start(); return w; });
  const sweep = await d.runExclusive('dispatch.escalation', () =>
    startEscalationSweep({ everyMs: 1000, log: log.child({ part: 'escalation' }), escalate: () => service.escalateOverdue(config.DISPATCH_ESCALATE_SECONDS) }));
  return { routes, service, stop: async () => { await sweep.stop(); await worker.stop(); } };
}
