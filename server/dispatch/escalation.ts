// The escalation sweep: every tick, alerts unacknowledged for too long are escalated (once). The rule lives in the
// database state (raised_at, status, escalated_at), so an alert raised before a restart escalates after it.
import type { Logger } from '../log.js';

export function startEscalationSweep(o: { everyMs: number; log: Logger; escalate: () => Promise<number> }) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = o.escalate()
      .then((n) => { if (n) o.log.warn({ escalated: n }, 'alerts escalated: not acknowledged in time'); })
      .catch((e) => o.log.error({ err: e }, 'escalation sweep failed; tried again on the next tick'))
      .finally(() => { running = null; });
  };
  const timer = setInterval(tick, o.everyMs);
  timer.unref();
  tick();
  return { stop: async () => { clearInterval(timer); await running; } };
}
