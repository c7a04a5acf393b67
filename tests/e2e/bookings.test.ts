// Flexible supervision end to end in real Chromium: a municipality books an event through the form, the supervisor
// sees the request arrive live in the planning, rosters an observer and approves it with a chosen flexible unit, the
// municipality sees "goedgekeurd" live, and an observer sees the unit appear in the camera list (and on a free tile)
// when its window opens and leave when it closes — the room's clock for bookings is injected and moved by the test.
// Also: the repeated October hour asks which one is meant, and another municipality's booking is "not found".
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Consoles, launchBrowser, shot } from '../support/browser';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

const ZONE = 'Europe/Amsterdam';
// The room's clock for bookings (lead time, windows in the past, activation, usage); the rest of the room runs on real time.
let clockMs = Date.now();
const at = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toMillis();

let room: TestRoom;
let browser: Browser;
// A Dutch browser in another time zone: the console shows and reads Amsterdam time whatever the browser's zone.
const consoles = new Consoles(() => browser, () => room.url, { locale: 'nl-NL', timezoneId: 'America/New_York' });

// Three days ahead: inside the lead time (10 working days), so the request is urgent.
const day = DateTime.fromMillis(clockMs, { zone: ZONE }).plus({ days: 3 });
const D = day.toISODate()!;
const EVENT = 'Oude Markt Live';

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true' }, { now: () => new Date(clockMs) }), launchBrowser()]);
}, 240_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await room?.close();
});

async function loginAs(username: string): Promise<Page> {
  const page = await consoles.loginAs(username);
  await expect.poll(() => page.getByTestId('live-state').innerText()).toBe('Live');
  return page;
}

/** Moves the room's clock and runs one activation sweep (windows opening and closing, 24 h reminders). */
async function setClock(ms: number) {
  clockMs = ms;
  await room.activation.tick();
}

async function openBell(page: Page) {
  const bell = page.getByTestId('notifications-bell');
  if ((await bell.getAttribute('aria-expanded')) !== 'true') await bell.click();
  const panel = page.getByTestId('notifications-panel');
  await panel.waitFor();
  return panel;
}

describe('flexible supervision in real Chromium', { timeout: 180_000 }, () => {
  it('a municipality books, the supervisor approves with a unit, the municipality sees it approved, observers see the unit only inside its window', async () => {
    const [municipality, supervisor, observer] = await Promise.all([loginAs('enschede'), loginAs('supervisor'), loginAs('observer')]);

    // The observer's wall: flexible unit 1 is inside the demo event's window now (the seed), units 2 and 3 are not.
    await observer.getByTestId('camera-ens-oude-markt').waitFor();
    await observer.getByTestId('camera-ens-flex-1').waitFor();
    expect(await observer.getByTestId('camera-ens-flex-1').getByTestId('camera-note').innerText()).toContain('Winterfeest Oude Markt');
    expect(await observer.getByTestId('camera-ens-flex-2').count()).toBe(0);
    expect(await observer.getByTestId('camera-ens-flex-3').count()).toBe(0);
    // The observer frees tile 4 (a free tile receives a unit whose window opens).
    await expect.poll(() => observer.getByTestId('wall-slot-4').getAttribute('data-camera-id')).not.toBeNull();
    await observer.getByTestId('wall-slot-4').getByRole('button', { name: 'Tegel 4 leegmaken' }).click();
    await expect.poll(() => observer.getByTestId('wall-slot-4').getAttribute('data-camera-id')).toBeNull();

    // The supervisor watches the planning.
    await supervisor.getByTestId('nav-planning').click();
    await supervisor.getByTestId('open-requests').waitFor();
    await supervisor.getByTestId('calendar').waitFor();

    // The municipality fills in the request form.
    await municipality.getByTestId('nav-bookings').click();
    await municipality.getByTestId('booking-new').click();
    const form = municipality.getByTestId('booking-form');
    await form.waitFor();
    await form.getByTestId('bf-event').fill(EVENT);
    await form.getByTestId('bf-address').fill('Oude Markt, Enschede');
    await form.getByTestId('bf-lat').fill('52,2206');
    await form.getByTestId('bf-lon').fill('6,8953');
    await form.getByTestId('bf-risk-B').check();
    await form.getByTestId('window-0-start').fill(`${D}T20:00`);
    await form.getByTestId('window-0-end').fill(`${D}T23:00`);
    await form.getByTestId('bf-units').fill('1');
    await form.getByTestId('bf-observers').fill('1');
    // A window outside the decision period is refused next to the window (the server's rule, shown at its field).
    await form.getByTestId('bf-decision-ref').fill('AB-OOV-2026-130');
    await form.getByTestId('bf-decision-from').fill(day.minus({ days: 10 }).toISODate()!);
    await form.getByTestId('bf-decision-to').fill(day.minus({ days: 5 }).toISODate()!);
    await form.getByTestId('bf-contact-name').fill('Inge Openbare Orde');
    await form.getByTestId('bf-contact-phone').fill('053 481 1111');
    await form.getByTestId('bf-contact-email').fill('oov@enschede.example');
    await form.getByTestId('bf-notes').fill('Podium op de Oude Markt; <b>geen</b> HTML');
    await form.getByTestId('booking-form-submit').click();
    await expect.poll(() => form.getByTestId('window-0').innerText()).toContain('buiten de periode van het aanwijzingsbesluit');
    await form.getByTestId('bf-decision-from').fill(day.minus({ days: 1 }).toISODate()!);
    await form.getByTestId('bf-decision-to').fill(day.plus({ days: 1 }).toISODate()!);
    await shot(municipality, 'bookings-form');
    await form.getByTestId('booking-form-submit').click();
    await form.waitFor({ state: 'detached' });

    const detail = municipality.getByTestId('booking-detail');
    await detail.waitFor();
    const bookingId = (await detail.getAttribute('data-booking-id'))!;
    const reference = (await detail.locator('h2 .mono').innerText()).trim();
    expect(reference).toMatch(/^BK-\d{4}-\d{4}$/);
    expect(await detail.getByTestId('booking-detail-status').innerText()).toBe('aangevraagd');
    await detail.getByTestId('booking-urgent').waitFor();
    expect(await detail.getByTestId('booking-windows').innerText()).toContain('20:00–23:00');
    expect(await detail.getByTestId('booking-history').innerText()).toContain('Aangevraagd');
    const row = municipality.getByTestId(`booking-row-${reference}`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('requested');

    // The supervisor sees it arrive live, urgent, and a message in the bell.
    const request = supervisor.getByTestId(`open-${reference}`);
    await request.waitFor({ timeout: 5000 });
    expect(await request.innerText()).toContain(EVENT);
    await request.getByTestId('booking-urgent').waitFor();
    await expect.poll(async () => Number(await supervisor.getByTestId('notifications-bell').getAttribute('data-unread'))).toBeGreaterThanOrEqual(1);
    expect(await (await openBell(supervisor)).innerText()).toContain(`SPOED – nieuwe aanvraag ${reference}: ${EVENT}`);
    await supervisor.keyboard.press('Escape');
    await supervisor.getByTestId('notifications-panel').waitFor({ state: 'detached' });

    // Opening it shows its week in the calendar, the detail and the capacity per window.
    await request.locator('button').click();
    const sdetail = supervisor.getByTestId('booking-detail');
    await expect.poll(() => sdetail.getAttribute('data-booking-id')).toBe(bookingId);
    expect(supervisor.url()).toContain(`#/planning/${bookingId}`);
    const chip = supervisor.getByTestId(`cal-chip-${reference}`).first();
    await chip.waitFor();
    expect(await chip.getAttribute('data-status')).toBe('requested');
    expect(await supervisor.getByTestId(`cal-day-${D}`).getByTestId(`cal-chip-${reference}`).count()).toBe(1);
    const capacity = sdetail.getByTestId('capacity-window-0');
    await capacity.waitFor();
    // Nobody is rostered for the window yet: too few observers.
    expect(await capacity.getAttribute('data-conflicts')).toContain('observers_short');
    expect(await sdetail.locator('[data-testid^="plan-observer-"]').count()).toBe(0);

    // The supervisor rosters the observer over the window; the capacity follows.
    const roster = supervisor.getByTestId('roster');
    await roster.getByTestId('roster-observer').selectOption({ label: 'Olga Observant' });
    await roster.getByTestId('roster-start').fill(`${D}T19:00`);
    await roster.getByTestId('roster-end').fill(`${D}T23:30`);
    await roster.getByTestId('roster-add').click();
    await expect.poll(() => roster.getByTestId('roster-table').innerText()).toContain('Olga Observant');
    await expect.poll(() => sdetail.locator('[data-testid^="plan-observer-"]').count()).toBe(1);
    await expect.poll(() => capacity.getAttribute('data-conflicts')).not.toContain('observers_short');
    expect(await sdetail.locator('[data-testid^="plan-observer-"]').isChecked()).toBe(true);

    // By default the first free unit is chosen; the supervisor assigns unit 2 instead.
    expect(await sdetail.getByTestId('plan-unit-ens-flex-1').isChecked()).toBe(true);
    await sdetail.getByTestId('plan-unit-ens-flex-1').uncheck();
    await sdetail.getByTestId('plan-unit-ens-flex-2').check();
    await shot(supervisor, 'bookings-planning', true);
    await sdetail.getByTestId('plan-approve').click();
    await expect.poll(() => sdetail.getAttribute('data-status')).toBe('approved');
    expect(await sdetail.getByTestId('booking-assigned').innerText()).toContain('Flexibele unit 2');
    expect(await sdetail.getByTestId('booking-assigned').innerText()).toContain('Olga Observant');
    await expect.poll(() => chip.getAttribute('data-status')).toBe('approved');
    await expect.poll(() => supervisor.getByTestId(`open-${reference}`).count()).toBe(0);
    // The month view shows it too.
    await supervisor.getByTestId('planning-month').click();
    await expect.poll(() => supervisor.getByTestId('calendar').getAttribute('data-mode')).toBe('month');
    await supervisor.getByTestId(`cal-day-${D}`).getByTestId(`cal-chip-${reference}`).waitFor();
    await shot(supervisor, 'bookings-planning-month', true);

    // The municipality sees "goedgekeurd" live: list, detail (with its history) and a message.
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 5000 }).toBe('approved');
    expect(await row.getByTestId('booking-status').innerText()).toBe('goedgekeurd');
    await expect.poll(() => detail.getByTestId('booking-detail-status').innerText()).toBe('goedgekeurd');
    await expect.poll(() => detail.getByTestId('booking-history').innerText()).toContain('Goedgekeurd');
    await expect.poll(async () => Number(await municipality.getByTestId('notifications-bell').getAttribute('data-unread'))).toBeGreaterThanOrEqual(1);
    expect(await (await openBell(municipality)).innerText()).toContain(`${reference} ${EVENT} is goedgekeurd (1 unit)`);
    await municipality.getByTestId('notifications-read-all').click();
    await expect.poll(() => municipality.getByTestId('notifications-bell').getAttribute('data-unread')).toBe('0');
    await shot(municipality, 'bookings-municipality', true);

    // Two hours before the window: the demo event is over (unit 1 leaves the list and its tile), reminders go out.
    await setClock(at(`${D}T18:00`));
    await expect.poll(() => observer.getByTestId('camera-ens-flex-1').count(), { timeout: 5000 }).toBe(0);
    expect(await observer.getByTestId('camera-ens-flex-2').count()).toBe(0);
    expect(await observer.locator('[data-testid^="wall-slot-"][data-camera-id^="ens-flex"]').count()).toBe(0);
    await expect.poll(async () => Number(await observer.getByTestId('notifications-bell').getAttribute('data-unread'))).toBeGreaterThanOrEqual(1);
    expect(await (await openBell(observer)).innerText()).toContain(`${reference} ${EVENT} begint`);
    await observer.keyboard.press('Escape');

    // The window opens (set-up margin included): unit 2 appears in the list, with its event and until when, and on the first free tile.
    await setClock(at(`${D}T20:01`));
    const unit = observer.getByTestId('camera-ens-flex-2');
    await unit.waitFor({ timeout: 5000 });
    expect(await unit.getByTestId('camera-note').innerText()).toBe(`${EVENT} · tot 23:15`);
    await expect.poll(() => observer.getByTestId('wall-slot-2').getAttribute('data-camera-id')).toBe('ens-flex-2');
    expect(await observer.getByTestId('wall-slot-2').getByTestId('tile-note').innerText()).toBe(`${EVENT} · tot 23:15`);
    await expect.poll(() => observer.getByTestId('watch-announcer').innerText()).toContain('op tegel 2');
    await shot(observer, 'bookings-observer-active');

    // The window (and its tear-down margin) ends: the unit leaves the list and the tile is empty.
    await setClock(at(`${D}T23:16`));
    await expect.poll(() => observer.getByTestId('camera-ens-flex-2').count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => observer.getByTestId('wall-slot-2').getAttribute('data-camera-id')).toBeNull();
    expect(await observer.getByTestId('watch-announcer').innerText()).toContain('niet meer actief');

    // Usage for the month: the booked hours of the window; CSV and PDF links.
    await supervisor.getByTestId('nav-usage').click();
    await supervisor.getByTestId('usage-month').fill(D.slice(0, 7));
    await supervisor.getByTestId('usage-municipality').selectOption('enschede');
    await supervisor.getByTestId('usage-show').click();
    const usageRow = supervisor.getByTestId(`usage-row-${reference}`);
    await usageRow.waitFor();
    expect(await usageRow.getByTestId('usage-booked').innerText()).toBe('3');
    expect(await supervisor.getByTestId('usage-csv').getAttribute('href')).toBe(`/api/bookings/usage?month=${D.slice(0, 7)}&municipality=enschede&format=csv`);
    const [csv] = await Promise.all([supervisor.waitForEvent('download'), supervisor.getByTestId('usage-csv').click()]);
    expect(csv.suggestedFilename()).toBe(`gebruik-enschede-${D.slice(0, 7)}.csv`);
  });

  it('the repeated October hour: the form asks which 02:30 is meant and sends it with that offset; cancelling needs a reason', async () => {
    const page = await loginAs('enschede');
    await page.getByTestId('nav-bookings').click();
    await page.getByTestId('booking-new').click();
    const form = page.getByTestId('booking-form');
    await form.getByTestId('bf-event').fill('Nacht van de klok');
    await form.getByTestId('bf-address').fill('Van Heekplein, Enschede');
    await form.getByTestId('bf-lat').fill('52.2178');
    await form.getByTestId('bf-lon').fill('6.8937');
    await form.getByTestId('bf-risk-A').check();
    await form.getByTestId('window-0-start').fill('2027-10-31T02:30');
    await form.getByTestId('window-0-end').fill('2027-10-31T04:00');
    await form.getByTestId('bf-units').fill('1');
    await form.getByTestId('bf-observers').fill('0');
    await form.getByTestId('bf-decision-ref').fill('AB-OOV-2027-001');
    await form.getByTestId('bf-decision-from').fill('2027-10-30');
    await form.getByTestId('bf-decision-to').fill('2027-11-01');
    await form.getByTestId('bf-contact-name').fill('Inge Openbare Orde');
    await form.getByTestId('bf-contact-phone').fill('053 481 1111');
    await form.getByTestId('booking-form-submit').click();
    // Not sent: the form asks which of the two 02:30s.
    await expect.poll(() => form.getByTestId('window-0').innerText()).toContain('Kies welke van de twee keren je bedoelt.');
    expect(await form.getByTestId('window-0').innerText()).toContain('02:30 komt deze dag twee keer voor');
    await form.getByTestId('window-0-start-second').check();
    await form.getByTestId('booking-form-submit').click();
    await form.waitFor({ state: 'detached' });
    const detail = page.getByTestId('booking-detail');
    await detail.waitFor();
    // The second 02:30 (+01:00) to 04:00: one and a half hours.
    const w = detail.getByTestId('booking-windows').locator('li').first();
    expect(await w.getAttribute('data-start-local')).toBe('2027-10-31T02:30+01:00');
    expect(await w.innerText()).toContain('02:30 (+01:00)');
    expect(await w.innerText()).toContain('1,5 uur');

    // Cancelling asks for a reason; the history keeps it.
    await detail.getByTestId('booking-cancel').click();
    const dlg = page.getByTestId('booking-cancel-dialog');
    await dlg.getByTestId('reason-confirm').click();
    expect(await dlg.innerText()).toContain('Geef een reden.');
    await dlg.getByTestId('reason').fill('Evenement gaat niet door');
    await dlg.getByTestId('reason-confirm').click();
    await dlg.waitFor({ state: 'detached' });
    await expect.poll(() => detail.getByTestId('booking-detail-status').innerText()).toBe('geannuleerd');
    expect(await detail.getByTestId('booking-reason').innerText()).toBe('Evenement gaat niet door');
    await expect.poll(() => detail.getByTestId('booking-history').innerText()).toContain('Evenement gaat niet door');
  });

  it('two at once: an approval based on an older version is refused plainly, with a reload; then it goes through', async () => {
    const sup = await new ApiClient(room.url).login('supervisor');
    const target = (await sup.get('/api/bookings?status=requested')).body.find((b: { eventName: string }) => b.eventName === 'Schaatsbaan opening');
    expect(target, 'the demo seed has this request').toBeTruthy();
    const supervisor = await loginAs('supervisor');
    await supervisor.goto(`${room.url}/#/planning/${target.id}`);
    const detail = supervisor.getByTestId('booking-detail');
    await expect.poll(() => detail.getAttribute('data-version')).toBe(String(target.version));
    await detail.getByTestId('plan-unit-ens-flex-1').waitFor();
    // Opened by its link, the calendar shows its week.
    await supervisor.getByTestId('calendar').getByTestId(`cal-chip-${target.reference}`).first().waitFor();
    // The approval is held on its way while the municipality changes the request.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await supervisor.route('**/api/bookings/*/approve', async (route) => { await held; await route.continue(); });
    await detail.getByTestId('plan-approve').click();
    const enschede = await new ApiClient(room.url).login('enschede');
    const changed = await enschede.patch(`/api/bookings/${target.id}`, { expectedVersion: target.version, notes: 'Ingang via de Oude Markt' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    release();
    const conflict = detail.getByTestId('booking-conflict');
    await conflict.waitFor({ timeout: 5000 });
    expect(await conflict.innerText()).toContain('Iemand anders heeft deze boeking intussen gewijzigd');
    expect(await detail.getAttribute('data-status')).toBe('requested');
    await shot(supervisor, 'bookings-conflict', true);
    await supervisor.unroute('**/api/bookings/*/approve');
    await detail.getByTestId('booking-reload').click();
    await conflict.waitFor({ state: 'detached' });
    await expect.poll(() => detail.getAttribute('data-version')).toBe(String(target.version + 1));
    expect(await detail.innerText()).toContain('Ingang via de Oude Markt');
    // Two units asked for: the first two free are chosen.
    await expect.poll(() => detail.getByTestId('plan-unit-ens-flex-2').isChecked()).toBe(true);
    await detail.getByTestId('plan-approve').click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('approved');
    expect(await detail.getByTestId('booking-assigned').innerText()).toContain('Flexibele unit 1, Flexibele unit 2');
  });

  it('another municipality\'s booking is "not found", through the page and the API', async () => {
    const hengelo = await new ApiClient(room.url).login('hengelo');
    const later = day.plus({ days: 7 }).toISODate()!;   // after the room's clock, wherever the first test left it
    const r = await hengelo.post('/api/bookings', {
      eventName: 'Hengelo Jazz', address: 'Markt, Hengelo', location: { lat: 52.2656, lon: 6.7941 }, riskClass: 'A',
      windows: [{ start: `${later}T19:00`, end: `${later}T22:00` }], unitsWanted: 1, observersWanted: 0,
      decision: { reference: 'HGL-2026-90', from: later, to: later }, contact: { name: 'Henk', phone: '074 245 9876' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const enschede = await new ApiClient(room.url).login('enschede');
    const got = await enschede.get(`/api/bookings/${r.body.id}`);
    expect(got.status).toBe(404);
    expect(got.body.error.code).toBe('not_found');
    expect((await enschede.get('/api/bookings')).body.map((b: { id: string }) => b.id)).not.toContain(r.body.id);
    expect((await hengelo.get(`/api/bookings/${r.body.id}`)).status).toBe(200);

    const page = await loginAs('enschede');
    await page.goto(`${room.url}/#/bookings/${r.body.id}`);
    const notFound = page.getByTestId('booking-not-found');
    await notFound.waitFor();
    expect(await notFound.innerText()).toContain('bestaat niet of hoort niet bij jouw gemeente');
    expect(await page.getByText('Hengelo Jazz').count()).toBe(0);
    await page.getByTestId('bookings-table').waitFor();
    expect(await page.locator(`[data-booking-id="${r.body.id}"]`).count()).toBe(0);
  });
});
