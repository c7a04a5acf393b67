// What the first users hit in the consoles (issue 13, "Wall and consoles" 6–10), in real Chromium against the real
// server: the observer's open incidents follow the dispatch centre's close, booking-form errors clear as their field
// becomes valid, the dispatcher's sound is on from the start (a banner asks for the gesture browsers need), the
// supervisor's response figures say what they count, and dates and times read dd-mm-jjjj and 24 h whatever the browser's
// own locale.
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Consoles, launchBrowser, shot } from '../support/browser';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

const ZONE = 'Europe/Amsterdam';

let room: TestRoom;
let browser: Browser;
// A person's browser lets audio run only after a user gesture in the page: resume() stays pending and the context
// suspended until then. Headless Chromium runs audio regardless, and Playwright's own page scripts count as gestures
// (navigator.userActivation is no guide), so each page of the dispatcher's context gets the rule back from this
// script: a real click or key press (a trusted event) in the page opens the gate, nothing else does.
const AUDIO_WAITS_FOR_A_GESTURE = `(() => {
  let gesture = false;
  for (const type of ['pointerdown', 'keydown']) addEventListener(type, (e) => { if (e.isTrusted) gesture = true; }, true);
  const state = Object.getOwnPropertyDescriptor(BaseAudioContext.prototype, 'state');
  const resume = AudioContext.prototype.resume;
  const allowed = new WeakSet();
  Object.defineProperty(BaseAudioContext.prototype, 'state', { configurable: true, get() { return allowed.has(this) ? state.get.call(this) : 'suspended'; } });
  AudioContext.prototype.resume = function () {
    if (!gesture) return new Promise(() => {});
    allowed.add(this);
    return resume.call(this);
  };
})()`;
// A browser whose own locale is American (mm/dd/yyyy, AM/PM) in another time zone: the console is Dutch all the same.
const consoles = new Consoles(() => browser, () => room.url, { locale: 'en-US', timezoneId: 'America/New_York' });
// The dispatcher's own context, in the browser's own locale, with the gesture rule for audio added per page.
const gestureConsoles = new Consoles(() => browser, () => room.url);

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true', DISPATCH_ESCALATE_SECONDS: '3600' }), launchBrowser()]);
}, 240_000);

afterEach(async () => {
  expect([...await consoles.closeAll(), ...await gestureConsoles.closeAll()], 'uncaught errors in the page').toEqual([]);
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

/** An incident tagged and raised through the API (these tests are not about the tagging). */
async function raised(api: ApiClient, cameraId = 'ens-oude-markt') {
  const i = await api.post('/api/incidents', { taggedAt: new Date(Date.now() - 1000).toISOString(), cameraIds: [cameraId], categoryId: 'vechtpartij', priority: 2 });
  expect(i.status, JSON.stringify(i.body)).toBe(201);
  const a = await api.post(`/api/incidents/${i.body.id}/alert`, {});
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  return { incident: i.body as { id: string; number: number }, alert: a.body as { id: string } };
}

describe('the consoles in the first week, in real Chromium', { timeout: 180_000 }, () => {
  it('6: an incident whose alert the dispatch centre closes leaves the observer’s “Open incidenten” at once; it stays in the incidents view', async () => {
    const [obsApi, dspApi] = await Promise.all([new ApiClient(room.url).login('observer'), new ApiClient(room.url).login('dispatcher')]);
    const observer = await loginAs('observer');
    const panel = observer.getByTestId('incident-panel');
    const closing = await raised(obsApi);
    const staying = await raised(obsApi, 'ens-van-heekplein');
    const card = panel.getByTestId(`incident-${closing.incident.number}`);
    await card.waitFor();
    await panel.getByTestId(`incident-${staying.incident.number}`).waitFor();
    const countBefore = Number((await panel.locator('h2 .count').innerText()).replace(/\D/g, ''));

    // The dispatch centre works the alert to its end; the card follows each step, then leaves the panel.
    expect((await dspApi.post(`/api/alerts/${closing.alert.id}/status`, { status: 'acknowledged' })).status).toBe(200);
    await expect.poll(() => card.getByTestId('incident-dispatch-status').innerText()).toBe('ontvangen');
    // A detail left open keeps its incident when the incident leaves the panel.
    await panel.getByTestId(`incident-${staying.incident.number}`).locator('.incident-card__open').click();
    const detail = observer.getByTestId('incident-detail');
    await detail.waitFor();
    expect((await dspApi.post(`/api/alerts/${staying.alert.id}/status`, { status: 'acknowledged' })).status).toBe(200);
    const closedAt = Date.now();
    expect((await dspApi.post(`/api/alerts/${closing.alert.id}/status`, { status: 'closed', remark: 'afgehandeld' })).status).toBe(200);
    await card.waitFor({ state: 'detached', timeout: 3000 });
    const goneMs = Date.now() - closedAt;
    expect(await panel.locator('h2 .count').innerText()).toBe(`(${countBefore - 1})`);
    // The other incident is still open at the dispatch centre: still in the panel.
    expect(await panel.getByTestId(`incident-${staying.incident.number}`).count()).toBe(1);
    // Its detail, open during all this, closes its own alert and leaves; the dialog stays with it.
    expect((await dspApi.post(`/api/alerts/${staying.alert.id}/status`, { status: 'closed' })).status).toBe(200);
    await panel.getByTestId(`incident-${staying.incident.number}`).waitFor({ state: 'detached', timeout: 3000 });
    await expect.poll(() => detail.getByTestId('incident-detail-status').innerText()).toBe('afgesloten');
    expect(await detail.isVisible()).toBe(true);
    await observer.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });

    // The incidents view still lists both as open incidents of the room, with the dispatch centre's close.
    await observer.getByTestId('nav-incidents').click();
    const row = observer.getByTestId(`incident-row-${closing.incident.number}`);
    await row.waitFor();
    expect(await row.getByTestId('incident-dispatch-status').innerText()).toBe('afgesloten');
    console.log('open incidents: card gone after the close in', goneMs, 'ms');
  });

  it('8: a fresh dispatcher console has its sound on; where the browser waits for a gesture a banner asks until one click or key turns it on; the next alert sounds', async () => {
    const obsApi = await new ApiClient(room.url).login('observer');
    // A dispatcher who never touched the sound, in a browser that lets audio start only after a gesture: the login
    // click is one, so the console is audible from the start, without a banner.
    let dispatcher = await gestureConsoles.newPage('dispatcher');
    await dispatcher.context().addInitScript(AUDIO_WAITS_FOR_A_GESTURE);
    await gestureConsoles.login(dispatcher, 'dispatcher');
    await dispatcher.getByTestId('current-user').waitFor();
    // The console loaded anew without a gesture in it: a new tab of the same browser context (same session and
    // remembered settings).
    const freshTab = async () => {
      const next = await dispatcher.context().newPage();
      await dispatcher.close();
      dispatcher = next;
      await dispatcher.goto(room.url + '/');
      await dispatcher.locator('[data-testid="alerts-queue"][data-loaded="true"]').waitFor();
      return { toggle: dispatcher.getByTestId('sound-toggle'), banner: dispatcher.getByTestId('sound-banner') };
    };
    await dispatcher.locator('[data-testid="alerts-queue"][data-loaded="true"]').waitFor();
    let toggle = dispatcher.getByTestId('sound-toggle');
    await expect.poll(() => toggle.getAttribute('data-state')).toBe('on');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await dispatcher.getByTestId('sound-banner').count()).toBe(0);
    const first = await raised(obsApi);
    await dispatcher.getByTestId(`alert-row-${first.incident.number}`).waitFor();
    await expect.poll(async () => Number(await toggle.getAttribute('data-beeps'))).toBe(1);

    // The page loaded again (no gesture in it yet): the banner asks, plainly, until a click.
    let banner;
    ({ toggle, banner } = await freshTab());
    await banner.waitFor();
    await dispatcher.waitForTimeout(600); // longer than the console's own try without a gesture: still blocked
    expect(await toggle.getAttribute('data-state')).toBe('blocked');
    expect(await banner.getAttribute('data-state')).toBe('blocked');
    expect(await banner.innerText()).toContain('Het geluid voor nieuwe meldingen staat nog niet aan');
    await shot(dispatcher, 'dispatch-sound-banner');
    // An alert before the gesture is not heard (the browser would not play it): the counter says so.
    const silent = await raised(obsApi);
    await dispatcher.getByTestId(`alert-row-${silent.incident.number}`).waitFor();
    expect(Number(await toggle.getAttribute('data-beeps'))).toBe(0);
    await banner.getByTestId('sound-banner-enable').click();
    await expect.poll(() => toggle.getAttribute('data-state')).toBe('on');
    await banner.waitFor({ state: 'detached' });
    const heard = await raised(obsApi);
    await dispatcher.getByTestId(`alert-row-${heard.incident.number}`).waitFor();
    await expect.poll(async () => Number(await toggle.getAttribute('data-beeps'))).toBe(1);

    // Again, and this time any key will do.
    ({ toggle, banner } = await freshTab());
    await banner.waitFor();
    await dispatcher.keyboard.press('ArrowDown');
    await expect.poll(() => toggle.getAttribute('data-state')).toBe('on');
    await banner.waitFor({ state: 'detached' });

    // Turned off on purpose (G): remembered, and the banner says the console cannot be heard.
    await dispatcher.keyboard.press('g');
    await expect.poll(() => toggle.getAttribute('data-state')).toBe('off');
    await banner.waitFor();
    expect(await banner.getAttribute('data-state')).toBe('off');
    expect(await banner.innerText()).toContain('Het geluid staat uit');
    ({ toggle, banner } = await freshTab());
    expect(await toggle.getAttribute('data-state')).toBe('off');
    await banner.getByTestId('sound-banner-enable').click();
    await expect.poll(() => toggle.getAttribute('data-state')).toBe('on');
  });

  it('7: a booking-form error goes as soon as its field is right, before the next send; no new ones appear while typing', async () => {
    const page = await loginAs('enschede');
    await page.getByTestId('nav-bookings').click();
    await page.getByTestId('booking-new').click();
    const form = page.getByTestId('booking-form');
    await form.waitFor();
    const errorsShown = () => form.locator('[data-field-error]').allInnerTexts();
    const fieldError = (testId: string) => form.locator('.field', { has: page.getByTestId(testId) }).locator('[data-field-error]');
    const banner = form.getByTestId('booking-form-error');

    // Sent empty: every required field is marked, with the form's banner.
    await form.getByTestId('booking-form-submit').click();
    await expect.poll(async () => (await errorsShown()).length).toBeGreaterThanOrEqual(10);
    expect(await banner.innerText()).toContain('Controleer de gemarkeerde velden.');
    expect(await fieldError('bf-event').innerText()).toBe('Vul de naam van het evenement in.');
    const before = (await errorsShown()).length;

    // The event name typed: its error goes at once; the others stay.
    await form.getByTestId('bf-event').fill('Koningsnacht');
    await expect.poll(() => fieldError('bf-event').count()).toBe(0);
    expect(await form.getByTestId('bf-event').getAttribute('aria-invalid')).toBeNull();
    expect((await errorsShown()).length).toBe(before - 1);
    // Still wrong stays marked (with the message for what is there now); right goes.
    await form.getByTestId('bf-lat').fill('abc');
    expect(await fieldError('bf-lat').count()).toBe(1);
    await form.getByTestId('bf-lat').fill('52,2206');
    await expect.poll(() => fieldError('bf-lat').count()).toBe(0);
    // A field nobody sent wrong is not marked while it is typed in.
    await form.getByTestId('bf-contact-email').fill('oov@');
    expect(await fieldError('bf-contact-email').count()).toBe(0);
    await form.getByTestId('bf-contact-email').fill('oov@enschede.example');

    // The rest filled in, with a decision period the window lies outside of: only the server knows.
    const day = DateTime.now().setZone(ZONE).plus({ days: 3 });
    await form.getByTestId('bf-address').fill('Oude Markt, Enschede');
    await form.getByTestId('bf-lon').fill('6,8953');
    await form.getByTestId('bf-risk-A').check();
    await form.getByTestId('window-0-start').fill(`${day.toISODate()}T20:00`);
    await form.getByTestId('window-0-end').fill(`${day.toISODate()}T23:00`);
    await form.getByTestId('bf-decision-ref').fill('AB-OOV-2026-200');
    await form.getByTestId('bf-decision-from').fill(day.minus({ days: 10 }).toISODate()!);
    await form.getByTestId('bf-decision-to').fill(day.minus({ days: 5 }).toISODate()!);
    await form.getByTestId('bf-contact-name').fill('Inge Openbare Orde');
    await form.getByTestId('bf-contact-phone').fill('053 481 1111');
    // Every field marked at the first send is right now: no error and no banner left.
    await expect.poll(errorsShown).toEqual([]);
    expect(await banner.innerText()).toBe('');
    await form.getByTestId('booking-form-submit').click();
    await expect.poll(() => form.getByTestId('window-0').innerText()).toContain('buiten de periode van het aanwijzingsbesluit');
    expect(await banner.innerText()).toContain('Controleer de gemarkeerde velden.');
    // Changing something else leaves the server's error in place; changing the period it is about takes it away.
    await form.getByTestId('bf-notes').fill('Podium');
    expect(await form.getByTestId('window-0').innerText()).toContain('buiten de periode van het aanwijzingsbesluit');
    await form.getByTestId('bf-decision-from').fill(day.minus({ days: 1 }).toISODate()!);
    await expect.poll(() => form.getByTestId('window-0').innerText()).not.toContain('buiten de periode');
    await expect.poll(errorsShown).toEqual([]);
    expect(await banner.innerText()).toBe('');
    await form.getByTestId('bf-decision-to').fill(day.plus({ days: 1 }).toISODate()!);
    await form.getByTestId('booking-form-submit').click();
    await form.waitFor({ state: 'detached' });
    await page.getByTestId('booking-detail').waitFor();
  });

  it('10: in a browser whose own locale is American, every date and time in the Dutch console is typed and read as dd-mm-jjjj on a 24-hour clock', async () => {
    // What the browser would do on its own: its native date inputs follow this locale, not the page's language.
    const native = 'input[type="date"], input[type="datetime-local"], input[type="month"], input[type="time"], input[type="week"]';
    const municipality = await loginAs('enschede');
    expect(await municipality.evaluate(() => navigator.language)).toBe('en-US');
    expect(await municipality.evaluate(() => new Date(2027, 5, 12, 21).toLocaleString())).toBe('6/12/2027, 9:00:00 PM');
    expect(await municipality.evaluate(() => document.documentElement.lang)).toBe('nl');

    // The booking form: windows and the decision's period in Dutch order, 24 h.
    await municipality.getByTestId('nav-bookings').click();
    await municipality.getByTestId('booking-new').click();
    const form = municipality.getByTestId('booking-form');
    await form.waitFor();
    expect(await municipality.locator(native).count()).toBe(0);
    expect(await form.getByTestId('window-0-start').getAttribute('placeholder')).toBe('dd-mm-jjjj uu:mm');
    expect(await form.getByTestId('bf-decision-from').getAttribute('placeholder')).toBe('dd-mm-jjjj');
    const day = DateTime.now().setZone(ZONE).plus({ days: 40 });
    const nl = (d: DateTime) => d.toFormat('dd-MM-yyyy');
    await form.getByTestId('bf-event').fill('Zomeravond');
    await form.getByTestId('bf-address').fill('Oude Markt, Enschede');
    await form.getByTestId('bf-lat').fill('52,2206');
    await form.getByTestId('bf-lon').fill('6,8953');
    await form.getByTestId('bf-risk-A').check();
    // An American time is not a time here: said at the field, nothing sent.
    await form.getByTestId('window-0-start').fill(`${day.toFormat('MM/dd/yyyy')} 9:00 PM`);
    await form.getByTestId('window-0-end').fill(`${nl(day)} 23:30`);
    await form.getByTestId('bf-decision-ref').fill('AB-OOV-2027-077');
    await form.getByTestId('bf-decision-from').fill(nl(day.minus({ days: 1 })));
    await form.getByTestId('bf-decision-to').fill(nl(day.plus({ days: 1 })));
    await form.getByTestId('bf-contact-name').fill('Inge Openbare Orde');
    await form.getByTestId('bf-contact-phone').fill('053 481 1111');
    await form.getByTestId('booking-form-submit').click();
    await expect.poll(() => form.getByTestId('window-0').innerText()).toContain('Vul datum en tijd in als dd-mm-jjjj uu:mm (24 uur).');
    // A short Dutch time is read and written out in full when the field is left.
    await form.getByTestId('window-0-start').fill(`${day.toFormat('d-M-yyyy')} 21:00`);
    await form.getByTestId('window-0-end').focus();
    expect(await form.getByTestId('window-0-start').inputValue()).toBe(`${nl(day)} 21:00`);
    await shot(municipality, 'dates-booking-form');
    await form.getByTestId('booking-form-submit').click();
    await form.waitFor({ state: 'detached' });
    const w = municipality.getByTestId('booking-detail').getByTestId('booking-windows').locator('li').first();
    expect(await w.getAttribute('data-start-local')).toBe(`${day.toISODate()}T21:00${day.set({ hour: 21 }).toFormat('ZZ')}`);
    expect(await w.innerText()).toContain('21:00–23:30');

    // Usage per month: mm-jjjj.
    await municipality.getByTestId('nav-usage').click();
    const month = municipality.getByTestId('usage-month');
    await expect.poll(() => month.inputValue()).toBe(DateTime.now().setZone(ZONE).toFormat('MM-yyyy'));
    expect(await municipality.locator(native).count()).toBe(0);

    // The supervisor's figures, roster and playback.
    const supervisor = await loginAs('supervisor');
    await supervisor.getByTestId('nav-figures').click();
    await supervisor.getByTestId('figures').waitFor();
    const today = DateTime.now().setZone(ZONE);
    expect(await supervisor.getByTestId('figures-from').inputValue()).toBe(nl(today.minus({ days: 6 })));
    expect(await supervisor.getByTestId('figures-to').inputValue()).toBe(nl(today));
    expect(await supervisor.locator(native).count()).toBe(0);
    await supervisor.getByTestId('figures-from').fill('31-02-2026');
    await expect.poll(() => supervisor.getByTestId('figures-show').isDisabled()).toBe(true);
    expect(await supervisor.locator('form .field-error').innerText()).toBe('Vul beide datums in als dd-mm-jjjj.');
    await supervisor.getByTestId('figures-from').fill(nl(today.minus({ days: 2 })));
    await expect.poll(() => supervisor.getByTestId('figures-show').isDisabled()).toBe(false);
    const [request] = await Promise.all([supervisor.waitForRequest('**/api/figures?*'), supervisor.getByTestId('figures-show').click()]);
    expect(new URL(request.url()).searchParams.get('from')).toBe(today.minus({ days: 2 }).toISODate());

    await supervisor.getByTestId('nav-planning').click();
    await supervisor.getByTestId('roster-start').waitFor();
    expect(await supervisor.getByTestId('roster-start').getAttribute('placeholder')).toBe('dd-mm-jjjj uu:mm');
    expect(await supervisor.locator(native).count()).toBe(0);

    await supervisor.goto(`${room.url}/#/playback/ens-oude-markt`);
    const moment = supervisor.getByTestId('playback-moment');
    await moment.waitFor();
    expect(await moment.getAttribute('placeholder')).toBe('dd-mm-jjjj uu:mm:ss');
    expect(await supervisor.locator(native).count()).toBe(0);

    // The police's evidence search.
    const police = await loginAs('police');
    await police.getByTestId('evidence-search-from').waitFor();
    expect(await police.getByTestId('evidence-search-from').getAttribute('placeholder')).toBe('dd-mm-jjjj uu:mm');
    expect(await police.locator(native).count()).toBe(0);
  });

  it('9: the supervisor’s figures count “gemeld aan meldkamer → ontvangen” from the raise, with the room’s own time (key press → raise) beside it, each labelled', async () => {
    // One incident on a quiet night long ago, with known times: tagged 22:00:00, raised 22:00:25, acknowledged 22:00:40,
    // on scene 22:09:40 (Amsterdam). From the key press the dispatch centre's time would read 40 s.
    const obsApi = await new ApiClient(room.url).login('observer');
    const { incident, alert } = await raised(obsApi);
    await room.sql`update incidents set tagged_at = '2025-05-02T20:00:00Z' where id = ${incident.id}`;
    await room.sql`update alerts set raised_at = '2025-05-02T20:00:25Z', acknowledged_at = '2025-05-02T20:00:40Z', on_scene_at = '2025-05-02T20:09:40Z',
      status = 'on_scene' where id = ${alert.id}`;

    const supervisor = await loginAs('supervisor');
    await supervisor.getByTestId('nav-figures').click();
    await supervisor.getByTestId('figures').waitFor();
    // Typed as pasted from elsewhere (ISO), which the date fields take too (the Dutch order is item 10's test).
    await supervisor.getByTestId('figures-from').fill('2025-05-02');
    await supervisor.getByTestId('figures-to').fill('2025-05-02');
    await supervisor.getByTestId('figures-show').click();
    await expect.poll(() => supervisor.getByTestId('figures-nights').innerText()).toContain('2025-05-02');
    const row = (k: string) => supervisor.getByTestId(`figures-response-${k}`);
    const cells = async (k: string) => (await row(k).locator('th, td').allInnerTexts()).map((x) => x.trim());
    expect(await cells('tagToRaise')).toEqual(['Melding gemaakt (M) → gemeld aan meldkamer', '1', '25 s', '25 s']);
    expect(await cells('raiseToAck')).toEqual(['Gemeld aan meldkamer → ontvangen', '1', '15 s', '15 s']);
    expect(await cells('ackToOnScene')).toEqual(['Ontvangen → ter plaatse', '1', '9.0 min', '9.0 min']);
    expect(await supervisor.getByTestId('figures').innerText()).toContain('Reactietijden toezichtsruimte en meldkamer');
    await shot(supervisor, 'figures-response');

    // The same rows in English.
    await supervisor.getByTestId('language-switch').selectOption('en');
    await expect.poll(() => cells('raiseToAck')).toEqual(['Raised to dispatch → received', '1', '15 s', '15 s']);
    expect((await cells('tagToRaise'))[0]).toBe('Tagged (M) → raised to dispatch');
  });
});
