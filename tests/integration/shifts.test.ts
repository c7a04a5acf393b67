// The shift log, the shift report (JSON and CSV) and the supervisors' figures, on a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { readPdf } from '../support/pdf.js';

let room: TestRoom;
let observer: ApiClient, supervisor: ApiClient, dispatcher: ApiClient;
beforeAll(async () => {
  room = await startTestRoom({ DISPATCH_ESCALATE_SECONDS: '3600' });
  [observer, supervisor, dispatcher] = await Promise.all(['observer', 'supervisor', 'dispatcher'].map((u) => new ApiClient(room.url).login(u)));
});
afterAll(async () => { await room?.close(); });

async function tag(api: ApiClient, over: Record<string, unknown> = {}) {
  const r = await api.post('/api/incidents', { taggedAt: new Date(Date.now() - 3000).toISOString(), cameraIds: ['hgl-beekstraat'], categoryId: 'overlast', priority: 3, ...over });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe('shift log', () => {
  it('an observer starts a shift with cameras, writes hand-over notes, ends it; the next one reads them', async () => {
    expect((await observer.get('/api/shifts/current')).body).toBeNull();
    expect((await observer.post('/api/shifts', { cameraIds: ['hgl-beekstraat', 'nope-camera'] })).body.error).toMatchObject({ code: 'unknown_camera', field: 'cameraIds.1' });
    const s = await observer.post('/api/shifts', { cameraIds: ['hgl-beekstraat', 'hgl-stadhuis'] });
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ userName: 'Olga Observant', endedAt: null, cameraIds: ['hgl-beekstraat', 'hgl-stadhuis'] });
    expect((await observer.post('/api/shifts', {})).body.error.code).toBe('shift_open');
    expect((await observer.get('/api/shifts/current')).body.id).toBe(s.body.id);

    // Work during the shift: two incidents, one raised and handled.
    const quiet = await tag(observer, { locationText: 'bij "De Kater", terras' });
    const loud = await tag(observer, { categoryId: 'vechtpartij', priority: 1, locationText: '=HYPERLINK("http://x")' });
    const alert = (await observer.post(`/api/incidents/${loud.id}/alert`, {})).body;
    await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' });
    await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'on_scene' });
    await tag(supervisor); // someone else's incident is not in this shift's report

    expect((await supervisor.patch(`/api/shifts/${s.body.id}`, { handoverNotes: 'niet de mijne' })).body.error.code).toBe('not_your_shift');
    expect((await observer.patch(`/api/shifts/${s.body.id}`, { handoverNotes: 'Beekstraat: camera hapert' })).body.handoverNotes).toBe('Beekstraat: camera hapert');
    const ended = await observer.post(`/api/shifts/${s.body.id}/end`, { handoverNotes: 'Beekstraat hapert; vechtpartij afgehandeld' });
    expect(ended.status).toBe(200);
    expect(ended.body.endedAt).not.toBeNull();
    expect((await observer.post(`/api/shifts/${s.body.id}/end`, {})).body.error.code).toBe('shift_ended');
    expect((await observer.get('/api/shifts/current')).body).toBeNull();
    const audit = (await room.sql`select action from audit_log where subject = ${s.body.id} order by id`).map((r) => r.action);
    expect(audit).toEqual(['shift.started', 'shift.ended']);

    // The next observer (here the supervisor) reads the log with the hand-over notes.
    const log = (await supervisor.get('/api/shifts')).body;
    expect(log[0]).toMatchObject({ id: s.body.id, handoverNotes: 'Beekstraat hapert; vechtpartij afgehandeld' });
    expect((await dispatcher.get('/api/shifts')).status).toBe(403);

    // The report: incidents, alerts, response times.
    const rep = (await observer.get(`/api/shifts/${s.body.id}/report`)).body;
    expect(rep.incidents.map((i: any) => i.id)).toEqual([quiet.id, loud.id]);
    expect(rep.summary).toMatchObject({ incidents: 2, alerts: 1, escalated: 0, tagToAck: { count: 1 }, ackToOnScene: { count: 1 } });
    expect(rep.incidents[1]).toMatchObject({ category: 'Vechtpartij', priority: 1, alertStatus: 'on_scene', municipality: 'Hengelo' });
    expect(rep.incidents[1].tagToAckSeconds).toBeGreaterThanOrEqual(3);

    const csv = await fetch(`${room.url}/api/shifts/${s.body.id}/report?format=csv`, { headers: { cookie: observer.cookie } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="dienst-\d{4}-\d\d-\d\d-Olga_Observant\.csv"/);
    const text = await csv.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('number,taggedAt,category,priority,location,municipality,cameras,status,alertStatus,raisedAt,acknowledgedAt,onSceneAt,closedAt,escalated,tagToAckSeconds,ackToOnSceneSeconds');
    expect(lines.length).toBe(4); // header, two rows, and the empty string after the final CRLF
    expect(lines[1]).toContain('"Beekstraat (bij ""De Kater"", terras)"');
    expect(lines[2]).toContain('"Beekstraat (=HYPERLINK(""http://x""))"');
  });
});

describe('shift report as PDF', () => {
  it('serves the same figures as a printable A4 document, in Dutch by default and in English on request', async () => {
    const s = (await observer.post('/api/shifts', { cameraIds: ['hgl-beekstraat'] })).body;
    const unwell = await tag(observer, { categoryId: 'onwel-persoon', priority: 2, locationText: 'bij café “De Kater” → terras 🚑' });
    const alert = (await observer.post(`/api/incidents/${unwell.id}/alert`, {})).body;
    await dispatcher.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' });
    await tag(observer, { categoryId: 'vernieling' });
    await observer.post(`/api/shifts/${s.id}/end`, { handoverNotes: 'Overdracht: coördinatie met politie, übermorgen terug' });

    const get = (query: string, api = observer) => fetch(`${room.url}/api/shifts/${s.id}/report?${query}`, { headers: { cookie: api.cookie } });
    const res = await get('format=pdf');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="dienst-\d{4}-\d\d-\d\d-Olga_Observant\.pdf"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const { doc, pages } = await readPdf(bytes);
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1);
    expect(doc.getTitle()).toBe('Dienstrapport Olga Observant');
    const text = pages.join('\n');
    const lines = text.split('\n');
    expect(text).toContain('Dienstrapport Olga Observant');
    // The same figures as the JSON (and so the CSV): two incidents, one alert, its response time.
    const rep = (await observer.get(`/api/shifts/${s.id}/report`)).body;
    expect(rep.summary).toMatchObject({ incidents: 2, alerts: 1, tagToAck: { count: 1 } });
    const tagToAck = String(rep.incidents[0].tagToAckSeconds).replace('.', ',');
    expect(lines).toEqual(expect.arrayContaining(['Incidenten', 'Meldingen aan de meldkamer', 'Onwel persoon', 'Vernieling', 'ontvangen', `${tagToAck} s`,
      `${tagToAck} s / ${tagToAck} s (1)`, 'Overdracht: coördinatie met politie, übermorgen terug', String(unwell.number), 'hgl-beekstraat']));
    // User text outside the standard fonts' range does not break the document.
    expect(text).toContain('Beekstraat (bij café “De Kater” -> terras ?)');

    const en = await get('format=pdf&lang=en');
    const enText = (await readPdf(new Uint8Array(await en.arrayBuffer()))).pages.join('\n');
    expect(enText).toContain('Shift report Olga Observant');
    expect(enText.split('\n')).toEqual(expect.arrayContaining(['Person unwell', 'Acknowledged', 'acknowledged', `${rep.incidents[0].tagToAckSeconds} s`]));

    const bad = await observer.get(`/api/shifts/${s.id}/report?format=docx`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('format');
    expect((await get('format=pdf', dispatcher)).status).toBe(403);
  });
});

describe('figures', () => {
  it('counts per night (the evening’s date, Amsterdam), municipality and category, with response times; supervisors only; CSV too', async () => {
    const a = await tag(observer, { cameraIds: ['ens-oude-markt'], categoryId: 'vechtpartij' });
    const b = await tag(observer, { cameraIds: ['ens-oude-markt'], categoryId: 'onwel-persoon' });
    const c = await tag(observer, { cameraIds: ['hgl-stadhuis'], categoryId: 'vechtpartij' });
    // Friday 7 March 2025 21:00, Saturday 8 March 01:30 (still Friday's night), Saturday 13:00 (Saturday's).
    await room.sql`update incidents set tagged_at = '2025-03-07T20:00:00Z' where id = ${a.id}`;
    await room.sql`update incidents set tagged_at = '2025-03-08T00:30:00Z' where id = ${b.id}`;
    await room.sql`update incidents set tagged_at = '2025-03-08T12:00:00Z' where id = ${c.id}`;
    const al = (await observer.post(`/api/incidents/${a.id}/alert`, {})).body;
    await room.sql`update alerts set raised_at = '2025-03-07T20:00:10Z', acknowledged_at = '2025-03-07T20:00:40Z', on_scene_at = '2025-03-07T20:09:40Z', status = 'on_scene' where id = ${al.id}`;

    expect((await observer.get('/api/figures?from=2025-03-07&to=2025-03-08')).status).toBe(403);
    const f = await supervisor.get('/api/figures?from=2025-03-07&to=2025-03-08');
    expect(f.status, JSON.stringify(f.body)).toBe(200);
    expect(f.body.perNight).toEqual([{ night: '2025-03-07', incidents: 2, alerts: 1 }, { night: '2025-03-08', incidents: 1, alerts: 0 }]);
    expect(f.body.perMunicipality).toEqual([{ municipalityId: 'enschede', name: 'Enschede', incidents: 2 }, { municipalityId: 'hengelo', name: 'Hengelo', incidents: 1 }]);
    expect(f.body.perCategory).toEqual([
      { categoryId: 'vechtpartij', nl: 'Vechtpartij', en: 'Fight', topLevel: 'Veiligheid & Openbare orde', incidents: 2 },
      { categoryId: 'onwel-persoon', nl: 'Onwel persoon', en: 'Person unwell', topLevel: 'Gezondheid', incidents: 1 },
    ]);
    expect(f.body.response).toEqual({ tagToRaise: { count: 1, medianSeconds: 10, p90Seconds: 10 }, raiseToAck: { count: 1, medianSeconds: 30, p90Seconds: 30 },
      ackToOnScene: { count: 1, medianSeconds: 540, p90Seconds: 540 } });
    expect((await supervisor.get('/api/figures?from=2025-03-07&to=2025-03-07')).body.perNight).toEqual([{ night: '2025-03-07', incidents: 2, alerts: 1 }]);
    expect((await supervisor.get('/api/figures?from=2025-03-09&to=2025-03-07')).body.error.field).toBe('from');
    expect((await supervisor.get('/api/figures?from=2025-13-01&to=2025-03-07')).status).toBe(400);

    const csv = await (await fetch(`${room.url}/api/figures?from=2025-03-07&to=2025-03-08&format=csv`, { headers: { cookie: supervisor.cookie } })).text();
    expect(csv.split('\r\n')).toEqual(expect.arrayContaining(['section,key,label,value', 'night,2025-03-07,incidents,2', 'municipality,hengelo,Hengelo,1',
      'category,vechtpartij,Veiligheid & Openbare orde / Vechtpartij,2', 'response,tag_to_raise,median_seconds,10', 'response,raise_to_ack,median_seconds,30']));
  });

  it('“melding → ontvangen” counts from the raise to the acknowledgement; the room’s own time (key press → first raise) stands beside it', async () => {
    // Night of Friday 4 April 2025 (Amsterdam +02:00). Incident a: tagged 22:00:00, raised after 25 s, acknowledged 15 s
    // later; closed, raised again an hour later and acknowledged after 60 s (a second raise is not the room's time).
    // Incident b: tagged 23:00:00, raised after 60 s, not acknowledged yet. Incident c: never raised.
    const [a, b, c] = [await tag(observer), await tag(observer), await tag(observer)];
    await room.sql`update incidents set tagged_at = '2025-04-04T20:00:00Z' where id = ${a.id}`;
    await room.sql`update incidents set tagged_at = '2025-04-04T21:00:00Z' where id = ${b.id}`;
    await room.sql`update incidents set tagged_at = '2025-04-04T21:30:00Z' where id = ${c.id}`;
    const first = (await observer.post(`/api/incidents/${a.id}/alert`, {})).body;
    await room.sql`update alerts set raised_at = '2025-04-04T20:00:25Z', acknowledged_at = '2025-04-04T20:00:40Z', closed_at = '2025-04-04T20:30:00Z', status = 'closed' where id = ${first.id}`;
    const again = (await observer.post(`/api/incidents/${a.id}/alert`, {})).body;
    expect(again.id).toBeDefined();
    await room.sql`update alerts set raised_at = '2025-04-04T21:00:00Z', acknowledged_at = '2025-04-04T21:01:00Z', status = 'acknowledged' where id = ${again.id}`;
    const late = (await observer.post(`/api/incidents/${b.id}/alert`, {})).body;
    await room.sql`update alerts set raised_at = '2025-04-04T21:01:00Z' where id = ${late.id}`;

    const f = await supervisor.get('/api/figures?from=2025-04-04&to=2025-04-04');
    expect(f.status, JSON.stringify(f.body)).toBe(200);
    // The room: 25 s and 60 s (first raises only). The dispatch centre: 15 s and 60 s (b is not acknowledged yet).
    // From the key press it would have been 40 s and 3660 s.
    expect(f.body.response).toEqual({
      tagToRaise: { count: 2, medianSeconds: 42.5, p90Seconds: 56.5 },
      raiseToAck: { count: 2, medianSeconds: 37.5, p90Seconds: 55.5 },
      ackToOnScene: { count: 0, medianSeconds: null, p90Seconds: null },
    });
    const csv = await (await fetch(`${room.url}/api/figures?from=2025-04-04&to=2025-04-04&format=csv`, { headers: { cookie: supervisor.cookie } })).text();
    expect(csv.split('\r\n')).toEqual(expect.arrayContaining(['response,tag_to_raise,count,2', 'response,tag_to_raise,median_seconds,42.5',
      'response,raise_to_ack,count,2', 'response,raise_to_ack,median_seconds,37.5', 'response,raise_to_ack,p90_seconds,55.5']));
  });
});
