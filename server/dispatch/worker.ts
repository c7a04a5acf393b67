// The dispatch worker: delivers every outbox message at least once.
// (a) Consoles: each undelivered message becomes a 'dispatch.message' bus event (realtime fans it out to the
//     dispatchers); marked sent only afterwards, so a crash in between re-sends it (consoles drop seen messageIds).
// (b) External dispatch system (when a webhook is configured): CAP XML and the JSON twin, each signed, with an
//     idempotency key, retried with exponential backoff, every attempt logged; given up only after
//     maxAttempts or a permanent refusal, and then reported (audit + bus event).
// It scans the outbox when it starts, so what a killed server left undelivered goes out after the restart.
import type { Sql } from '../db/connect.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../events.js';
import { appendAudit } from '../audit/store.js';
import { buildCap, buildJsonTwin, type CapOptions } from './cap.js';
import * as store from './store.js';
import { backoffMs, postWebhook, redactUrl } from './webhook.js';

export interface WebhookSettings {
  url: string; secret: string; timeoutMs: number; retryBaseMs: number; retryMaxMs: number; maxAttempts: number;
}

export interface DispatchWorkerOptions {
  sql: Sql; bus: EventBus; log: Logger;
  webhook: WebhookSettings | null;
  cap: CapOptions;
  /** Safety net besides the in-process wake-up (e.g. messages written by another server). */
  pollMs?: number;
  /** Webhook deliveries in flight at once. */
  concurrency?: number;
}

export class DispatchWorker {
  private stopped = false;
  private consoleRun: Promise<void> | null = null;
  private consoleAgain = false;
  private webhookRun: Promise<void> | null = null;
  private webhookAgain = false;
  private poll: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private abort = new AbortController();
  private wake = () => this.kick();

  constructor(private o: DispatchWorkerOptions) {}

  async start(): Promise<void> {
    this.o.bus.on('dispatch.outbox', this.wake);
    this.poll = setInterval(this.wake, this.o.pollMs ?? 1000);
    this.poll.unref();
    this.kick();
    await this.consoleRun;
  }

  kick(): void {
    if (this.stopped) return;
    this.runConsole();
    if (this.o.webhook) this.runWebhook();
  }

  // ---- consoles -------------------------------------------------------------------------------------------------

  private runConsole() {
    if (this.consoleRun) { this.consoleAgain = true; return; }
    this.consoleRun = (async () => {
      do {
        this.consoleAgain = false;
        try { await this.consolePass(); } catch (e) { this.o.log.error({ err: e }, 'dispatch console delivery failed; retried on the next poll'); }
      } while (this.consoleAgain && !this.stopped);
    })().finally(() => { this.consoleRun = null; });
  }

  private async consolePass() {
    for (;;) {
      const rows = await store.pendingConsole(this.o.sql, 200);
      if (rows.length === 0) return;
      for (const r of rows) this.o.bus.emit('dispatch.message', store.toMessage(r));
      await store.markConsoleSent(this.o.sql, rows.map((r) => r.id));
      if (rows.length < 200 || this.stopped) return;
    }
  }

  // ---- webhook --------------------------------------------------------------------------------------------------

  private runWebhook() {
    if (this.webhookRun) { this.webhookAgain = true; return; }
    this.webhookRun = (async () => {
      do {
        this.webhookAgain = false;
        try { await this.webhookPass(); } catch (e) { this.o.log.error({ err: e }, 'dispatch webhook pass failed; retried on the next poll'); }
      } while (this.webhookAgain && !this.stopped);
      if (!this.stopped) await this.scheduleRetry().catch(() => {});
    })().finally(() => { this.webhookRun = null; });
  }

  private async webhookPass() {
    const w = this.o.webhook!;
    for (;;) {
      if (this.stopped) return;
      const due = await store.claimDue(this.o.sql, w.timeoutMs + 10_000, this.o.concurrency ?? 4);
      if (due.length === 0) return;
      await Promise.all(due.map((d) => this.deliver(d, w)));
    }
  }

  /** Wakes up when the next retry falls due (the poll would too, but later). */
  private async scheduleRetry() {
    const at = await store.nextDueAt(this.o.sql);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!at || this.stopped) return;
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.kick(); }, Math.max(0, at.getTime() - Date.now()) + 5);
    this.retryTimer.unref();
  }

  private async deliver(d: store.DueDelivery, w: WebhookSettings) {
    const first = await store.firstMessageOf(this.o.sql, d.alert_id);
    const message = store.toMessage({ id: d.outbox_id, message_id: d.message_id, kind: d.kind, payload: d.payload, created_at: d.message_created_at });
    const firstRef = first ? { messageId: first.message_id, at: first.created_at.toISOString() } : null;
    const body = d.format === 'cap' ? buildCap(message, firstRef, this.o.cap) : buildJsonTwin(message, firstRef, this.o.cap);
    const startedAt = new Date();
    const r = await postWebhook({
      url: w.url, secret: w.secret, body, timeoutMs: w.timeoutMs, stop: this.abort.signal,
      contentType: d.format === 'cap' ? 'application/cap+xml; charset=utf-8' : 'application/json; charset=utf-8',
      headers: {
        // The same key on every attempt: a receiver that saw it already can answer 2xx and ignore the repeat.
        'Idempotency-Key': `uitkijk-${d.message_id}-${d.format}`,
        'X-Uitkijk-Message-Id': d.message_id, 'X-Uitkijk-Alert-Id': d.alert_id, 'X-Uitkijk-Format': d.format,
        'X-Uitkijk-Attempt': String(d.attempts),
      },
    });
    const sql = this.o.sql;
    await store.recordAttempt(sql, {
      deliveryId: d.id, attempt: d.attempts, startedAt, durationMs: r.durationMs, url: redactUrl(w.url),
      httpStatus: r.httpStatus, outcome: r.outcome, error: r.error, response: r.response,
    });
    const log = this.o.log.child({ deliveryId: d.id, alertId: d.alert_id, format: d.format, attempt: d.attempts });
    if (r.outcome === 'delivered') { await store.markDelivered(sql, d.id); log.debug('dispatch webhook delivered'); return; }
    // Stopping is not the receiver's fault: the attempt does not count, and the next start sends it at once.
    if (r.outcome === 'aborted') { await store.reschedule(sql, d.id, 0, null, true); return; }
    const error = `${r.outcome}: ${r.error ?? ''}`.trim();
    if (r.outcome === 'rejected' || d.attempts >= w.maxAttempts) {
      await store.markFailed(sql, d.id, error);
      log.error({ error }, 'dispatch webhook delivery given up');
      const failure = { deliveryId: Number(d.id), alertId: d.alert_id, messageId: d.message_id, format: d.format, attempts: d.attempts, error };
      await appendAudit(sql, { action: 'dispatch.delivery_failed', subject: d.alert_id, details: failure }).catch((e) => log.error({ err: e }, 'audit write failed'));
      this.o.bus.emit('dispatch.delivery_failed', failure);
      return;
    }
    const wait = backoffMs(d.attempts, w.retryBaseMs, w.retryMaxMs);
    await store.reschedule(sql, d.id, wait, error);
    log.warn({ error, retryInMs: wait }, 'dispatch webhook attempt failed; will retry');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.o.bus.off('dispatch.outbox', this.wake);
    if (this.poll) clearInterval(this.poll);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.abort.abort();
    await Promise.allSettled([this.consoleRun, this.webhookRun]);
  }
}
