// Incidents and dispatch end to end: real Chromium pages for the observer, dispatchers and the supervisor, the real
// server (PostgreSQL, socket.io, the outbox worker, node-media-server) and a real ffmpeg camera, so the snapshot of the
// key press and the dispatcher's live view are real too.
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Consoles, launchBrowser, shot } from '../support/browser';
import { freePort } from '../support/ports';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher';
import { rtmpUrl } from '../support/cameras';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

const CAMERA = { id: 'dsp-markt', name: 'Meldkamer Markt', street: 'Oude Markt 1' };
const ESCALATE_SECONDS = 6;

let room: TestRoom;
let browser: Browser;
let admin: ApiClient;
let publisher: Publisher | null = null;
const consoles = new Consoles(() => browser, () => room.url);
const figures: Record<string, number | string> = {};

beforeAll(async () => {
  // The external dispatch system is down (nothing listens on its port): every webhook delivery fails after two
  // attempts, which the supervisor's board must show. The consoles get every alert all the same.
  const deadPort = await freePort();
  [room, browser] = await Promise.all([startTestRoom({
    SERVE_CLIENT: 'true', DISPATCH_ESCALATE_SECONDS: String(ESCALATE_SECONDS),
    DISPATCH_WEBHOOK_URL: `http://127.0.0.1:${deadPort}/cap`, DISPATCH_WEBHOOK_SECRET: 'gedeeld-geheim-met-de-meldkamer', DISPATCH_WEBHOOK_MAX_ATTEMPTS: '2',
    DISPATCH_RETRY_BASE_MS: '50', DISPATCH_RETRY_MAX_MS: '100', DISPATCH_WEBHOOK_TIMEOUT_MS: '500',
  }), launchBrowser()]);
  admin = await new ApiClient(room.url).login('admin');
  const r = await admin.post('/api/cameras', {
    id: CAMERA.id, name: CAMERA.name, municipalityId: 'enschede', location: { street: CAMERA.street, lat: 52.2206, lon: 6.8953 },
    kind: 'permanent', source: { type: 'rtmp' }, hasSubStream: false,
  });
  expect(r.status).toBe(201);
  publisher = publishTestPattern(rtmpUrl(room, CAMERA.id, r.body.publishKey), '640x360');
  // A second dispatcher, so the conflict names a colleague.
  const u = await admin.post('/api/users', { username: 'dispatcher2', displayName: 'Dora Meldkamer', role: 'dispatcher', password: 'uitkijk-demo-2' });
  expect(u.status, JSON.stringify(u.body)).toBe(201);
  await waitFor('the camera online', () => room.board.get(CAMERA.id).online, 15_000);
}, 240_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  console.log('dispatch figures', JSON.stringify(figures));
  await publisher?.stop();
  await browser?.close();
  await room?.close();
});

async function loginAs(username: string, password = 'uitkijk-demo'): Promise<Page> {
  const page = await consoles.loginAs(username, password);
  await expect.poll(() => page.getByTestId('live-state').innerText()).toBe('Live');
  return page;
}

async function dispatcherConsole(username = 'dispatcher', password?: string): Promise<Page> {
  const page = await loginAs(username, password);
  await page.locator('[data-testid="alerts-queue"][data-loaded="true"]').waitFor();
  return page;
}

/** Raises an incident through the API (for the tests that are not about the observer's console). */
async function raiseByApi(over: Record<string, unknown> = {}) {
  const obs = await new ApiClient(room.url).login('observer');
  const i = await obs.post('/api/incidents', { taggedAt: new Date(Date.now() - 1000).toISOString(), cameraIds: [CAMERA.id], categoryId: 'onwel-persoon', priority: 2, ...over });
  expect(i.status, JSON.stringify(i.body)).toBe(201);
  const a = await obs.post(`/api/incidents/${i.body.id}/alert`, {});
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  return { incident: i.body as { id: string; number: number }, alert: a.body as { id: string } };
}

async function videoAdvances(page: Page, selector: string) {
  return page.evaluate(async (sel) => {
    const v = document.querySelector<HTMLVideoElement>(sel);
    if (!v) return false;
    const t0 = v.currentTime;
    await new Promise((r) => setTimeout(r, 800));
    return v.currentTime > t0 + 0.2 && v.videoWidth > 0;
  }, selector);
}

describe('incidents and dispatch in real Chromium', { timeout: 120_000 }, () => {
  it('the observer tags with one key and raises; the dispatcher sees it within 1 s, acknowledges, and the observer sees "ontvangen"', async () => {
    const [observer, dispatcher] = await Promise.all([loginAs('observer'), dispatcherConsole()]);

    // The sound is on from the start (nobody turned it off); the button says so.
    await expect.poll(() => dispatcher.getByTestId('sound-toggle').getAttribute('data-state')).toBe('on');
    expect(await dispatcher.getByTestId('sound-toggle').getAttribute('aria-pressed')).toBe('true');
    expect(await dispatcher.getByTestId('sound-toggle').innerText()).toContain('Geluid aan');
    const beepsBefore = Number(await dispatcher.getByTestId('sound-toggle').getAttribute('data-beeps'));

    // The observer puts the camera on tile 1 and watches it.
    await observer.getByTestId('pick-dsp-markt').waitFor();
    await observer.keyboard.press('1');
    await observer.getByTestId('pick-dsp-markt').click();
    await expect.poll(() => observer.getByTestId('wall-slot-1').getAttribute('data-camera-id')).toBe(CAMERA.id);
    await waitFor('tile 1 playing', () => videoAdvances(observer, '[data-testid="wall-slot-1"] video'), 15_000, 200);
    // The tag key is in the shortcut help.
    await observer.keyboard.press('?');
    expect(await observer.getByTestId('shortcut-help').innerText()).toContain('Melding maken');
    await observer.keyboard.press('Escape');
    await observer.getByTestId('shortcut-help').waitFor({ state: 'detached' });

    // One key: the moment is the key press, not the save.
    await observer.locator('body').click({ position: { x: 5, y: 600 } });
    const pressedFrom = Date.now();
    await observer.keyboard.press('m');
    const pressedTo = Date.now();
    const form = observer.getByTestId('incident-form');
    await form.waitFor();
    const taggedAt = Date.parse((await form.getByTestId('incident-tagged-at').getAttribute('data-iso'))!);
    expect(taggedAt).toBeGreaterThanOrEqual(pressedFrom - 50);
    expect(taggedAt).toBeLessThanOrEqual(pressedTo + 50);
    expect(await form.getByTestId('incident-location').innerText()).toContain('Oude Markt 1, Enschede');
    expect(await form.getByTestId('incident-camera').inputValue()).toBe(CAMERA.id);
    // Categories grouped under the national classification's top levels; the category has the focus.
    expect(await form.locator('optgroup').evaluateAll((gs) => gs.map((g) => g.getAttribute('label')))).toEqual(expect.arrayContaining(['Veiligheid & Openbare orde', 'Gezondheid', 'Brand']));
    await expect.poll(() => observer.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('incident-category');
    await form.getByTestId('incident-category').selectOption('vechtpartij');
    // Keys 1–3 choose the priority (not the wall's tiles: the wall is behind a dialog).
    await observer.keyboard.press('1');
    expect(await form.getByTestId('incident-priority-1').isChecked()).toBe(true);
    expect(await observer.getByTestId('wall-slot-1').getAttribute('data-selected')).toBe('true');
    await form.getByTestId('incident-persons').fill('Twee mannen, één in rood jack, één met pet');
    const html = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>vet</b>';
    await form.getByTestId('incident-notes').fill(`Duwen en slaan. ${html}`);
    await form.getByTestId('incident-location-text').fill('voor café De Kater');
    // The snapshot of the key press arrives while the form is filled in.
    await expect.poll(() => form.getByTestId('incident-snapshot-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('taken');
    await shot(observer, 'dispatch-observer-form');
    // Enter saves.
    await form.getByTestId('incident-location-text').press('Enter');
    const saved = form.getByTestId('incident-saved');
    await saved.waitFor();
    const incidentId = (await saved.getAttribute('data-incident-id'))!;
    const number = Number((await form.locator('h2').first().innerText()).match(/#(\d+)/)![1]);
    // The raise button has the focus after saving (Enter or M raises).
    await expect.poll(() => observer.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('incident-raise');

    // Time the last hop in the pages themselves: the click on the observer's page, the row on the dispatcher's.
    await dispatcher.evaluate(() => {
      const w = window as unknown as { __rowAt: Record<string, number> };
      w.__rowAt = {};
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid^="alert-row-"]')) {
          const id = el.getAttribute('data-testid')!;
          if (!(id in w.__rowAt)) w.__rowAt[id] = Date.now();
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    await observer.evaluate(() => {
      document.addEventListener('click', (e) => {
        if ((e.target as HTMLElement).closest('[data-testid="incident-raise"]')) (window as unknown as { __clickAt: number }).__clickAt = Date.now();
      }, { capture: true });
    });
    const t0 = Date.now();
    await form.getByTestId('incident-raise').click();
    const row = dispatcher.getByTestId(`alert-row-${number}`);
    await row.waitFor({ timeout: 5000 });
    const seenByTest = Date.now() - t0;
    const clickAt = await observer.evaluate(() => (window as unknown as { __clickAt: number }).__clickAt);
    const rowAt = await dispatcher.evaluate((n) => (window as unknown as { __rowAt: Record<string, number> }).__rowAt[`alert-row-${n}`], number);
    const shownMs = rowAt - clickAt;
    figures.raiseClickToDispatcherRowMs = shownMs;
    figures.raiseClickToRowSeenByTestMs = seenByTest;
    expect(shownMs).toBeGreaterThanOrEqual(0);
    expect(shownMs).toBeLessThan(1000);
    await form.waitFor({ state: 'detached' });

    // The signal: a strip, a flashing unacknowledged row, and the beep.
    const signal = dispatcher.getByTestId('alert-signal');
    await signal.waitFor();
    expect(await signal.getAttribute('data-kind')).toBe('new');
    expect(await signal.innerText()).toContain(`#${number} prio 1`);
    expect(await row.getAttribute('data-status')).toBe('raised');
    expect(await row.getAttribute('class')).toContain('alert-row--flash');
    await expect.poll(async () => Number(await dispatcher.getByTestId('sound-toggle').getAttribute('data-beeps'))).toBeGreaterThan(beepsBefore);
    expect(await dispatcher.title()).toMatch(/^\(1\) /);

    // The detail: where, what, who; the notes as text (inert), the snapshot and the live camera.
    const detail = dispatcher.getByTestId('alert-detail');
    await expect.poll(() => detail.getAttribute('data-alert-id')).not.toBeNull();
    expect(await detail.getByTestId('alert-location').innerText()).toContain('Oude Markt 1, Enschede');
    expect(await detail.getByTestId('alert-location').innerText()).toContain('voor café De Kater');
    expect(await detail.innerText()).toContain('Vechtpartij');
    expect(await detail.getByTestId('alert-persons').innerText()).toBe('Twee mannen, één in rood jack, één met pet');
    expect(await detail.getByTestId('alert-notes').innerText()).toBe(`Duwen en slaan. ${html}`);
    expect(await detail.getByTestId('alert-notes').locator('img, script, b').count()).toBe(0);
    expect(await dispatcher.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await expect.poll(() => detail.getByTestId('alert-snapshot').evaluate((img: HTMLImageElement) => img.complete ? img.naturalWidth : 0), { timeout: 10_000 }).toBe(640);
    await waitFor('the dispatcher sees the camera live', () => videoAdvances(dispatcher, '[data-testid="alert-video"] video'), 15_000, 200);
    await shot(dispatcher, 'dispatch-console');

    // The observer's panel shows it raised, then the dispatcher acknowledges (B) and the observer sees "ontvangen".
    const card = observer.getByTestId(`incident-${number}`);
    await expect.poll(() => card.getByTestId('incident-dispatch-status').innerText()).toContain('gemeld');
    await dispatcher.getByTestId('sound-toggle').focus();
    const ackAt = Date.now();
    await dispatcher.keyboard.press('b');
    await expect.poll(() => card.getByTestId('incident-dispatch-status').innerText(), { timeout: 5000, interval: 20 }).toBe('ontvangen');
    figures.acknowledgeToObserverMs = Date.now() - ackAt;
    expect(await card.getAttribute('data-dispatch')).toBe('acknowledged');
    await expect.poll(() => row.getAttribute('data-status')).toBe('acknowledged');
    await shot(observer, 'dispatch-observer-status');

    // Unit sent, on scene, then closed with a remark: the observer follows each step.
    await dispatcher.getByTestId('alert-step-unit_sent').click();
    await expect.poll(() => card.getByTestId('incident-dispatch-status').innerText()).toBe('eenheid onderweg');
    await dispatcher.getByTestId('alert-remark').fill('Twee eenheden, aanspreken bij de ingang');
    await dispatcher.getByTestId('alert-step-on_scene').click();
    await expect.poll(() => card.getByTestId('incident-dispatch-status').innerText()).toBe('ter plaatse');
    await dispatcher.getByTestId('sound-toggle').focus();
    await dispatcher.keyboard.press('a');
    const confirm = dispatcher.getByTestId('alert-close-confirm');
    await confirm.waitFor();
    await confirm.getByTestId('alert-close-remark').fill('Twee personen aangehouden');
    await confirm.getByTestId('confirm').click();
    // Closed by the dispatch centre: the incident leaves the observer's open incidents beside the wall.
    await card.waitFor({ state: 'detached' });
    await expect.poll(() => dispatcher.getByTestId(`alert-row-${number}`).count()).toBe(0);
    expect(await detail.getAttribute('data-status')).toBe('closed');

    // The observer's incident detail (from the incidents view): the snapshot of the key press and the timeline of every step.
    await observer.getByTestId('nav-incidents').click();
    await expect.poll(() => observer.getByTestId(`incident-row-${number}`).getByTestId('incident-dispatch-status').innerText()).toBe('afgesloten');
    await observer.getByTestId(`incident-row-${number}`).locator('button').first().click();
    const inc = observer.getByTestId('incident-detail');
    await inc.waitFor();
    await expect.poll(() => inc.getByTestId('incident-timeline').locator('li').evaluateAll((li) => li.map((x) => x.getAttribute('data-kind'))))
      .toEqual(expect.arrayContaining(['created', 'alert.raised', 'alert.acknowledged', 'alert.unit_sent', 'alert.on_scene', 'alert.closed']));
    expect(await inc.getByTestId('incident-detail-notes').innerText()).toBe(`Duwen en slaan. ${html}`);
    await expect.poll(() => inc.getByTestId('incident-snapshot').evaluate((img: HTMLImageElement) => img.complete ? img.naturalWidth : 0), { timeout: 10_000 }).toBe(640);
    expect(await inc.getByTestId('incident-timeline').innerText()).toContain('Twee personen aangehouden');
    await shot(observer, 'dispatch-observer-detail');

    // What the server stored: the moment of the key press, not of the save.
    const stored = (await (await new ApiClient(room.url).login('observer')).get(`/api/incidents/${incidentId}`)).body;
    expect(Date.parse(stored.taggedAt)).toBe(taggedAt);
    expect(stored.snapshot.status).toBe('taken');
  });

  it('two dispatchers at once: the first wins, the second sees plainly who was first', async () => {
    const [a, b] = await Promise.all([dispatcherConsole('dispatcher'), dispatcherConsole('dispatcher2', 'uitkijk-demo-2')]);
    const { incident } = await raiseByApi({ priority: 1, categoryId: 'vechtpartij' });
    for (const p of [a, b]) {
      await p.getByTestId(`alert-row-${incident.number}`).waitFor();
      await p.getByTestId(`alert-row-${incident.number}`).locator('.alert-row__open').click();
      await expect.poll(() => p.getByTestId('alert-detail').getAttribute('data-status')).toBe('raised');
    }
    // Dora presses first, but her request is held on the way until Dirk's has gone through: both saw "raised".
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await b.route('**/api/alerts/*/status', async (route) => { await held; await route.continue(); });
    await b.getByTestId('alert-step-acknowledged').click();
    await a.getByTestId('alert-step-acknowledged').click();
    await expect.poll(() => a.getByTestId('alert-notice').innerText()).toContain('ontvangen');
    release();
    const conflict = b.getByTestId('alert-conflict');
    await conflict.waitFor({ timeout: 5000 });
    const text = await conflict.innerText();
    expect(text).toContain('Een collega was je voor');
    expect(text).toContain('Dirk Meldkamer');
    expect(text).toContain('ontvangen');
    expect(text).toContain('niet uitgevoerd');
    expect(await conflict.getAttribute('role')).toBe('alert');
    expect(await b.getByTestId('alert-detail').getAttribute('data-status')).toBe('acknowledged');
    expect(await b.getByTestId('alert-step-acknowledged').isDisabled()).toBe(true);
    await shot(b, 'dispatch-conflict');
    await b.unroute('**/api/alerts/*/status');
    // Close it for the next test (acknowledged → closed).
    const d = await new ApiClient(room.url).login('dispatcher');
    const alertId = (await a.getByTestId('alert-detail').getAttribute('data-alert-id'))!;
    expect((await d.post(`/api/alerts/${alertId}/status`, { status: 'closed' })).status).toBe(200);
  });

  it('an alert nobody acknowledges escalates: the dispatcher is signalled again, the supervisor sees it on the board with the failed deliveries', async () => {
    const [dispatcher, supervisor] = await Promise.all([dispatcherConsole(), loginAs('supervisor')]);
    await supervisor.getByTestId('board-counts').waitFor();
    const failuresValue = () => supervisor.locator('[data-testid="count-delivery-failures"] .counter__value').getAttribute('data-value').then(Number);
    // The failures of the earlier alerts are on the board from the start.
    await expect.poll(failuresValue).toBeGreaterThan(0);
    const failuresBefore = await failuresValue();
    const { incident, alert } = await raiseByApi({ priority: 3, categoryId: 'overlast', locationText: 'bij de fietsenstalling' });
    const row = dispatcher.getByTestId(`alert-row-${incident.number}`);
    await row.waitFor();
    await supervisor.getByTestId(`board-alert-${incident.number}`).waitFor();
    await expect.poll(() => row.getAttribute('data-escalated'), { timeout: (ESCALATE_SECONDS + 6) * 1000 }).toBe('true');
    await expect.poll(() => dispatcher.getByTestId('alert-signal').getAttribute('data-kind')).toBe('escalated');
    await supervisor.getByTestId('board-escalation').waitFor();
    expect(await supervisor.getByTestId('board-escalation').innerText()).toContain(`#${incident.number}`);
    await expect.poll(() => supervisor.locator('[data-testid="count-escalated"] .counter__value').innerText()).toBe('1');
    await supervisor.getByTestId(`board-incident-${incident.number}`).waitFor();
    // This alert's CAP and JSON deliveries fail too, and arrive live.
    await expect.poll(failuresValue, { timeout: 10_000 }).toBeGreaterThanOrEqual(failuresBefore + 2);
    expect(await supervisor.getByTestId('board-failures').innerText()).toContain(`#${incident.number}`);
    await shot(dispatcher, 'dispatch-escalated');
    await shot(supervisor, 'dispatch-board');
    // Acknowledged: the board counts it no longer.
    const d = await new ApiClient(room.url).login('dispatcher');
    expect((await d.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' })).status).toBe(200);
    await expect.poll(() => supervisor.locator('[data-testid="count-escalated"] .counter__value').innerText()).toBe('0');
    await expect.poll(() => supervisor.getByTestId(`board-alert-${incident.number}`).getAttribute('data-status')).toBe('acknowledged');
  });

  it('after a lost connection the dispatcher\'s queue is loaded again: an alert raised meanwhile appears, signalled', async () => {
    const dispatcher = await dispatcherConsole();
    const ctx = dispatcher.context();
    await ctx.setOffline(true);
    await expect.poll(() => dispatcher.getByTestId('live-state').innerText(), { timeout: 30_000 }).not.toBe('Live');
    const { incident, alert } = await raiseByApi({ priority: 2, categoryId: 'gewonde' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await dispatcher.getByTestId(`alert-row-${incident.number}`).count()).toBe(0);
    await ctx.setOffline(false);
    await dispatcher.getByTestId(`alert-row-${incident.number}`).waitFor({ timeout: 30_000 });
    expect(await dispatcher.getByTestId('alert-signal').getAttribute('data-kind')).toBe('new');
    const d = await new ApiClient(room.url).login('dispatcher');
    expect((await d.post(`/api/alerts/${alert.id}/status`, { status: 'acknowledged' })).status).toBe(200);
    expect((await d.post(`/api/alerts/${alert.id}/status`, { status: 'closed' })).status).toBe(200);
    await expect.poll(() => dispatcher.getByTestId(`alert-row-${incident.number}`).count()).toBe(0);
  });

  it('shift with hand-over notes; the supervisor\'s figures with a CSV download', async () => {
    const observer = await loginAs('observer');
    const panel = observer.getByTestId('shift-panel');
    await panel.getByTestId('shift-start').click();
    await expect.poll(() => panel.getByTestId('shift-state').innerText()).toContain('Dienst sinds');
    await panel.getByTestId('shift-handover').click();
    const dlg = observer.getByTestId('shift-handover-dialog');
    await dlg.getByTestId('shift-notes').fill('Camera Meldkamer Markt hapert af en toe.');
    await dlg.getByTestId('shift-end').click();
    await dlg.waitFor({ state: 'detached' });
    await expect.poll(() => panel.getByTestId('shift-state').innerText()).toContain('geen lopende dienst');
    await panel.getByTestId('shift-previous-handover').waitFor();
    expect(await panel.getByTestId('shift-previous-handover').innerText()).toContain('hapert af en toe');

    // A stray Escape does not throw a tagged incident away: the first one asks, the second one closes.
    await observer.locator('body').click({ position: { x: 5, y: 600 } });
    await observer.keyboard.press('m');
    const form = observer.getByTestId('incident-form');
    await form.waitFor();
    await form.getByTestId('incident-notes').fill('Toch niets');
    await observer.keyboard.press('Escape');
    await form.getByTestId('incident-discard').waitFor();
    await observer.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });

    // The incident list, with the dispatch state of each.
    await observer.getByTestId('nav-incidents').click();
    await observer.getByTestId('incidents-filter').selectOption('all');
    await expect.poll(() => observer.getByTestId('incidents-table').locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
    expect(await observer.getByTestId('incident-row-1').getByTestId('incident-dispatch-status').innerText()).toBe('afgesloten');
    await shot(observer, 'dispatch-incidents');
    // Changing an incident: the timeline says what changed, the list follows.
    await observer.getByTestId('incident-row-3').locator('button').first().click();
    const detail = observer.getByTestId('incident-detail');
    await detail.getByRole('button', { name: 'Bewerken', exact: true }).click();
    const edit = observer.getByTestId('incident-form');
    await edit.waitFor();
    await observer.keyboard.press('2');
    await edit.getByTestId('incident-location-text').press('Enter');
    await expect.poll(() => observer.getByTestId('incident-row-3').locator('[data-priority]').getAttribute('data-priority')).toBe('2');
    await expect.poll(() => detail.getByTestId('incident-timeline').innerText()).toContain('Gewijzigd');
    expect(await detail.getByTestId('incident-timeline').innerText()).toContain('prioriteit');
    await observer.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });

    const supervisor = await loginAs('supervisor');
    expect(await supervisor.getByTestId('shift-log').innerText()).toContain('hapert af en toe');
    await supervisor.getByTestId('nav-figures').click();
    await supervisor.getByTestId('figures').waitFor();
    await expect.poll(() => supervisor.getByTestId('figures-nights').locator('tbody tr').count()).toBeGreaterThan(0);
    await shot(supervisor, 'dispatch-figures');
    const [download] = await Promise.all([supervisor.waitForEvent('download'), supervisor.getByTestId('figures-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^cijfers-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv).toContain('vechtpartij');
  });
});
