import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCap, buildJsonTwin, capIdentifier, capTime } from '../../server/dispatch/cap.js';
import { backoffMs, classifyStatus, redactUrl, signBody } from '../../server/dispatch/webhook.js';
import { DispatchQueue } from '../../server/dispatch/queue.js';
import { dispatchMessageSchema, type Alert, type DispatchMessage } from '../../server/dispatch/schema.js';
import { validateCap } from '../support/cap.js';

const alert: Alert = {
  id: '6f1c2d4e-1111-4222-8333-944445555666', status: 'raised', version: 1,
  raisedAt: '2026-07-04T21:03:05.120Z', acknowledgedAt: null, acknowledgedBy: null, unitSentAt: null, onSceneAt: null, closedAt: null, escalatedAt: null,
  lastRemark: 'graag eenheid', incidentId: '0a0b0c0d-0000-4000-8000-000000000001', incidentNumber: 1042, raisedBy: 'Olga Observant',
  taggedAt: '2026-07-04T21:02:58.004Z',
  category: { id: 'vechtpartij', nl: 'Vechtpartij', en: 'Fight', topLevel: { id: 'veiligheid-openbare-orde', nl: 'Veiligheid & Openbare orde', en: 'Safety & public order' }, capCategory: 'Security' },
  priority: 1,
  location: { street: 'Oude Markt', lat: 52.2206, lon: 6.8953, text: 'bij de <fontein> & terras', municipalityId: 'enschede', municipalityName: 'Enschede' },
  cameras: [{ id: 'ens-oude-markt', name: 'Oude Markt' }, { id: 'ens-van-heekplein', name: 'Van Heekplein' }],
  persons: 'twee mannen, "rode jas"',
  notes: '<script>alert(1)</script> & slaan elkaar \u0001 (control character)',
  snapshot: { id: 'aaaaaaaa-0000-4000-8000-000000000002', status: 'taken', cameraId: 'ens-oude-markt', takenAt: '2026-07-04T21:02:59.000Z', url: '/api/incidents/0a0b0c0d-0000-4000-8000-000000000001/snapshot' },
  steps: [{ step: 'raised', at: '2026-07-04T21:03:05.120Z', by: 'Olga Observant', remark: 'graag eenheid' }],
};
const raised: DispatchMessage = { messageId: '11111111-2222-4333-8444-555555555555', kind: 'raised', at: '2026-07-04T21:03:05.125Z', alert };
const first = { messageId: raised.messageId, at: raised.at };
const acked: DispatchMessage = {
  messageId: '99999999-2222-4333-8444-555555555555', kind: 'status', at: '2026-07-04T21:03:20.000Z',
  alert: { ...alert, status: 'acknowledged', version: 2, acknowledgedAt: '2026-07-04T21:03:19.900Z', acknowledgedBy: 'Dirk Meldkamer',
    steps: [...alert.steps, { step: 'acknowledged', at: '2026-07-04T21:03:19.900Z', by: 'Dirk Meldkamer', remark: '' }] },
};
const opts = { sender: 'uitkijk@toezichtsruimte.twente', senderName: 'Uitkijk cameratoezicht Twente', publicOrigin: 'https://uitkijk.example.nl' };
const tag = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);

describe('CAP 1.2', () => {
  it('the raised alert is valid against the official OASIS schema', async () => {
    const xml = buildCap(raised, first, opts);
    const v = await validateCap(xml);
    expect(v.errors).toEqual([]);
    expect(v.valid).toBe(true);
    expect(xml).toContain('xmlns="urn:oasis:names:tc:emergency:cap:1.2"');
    expect(tag(xml, 'msgType')).toEqual(['Alert']);
    expect(tag(xml, 'identifier')).toEqual([capIdentifier(raised.messageId)]);
    expect(tag(xml, 'references')).toEqual([]);
    expect(tag(xml, 'urgency')).toEqual(['Immediate']);
    expect(tag(xml, 'severity')).toEqual(['Severe']);
    expect(tag(xml, 'category')).toEqual(['Security']);
    expect(tag(xml, 'event')).toEqual(['Vechtpartij']);
    // Amsterdam summer time, no fraction, no "Z".
    expect(tag(xml, 'sent')).toEqual(['2026-07-04T23:03:05+02:00']);
    expect(tag(xml, 'effective')).toEqual(['2026-07-04T23:02:58+02:00']);
    expect(tag(xml, 'circle')).toEqual(['52.2206,6.8953 0.1']);
    expect(tag(xml, 'uri')).toEqual(['https://uitkijk.example.nl/api/incidents/0a0b0c0d-0000-4000-8000-000000000001/snapshot']);
  });

  it('notes with markup are escaped text, and characters XML cannot carry are dropped', async () => {
    const xml = buildCap(raised, first, opts);
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; slaan elkaar');
    expect(xml).not.toContain('\u0001');
    expect((await validateCap(xml)).valid).toBe(true);
  });

  it('a later message is an Update that references the first, and is valid too', async () => {
    const xml = buildCap(acked, first, opts);
    expect((await validateCap(xml)).errors).toEqual([]);
    expect(tag(xml, 'msgType')).toEqual(['Update']);
    expect(tag(xml, 'references')).toEqual([`${opts.sender},${capIdentifier(first.messageId)},2026-07-04T23:03:05+02:00`]);
    expect(tag(xml, 'note')[0]).toBe('Status: ontvangen (Dirk Meldkamer)');
  });

  it('every priority, every category, escalation and no public origin give valid CAP', async () => {
    for (const [n, capCategory] of (['Safety', 'Fire', 'Health', 'Env', 'Rescue', 'Transport', 'Other'] as const).entries()) {
      {
        const priority = ((n % 3) + 1) as 1 | 2 | 3;
        const m: DispatchMessage = { ...acked, kind: 'escalated', alert: { ...acked.alert, priority, category: { ...alert.category, capCategory }, escalatedAt: '2026-01-10T08:00:00.000Z', snapshot: { ...alert.snapshot, status: 'no_stream', url: null } } };
        const xml = buildCap(m, first, { ...opts, publicOrigin: null });
        const v = await validateCap(xml);
        expect(v.errors, `${priority} ${capCategory}`).toEqual([]);
        expect(xml).not.toContain('<resource>');
        expect(xml).not.toContain('<web>');
      }
    }
    // Winter time.
    expect(capTime('2026-01-10T08:00:00.999Z')).toBe('2026-01-10T09:00:00+01:00');
  });

  it('an invalid document is caught by the validator (the check is real)', async () => {
    const broken = buildCap(raised, first, opts).replace('<status>Actual</status>', '<status>Echt</status>');
    expect((await validateCap(broken)).valid).toBe(false);
  });

  it('the JSON twin carries the same envelope and the alert as the consoles see it', () => {
    const j = JSON.parse(buildJsonTwin(acked, first, opts));
    expect(j).toMatchObject({ type: 'uitkijk.dispatch.v1', identifier: capIdentifier(acked.messageId), msgType: 'Update', kind: 'status', sent: '2026-07-04T23:03:20+02:00',
      references: `${opts.sender},${capIdentifier(first.messageId)},2026-07-04T23:03:05+02:00` });
    expect(dispatchMessageSchema.shape.alert.parse(j.alert)).toEqual(acked.alert);
    expect(j.links.snapshot).toBe('https://uitkijk.example.nl' + alert.snapshot.url);
  });

  it('the same message always gives the same bytes (a retry carries what the first attempt carried)', () => {
    expect(buildCap(acked, first, opts)).toBe(buildCap(structuredClone(acked), { ...first }, opts));
    expect(buildJsonTwin(acked, first, opts)).toBe(buildJsonTwin(structuredClone(acked), { ...first }, opts));
  });
});

describe('webhook helpers', () => {
  it('signs the exact body with HMAC-SHA256', () => {
    const body = '<alert>ü</alert>';
    expect(signBody('s3cret-s3cret-s3cret', body)).toBe('sha256=' + createHmac('sha256', 's3cret-s3cret-s3cret').update(Buffer.from(body, 'utf8')).digest('hex'));
  });

  it('retries what may pass later, reports what will not', () => {
    expect([200, 201, 202, 204].map(classifyStatus)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect([500, 502, 503, 408, 425, 429].map(classifyStatus).every((c) => c === 'http_error')).toBe(true);
    expect([301, 400, 401, 403, 404, 413, 422].map(classifyStatus).every((c) => c === 'rejected')).toBe(true);
  });

  it('backs off exponentially up to the maximum, with bounded jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((a) => backoffMs(a, 1000, 60_000, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000]);
    expect(backoffMs(3, 1000, 60_000, () => 0)).toBe(3200);
    expect(backoffMs(3, 1000, 60_000, () => 1)).toBe(4800);
  });

  it('keeps credentials out of the attempt log', () => {
    expect(redactUrl('https://user:pw@gms.example/hook?x=1')).toBe('https://***@gms.example/hook?x=1');
  });
});

describe('dispatch console queue', () => {
  it('drops a message seen before and an older version; sorts by priority, then age', () => {
    const q = new DispatchQueue();
    expect(q.apply(raised)).toBe('new');
    expect(q.apply(structuredClone(raised))).toBe('duplicate');
    expect(q.apply(acked)).toBe('updated');
    expect(q.apply({ ...raised, messageId: 'late-redelivery-of-an-older-version' })).toBe('stale');
    expect(q.get(alert.id)?.status).toBe('acknowledged');
    q.load([{ ...alert, id: 'b', priority: 3, raisedAt: '2026-07-04T20:00:00.000Z' }, { ...alert, id: 'c', priority: 1, raisedAt: '2026-07-04T20:00:00.000Z' }]);
    expect(q.open().map((a) => a.id)).toEqual(['c', alert.id, 'b']);
  });
});
