// SQL of dispatch: the alerts (raised, stepped, remarked, escalated; read with their incident), the outbox
// messages written in the caller's transaction, the console delivery marks, and the per-format webhook deliveries
// with their attempts.
import type postgres from 'postgres';
import type { Sql } from '../db/connect.js';
import type { Categories } from '../incidents/categories.js';
import { alertSummary, iso, snapshotInfo, type ActorRef } from '../incidents/store.js';
import type { AlertStatus } from '../incidents/schema.js';
import type { Alert, Attempt, Delivery, DispatchMessage, DispatchMessageKind } from './schema.js';

type Fragment = postgres.Fragment;

// ---- alerts -------------------------------------------------------------------------------------------------------

export async function openAlertOf(tx: Sql, incidentId: string): Promise<{ id: string; status: AlertStatus } | null> {
  const [r] = await tx<{ id: string; status: AlertStatus }[]>`select id, status from alerts where incident_id = ${incidentId} and status <> 'closed'`;
  return r ?? null;
}

export async function insertAlert(tx: Sql, incidentId: string, raisedBy: string, remark: string): Promise<string> {
  const [r] = await tx`insert into alerts (incident_id, raised_by, last_remark) values (${incidentId}, ${raisedBy}, ${remark}) returning id`;
  return r!.id;
}

export async function addAlertStep(tx: Sql, alertId: string, actor: ActorRef | null, step: string, remark = ''): Promise<void> {
  await tx`insert into alert_steps (alert_id, actor_id, actor_name, step, remark) values (${alertId}, ${actor?.id ?? null}, ${actor?.name ?? null}, ${step}, ${remark})`;
}

const stepColumns: Record<Exclude<AlertStatus, 'raised'>, [string, string]> = {
  acknowledged: ['acknowledged_at', 'acknowledged_by'], unit_sent: ['unit_sent_at', 'unit_sent_by'],
  on_scene: ['on_scene_at', 'on_scene_by'], closed: ['closed_at', 'closed_by'],
};

/**
 * Moves an alert to `to` only while its status is one of `from`: the database decides who was first.
 * Returns false when the alert was no longer in one of those states (someone else acted, or the step is not allowed).
 */
export async function moveAlert(tx: Sql, alertId: string, from: AlertStatus[], to: Exclude<AlertStatus, 'raised'>, byId: string, remark: string): Promise<boolean> {
  const [at, by] = stepColumns[to];
  const res = await tx`update alerts set status = ${to}, version = version + 1, ${tx(at)} = now(), ${tx(by)} = ${byId},
      last_remark = case when ${remark} = '' then last_remark else ${remark} end
    where id = ${alertId} and status = any(${from}::text[])`;
  return res.count === 1;
}

export async function remarkAlert(tx: Sql, alertId: string, remark: string): Promise<boolean> {
  return (await tx`update alerts set last_remark = ${remark}, version = version + 1 where id = ${alertId}`).count === 1;
}

/** An incident change the dispatchers must see: bumps the open alert's version. */
export async function touchOpenAlert(tx: Sql, incidentId: string): Promise<string | null> {
  const [r] = await tx`update alerts set version = version + 1 where incident_id = ${incidentId} and status <> 'closed' returning id`;
  return r?.id ?? null;
}

export async function alertState(sql: Sql, alertId: string) {
  const [r] = await sql<{ id: string; incident_id: string; status: AlertStatus; acknowledged_at: Date | null; acknowledged_by_name: string | null; closed_at: Date | null }[]>`
    select a.id, a.incident_id, a.status, a.acknowledged_at, u.display_name as acknowledged_by_name, a.closed_at
    from alerts a left join users u on u.id = a.acknowledged_by where a.id = ${alertId}`;
  return r ?? null;
}

/** Marks unacknowledged alerts older than `seconds` as escalated; returns their ids and incidents. */
export async function escalateOverdue(tx: Sql, seconds: number): Promise<{ id: string; incident_id: string }[]> {
  return tx<{ id: string; incident_id: string }[]>`
    update alerts set escalated_at = now(), version = version + 1
    where id in (select id from alerts where status = 'raised' and escalated_at is null and raised_at <= now() - make_interval(secs => ${seconds})
                 order by raised_at limit 100 for update skip locked)
    returning id, incident_id`;
}

async function selectAlerts(sql: Sql, cats: Categories, where: Fragment, tail: Fragment): Promise<Alert[]> {
  const rows = await sql`
    select a.*, ur.display_name as raised_by_name, ua.display_name as acknowledged_by_name,
      i.number, i.tagged_at, i.category_id, i.priority, i.street, i.lat, i.lon, i.location_text, i.municipality_id, m.name as municipality_name,
      i.persons, i.notes, s.id as snap_id, s.status as snap_status, s.camera_id as snap_camera, s.taken_at as snap_taken_at,
      coalesce((select json_agg(json_build_object('id', c.id, 'name', c.name) order by ic.position)
                from incident_cameras ic join cameras c on c.id = ic.camera_id where ic.incident_id = i.id), '[]') as cameras,
      coalesce((select json_agg(json_build_object('step', st.step, 'at', st.at, 'by', st.actor_name, 'remark', st.remark) order by st.id)
                from alert_steps st where st.alert_id = a.id), '[]') as steps
    from alerts a join incidents i on i.id = a.incident_id join municipalities m on m.id = i.municipality_id
    join users ur on ur.id = a.raised_by left join users ua on ua.id = a.acknowledged_by
    left join snapshots s on s.id = i.snapshot_id
    where ${where} ${tail}`;
  return rows.map((r) => ({
    ...alertSummary(r)!,
    incidentId: r.incident_id, incidentNumber: Number(r.number), raisedBy: r.raised_by_name, taggedAt: iso(r.tagged_at)!,
    category: cats.get(r.category_id), priority: r.priority,
    location: { street: r.street, lat: r.lat, lon: r.lon, text: r.location_text, municipalityId: r.municipality_id, municipalityName: r.municipality_name },
    cameras: r.cameras, persons: r.persons, notes: r.notes, snapshot: snapshotInfo(r.incident_id, r),
    steps: (r.steps as Array<{ step: any; at: string; by: string | null; remark: string }>).map((s) => ({ ...s, at: iso(s.at)! })),
  }));
}

export async function getAlert(sql: Sql, cats: Categories, id: string): Promise<Alert | null> {
  const [a] = await selectAlerts(sql, cats, sql`a.id = ${id}`, sql``);
  return a ?? null;
}

/** Open alerts: the dispatch queue, most urgent first, then oldest first. */
export async function listAlerts(sql: Sql, cats: Categories, q: { state: 'open' | 'all'; limit: number }): Promise<Alert[]> {
  return q.state === 'open'
    ? selectAlerts(sql, cats, sql`a.status <> 'closed'`, sql`order by i.priority, a.raised_at limit ${q.limit}`)
    : selectAlerts(sql, cats, sql`true`, sql`order by a.raised_at desc limit ${q.limit}`);
}

/** Dispatchers may watch a camera only while it belongs to an open alert. */
export async function cameraInOpenAlert(sql: Sql, cameraId: string): Promise<boolean> {
  return (await sql`select 1 from alerts a join incident_cameras ic on ic.incident_id = a.incident_id
    where ic.camera_id = ${cameraId} and a.status <> 'closed' limit 1`).length > 0;
}

// ---- the outbox ---------------------------------------------------------------------------------------------------

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

export async function listAttempts(sql: Sql, deliveryId: number): Promise<Attempt[]> {
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
