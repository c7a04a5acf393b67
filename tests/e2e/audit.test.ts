// The audit trail in real Chromium: every action reads as words (nl and en), every subject by the number or name
// people use (incident #, BK-… reference, evidence #, camera name), its id on hover. Admin and supervisor.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Consoles, launchBrowser } from '../support/browser';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';
import { appendAudit } from '../../server/audit/store';

let room: TestRoom;
let browser: Browser;
const consoles = new Consoles(() => browser, () => room.url, { viewport: { width: 1600, height: 900 } });
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

// What the test did through the API, and so expects in the trail.
const made = { incidentId: '', incidentNumber: 0, alertId: '', evidenceId: '', evidenceNumber: 0, bookingId: '', bookingRef: '', rosterId: '' };

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true' }), launchBrowser()]);
  const observer = await new ApiClient(room.url).login('observer');
  const sup = await new ApiClient(room.url).login('supervisor');
  const admin = await new ApiClient(room.url).login('admin');

  const incident = await observer.post('/api/incidents', { taggedAt: new Date(Date.now() - 3000).toISOString(), cameraIds: ['ens-oude-markt'], categoryId: 'vechtpartij', priority: 2 });
  expect(incident.status, JSON.stringify(incident.body)).toBe(201);
  Object.assign(made, { incidentId: incident.body.id, incidentNumber: incident.body.number });
  const alert = await observer.post(`/api/incidents/${made.incidentId}/alert`, {});
  expect(alert.status, JSON.stringify(alert.body)).toBe(201);
  made.alertId = alert.body.id;
  const evidence = await observer.post('/api/evidence', { cameras: ['ens-oude-markt'], reason: 'Vechtpartij bij de fontein', incidentId: made.incidentId });
  expect(evidence.status, JSON.stringify(evidence.body)).toBe(201);
  Object.assign(made, { evidenceId: evidence.body.id, evidenceNumber: evidence.body.number });

  const [requested] = await room.sql`select id, reference, version from bookings where status = 'requested' and units_wanted = 1 limit 1`;
  const approved = await sup.post(`/api/bookings/${requested!.id}/approve`, { expectedVersion: requested!.version, unitIds: ['ens-flex-2'], observerIds: [] });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  Object.assign(made, { bookingId: requested!.id, bookingRef: requested!.reference });
  const [obs] = await room.sql`select id from users where username = 'observer'`;
  const year = new Date().getFullYear() + 1;
  const roster = await sup.post('/api/roster', { userId: obs!.id, start: `${year}-03-05T19:00`, end: `${year}-03-06T03:00` });
  expect(roster.status, JSON.stringify(roster.body)).toBe(201);
  made.rosterId = roster.body.id;
  expect((await admin.patch('/api/cameras/hgl-marktsteeg', { notes: 'Lens schoongemaakt' })).status).toBe(200);
  // A minute of refusals as the server folds them (tests/integration/publish-refusals.test.ts makes real ones).
  await appendAudit(room.sql, { action: 'live.publish_refused', subject: 'ens-flex-2', remoteAddr: '127.0.0.1',
    details: { reason: 'outside-window', streams: ['main', 'sub'], count: 19, firstAt: '2026-11-27T21:00:03.000Z', lastAt: '2026-11-27T21:00:58.000Z', remoteAddrs: ['127.0.0.1'] } });
}, 180_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await room?.close();
});

async function openTrail(username: string): Promise<Page> {
  const page = await consoles.loginAs(username);
  await page.getByTestId('nav-audit').click();
  await page.getByTestId('audit-table').waitFor();
  return page;
}

/** The newest row of an action: its label and its subject as shown, and the subject's hover text. */
async function row(page: Page, action: string) {
  const tr = page.locator(`[data-testid="audit-table"] tbody tr[data-action="${action}"]`).first();
  await tr.waitFor();
  const subject = tr.getByTestId('audit-subject');
  const folded = tr.getByTestId('audit-folded');
  return { label: await tr.locator('.action').innerText(), subject: await subject.innerText(), hover: await subject.getAttribute('title'),
    ...(await folded.count() ? { folded: await folded.innerText() } : {}) };
}

/** No row shows a code where a label belongs, nor a UUID where a subject's name belongs. */
async function everyRowReadable(page: Page) {
  const rows = await page.locator('[data-testid="audit-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    action: tr.getAttribute('data-action'), label: tr.querySelector('.action')?.textContent ?? '', subject: tr.querySelector('[data-testid="audit-subject"]')?.textContent ?? '',
  })));
  expect(rows.length).toBeGreaterThanOrEqual(9);
  expect(rows.filter((r) => r.label === r.action || /^[a-z_]+(\.[a-z_]+)?$/.test(r.label))).toEqual([]);
  expect(rows.filter((r) => UUID.test(r.subject))).toEqual([]);
}

describe('the audit trail', () => {
  for (const username of ['admin', 'supervisor']) {
    it(`${username}: actions as words and subjects by number or name, id on hover, in Dutch and in English`, async () => {
      const page = await openTrail(username);
      await everyRowReadable(page);
      expect(await row(page, 'booking.approved')).toEqual({ label: 'Boeking goedgekeurd', subject: `Boeking ${made.bookingRef}`, hover: `Kenmerk: ${made.bookingId}` });
      expect(await row(page, 'incident.created')).toEqual({ label: 'Incident aangemaakt', subject: `Incident #${made.incidentNumber}`, hover: `Kenmerk: ${made.incidentId}` });
      expect(await row(page, 'alert.raised')).toEqual({ label: 'Gemeld aan meldkamer', subject: `Melding bij incident #${made.incidentNumber}`, hover: `Kenmerk: ${made.alertId}` });
      expect(await row(page, 'evidence.preserved')).toEqual({ label: 'Bewijs bewaard', subject: `Bewijs #${made.evidenceNumber}`, hover: `Kenmerk: ${made.evidenceId}` });
      expect(await row(page, 'roster.added')).toEqual({ label: 'Ingeroosterd', subject: 'Rooster van Olga Observant', hover: `Kenmerk: ${made.rosterId}` });
      expect(await row(page, 'camera.changed')).toEqual({ label: 'Camera gewijzigd', subject: expect.stringContaining('Marktsteeg'), hover: 'Kenmerk: hgl-marktsteeg' });
      expect(await row(page, 'login.ok')).toMatchObject({ label: 'Aangemeld', subject: username });
      expect(await row(page, 'live.publish_refused')).toEqual({ label: 'Uitzending geweigerd', subject: 'Flexibele unit 2', hover: 'Kenmerk: ens-flex-2',
        folded: '19 keer, 27-11-2026, 22:00:03 – 27-11-2026, 22:00:58' });

      await page.getByTestId('language-switch').selectOption('en');
      await expect.poll(async () => (await row(page, 'booking.approved')).label).toBe('Booking approved');
      await everyRowReadable(page);
      expect(await row(page, 'booking.approved')).toEqual({ label: 'Booking approved', subject: `Booking ${made.bookingRef}`, hover: `Id: ${made.bookingId}` });
      expect(await row(page, 'alert.raised')).toEqual({ label: 'Raised to dispatch', subject: `Alert for incident #${made.incidentNumber}`, hover: `Id: ${made.alertId}` });
      expect(await row(page, 'evidence.preserved')).toEqual({ label: 'Evidence preserved', subject: `Evidence #${made.evidenceNumber}`, hover: `Id: ${made.evidenceId}` });
      expect(await row(page, 'roster.added')).toEqual({ label: 'Rostered', subject: 'Roster of Olga Observant', hover: `Id: ${made.rosterId}` });
      expect(await row(page, 'live.publish_refused')).toMatchObject({ label: 'Stream refused', folded: expect.stringMatching(/^19 times, 27\/11\/2026,? 22:00:03 – 27\/11\/2026,? 22:00:58$/) });

      // The filter offers every action by its label.
      const options = await page.locator('datalist option').evaluateAll((os) => os.map((o) => ({ code: (o as HTMLOptionElement).value, label: o.textContent })));
      expect(options.find((o) => o.code === 'evidence.exported')?.label).toBe('Evidence package downloaded');
      expect(options.filter((o) => o.label === o.code)).toEqual([]);
    });
  }
});
