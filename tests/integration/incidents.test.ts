// Incidents and alerts through the whole room: real PostgreSQL, real HTTP and socket.io, real media server + ffmpeg
// for the snapshot. Dispatch delivery to the external system is in dispatch.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { Incident } from '../../server/incidents/schema.js';
import type { DispatchMessage } from '../../server/dispatch/schema.js';
import { DispatchQueue } from '../../server/dispatch/queue.js';
import { IncidentService } from '../../server/incidents/service.js';
import { Categories } from '../../server/incidents/categories.js';
import { createSnapshotGrabber } from '../../server/incidents/snapshot-grabber.js';
import { createLogger } from '../../server/log.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera, publishTo } from '../support/cameras.js';
import { FlvReader } from '../../streams/flv-reader.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
let room: TestRoom;
let observer: ApiClient, supervisor: ApiClient, dispatcher: ApiClient, dispatcher2: ApiClient, admin: ApiClient;
const sockets: Client[] = [];
const publishers: Publisher[] = [];

beforeAll(async () => {
  // Escalation is tested in dispatch.test.ts: here it must not interfere with the step tests.
  room = await startTestRoom({ DISPATCH_ESCALATE_SECONDS: '3600' });
  [observer, supervisor, dispatcher, admin] = await Promise.all(['observer', 'supervisor', 'dispatcher', 'admin'].map((u) => new ApiClient(room.url).login(u)));
  const r = await admin.post('/api/users', { username: 'dispatcher2', displayName: 'Daan Meldkamer', role: 'dispatcher', password: 'tweede-meldkamer-wachtwoord' });
  expect(r.status).toBe(201);
  dispatcher2 = await new ApiClient(room.url).login('dispatcher2', 'tweede-meldkamer-wachtwoord');
});
afterAll(async () => { sockets.forEach((s) => s.close()); await Promise.all(publishers.map((p) => p.stop())); await room?.close(); });

function open(cookie: string): Promise<Client> {
  const s: Client = connect(room.url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
  sockets.push(s);
  return new Promise((resolve, reject) => { s.on('connect', () => resolve(s)); s.on('connect_error', reject); });
}

const incidentBody = (over: Record<string, unknown> = {}) => ({
  taggedAt: new Date(Date.now() - 4000).toISOString(), cameraIds: ['ens-oude-markt'], categoryId: 'vechtpartij', priority: 1,
  persons: 'twee mannen, een met rode jas', notes: 'slaan elkaar bij de fontein', ...over,
});
async function newIncident(over: Record<string, unknown> = {}): Promise<Incident> {
  const r = await observer.post('/api/incidents', incidentBody(over));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
async function raised(over: Record<string, unknown> = {}) {
  const i = await newIncident(over);
  const r = await observer.post(`/api/incidents/${i.id}/alert`, { remark: 'graag eenheid' });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { incident: i, alert: r.body };
}

describe('categories', () => {
  it('come from config under the 9 national top levels, in Dutch and English', async () => {
    const r = await observer.get('/api/incident-categories');
    expect(r.status).toBe(200);
    const tops = new Set(r.body.map((c: any) => c.topLevel.nl));
    expect(tops).toContain('Veiligheid & Openbare orde');
    expect(r.body.find((c: any) => c.id === 'onwel-persoon')).toMatchObject({ nl: 'Onwel persoon', en: 'Person unwell', topLevel: { id: 'gezondheid' } });
  });
});

describe('tagging an incident', () => {
  it('keeps the key-press moment, takes the location from the first camera, records the timeline and the audit trail', async () => {
    const taggedAt = new Date(Date.now() - 7321).toISOString();
    const r = await observer.post('/api/incidents', incidentBody({ taggedAt, cameraIds: ['ens-van-heekplein', 'ens-oude-markt'], locationText: 'bij de bushalte' }));
    expect(r.status).toBe(201);
    const i: Incident = r.body;
    expect(i.taggedAt).toBe(taggedAt);
    expect(Date.parse(i.createdAt)).toBeGreaterThan(Date.parse(taggedAt));
    expect(i).toMatchObject({ status: 'open', priority: 1, category: { id: 'vechtpartij', nl: 'Vechtpartij' }, createdBy: { name: 'Olga Observant' }, alert: null });
    expect(i.location).toMatchObject({ street: 'Van Heekplein', municipalityId: 'enschede', municipalityName: 'Enschede', text: 'bij de bushalte' });
    expect(i.cameras.map((c) => c.id)).toEqual(['ens-van-heekplein', 'ens-oude-markt']);
    expect(i.number).toBeGreaterThan(0);
    const audit = await room.sql`select actor_name, details from audit_log where action = 'incident.created' and subject = ${i.id}`;
    expect(audit[0]).toMatchObject({ actor_name: 'observer', details: { categoryId: 'vechtpartij', priority: 1 } });
    // No live stream on that camera: the incident says so.
    const detail = await waitFor('snapshot outcome', async () => {
      const d = (await observer.get(`/api/incidents/${i.id}`)).body;
      return d.snapshot.status === 'no_stream' ? d : null;
    });
    expect(detail.timeline.map((e: any) => e.kind)).toEqual(['created', 'snapshot']);
    expect(detail.timeline[0]).toMatchObject({ by: 'Olga Observant', details: { categoryId: 'vechtpartij', priority: 1 } });
    expect(detail.timeline[1].details).toMatchObject({ status: 'no_stream', cameraId: 'ens-van-heekplein' });
    expect((await observer.get(`/api/incidents/${i.id}/snapshot`)).body.error.code).toBe('no_snapshot');
  });

  const bad: Array<[string, Record<string, unknown>, string, string]> = [
    ['an unknown camera', { cameraIds: ['ens-oude-markt', 'no-such-camera'] }, 'unknown_camera', 'cameraIds.1'],
    ['an unknown category', { categoryId: 'ufo-landing' }, 'unknown_category', 'categoryId'],
    ['priority 0', { priority: 0 }, 'invalid_input', 'priority'],
    ['priority 4', { priority: 4 }, 'invalid_input', 'priority'],
    ['priority as text', { priority: '1' }, 'invalid_input', 'priority'],
    ['notes over 10 000 characters', { notes: 'x'.repeat(10_001) }, 'invalid_input', 'notes'],
    ['no camera', { cameraIds: [] }, 'invalid_input', 'cameraIds'],
    ['a camera twice', { cameraIds: ['ens-oude-markt', 'ens-oude-markt'] }, 'invalid_input', 'cameraIds'],
    ['a key press in the future', { taggedAt: new Date(Date.now() + 3_600_000).toISOString() }, 'invalid_input', 'taggedAt'],
    ['a key press that is not a time', { taggedAt: 'gisteren' }, 'invalid_input', 'taggedAt'],
    ['an unknown field', { colour: 'red' }, 'invalid_input', 'body'],
  ];
  for (const [what, over, code, field] of bad) {
    it(`refuses ${what} (400 ${code}, field ${field})`, async () => {
      const before = (await room.sql`select count(*)::int as n from incidents`)[0]!.n;
      const r = await observer.post('/api/incidents', incidentBody(over));
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error).toMatchObject({ code });
      expect(r.body.error.field ?? 'body').toBe(field);
      expect((await room.sql`select count(*)::int as n from incidents`)[0]!.n).toBe(before);
    });
  }

  it('accepts notes of exactly 10 000 characters, and stores HTML and script verbatim (shown inert by the consoles)', async () => {
    expect((await observer.post('/api/incidents', incidentBody({ notes: 'n'.repeat(10_000) }))).status).toBe(201);
    const html = `<script>alert("x")</script><img src=x onerror="alert(1)"> & "quotes" 'single' \u00e9\u20ac`;
    const r = await observer.post('/api/incidents', incidentBody({ notes: html, persons: '<b>vet</b>' }));
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const back = (await observer.get(`/api/incidents/${r.body.id}`)).body;
    expect(back.notes).toBe(html);
    expect(back.persons).toBe('<b>vet</b>');
  });

  it('only observers and supervisors tag incidents; dispatchers, police, municipalities and admins may not', async () => {
    for (const u of ['dispatcher', 'police', 'enschede', 'admin']) {
      const api = await new ApiClient(room.url).login(u);
      expect((await api.post('/api/incidents', incidentBody())).status).toBe(403);
      expect((await api.get('/api/incidents')).status).toBe(403);
    }
    expect((await supervisor.post('/api/incidents', incidentBody())).status).toBe(201);
  });
});

describe('changing an incident', () => {
  it('records each change with who, when, from and to; an optional expectedVersion refuses a stale edit', async () => {
    const i = await newIncident();
    const r = await observer.patch(`/api/incidents/${i.id}`, { priority: 2, notes: 'toch rustiger', expectedVersion: i.version });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ priority: 2, notes: 'toch rustiger', version: i.version + 1 });
    const stale = await supervisor.patch(`/api/incidents/${i.id}`, { priority: 3, expectedVersion: i.version });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_version');
    expect((await observer.patch(`/api/incidents/${i.id}`, { categoryId: 'nope' })).body.error.code).toBe('unknown_category');
    expect((await observer.patch(`/api/incidents/${i.id}`, { notes: 'y'.repeat(10_001) })).body.error.field).toBe('notes');
    expect((await observer.patch(`/api/incidents/${i.id}`, {})).status).toBe(400);
    const t = (await observer.get(`/api/incidents/${i.id}`)).body.timeline;
    const change = t.find((e: any) => e.kind === 'changed');
    expect(change).toMatchObject({ by: 'Olga Observant', details: { priority: { from: 1, to: 2 }, notes: { from: 'slaan elkaar bij de fontein', to: 'toch rustiger' } } });
    expect(Date.parse(change.at)).toBeGreaterThan(0);
    expect((await observer.patch(`/api/incidents/${i.id}`, { status: 'closed' })).body.status).toBe('closed');
    expect((await observer.get(`/api/incidents?status=closed`)).body.some((x: Incident) => x.id === i.id)).toBe(true);
    expect((await observer.get(`/api/incidents`)).body.some((x: Incident) => x.id === i.id)).toBe(false);
  });

  it('lists by camera and by tagged time (the marks on the playback timeline)', async () => {
    const t0 = Date.now() - 60_000;
    const a = await newIncident({ cameraIds: ['hgl-beekstraat'], taggedAt: new Date(t0).toISOString() });
    const b = await newIncident({ cameraIds: ['ens-oude-markt', 'hgl-beekstraat'], taggedAt: new Date(t0 + 20_000).toISOString() });
    const c = await newIncident({ cameraIds: ['ens-oude-markt'], taggedAt: new Date(t0 + 30_000).toISOString() });
    const ids = async (q: string) => (await observer.get(`/api/incidents?status=all&${q}`)).body.map((x: Incident) => x.id);
    expect(await ids('camera=hgl-beekstraat')).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(await ids('camera=hgl-beekstraat')).not.toContain(c.id);
    const window = `from=${encodeURIComponent(new Date(t0 + 10_000).toISOString())}&to=${encodeURIComponent(new Date(t0 + 30_000).toISOString())}`;
    expect(await ids(`camera=hgl-beekstraat&${window}`)).toEqual([b.id]);
    expect((await observer.get('/api/incidents?from=yesterday')).body.error.field).toBe('from');
  });

  it('answers 404 for an unknown incident and 400 for an id that is not one', async () => {
    expect((await observer.get('/api/incidents/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await observer.get('/api/incidents/not-a-uuid')).status).toBe(400);
  });
});

describe('alerts', () => {
  it('raising reaches a dispatcher console within 1 s; every step reaches the observer live; the timeline keeps all', async () => {
    const disp = await open(dispatcher.cookie);
    const obs = await open(observer.cookie);
    const queue = new DispatchQueue();
    const messages: DispatchMessage[] = [];
    disp.on('dispatch:alert', (m) => { messages.push(m); queue.apply(m); });
    const seen: Incident[] = [];
    obs.on('incident:changed', (i) => seen.push(i));

    const i = await newIncident({ priority: 2, categoryId: 'onwel-persoon' });
    const t0 = Date.now();
    const r = await observer.post(`/api/incidents/${i.id}/alert`, { remark: 'persoon ligt op de grond' });
    expect(r.status).toBe(201);
    const m = await waitFor('alert on the dispatch console', () => messages.find((x) => x.alert.id === r.body.id), 1000, 5);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(m).toMatchObject({ kind: 'raised', alert: { status: 'raised', incidentId: i.id, priority: 2, category: { id: 'onwel-persoon' }, location: { street: 'Oude Markt' },
      cameras: [{ id: 'ens-oude-markt', name: 'Oude Markt' }], persons: i.persons, notes: i.notes, raisedBy: 'Olga Observant', lastRemark: 'persoon ligt op de grond' } });
    expect(queue.open().map((a) => a.id)).toContain(r.body.id);

    expect((await observer.post(`/api/incidents/${i.id}/alert`, {})).body.error.code).toBe('alert_open');

    for (const [status, remark, dutch] of [['acknowledged', '', 'ontvangen'], ['unit_sent', 'motor 12', 'onderweg'], ['on_scene', '', 'ter plaatse'], ['closed', 'persoon naar MST', 'afgesloten']] as const) {
      const s = await dispatcher.post(`/api/alerts/${r.body.id}/status`, { status, remark });
      expect(s.status, `${status} ${JSON.stringify(s.body)}`).toBe(200);
      expect(s.body.status).toBe(status);
      // The observer's console sees the step live (e.g. 'ontvangen' for acknowledged).
      await waitFor(`observer sees ${dutch}`, () => seen.find((x) => x.id === i.id && x.alert?.status === status), 2000, 10);
      await waitFor(`dispatcher sees ${status}`, () => queue.get(r.body.id)?.status === status, 2000, 10);
    }
    const final = (await dispatcher.get(`/api/alerts/${r.body.id}`)).body;
    expect(final.steps.map((s: any) => s.step)).toEqual(['raised', 'acknowledged', 'unit_sent', 'on_scene', 'closed']);
    expect(final.steps[1].by).toBe('Dirk Meldkamer');
    expect(final.steps[2].remark).toBe('motor 12');
    expect(final).toMatchObject({ acknowledgedBy: 'Dirk Meldkamer', lastRemark: 'persoon naar MST' });
    expect(final.acknowledgedAt && final.unitSentAt && final.onSceneAt && final.closedAt).toBeTruthy();
    const timeline = (await observer.get(`/api/incidents/${i.id}`)).body.timeline.map((e: any) => e.kind);
    expect(timeline).toEqual(expect.arrayContaining(['created', 'alert.raised', 'alert.acknowledged', 'alert.unit_sent', 'alert.on_scene', 'alert.closed']));
    const audited = (await room.sql`select action from audit_log where subject = ${r.body.id} order by id`).map((x) => x.action);
    expect(audited).toEqual(['alert.raised', 'alert.acknowledged', 'alert.unit_sent', 'alert.on_scene', 'alert.closed']);
    expect(queue.open().map((a) => a.id)).not.toContain(r.body.id);
  });

  it('a dispatcher acting twice: the first wins, the second gets 409 alert_conflict naming who was first', async () => {
    const { alert } = await raised();
    expect((await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' })).status).toBe(200);
    const again = await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('alert_conflict');
    expect(again.body.error.message).toMatch(/already acknowledged by Dirk Meldkamer/);
  });

  it('two dispatchers at once: exactly one wins, the other gets 409; one step recorded', async () => {
    for (let round = 0; round < 5; round++) {
      const { alert } = await raised();
      const results = await Promise.all([dispatcher, dispatcher2].map((d) => d.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)!.body.error.code).toBe('alert_conflict');
      const steps = await room.sql`select step from alert_steps where alert_id = ${alert.id} and step = 'acknowledged'`;
      expect(steps.length).toBe(1);
      // The same for the next step.
      const next = await Promise.all([dispatcher, dispatcher2].map((d) => d.post(`/api/alerts/${alert.id}/status`, { status: 'unit_sent' })));
      expect(next.map((r) => r.status).sort()).toEqual([200, 409]);
    }
  });

  it('steps only move forward: closing an unacknowledged alert or going back is refused (409 invalid_transition)', async () => {
    const { alert } = await raised();
    const early = await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'closed' });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('invalid_transition');
    expect((await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'raised' })).status).toBe(400);
    expect((await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' })).status).toBe(200);
    expect((await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'on_scene' })).status).toBe(200);
    expect((await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'unit_sent' })).body.error.code).toBe('alert_conflict');
    expect((await dispatcher.post(`/api/alerts/${alert.id}/remarks`, { remark: 'tweede eenheid gevraagd' })).body.lastRemark).toBe('tweede eenheid gevraagd');
    expect((await dispatcher.post(`/api/alerts/${alert.id}/remarks`, { remark: '' })).status).toBe(400);
    expect((await dispatcher.post(`/api/alerts/00000000-0000-0000-0000-000000000000/status`, { status: 'acknowledged' })).status).toBe(404);
  });

  it('an incident with an open alert cannot be closed by the room; its changes reach the dispatchers', async () => {
    const disp = await open(dispatcher.cookie);
    const got: DispatchMessage[] = [];
    disp.on('dispatch:alert', (m) => got.push(m));
    const { incident, alert } = await raised();
    const c = await observer.patch(`/api/incidents/${incident.id}`, { status: 'closed' });
    expect(c.status).toBe(409);
    expect(c.body.error.code).toBe('alert_open');
    await observer.patch(`/api/incidents/${incident.id}`, { priority: 3, notes: 'verdachte loopt richting station' });
    const upd = await waitFor('update on the dispatch console', () => got.find((m) => m.alert.id === alert.id && m.kind === 'updated'), 2000, 10);
    expect(upd.alert).toMatchObject({ priority: 3, notes: 'verdachte loopt richting station' });
    expect(upd.alert.version).toBeGreaterThan(alert.version);
  });

  it('only observers and supervisors raise; only dispatchers handle; supervisors read the queue and the board', async () => {
    const { alert } = await raised();
    expect((await dispatcher.post(`/api/incidents/${alert.incidentId}/alert`, {})).status).toBe(403);
    expect((await observer.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' })).status).toBe(403);
    expect((await supervisor.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' })).status).toBe(403);
    expect((await observer.get('/api/alerts')).status).toBe(403);
    const q = (await dispatcher.get('/api/alerts')).body;
    expect(q.map((a: any) => a.id)).toContain(alert.id);
    // Sorted by priority, then age.
    const keys = q.map((a: any) => [a.priority, a.raisedAt]);
    expect(keys).toEqual([...keys].sort((x: any, y: any) => x[0] - y[0] || x[1].localeCompare(y[1])));
    const board = await supervisor.get('/api/board');
    expect(board.status).toBe(200);
    expect(board.body.alerts.some((a: any) => a.id === alert.id)).toBe(true);
    expect(board.body.counts.openAlerts).toBe(board.body.alerts.length);
    expect((await observer.get('/api/board')).status).toBe(403);
  });
});

describe('live video for dispatchers', () => {
  it('only cameras of open alerts: refused before, allowed while open, refused again after closing', async () => {
    const cam = 'hgl-stadhuis';
    const before = await dispatcher.post(`/api/cameras/${cam}/live`, { stream: 'main' });
    expect(before.status).toBe(403);
    expect(before.body.error.code).toBe('not_in_open_alert');
    const { alert } = await raised({ cameraIds: [cam] });
    const grant = await dispatcher.post(`/api/cameras/${cam}/live`, { stream: 'main' });
    expect(grant.status, JSON.stringify(grant.body)).toBe(200);
    expect(grant.body).toMatchObject({ cameraId: cam, stream: 'main' });
    // A camera of no open alert is still refused.
    expect((await dispatcher.post('/api/cameras/hgl-marktsteeg/live', { stream: 'main' })).body.error.code).toBe('not_in_open_alert');
    // The same rule per camera when a wall asks for several at once.
    const batch = await dispatcher.post('/api/live/grants', { streams: [{ cameraId: cam, stream: 'sub' }, { cameraId: 'hgl-marktsteeg', stream: 'sub' }] });
    expect(batch.status).toBe(200);
    expect(batch.body.grants.map((g: any) => [g.cameraId, g.ok, g.error?.status, g.error?.code])).toEqual([
      [cam, true, undefined, undefined], ['hgl-marktsteeg', false, 403, 'not_in_open_alert'],
    ]);
    await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' });
    await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'closed' });
    expect((await dispatcher.post(`/api/cameras/${cam}/live`, { stream: 'main' })).status).toBe(403);
    expect((await dispatcher.post('/api/live/grants', { streams: [{ cameraId: cam, stream: 'sub' }] })).body.grants[0].error.code).toBe('not_in_open_alert');
    // The grant from while it was open no longer plays: the media server asks again and is refused.
    const res = await fetch(`http://127.0.0.1:${room.media.httpPort}${grant.body.path}`, { headers: { cookie: dispatcher.cookie } }).catch(() => null);
    expect(res?.status).not.toBe(200);
    await waitFor('refusal recorded', async () => (await room.sql`select 1 from audit_log where action = 'live.play_refused' and subject = ${cam} and details->>'reason' = 'not-in-open-alert'`)[0]);
    // Observers are not restricted.
    expect((await observer.post('/api/cameras/hgl-marktsteeg/live', { stream: 'main' })).status).toBe(200);
  });

  /** A player on the media server's HTTP-FLV: counts video tags until the server ends the stream (or stop()). */
  async function play(api: ApiClient, cameraId: string) {
    const grant = await api.post(`/api/cameras/${cameraId}/live`, { stream: 'main' });
    expect(grant.status, JSON.stringify(grant.body)).toBe(200);
    const ctrl = new AbortController();
    // With the console's session cookie, as the browser sends it (a play URL alone is refused).
    const res = await fetch(`http://127.0.0.1:${room.media.httpPort}${grant.body.path}`, { signal: ctrl.signal, headers: { cookie: api.cookie } });
    expect(res.status).toBe(200);
    const p = { videoTags: 0, endedAt: null as number | null, stop: () => ctrl.abort(), ended: null as unknown as Promise<void> };
    p.ended = (async () => {
      const reader = new FlvReader();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) p.videoTags += reader.push(Buffer.from(chunk)).filter((t) => t.type === 'video').length;
      } catch { /* cut or aborted */ }
      p.endedAt = Date.now();
    })();
    await waitFor(`${cameraId} playing`, () => p.videoTags >= 3 || p.endedAt !== null, 8000, 50);
    expect(p.endedAt, `${cameraId} ended before it played`).toBeNull();
    return p;
  }
  const stillPlaying = async (p: Awaited<ReturnType<typeof play>>) => {
    const before = p.videoTags;
    await waitFor('more video', () => p.videoTags > before + 5, 5000, 50);
    return p.endedAt === null;
  };

  it('a dispatcher watching an alert’s camera is cut when the alert closes (or the camera leaves it); others keep watching', async () => {
    for (const id of ['disp-a', 'disp-b']) publishTo(publishers, room, id, await createRtmpCamera(admin, id));
    await waitFor('cameras online', () => room.board.get('disp-a').online && room.board.get('disp-b').online, 10_000);
    // Alert X holds both cameras; alert Y holds disp-b too.
    const x = await raised({ cameraIds: ['disp-a', 'disp-b'] });
    const y = await raised({ cameraIds: ['disp-b', 'ens-oude-markt'] });
    expect((await dispatcher.post(`/api/alerts/${x.alert.id}/status`, { status: 'acknowledged' })).status).toBe(200);

    const dispA = await play(dispatcher, 'disp-a');
    const dispB = await play(dispatcher, 'disp-b');
    const obsA = await play(observer, 'disp-a');
    const players = [dispA, dispB, obsA];
    try {
      const closedAt = Date.now();
      expect((await dispatcher.post(`/api/alerts/${x.alert.id}/status`, { status: 'closed' })).status).toBe(200);
      await waitFor('dispatcher cut from disp-a', () => dispA.endedAt !== null, 3000, 20);
      expect(dispA.endedAt! - closedAt).toBeLessThan(3000);
      // disp-b is still in the open alert Y; the observer is not restricted; the recorder is not a person.
      expect(await stillPlaying(dispB)).toBe(true);
      expect(await stillPlaying(obsA)).toBe(true);
      expect(room.recorder?.isRecording('disp-a')).toBe(true);
      // A reconnect is refused: the alert is closed.
      expect((await dispatcher.post('/api/cameras/disp-a/live', { stream: 'main' })).body.error.code).toBe('not_in_open_alert');
      // The viewing record of the cut view is closed.
      const views = await waitFor('view ended', async () => (await room.sql`select v.ended_at from live_views v join users u on u.id = v.user_id
        where u.username = 'dispatcher' and v.camera_id = 'disp-a' and v.ended_at is not null`)[0]);
      expect(views.ended_at).not.toBeNull();

      // The observer takes disp-b off incident Y while its alert is open: the dispatcher loses that picture too.
      expect((await observer.patch(`/api/incidents/${y.incident.id}`, { cameraIds: ['ens-oude-markt'] })).status).toBe(200);
      await waitFor('dispatcher cut from disp-b', () => dispB.endedAt !== null, 3000, 20);
      expect(await stillPlaying(obsA)).toBe(true);
    } finally { players.forEach((p) => p.stop()); await Promise.all(players.map((p) => p.ended)); }
  });
});

describe('evidence of an incident', () => {
  it('lists the items preserved for an incident, and only those, to whoever may read evidence; a list read is no consultation', async () => {
    const [a, b] = [await newIncident(), await newIncident()];
    // A range that ended less than a minute ago is accepted before its recording is indexed (no camera streams here).
    const at = (s: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + s * 1000).toISOString();
    const range = { from: at(-180), to: at(-20) };
    const preserve = async (api: ApiClient, over: Record<string, unknown>) => {
      const r = await api.post('/api/evidence', { cameras: ['ens-oude-markt'], ...range, reason: 'vechtpartij bij de fontein', ...over });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body;
    };
    const one = await preserve(observer, { incidentId: a.id });
    const two = await preserve(supervisor, { incidentId: a.id, cameras: ['ens-oude-markt', 'hgl-stadhuis'] });
    await preserve(observer, { incidentId: b.id });
    await preserve(observer, {});

    const list = await observer.get(`/api/evidence?incident=${a.id}`);
    expect(list.status).toBe(200);
    expect(list.body.map((e: any) => e.id).sort()).toEqual([one.id, two.id].sort());
    const item = list.body.find((e: any) => e.id === two.id);
    expect(item).toMatchObject({ incidentId: a.id, requestedFrom: range.from, requestedTo: range.to, legalHold: true, reason: 'vechtpartij bij de fontein' });
    expect(['pending', 'ready', 'failed']).toContain(item.state);
    expect(item.clips.map((c: any) => c.cameraId)).toEqual(['ens-oude-markt', 'hgl-stadhuis']);
    expect((await supervisor.get(`/api/evidence?incident=${b.id}`)).body).toHaveLength(1);
    expect((await supervisor.get(`/api/evidence?incident=${(await newIncident()).id}`)).body).toEqual([]);

    // Police find them by incident too, without the reason until they state a purpose; dispatchers not at all.
    const police = await new ApiClient(room.url).login('police');
    const theirs = (await police.get(`/api/evidence?incident=${a.id}`)).body;
    expect(theirs.map((e: any) => e.id).sort()).toEqual([one.id, two.id].sort());
    expect(theirs.every((e: any) => e.reason === null)).toBe(true);
    expect((await dispatcher.get(`/api/evidence?incident=${a.id}`)).status).toBe(403);
    const bad = await observer.get('/api/evidence?incident=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('incident');
    // Listing is not viewing an item: nothing in the custody trail beyond its preservation.
    const custody = await room.sql`select action from evidence_custody where item_id = any(${[one.id, two.id]}::uuid[]) and action = 'viewed'`;
    expect(custody).toHaveLength(0);
  });
});

describe('snapshots', () => {
  // Permanent: a flexible unit may publish only inside an approved booking window.
  async function liveCamera(id: string) {
    const r = await admin.post('/api/cameras', { id, name: `Snap ${id}`, municipalityId: 'hengelo', location: { street: 'Markt', lat: 52.26, lon: 6.79 }, kind: 'permanent', source: { type: 'rtmp' } });
    expect(r.status).toBe(201);
    publishers.push(publishTestPattern(`rtmp://127.0.0.1:${room.media.rtmpPort}/live/${id}?key=${encodeURIComponent(r.body.publishKey)}`));
    await waitFor('camera online', () => room.board.get(id).online, 10_000);
  }

  it('grabs a JPEG of the live stream for the incident, serves it only to those allowed, and records every view', async () => {
    await liveCamera('snap-live');
    const i = await newIncident({ cameraIds: ['snap-live'] });
    expect(i.snapshot.status).toBe('pending');
    const done = await waitFor('snapshot taken', async () => {
      const d = (await observer.get(`/api/incidents/${i.id}`)).body;
      return ['taken', 'failed'].includes(d.snapshot.status) ? d : null;
    }, 15_000, 100);
    expect(done.snapshot, JSON.stringify(done.timeline)).toMatchObject({ status: 'taken', cameraId: 'snap-live', url: `/api/incidents/${i.id}/snapshot` });
    const img = await fetch(room.url + done.snapshot.url, { headers: { cookie: observer.cookie } });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await img.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(bytes.length).toBeGreaterThan(1000);
    const viewed = await room.sql`select actor_name, details from audit_log where action = 'incident.snapshot_viewed' and subject = ${i.id}`;
    expect(viewed[0]).toMatchObject({ actor_name: 'observer', details: { cameraId: 'snap-live' } });
    // The grab read the stream with the observer's own play token: it is on record as their live view.
    expect((await room.sql`select 1 from audit_log where action = 'live.view' and subject = 'snap-live' and actor_name = 'observer'`).length).toBeGreaterThan(0);

    // A dispatcher sees it only once the incident was raised to them.
    expect((await dispatcher.get(done.snapshot.url)).status).toBe(404);
    await observer.post(`/api/incidents/${i.id}/alert`, {});
    const d = await fetch(room.url + done.snapshot.url, { headers: { cookie: dispatcher.cookie } });
    expect(d.status).toBe(200);
    expect((await room.sql`select actor_name from audit_log where action = 'incident.snapshot_viewed' and subject = ${i.id} order by id`).map((r) => r.actor_name)).toEqual(['observer', 'dispatcher']);
    expect((await new ApiClient(room.url).login('police').then((p) => p.get(done.snapshot.url))).status).toBe(403);

    // Retention: a snapshot is a recorded image, deleted after RETENTION_DAYS like the recordings; the incident says so.
    const [row] = await room.sql`select file from snapshots where id = ${done.snapshot.id}`;
    const file = path.join(room.config.MEDIA_DIR, row!.file);
    expect(existsSync(file)).toBe(true);
    const service = new IncidentService({
      sql: room.sql, bus: room.bus, log: createLogger('silent'), categories: Categories.load(path.resolve('config')), now: () => new Date(), snapshots: { read: async () => Buffer.alloc(0) },
      grabber: createSnapshotGrabber({ mediaDir: room.config.MEDIA_DIR, ffmpegPath: () => null, isLive: () => false, playUrl: async () => '' }),
    });
    expect(await service.expireSnapshots(28)).toBe(0);
    await room.sql`update snapshots set requested_at = now() - interval '29 days' where id = ${done.snapshot.id}`;
    expect(await service.expireSnapshots(28)).toBe(1);
    expect(existsSync(file)).toBe(false);
    const after = (await observer.get(`/api/incidents/${i.id}`)).body;
    expect(after.snapshot).toMatchObject({ status: 'purged', url: null });
    expect(after.timeline.at(-1)).toMatchObject({ kind: 'snapshot.purged', by: null });
    expect((await observer.get(done.snapshot.url)).body.error.code).toBe('no_snapshot');
  });

  it('a snapshot taken at the key press goes with the incident saved later', async () => {
    await liveCamera('snap-key');
    const s = await observer.post('/api/snapshots', { cameraId: 'snap-key' });
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ status: 'taken', cameraId: 'snap-key' });
    const i = await newIncident({ cameraIds: ['snap-key'], snapshotId: s.body.id });
    expect(i.snapshot).toMatchObject({ id: s.body.id, status: 'taken', url: `/api/incidents/${i.id}/snapshot` });
    // Used once only, and only by whoever took it.
    expect((await observer.post('/api/incidents', incidentBody({ cameraIds: ['snap-key'], snapshotId: s.body.id }))).body.error.code).toBe('invalid_snapshot');
    const other = await supervisor.post('/api/snapshots', { cameraId: 'snap-key' });
    expect((await observer.post('/api/incidents', incidentBody({ cameraIds: ['snap-key'], snapshotId: other.body.id }))).body.error.code).toBe('invalid_snapshot');
    expect((await observer.post('/api/snapshots', { cameraId: 'ens-oude-markt' })).body.status).toBe('no_stream');
    expect((await observer.post('/api/snapshots', { cameraId: 'no-such-camera' })).status).toBe(404);
  });
});
