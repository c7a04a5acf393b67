// Delivery that loses nothing: the outbox worker, the external dispatch system (a real HTTP receiver on 127.0.0.1
// that checks the HMAC), consoles over socket.io, restarts, and escalation. Real PostgreSQL throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { DeliveryFailure, DispatchMessage } from '../../server/dispatch/schema.js';
import { DispatchQueue } from '../../server/dispatch/queue.js';
import { capIdentifier } from '../../server/dispatch/cap.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { freshDatabase } from '../support/db.js';
import { waitFor } from '../support/publisher.js';
import { validateCap } from '../support/cap.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const SECRET = 'gedeeld-geheim-met-de-meldkamer';
const sockets: Client[] = [];
const rooms: TestRoom[] = [];
const receiver = new WebhookReceiver(SECRET);

const webhookEnv = (over: Record<string, string> = {}) => ({
  DISPATCH_WEBHOOK_URL: receiver.url, DISPATCH_WEBHOOK_SECRET: SECRET, DISPATCH_WEBHOOK_TIMEOUT_MS: '300',
  DISPATCH_RETRY_BASE_MS: '50', DISPATCH_RETRY_MAX_MS: '200', DISPATCH_WEBHOOK_MAX_ATTEMPTS: '4', DISPATCH_ESCALATE_SECONDS: '3600', ...over,
});
async function room$(env: Record<string, string>, opts: Parameters<typeof startTestRoom>[1] = {}) {
  const r = await startTestRoom(env, opts);
  let closing: Promise<void> | null = null;
  const once: TestRoom = { ...r, close: () => (closing ??= r.close()) };
  rooms.push(once);
  return once;
}
function open(room: TestRoom, cookie: string): Promise<Client> {
  const s: Client = connect(room.url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
  sockets.push(s);
  return new Promise((resolve, reject) => { s.on('connect', () => resolve(s)); s.on('connect_error', reject); });
}
async function raise(room: TestRoom, over: Record<string, unknown> = {}) {
  const obs = await new ApiClient(room.url).login('observer');
  const i = await obs.post('/api/incidents', { taggedAt: new Date(Date.now() - 2000).toISOString(), cameraIds: ['ens-stationsplein'], categoryId: 'verdachte-situatie', priority: 2, notes: '<b>pakketje</b> overgedragen', ...over });
  expect(i.status, JSON.stringify(i.body)).toBe(201);
  const a = await obs.post(`/api/incidents/${i.body.id}/alert`, {});
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  return a.body as { id: string; incidentId: string; version: number };
}
const attempts = (room: TestRoom, alertId: string, format: 'cap' | 'json') => room.sql`
  select t.attempt, t.outcome, t.http_status, t.error, t.started_at, d.state, d.attempts as counted
  from dispatch_attempts t join dispatch_deliveries d on d.id = t.delivery_id where d.alert_id = ${alertId} and d.format = ${format} order by t.id`;
/** Closes every room still open (a failed test must not leave its media server to the next). */
async function closeAll() { for (const r of rooms.splice(0)) await r.close().catch(() => {}); }
/** Waits until the worker has recorded the outcome of every delivery of the alert (the receiver answers first). */
const settled = (room: TestRoom, alertId: string) => waitFor('deliveries settled', async () =>
  (await room.sql`select 1 from dispatch_deliveries where alert_id = ${alertId} and state = 'pending'`).length === 0, 5000, 10);
const healthy = async (room: TestRoom) => (await fetch(room.url + '/healthz')).status === 200;

beforeAll(async () => { await receiver.start(); });
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await closeAll();
  await receiver.stop();
});

describe('the external dispatch system (webhook)', () => {
  let room: TestRoom;
  // One media server per process (node-media-server's global state): rooms in this file run one after another.
  beforeAll(async () => { room = await room$(webhookEnv()); });
  afterAll(async () => { await room?.close(); });

  it('gets CAP 1.2 (valid against the OASIS schema) and a JSON twin, each signed, with an idempotency key; a step follows as a CAP Update', async () => {
    const alert = await raise(room);
    const first = await waitFor('CAP and JSON', () => { const r = receiver.accepted((x) => x.alertId === alert.id); return r.length === 2 ? r : null; }, 3000, 10);
    const cap = first.find((r) => r.format === 'cap')!, json = first.find((r) => r.format === 'json')!;
    expect(cap.signatureOk && json.signatureOk).toBe(true);
    expect(cap.contentType).toBe('application/cap+xml; charset=utf-8');
    expect(json.contentType).toBe('application/json; charset=utf-8');
    expect(cap.messageId).toBe(json.messageId);
    expect(cap.idempotencyKey).toBe(`uitkijk-${cap.messageId}-cap`);
    expect(json.idempotencyKey).toBe(`uitkijk-${cap.messageId}-json`);
    const v = await validateCap(cap.body);
    expect(v.errors).toEqual([]);
    expect(cap.body).toContain(`<identifier>${capIdentifier(cap.messageId)}</identifier>`);
    expect(cap.body).toContain('<msgType>Alert</msgType>');
    expect(cap.body).toContain('&lt;b&gt;pakketje&lt;/b&gt;');
    const twin = JSON.parse(json.body);
    expect(twin).toMatchObject({ identifier: capIdentifier(cap.messageId), msgType: 'Alert', kind: 'raised', alert: { id: alert.id, priority: 2, notes: '<b>pakketje</b> overgedragen' } });

    const disp = await new ApiClient(room.url).login('dispatcher');
    expect((await disp.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged', remark: 'eenheid 21-04' })).status).toBe(200);
    const update = await waitFor('CAP update', () => receiver.accepted((x) => x.alertId === alert.id && x.format === 'cap' && x.messageId !== cap.messageId)[0], 3000, 10);
    expect((await validateCap(update.body)).errors).toEqual([]);
    expect(update.body).toContain('<msgType>Update</msgType>');
    expect(update.body).toMatch(new RegExp(`<references>uitkijk@toezichtsruimte\\.twente,${capIdentifier(cap.messageId)},\\d{4}-\\d\\d-\\d\\dT[\\d:]{8}[+-]\\d\\d:\\d\\d</references>`));
    expect(update.body).toContain('<note>Status: ontvangen (Dirk Meldkamer): eenheid 21-04</note>');

    const sup = await new ApiClient(room.url).login('supervisor');
    await settled(room, alert.id);
    const list = (await sup.get('/api/dispatch/deliveries?state=delivered')).body.filter((d: any) => d.alertId === alert.id);
    expect(list.length).toBe(4);
    expect(list.every((d: any) => d.attempts === 1 && d.deliveredAt)).toBe(true);
    const tries = (await sup.get(`/api/dispatch/deliveries/${list[0].id}/attempts`)).body;
    expect(tries).toMatchObject([{ attempt: 1, outcome: 'delivered', httpStatus: 202, response: '{"ontvangen":true}' }]);
    expect((await new ApiClient(room.url).login('observer').then((o) => o.get('/api/dispatch/deliveries'))).status).toBe(403);
  });

  it('an endpoint answering 500 is retried with growing delays; every attempt is logged; the same bytes and key each time', async () => {
    receiver.plan.cap.push('500', '500', '500');
    const alert = await raise(room);
    await waitFor('CAP accepted after retries', () => receiver.accepted((x) => x.alertId === alert.id && x.format === 'cap')[0], 5000, 10);
    await settled(room, alert.id);
    const tries = await attempts(room, alert.id, 'cap');
    expect(tries.map((t) => [t.attempt, t.outcome, t.http_status])).toEqual([[1, 'http_error', 500], [2, 'http_error', 500], [3, 'http_error', 500], [4, 'delivered', 202]]);
    expect(tries[3]!.state).toBe('delivered');
    // 50 ms, 100 ms, 200 ms (±20 %) between attempts.
    const gaps = tries.slice(1).map((t, n) => t.started_at.getTime() - tries[n]!.started_at.getTime());
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[2]).toBeGreaterThanOrEqual(150);
    const got = receiver.forAlert(alert.id).filter((r) => r.format === 'cap');
    expect(new Set(got.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    expect(got.map((r) => r.attemptHeader)).toEqual(['1', '2', '3', '4']);
    expect(await healthy(room)).toBe(true);
  });

  it('a slow endpoint times out and is retried; one answering garbage too; the server stays up', async () => {
    receiver.plan.cap.push('slow');
    receiver.plan.json.push('garbage', 'garbage');
    const alert = await raise(room);
    await waitFor('both accepted', () => receiver.accepted((x) => x.alertId === alert.id).length === 2, 5000, 10);
    await settled(room, alert.id);
    const cap = await attempts(room, alert.id, 'cap');
    expect(cap.map((t) => t.outcome)).toEqual(['timeout', 'delivered']);
    expect(cap[0]!.error).toMatch(/300 ms/);
    const json = await attempts(room, alert.id, 'json');
    expect(json.map((t) => t.outcome)).toEqual(['network_error', 'network_error', 'delivered']);
    expect(await healthy(room)).toBe(true);
  });

  it('an endpoint that is down is retried until it is back', async () => {
    await receiver.stop();
    try {
      const alert = await raise(room);
      await waitFor('refused attempts', async () => (await attempts(room, alert.id, 'cap')).length >= 2, 5000, 20);
      expect((await attempts(room, alert.id, 'cap'))[0]).toMatchObject({ outcome: 'network_error', state: 'pending' });
      expect((await attempts(room, alert.id, 'cap'))[0]!.error).toMatch(/ECONNREFUSED/);
      // DISPATCH_WEBHOOK_MAX_ATTEMPTS=4 would give up: raise the limit for this test by resetting the count.
      await room.sql`update dispatch_deliveries set attempts = 0 where alert_id = ${alert.id}`;
      await receiver.start(receiver.port);
      room.bus.emit('dispatch.outbox');
      await waitFor('delivered after the outage', () => receiver.accepted((x) => x.alertId === alert.id).length === 2, 5000, 20);
    } finally { if (!receiver['server'].listening) await receiver.start(receiver.port); }
  });

  it('a permanent refusal is reported at once; endless failure is given up after the limit and reported; later messages still go', async () => {
    const sup = await open(room, (await new ApiClient(room.url).login('supervisor')).cookie);
    const failures: DeliveryFailure[] = [];
    sup.on('dispatch:delivery-failed', (f) => failures.push(f));
    receiver.plan.cap.push('400');
    receiver.plan.json.push('500', '500', '500', '500');
    const alert = await raise(room);
    await waitFor('two failures reported', () => failures.filter((f) => f.alertId === alert.id).length === 2, 5000, 20);
    await settled(room, alert.id);
    const cap = await attempts(room, alert.id, 'cap');
    expect(cap.map((t) => [t.outcome, t.http_status, t.state])).toEqual([['rejected', 400, 'failed']]);
    const json = await attempts(room, alert.id, 'json');
    expect(json.map((t) => t.outcome)).toEqual(['http_error', 'http_error', 'http_error', 'http_error']);
    expect(json[0]!.state).toBe('failed');
    const audit = await room.sql`select details from audit_log where action = 'dispatch.delivery_failed' and subject = ${alert.id}`;
    expect(audit.map((a) => a.details.format).sort()).toEqual(['cap', 'json']);
    const board = (await new ApiClient(room.url).login('supervisor').then((s) => s.get('/api/board'))).body;
    expect(board.counts.deliveryFailures).toBeGreaterThanOrEqual(2);
    // A failed message does not block the alert's next one.
    await new ApiClient(room.url).login('dispatcher').then((d) => d.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' }));
    await waitFor('the next message delivered', () => receiver.accepted((x) => x.alertId === alert.id).length === 2, 5000, 20);
    expect(await healthy(room)).toBe(true);
  });
});

describe('dispatch consoles (socket.io)', () => {
  let room: TestRoom;
  beforeAll(async () => { room = await room$({ DISPATCH_ESCALATE_SECONDS: '3600' }); });
  afterAll(async () => { await room?.close(); });

  it('reach every dispatcher within 1 s, at least once; a repeat carries the same messageId and the console drops it', async () => {
    const d1 = await open(room, (await new ApiClient(room.url).login('dispatcher')).cookie);
    const obs = await open(room, (await new ApiClient(room.url).login('observer')).cookie);
    const pol = await open(room, (await new ApiClient(room.url).login('police')).cookie);
    const got: DispatchMessage[] = [];
    const queue = new DispatchQueue();
    const results: string[] = [];
    d1.on('dispatch:alert', (m) => { got.push(m); results.push(queue.apply(m)); });
    let leaked = 0;
    obs.on('dispatch:alert', () => leaked++);
    pol.on('dispatch:alert', () => leaked++);

    const t0 = Date.now();
    const alert = await raise(room);
    const m = await waitFor('on the console', () => got.find((x) => x.alert.id === alert.id), 1000, 2);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(m.kind).toBe('raised');
    // Marked sent only after it went out.
    await waitFor('marked sent', async () => (await room.sql`select console_sent_at from dispatch_outbox where message_id = ${m.messageId}`)[0]!.console_sent_at, 2000, 10);

    // A crash between sending and marking means the message goes again after the restart: simulate that.
    await room.sql`update dispatch_outbox set console_sent_at = null where message_id = ${m.messageId}`;
    room.bus.emit('dispatch.outbox');
    await waitFor('re-delivery', () => got.filter((x) => x.messageId === m.messageId).length === 2, 2000, 10);
    expect(results).toEqual(['new', 'duplicate']);
    expect(queue.open().filter((a) => a.id === alert.id).length).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(leaked).toBe(0);
  });
});

describe('across a restart', () => {
  it('an alert not yet delivered when the server stops goes out after the restart, once (consoles and webhook)', async () => {
    const db = await freshDatabase();
    try {
      // Room A commits the alert but its worker never runs (as if killed right after the commit).
      const a = await room$(webhookEnv({ DISPATCH_WORKER: 'false' }), { db });
      const alert = await raise(a);
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.forAlert(alert.id)).toEqual([]);
      expect((await a.sql`select console_sent_at from dispatch_outbox where alert_id = ${alert.id}`)[0]!.console_sent_at).toBeNull();
      await a.close();

      const b = await room$(webhookEnv(), { db });
      const got = await waitFor('delivered by the new server', () => { const r = receiver.accepted((x) => x.alertId === alert.id); return r.length === 2 ? r : null; }, 5000, 20);
      expect(got.map((r) => r.format).sort()).toEqual(['cap', 'json']);
      expect((await b.sql`select console_sent_at from dispatch_outbox where alert_id = ${alert.id}`)[0]!.console_sent_at).not.toBeNull();
      // A console that connects now finds it in the queue.
      const q = (await new ApiClient(b.url).login('dispatcher').then((d) => d.get('/api/alerts'))).body;
      expect(q.map((x: any) => x.id)).toContain(alert.id);
      await b.close();

      // A third start sends nothing again.
      const c = await room$(webhookEnv(), { db });
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.forAlert(alert.id).length).toBe(2);
      await c.close();
    } finally { await closeAll(); await db.drop(); }
  });

  it('a request in flight when the server stops is not counted, and is sent again (same key) after the restart', async () => {
    const db = await freshDatabase();
    try {
      receiver.plan.cap.push('hang');
      const a = await room$(webhookEnv({ DISPATCH_WEBHOOK_TIMEOUT_MS: '10000' }), { db });
      const alert = await raise(a);
      await waitFor('request in flight', () => receiver.forAlert(alert.id).find((r) => r.format === 'cap'), 3000, 10);
      await a.close();
      const b = await room$(webhookEnv(), { db });
      await waitFor('delivered after the restart', () => receiver.accepted((x) => x.alertId === alert.id && x.format === 'cap')[0], 5000, 20);
      await settled(b, alert.id);
      const caps = receiver.forAlert(alert.id).filter((r) => r.format === 'cap');
      expect(caps.map((r) => r.answered)).toEqual(['hang', 'ok']);
      expect(caps[0]!.idempotencyKey).toBe(caps[1]!.idempotencyKey);
      const tries = await attempts(b, alert.id, 'cap');
      expect(tries.map((t) => t.outcome)).toEqual(['aborted', 'delivered']);
      expect(tries[1]!.counted).toBe(1);
      await b.close();
    } finally { await closeAll(); await db.drop(); }
  });
});

describe('escalation', () => {
  it('an alert unacknowledged for DISPATCH_ESCALATE_SECONDS signals the dispatchers again and the supervisors, once; an acknowledged one does not', async () => {
    const room = await room$({ DISPATCH_ESCALATE_SECONDS: '1' });
    const disp = await open(room, (await new ApiClient(room.url).login('dispatcher')).cookie);
    const sup = await open(room, (await new ApiClient(room.url).login('supervisor')).cookie);
    const toDisp: DispatchMessage[] = [], toSup: DispatchMessage[] = [];
    disp.on('dispatch:alert', (m) => toDisp.push(m));
    sup.on('dispatch:alert', (m) => toSup.push(m));
    const late = await raise(room);
    const quick = await raise(room, { priority: 1 });
    expect((await new ApiClient(room.url).login('dispatcher').then((d) => d.post(`/api/alerts/${quick.id}/status`, { status: 'acknowledged' }))).status).toBe(200);
    const e = await waitFor('escalation on the dispatch console', () => toDisp.find((m) => m.kind === 'escalated' && m.alert.id === late.id), 4000, 20);
    expect(e.alert.escalatedAt).not.toBeNull();
    expect(Date.parse(e.alert.escalatedAt!) - Date.parse(e.alert.raisedAt)).toBeGreaterThanOrEqual(1000);
    await waitFor('escalation on the supervisor console', () => toSup.find((m) => m.kind === 'escalated' && m.alert.id === late.id), 2000, 20);
    await new Promise((r) => setTimeout(r, 2000));
    expect(toDisp.filter((m) => m.kind === 'escalated' && m.alert.id === late.id).length).toBe(1);
    expect(toDisp.some((m) => m.kind === 'escalated' && m.alert.id === quick.id)).toBe(false);
    expect((await room.sql`select actor_name from audit_log where action = 'alert.escalated' and subject = ${late.id}`)).toEqual([{ actor_name: null }]);
    const board = (await new ApiClient(room.url).login('supervisor').then((s) => s.get('/api/board'))).body;
    expect(board.counts.escalated).toBeGreaterThanOrEqual(1);
    // Acknowledging an escalated alert still works: escalation changed the version, not the status.
    expect((await new ApiClient(room.url).login('dispatcher').then((d) => d.post(`/api/alerts/${late.id}/status`, { status: 'acknowledged' }))).status).toBe(200);
    await room.close();
  });

  it('is derived from the database, so an alert raised before a restart escalates after it', async () => {
    const db = await freshDatabase();
    try {
      const a = await room$({ DISPATCH_WORKER: 'false' }, { db });
      const alert = await raise(a);
      await a.close();
      await new Promise((r) => setTimeout(r, 1100));
      const b = await room$({ DISPATCH_ESCALATE_SECONDS: '1' }, { db });
      await waitFor('escalated after the restart', async () => (await b.sql`select escalated_at from alerts where id = ${alert.id}`)[0]!.escalated_at, 3000, 50);
      const msgs = await b.sql`select kind, console_sent_at from dispatch_outbox where alert_id = ${alert.id} order by id`;
      expect(msgs.map((m) => m.kind)).toEqual(['raised', 'escalated']);
      await waitFor('both delivered to the consoles', async () => (await b.sql`select 1 from dispatch_outbox where alert_id = ${alert.id} and console_sent_at is null`).length === 0, 3000, 50);
      await b.close();
    } finally { await closeAll(); await db.drop(); }
  });
});
