// SQL of the dispatch outbox: messages written in the caller's transaction, console delivery marks, and the
// per-format webhook deliveries with their attempts.
import type { Sql } from '../db/connect.js';
import type { Alert, Delivery, DispatchMessage, DispatchMessageKind } from '../incidents/schema.js';

export type WebhookFormat = 'cap' | 'json';
export const webhookFormats: WebhookFormat[] = ['cap', 'json'];

/**
 * Writes one message into the outbox, inside the caller's transaction, so it commits with the change it reports.
 * With a webhook configured, it also queues one delivery per format.
 */
export async function enqueueDispatch(tx: Sql, kind: DispatchMessageKind, alert: Alert, opts: { webhook: boolean }): Promise<string> {
  const [m] = await tx<{ id: string; message_id: string }[]>`
    insert into dispatch_outbox (alert_id, kind, payload) values (${alert.id}, ${kind}, ${tx.json(alert as never)}) returning id, message_id`;
  if (opts.webhook) {
    for (const format of webhookFormats) {
      await tx`insert into dispatch_deliveries (outbox_id, alert_id, format) values (${m!.id}, ${alert.id}, ${format})`;
    }
  }
  return m!.message_id;
}

interface OutboxRow { id: string; message_id: string; kind: DispatchMessageKind; payload: Alert; created_at: Date }
export const toMessage = (r: OutboxRow): DispatchMessage => ({ messageId: r.message_id, kind: r.kind, at: r.created_at.toISOString(), alert: r.payload });

export async function pendingConsole(sql: Sql, limit: number): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`select id, message_id, kind, payload, created_at from dispatch_outbox where console_sent_at is null order by id limit ${limit}`;
}

export async function markConsoleSent(sql: Sql, ids: string[]): Promise<void> {
  await sql`update dispatch_outbox set console_sent_at = now() where id = any(${ids}::bigint[]) and console_sent_at is null`;
}

export interface DueDelivery {
  id: string; outbox_id: string; alert_id: string; format: WebhookFormat; attempts: number;
  message_id: string; kind: DispatchMessageKind; payload: Alert; message_created_at: Date;
}

/**
 * Claims deliveries that are due, holding each with a lease while its request is in flight (a crashed worker's
 * lease runs out, and the delivery is tried again). Messages of one alert go out in order, per format.
 */
export async function claimDue(sql: Sql, leaseMs: number, limit: number): Promise<DueDelivery[]> {
  return sql<DueDelivery[]>`
    update dispatch_deliveries d set lease_until = now() + make_interval(secs => ${leaseMs / 1000}), attempts = d.attempts + 1
    from dispatch_outbox o
    where o.id = d.outbox_id and d.id in (
      select d2.id from dispatch_deliveries d2
      where d2.state = 'pending' and d2.next_attempt_at <= now() and (d2.lease_until is null or d2.lease_until < now())
        and not exists (select 1 from dispatch_deliveries e where e.alert_id = d2.alert_id and e.format = d2.format and e.id < d2.id and e.state = 'pending')
      order by d2.id limit ${limit}
      for update skip locked)
    returning d.id, d.outbox_id, d.alert_id, d.format, d.attempts, o.message_id, o.kind, o.payload, o.created_at as message_created_at`;
}

/** The first message of an alert (its CAP identifier and sent time), which later CAP Updates reference. */
export async function firstMessageOf(sql: Sql, alertId: string): Promise<{ message_id: string; created_at: Date } | null> {
  const [r] = await sql<{ message_id: string; created_at: Date }[]>`select message_id, created_at from dispatch_outbox where alert_id = ${alertId} order by id limit 1`;
  return r ?? null;
}

export interface AttemptRecord {
  deliveryId: string; attempt: number; startedAt: Date; durationMs: number; url: string;
  httpStatus: number | null; outcome: 'delivered' | 'http_error' | 'rejected' | 'timeout' | 'network_error' | 'aborted'; error: string | null; response: string | null;
}

export async function recordAttempt(sql: Sql, a: AttemptRecord): Promise<void> {
  await sql`insert into dispatch_attempts (delivery_id, attempt, started_at, duration_ms, url, http_status, outcome, error, response)
    values (${a.deliveryId}, ${a.attempt}, ${a.startedAt}, ${a.durationMs}, ${a.url}, ${a.httpStatus}, ${a.outcome}, ${a.error}, ${a.response})`;
}

export async function markDelivered(sql: Sql, id: string): Promise<void> {
  await sql`update dispatch_deliveries set state = 'delivered', delivered_at = now(), lease_until = null, last_error = null where id = ${id}`;
}

export async function markFailed(sql: Sql, id: string, error: string): Promise<void> {
  await sql`update dispatch_deliveries set state = 'failed', lease_until = null, last_error = ${error} where id = ${id}`;
}

export async function reschedule(sql: Sql, id: string, delayMs: number, error: string | null, uncount = false): Promise<void> {
  await sql`update dispatch_deliveries set lease_until = null, last_error = coalesce(${error}, last_error),
      next_attempt_at = now() + make_interval(secs => ${delayMs / 1000}), attempts = attempts - ${uncount ? 1 : 0}
    where id = ${id}`;
}

/** When the next pending delivery falls due (null: none pending). */
export async function nextDueAt(sql: Sql): Promise<Date | null> {
  const [r] = await sql<{ at: Date | null }[]>`select min(greatest(next_attempt_at, coalesce(lease_until, next_attempt_at))) as at from dispatch_deliveries where state = 'pending'`;
  return r?.at ?? null;
}

export async function listDeliveries(sql: Sql, q: { state: 'pending' | 'delivered' | 'failed' | 'all'; limit: number }): Promise<Delivery[]> {
  const rows = await sql`
    select d.*, o.message_id, o.kind, o.created_at from dispatch_deliveries d join dispatch_outbox o on o.id = d.outbox_id
    where (${q.state} = 'all' or d.state = ${q.state}) order by d.id desc limit ${q.limit}`;
  return rows.map((r) => ({
    id: Number(r.id), messageId: r.message_id, alertId: r.alert_id, kind: r.kind, format: r.format, state: r.state, attempts: r.attempts,
    nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null, deliveredAt: r.delivered_at?.toISOString() ?? null,
    lastError: r.last_error, createdAt: r.created_at.toISOString(),
  }));
}

export async function listAttempts(sql: Sql, deliveryId: number) {
  const rows = await sql`select * from dispatch_attempts where delivery_id = ${deliveryId} order by id`;
  return rows.map((r) => ({
    attempt: r.attempt, startedAt: r.started_at.toISOString(), durationMs: r.duration_ms, url: r.url, httpStatus: r.http_status,
    outcome: r.outcome as string, error: r.error as string | null, response: r.response as string | null,
  }));
}

export async function countFailedDeliveries(sql: Sql): Promise<number> {
  const [r] = await sql`select count(*)::int as n from dispatch_deliveries where state = 'failed'`;
  return r!.n;
}
