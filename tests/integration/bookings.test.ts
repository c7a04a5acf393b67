// Flexible supervision on the real server: real PostgreSQL (exclusion constraints), real media server and ffmpeg
// for activation, socket.io for live status. The room's booking clock is injected, so windows open and close on cue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera, rtmpUrl } from '../support/cameras.js';

const clock = { t: Date.parse('2026-02-02T09:00:00Z') };   // a Monday
const setClock = (iso: string) => { clock.t = Date.parse(iso); };
let room: TestRoom;
let admin: ApiClient, enschede: ApiClient, hengelo: ApiClient, sup: ApiClient, sup2: ApiClient, obs: ApiClient;
const publishers: Publisher[] = [];
const keys: Record<string, string> = {};

beforeAll(async () => {
  room = await startTestRoom({ BOOKING_SETUP_MINUTES: '30', BOOKING_TEARDOWN_MINUTES: '15' }, { now: () => new Date(clock.t) });
  [admin, enschede, hengelo, sup, sup2, obs] = await Promise.all(['admin', 'enschede', 'hengelo', 'supervisor', 'supervisor', 'observer'].map((u) => new ApiClient(room.url).login(u)));
  // Flexible units with keys this test knows (the demo seed's units have keys only the seed saw).
  for (const id of ['flex-a', 'flex-b', 'flex-c']) keys[id] = await createRtmpCamera(admin, id, { kind: 'flexible', name: `Unit ${id}` });
});
afterAll(async () => { await Promise.all(publishers.map((p) => p.stop())); await room?.close(); });

const flexibleUnits = async () => (await room.sql`select count(*)::int as n from cameras where kind = 'flexible' and enabled`)[0]!.n as number;

function request(overrides: Record<string, unknown> = {}) {
  return {
    eventName: 'Stadsfeest Enschede', address: 'Oude Markt, Enschede', location: { lat: 52.2195, lon: 6.8965 }, riskClass: 'B',
    windows: [{ start: '2026-06-12T20:00', end: '2026-06-13T02:00' }], unitsWanted: 1, observersWanted: 1,
    decision: { reference: 'AB-2026/0142', from: '2026-06-01', to: '2026-06-30' },
    contact: { name: 'J. de Vries', phone: '053 481 0000', email: 'j.devries@enschede.nl' }, notes: '', ...overrides,
  };
}
async function book(api: ApiClient, overrides: Record<string, unknown> = {}) {
  const r = await api.post('/api/bookings', request(overrides));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const count = async () => (await room.sql`select count(*)::int as n from bookings`)[0]!.n as number;

describe('booking requests', () => {
  it('stores a request in the municipality of its author, with windows in UTC and their Amsterdam form, and tells the supervisors', async () => {
    const b = await book(enschede);
    expect(b).toMatchObject({ municipalityId: 'enschede', status: 'requested', urgent: false, reference: expect.stringMatching(/^BK-\d{4}-\d{4}$/) });
    expect(b.windows[0]).toMatchObject({ start: '2026-06-12T18:00:00.000Z', end: '2026-06-13T00:00:00.000Z', startLocal: '2026-06-12T20:00+02:00', hours: 6 });
    const notes = (await sup.get('/api/notifications')).body;
    expect(notes.find((n: any) => n.bookingId === b.id)).toMatchObject({ kind: 'booking.requested', read: false, details: { urgent: false } });
    // The municipality does not see the room's notifications, nor the other way round.
    expect((await hengelo.get('/api/notifications')).body.find((n: any) => n.bookingId === b.id)).toBeUndefined();
    const audit = await room.sql`select actor_name from audit_log where action = 'booking.requested' and subject = ${b.id}`;
    expect(audit.map((a) => a.actor_name)).toEqual(['enschede']);
  });

  it('marks a request inside the lead time (10 working days, weekends and holidays not counted) urgent', async () => {
    // Monday 2 February + 10 working days = Monday 16 February.
    expect((await book(enschede, { windows: [{ start: '2026-02-16T20:00', end: '2026-02-16T23:00' }], decision: { reference: 'X', from: '2026-02-01', to: '2026-02-28' } })).urgent).toBe(false);
    expect((await book(enschede, { windows: [{ start: '2026-02-13T20:00', end: '2026-02-13T23:00' }], decision: { reference: 'X', from: '2026-02-01', to: '2026-02-28' } })).urgent).toBe(true);
  });

  it.each([
    ['a window that ends before it starts', { windows: [{ start: '2026-06-12T22:00', end: '2026-06-12T20:00' }] }, 'window_order', 'windows.0.end'],
    ['windows that overlap each other', { windows: [{ start: '2026-06-12T20:00', end: '2026-06-12T23:00' }, { start: '2026-06-12T22:00', end: '2026-06-13T01:00' }] }, 'windows_overlap', 'windows.1'],
    ['a window outside the decision period', { windows: [{ start: '2026-06-30T22:00', end: '2026-07-01T01:00' }] }, 'outside_decision', 'windows.0'],
    ['a time that does not exist (spring forward)', { windows: [{ start: '2026-03-29T02:30', end: '2026-03-29T05:00' }], decision: { reference: 'X', from: '2026-03-01', to: '2026-03-31' } }, 'nonexistent_time', 'windows.0.start'],
    ['a time that happens twice, without its offset', { windows: [{ start: '2026-10-25T01:00', end: '2026-10-25T02:30' }], decision: { reference: 'X', from: '2026-10-01', to: '2026-10-31' } }, 'ambiguous_time', 'windows.0.end'],
    ['a window in the past', { windows: [{ start: '2026-01-10T20:00', end: '2026-01-10T23:00' }], decision: { reference: 'X', from: '2026-01-01', to: '2026-01-31' } }, 'window_past', 'windows.0'],
    ['more units than the region has', { unitsWanted: 40 }, 'too_many_units', 'unitsWanted'],
    ['a decision that ends before it starts', { decision: { reference: 'X', from: '2026-06-30', to: '2026-06-01' } }, 'decision_order', 'decision.to'],
    ['an unknown risk class', { riskClass: 'D' }, 'invalid_input', 'riskClass'],
  ])('refuses %s with a clear error and stores nothing', async (_what, overrides, code, field) => {
    const before = await count();
    const r = await enschede.post('/api/bookings', request(overrides));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code, field });
    expect(await count()).toBe(before);
  });

  it('counts the hours that really pass across a daylight-saving change', async () => {
    const autumn = await book(enschede, { windows: [{ start: '2026-10-25T00:00', end: '2026-10-25T06:00' }], decision: { reference: 'X', from: '2026-10-24', to: '2026-10-25' } });
    expect(autumn.windows[0].hours).toBe(7);
    const spring = await book(enschede, { windows: [{ start: '2026-03-29T00:00', end: '2026-03-29T06:00' }], decision: { reference: 'X', from: '2026-03-29', to: '2026-03-29' } });
    expect(spring.windows[0].hours).toBe(5);
    // The repeated hour, picked by its offset: 02:30 summer time is an hour before 02:30 winter time.
    const twice = await book(enschede, { windows: [{ start: '2026-10-25T02:30+02:00', end: '2026-10-25T02:30+01:00' }], decision: { reference: 'X', from: '2026-10-25', to: '2026-10-25' } });
    expect(twice.windows[0]).toMatchObject({ start: '2026-10-25T00:30:00.000Z', end: '2026-10-25T01:30:00.000Z', hours: 1 });
    // A decision "until 25 October" covers the whole of that 25-hour day.
    const lastHour = await book(enschede, { windows: [{ start: '2026-10-25T22:00', end: '2026-10-25T23:59' }], decision: { reference: 'X', from: '2026-10-25', to: '2026-10-25' } });
    expect(lastHour.windows[0].end).toBe('2026-10-25T22:59:00.000Z');
  });

  it('never lets one municipality book or read for another (404, as if it did not exist)', async () => {
    const b = await book(enschede);
    expect((await hengelo.get(`/api/bookings/${b.id}`)).status).toBe(404);
    expect((await hengelo.patch(`/api/bookings/${b.id}`, { expectedVersion: 1, notes: 'x' })).status).toBe(404);
    expect((await hengelo.post(`/api/bookings/${b.id}/cancel`, { expectedVersion: 1, reason: 'x' })).status).toBe(404);
    expect((await hengelo.get('/api/bookings')).body.map((x: any) => x.municipalityId)).not.toContain('enschede');
    expect((await hengelo.get('/api/bookings/usage?month=2026-06&municipality=enschede')).status).toBe(404);
    // A municipality cannot pick the municipality it books for: the field does not exist.
    const r = await hengelo.post('/api/bookings', { ...request(), municipalityId: 'enschede' });
    expect(r.status).toBe(400);
    expect((await obs.post('/api/bookings', request())).status).toBe(403);
    expect((await enschede.get(`/api/bookings/${b.id}`)).body.history.map((h: any) => h.kind)).toEqual(['requested']);
  });
});

describe('planning', () => {
  let observerId: string;
  beforeAll(async () => {
    observerId = (await room.sql`select id from users where username = 'observer'`)[0]!.id;
    const r = await sup.post('/api/roster', { userId: observerId, start: '2026-07-03T19:00', end: '2026-07-04T04:00' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });
  const july = (o: Record<string, unknown> = {}) => ({ windows: [{ start: '2026-07-03T21:00', end: '2026-07-04T01:00' }], decision: { reference: 'AB-7', from: '2026-07-01', to: '2026-07-31' }, ...o });

  it('computes capacity per window: free and taken units, rostered observers, conflicts', async () => {
    const a = await book(enschede, july({ unitsWanted: 2 }));
    const cap = (await sup.get(`/api/bookings/${a.id}/capacity`)).body;
    expect(cap.windows).toHaveLength(1);
    const w = cap.windows[0];
    expect(w.unitsTotal).toBe(await flexibleUnits());
    expect(w.freeUnits.map((u: any) => u.cameraId)).toEqual(expect.arrayContaining(['flex-a', 'flex-b', 'flex-c']));
    expect(w.rosteredObservers).toEqual([expect.objectContaining({ userId: observerId, assignedElsewhere: false })]);
    expect(w.observersAvailable).toBe(1);
    expect((await enschede.get(`/api/bookings/${a.id}/capacity`)).status).toBe(403);
  });

  it('lets one of two supervisors approving at once win; the other is told who was first', async () => {
    const b = await book(enschede, july());
    const [r1, r2] = await Promise.all([
      sup.post(`/api/bookings/${b.id}/approve`, { expectedVersion: 1, unitIds: ['flex-a'], observerIds: [observerId] }),
      sup2.post(`/api/bookings/${b.id}/approve`, { expectedVersion: 1, unitIds: ['flex-b'], observerIds: [] }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const loser = r1.status === 409 ? r1 : r2;
    expect(loser.body.error.code).toBe('booking_decided');
    const got = (await enschede.get(`/api/bookings/${b.id}`)).body;
    expect(got.status).toBe('approved');
    expect(got.units).toHaveLength(1);
    expect(got.history.map((h: any) => h.kind)).toEqual(['requested', 'approved']);
    const n = (await enschede.get('/api/notifications')).body.find((x: any) => x.bookingId === b.id);
    expect(n.kind).toBe('booking.approved');
    // The unit now shows as taken for an overlapping request.
    const c = await book(enschede, july({ windows: [{ start: '2026-07-03T23:00', end: '2026-07-04T03:00' }] }));
    const cap = (await sup.get(`/api/bookings/${c.id}/capacity`)).body.windows[0];
    expect(cap.takenUnits.map((t: any) => t.cameraId)).toEqual(got.units.map((u: any) => u.cameraId));
    expect(cap.conflicts).toContain('overlaps_other_bookings');
    if (got.observers.length) expect(cap.rosteredObservers[0].assignedElsewhere).toBe(true);
  });

  it('refuses one unit in two overlapping bookings, and the database refuses it too', async () => {
    const x = await book(enschede, july({ windows: [{ start: '2026-07-10T20:00', end: '2026-07-10T23:00' }] }));
    const y = await book(enschede, july({ windows: [{ start: '2026-07-10T22:00', end: '2026-07-11T01:00' }] }));
    expect((await sup.post(`/api/bookings/${x.id}/approve`, { expectedVersion: 1, unitIds: ['flex-c'] })).status).toBe(200);
    const r = await sup.post(`/api/bookings/${y.id}/approve`, { expectedVersion: 1, unitIds: ['flex-c'] });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'unit_taken', field: 'unitIds' });
    expect((await sup.get(`/api/bookings/${y.id}`)).body.status).toBe('requested');
    // Straight at the database, past every check in the service: the exclusion constraint holds.
    const [w] = await room.sql`select id from booking_windows where booking_id = ${y.id}`;
    await expect(room.sql`insert into booking_units (booking_id, window_id, camera_id, period)
      values (${y.id}, ${w!.id}, 'flex-c', tstzrange('2026-07-10T20:30:00Z', '2026-07-10T21:30:00Z'))`).rejects.toMatchObject({ code: '23P01' });
    // Back to back is fine: ranges are [start, end).
    const z = await book(enschede, july({ windows: [{ start: '2026-07-10T23:00', end: '2026-07-11T02:00' }] }));
    expect((await sup.post(`/api/bookings/${z.id}/approve`, { expectedVersion: 1, unitIds: ['flex-c'] })).status).toBe(200);
  });

  it('refuses a unit that is not flexible, more units than asked, an observer not rostered, a stale version', async () => {
    const b = await book(enschede, july({ windows: [{ start: '2026-07-17T20:00', end: '2026-07-17T23:00' }] }));
    const perm = (await room.sql`select id from cameras where kind = 'permanent' limit 1`)[0]!.id;
    expect((await sup.post(`/api/bookings/${b.id}/approve`, { expectedVersion: 1, unitIds: [perm] })).body.error).toMatchObject({ code: 'not_a_flexible_unit', field: 'unitIds.0' });
    expect((await sup.post(`/api/bookings/${b.id}/approve`, { expectedVersion: 1, unitIds: ['flex-a', 'flex-b'] })).body.error.code).toBe('too_many_units');
    expect((await sup.post(`/api/bookings/${b.id}/approve`, { expectedVersion: 1, unitIds: ['flex-a'], observerIds: [observerId] })).body.error).toMatchObject({ code: 'observer_not_rostered', field: 'observerIds.0' });
    expect((await sup.post(`/api/bookings/${b.id}/approve`, { expectedVersion: 7, unitIds: ['flex-a'] })).body.error.code).toBe('stale_version');
    expect((await sup.get(`/api/bookings/${b.id}`)).body).toMatchObject({ status: 'requested', version: 1, units: [] });
  });

  it('rejects with a reason; a changed plan sends an approved booking back; cancelling releases its units', async () => {
    const r = await book(enschede, july({ windows: [{ start: '2026-07-24T20:00', end: '2026-07-24T23:00' }] }));
    const rej = await sup.post(`/api/bookings/${r.id}/reject`, { expectedVersion: 1, reason: 'Geen units vrij' });
    expect(rej.body).toMatchObject({ status: 'rejected', statusReason: 'Geen units vrij' });
    expect((await enschede.patch(`/api/bookings/${r.id}`, { expectedVersion: 2, notes: 'toch?' })).body.error.code).toBe('booking_decided');

    const a = await book(enschede, july({ windows: [{ start: '2026-07-25T20:00', end: '2026-07-25T23:00' }] }));
    expect((await sup.post(`/api/bookings/${a.id}/approve`, { expectedVersion: 1, unitIds: ['flex-a'] })).status).toBe(200);
    // Text only: stays approved.
    expect((await enschede.patch(`/api/bookings/${a.id}`, { expectedVersion: 2, notes: 'Ingang via de Marktstraat' })).body).toMatchObject({ status: 'approved', version: 3 });
    // New windows: back to the supervisor, the unit released.
    const moved = await enschede.patch(`/api/bookings/${a.id}`, { expectedVersion: 3, windows: [{ start: '2026-07-25T21:00', end: '2026-07-26T00:00' }] });
    expect(moved.body).toMatchObject({ status: 'requested', units: [] });
    expect((await sup.get('/api/notifications')).body.find((n: any) => n.bookingId === a.id && n.kind === 'booking.changed').details.reopened).toBe(true);
    expect((await sup.post(`/api/bookings/${a.id}/approve`, { expectedVersion: 4, unitIds: ['flex-a'] })).status).toBe(200);
    const c = await enschede.post(`/api/bookings/${a.id}/cancel`, { expectedVersion: 5, reason: 'Evenement afgelast' });
    expect(c.body).toMatchObject({ status: 'cancelled', units: [] });
    expect((await room.sql`select count(*)::int as n from booking_units where booking_id = ${a.id}`)[0]!.n).toBe(0);
    expect((await sup.get(`/api/bookings/${a.id}`)).body.history.map((h: any) => h.kind)).toEqual(['requested', 'approved', 'changed', 'changed', 'approved', 'cancelled']);
  });

  // Each case on its own day, so one unit can be approved for all of them.
  it.each([
    ['the address', 10, { address: 'Van Heekplein, Enschede' }, ['address']],
    ['the map point', 11, { location: { lat: 52.2181, lon: 6.8932 } }, ['location']],
    ['the windows', 12, { windows: [{ start: '2026-07-12T21:00', end: '2026-07-13T00:00' }] }, ['windows']],
    ['the decision period', 13, { decision: { reference: 'AB-7', from: '2026-07-02', to: '2026-07-31' } }, ['decision']],
  ] as const)('a change of where or when (%s) sends an approved booking back for approval and releases its unit', async (_what, day, change, fields) => {
    const a = await book(enschede, july({ windows: [{ start: `2026-07-${day}T20:00`, end: `2026-07-${day}T23:00` }], notes: 'Ingang via de Marktstraat' }));
    expect((await sup.post(`/api/bookings/${a.id}/approve`, { expectedVersion: 1, unitIds: ['flex-b'] })).status).toBe(200);
    const moved = await enschede.patch(`/api/bookings/${a.id}`, { expectedVersion: 2, ...change });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    // Only what was sent changes: the notes left out stay.
    expect(moved.body).toMatchObject({ status: 'requested', units: [], version: 3, notes: 'Ingang via de Marktstraat' });
    expect((await room.sql`select count(*)::int as n from booking_units where booking_id = ${a.id}`)[0]!.n).toBe(0);
    const [audit] = await room.sql`select details from audit_log where action = 'booking.changed' and subject = ${a.id}`;
    expect(audit!.details).toMatchObject({ fields, reopened: true });
    expect((await sup.get('/api/notifications')).body.find((n: any) => n.bookingId === a.id && n.kind === 'booking.changed').details.reopened).toBe(true);
  });

  it('the same address or map point sent again is no change of place: the booking stays approved', async () => {
    const a = await book(enschede, july({ windows: [{ start: '2026-07-14T20:00', end: '2026-07-14T23:00' }] }));
    expect((await sup.post(`/api/bookings/${a.id}/approve`, { expectedVersion: 1, unitIds: ['flex-b'] })).status).toBe(200);
    const same = await enschede.patch(`/api/bookings/${a.id}`, { expectedVersion: 2, address: ' Oude Markt, Enschede ', location: { lat: 52.2195, lon: 6.8965 } });
    expect(same.body).toMatchObject({ status: 'approved', version: 3, units: [expect.objectContaining({ cameraId: 'flex-b' })] });
  });
});

describe('activation of flexible units', () => {
  let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  const activations: Array<{ cameraId: string; active: boolean }> = [];
  beforeAll(async () => {
    const o = await new ApiClient(room.url).login('observer');
    socket = connect(room.url, { transports: ['websocket'], extraHeaders: { cookie: o.cookie }, reconnection: false });
    socket.on('camera:activation', (c) => activations.push({ cameraId: c.cameraId, active: !!c.activation }));
    await new Promise<void>((r) => socket.on('connect', () => r()));
  });
  afterAll(() => { socket?.close(); });
  const refusals = (id: string) => room.sql`select details->>'reason' as reason from audit_log where action = 'live.publish_refused' and subject = ${id}`;

  it('accepts a unit only inside its window plus margins, and cuts it when the window ends', async () => {
    setClock('2026-08-01T10:00:00Z');
    const b = await book(enschede, { windows: [{ start: '2026-08-20T20:00', end: '2026-08-20T23:00' }], decision: { reference: 'AB-8', from: '2026-08-01', to: '2026-08-31' } });
    expect((await sup.post(`/api/bookings/${b.id}/approve`, { expectedVersion: 1, unitIds: ['flex-b'] })).status).toBe(200);

    // Before the window (and its 30-minute set-up margin): refused and audited.
    setClock('2026-08-20T17:20:00Z');   // 19:20 local
    await room.activation.tick();
    const early = publishTestPattern(rtmpUrl(room, 'flex-b', keys['flex-b']!));
    publishers.push(early);
    await waitFor('refusal', async () => (await refusals('flex-b')).some((r) => r.reason === 'outside-window'));
    expect(room.board.get('flex-b').online).toBe(false);
    await early.stop();

    // Inside the set-up margin: accepted, observers told.
    setClock('2026-08-20T17:35:00Z');   // 19:35 local
    await room.activation.tick();
    expect((await obs.get('/api/live/activations')).body).toEqual([expect.objectContaining({ cameraId: 'flex-b', bookingId: b.id, eventName: 'Stadsfeest Enschede' })]);
    await waitFor('activation event', () => activations.some((a) => a.cameraId === 'flex-b' && a.active));
    const live = publishTestPattern(rtmpUrl(room, 'flex-b', keys['flex-b']!));
    publishers.push(live);
    await waitFor('online', () => room.board.get('flex-b').online, 15_000);

    // Past the window and its 15-minute tear-down: deactivated and the stream cut.
    setClock('2026-08-20T21:16:00Z');   // 23:16 local
    await room.activation.tick();
    await waitFor('offline', () => !room.board.get('flex-b').online, 8000);
    await waitFor('deactivation event', () => activations.some((a) => a.cameraId === 'flex-b' && !a.active));
    expect((await obs.get('/api/live/activations')).body).toEqual([]);
    // The unit tries to push again: refused.
    publishers.push(publishTestPattern(rtmpUrl(room, 'flex-b', keys['flex-b']!)));
    await waitFor('refused again', async () => (await refusals('flex-b')).length >= 2);
    expect(room.board.get('flex-b').online).toBe(false);
  }, 60_000);

  it('tells the municipality, the supervisors and the observers once, 24 hours before a window starts', async () => {
    setClock('2026-09-01T10:00:00Z');
    const b = await book(enschede, { windows: [{ start: '2026-09-20T20:00', end: '2026-09-20T23:00' }], decision: { reference: 'AB-9', from: '2026-09-01', to: '2026-09-30' } });
    expect((await sup.post(`/api/bookings/${b.id}/approve`, { expectedVersion: 1, unitIds: ['flex-a'] })).status).toBe(200);
    setClock('2026-09-19T17:00:00Z');   // 25 h before (20:00 CEST is 18:00 UTC): not yet
    await room.activation.tick();
    const soon = async (api: ApiClient) => (await api.get('/api/notifications')).body.filter((n: any) => n.bookingId === b.id && n.kind === 'booking.starts_soon');
    expect(await soon(enschede)).toHaveLength(0);
    setClock('2026-09-19T18:05:00Z');   // 23 h 55 before
    await room.activation.tick();
    await room.activation.tick();   // a second pass sends nothing again
    for (const api of [enschede, sup, obs]) expect(await soon(api)).toHaveLength(1);
    expect(await soon(hengelo)).toHaveLength(0);
  });
});

describe('usage per municipality per month', () => {
  it('reports booked hours, hours supervised, incidents and alerts from a seeded month; CSV and PDF', async () => {
    setClock('2026-04-01T08:00:00Z');
    const b = await book(hengelo, { windows: [{ start: '2026-10-24T22:00', end: '2026-10-25T04:00' }, { start: '2026-10-31T20:00', end: '2026-11-01T02:00' }],
      decision: { reference: 'HG-10', from: '2026-10-01', to: '2026-11-30' }, eventName: 'Hengelo Halloween', unitsWanted: 2 });
    expect((await sup.post(`/api/bookings/${b.id}/approve`, { expectedVersion: 1, unitIds: ['flex-a', 'flex-c'] })).status).toBe(200);
    // Window 1 spans the October change: 22:00 CEST → 04:00 CET is 7 hours. Window 2: 4 hours in October, 2 in November.
    // Online (UTC): flex-c overlaps flex-a (the union counts once) and was also online outside the windows (not counted).
    await room.sql`insert into camera_online_periods (camera_id, started_at, ended_at, last_seen_at) values
      ('flex-a', '2026-10-24T20:30:00Z', '2026-10-24T23:30:00Z', '2026-10-24T23:30:00Z'),
      ('flex-c', '2026-10-24T23:00:00Z', '2026-10-25T01:00:00Z', '2026-10-25T01:00:00Z'),
      ('flex-c', '2026-10-24T12:00:00Z', '2026-10-24T13:00:00Z', '2026-10-24T13:00:00Z'),
      ('flex-a', '2026-10-31T18:00:00Z', '2026-11-01T01:00:00Z', '2026-11-01T01:00:00Z')`;
    // Incidents on a unit inside a window (one with an alert), one outside the windows, one on a permanent camera.
    const obsId = (await room.sql`select id from users where username = 'observer'`)[0]!.id;
    const perm = (await room.sql`select id from cameras where kind = 'permanent' limit 1`)[0]!.id;
    const incident = async (camera: string, at: string) => {
      const [i] = await room.sql`insert into incidents (tagged_at, created_by, category_id, priority, municipality_id, street, lat, lon)
        values (${at}, ${obsId}, 'geweld', 2, 'hengelo', 'Markt', 52.26, 6.79) returning id`;
      await room.sql`insert into incident_cameras (incident_id, camera_id, position) values (${i!.id}, ${camera}, 0)`;
      return i!.id;
    };
    const i1 = await incident('flex-a', '2026-10-24T21:00:00Z');
    await incident('flex-c', '2026-10-31T22:00:00Z');
    await incident('flex-a', '2026-10-20T21:00:00Z');
    await incident(perm, '2026-10-24T21:00:00Z');
    await room.sql`insert into alerts (incident_id, raised_by, status) values (${i1}, ${obsId}, 'closed')`;

    const oct = (await hengelo.get('/api/bookings/usage?month=2026-10')).body;
    expect(oct.rows).toHaveLength(1);
    expect(oct.rows[0]).toMatchObject({ reference: b.reference, windows: 2, units: 2, bookedHours: 11, incidents: 2, alerts: 1 });
    // Supervised in October: 20:30–01:00 UTC on the 24th/25th (4.5 h, the union of both units) + 19:00–23:00 UTC on the
    // 31st (4 h: the window opens at 19:00 UTC, and the Amsterdam month ends at 23:00 UTC).
    expect(oct.rows[0].supervisedHours).toBe(8.5);
    expect(oct.totals).toEqual([expect.objectContaining({ municipalityId: 'hengelo', bookings: 1, bookedHours: 11 })]);
    const nov = (await sup.get('/api/bookings/usage?month=2026-11&municipality=hengelo')).body;
    expect(nov.rows[0]).toMatchObject({ bookedHours: 2, supervisedHours: 2, incidents: 0 });
    // A municipality sees only its own, the supervisors every municipality.
    expect((await enschede.get('/api/bookings/usage?month=2026-10')).body.rows.map((r: any) => r.municipalityId)).not.toContain('hengelo');
    expect((await sup.get('/api/bookings/usage?month=2026-10')).body.rows.map((r: any) => r.municipalityId)).toContain('hengelo');
    expect((await obs.get('/api/bookings/usage?month=2026-10')).status).toBe(403);

    const csv = await hengelo.get('/api/bookings/usage?month=2026-10&format=csv');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.body).toContain(`2026-10,Hengelo,${b.reference},Hengelo Halloween,B,2,2,11.00,8.50,2,1`);
    const pdf = await fetch(`${room.url}/api/bookings/usage?month=2026-10&format=pdf`, { headers: { cookie: hengelo.cookie } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await hengelo.get('/api/bookings/usage?month=2026-13')).body.error.field).toBe('month');
  });
});
