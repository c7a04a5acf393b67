// Evidence end to end in real Chromium: an observer preserves footage from the wall (B), the room sees items change
// live, police find an item, state a case number and legal basis, play the clip and download the signed package;
// a municipality user gets no evidence view and the API refuses them.
import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Consoles, launchBrowser, shot } from '../support/browser';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher';
import { rtmpUrl } from '../support/cameras';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

const CAM = 'ev-markt';
let room: TestRoom;
let browser: Browser;
let admin: ApiClient;
let publisher: Publisher | null = null;
let publishingSince = 0;
const consoles = new Consoles(() => browser, () => room.url);
const downloads = '/tmp/uitkijk-evidence-e2e';

beforeAll(async () => {
  mkdirSync(downloads, { recursive: true });
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true', RECORDING: 'true' }), launchBrowser()]);
  admin = await new ApiClient(room.url).login('admin');
  const r = await admin.post('/api/cameras', {
    id: CAM, name: 'Bewijs Markt', municipalityId: 'enschede', location: { street: 'Oude Markt 1', lat: 52.22, lon: 6.89 }, kind: 'permanent', source: { type: 'rtmp' },
  });
  expect(r.status).toBe(201);
  publisher = publishTestPattern(rtmpUrl(room, CAM, r.body.publishKey));
  await waitFor('camera online', () => room.board.get(CAM).online, 15_000);
  publishingSince = Date.now();
}, 240_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  await publisher?.stop();
  await browser?.close();
  await room?.close();
});

const loginAs = (username: string): Promise<Page> => consoles.loginAs(username);

let readyItem: { id: string; number: number } | null = null;

describe('evidence in real Chromium', { timeout: 120_000 }, () => {
  it('observer: B on the selected tile opens the preserve dialog (moment of the key press), saving creates a held item', async () => {
    const page = await loginAs('observer');
    await page.getByTestId('camera-list').getByTestId(`pick-${CAM}`).waitFor();
    await page.keyboard.press('1');
    await page.getByTestId(`pick-${CAM}`).click();
    await expect.poll(() => page.getByTestId('wall-slot-1').getAttribute('data-camera-id')).toBe(CAM);
    // The shortcut help lists B.
    await page.keyboard.press('?');
    await expect.poll(() => page.getByTestId('shortcut-help').innerText()).toContain('bewijs');
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-help').waitFor({ state: 'detached' });

    const pressed = Date.now();
    await page.locator('body').press('b');
    const dialog = page.getByTestId('preserve-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId(`preserve-camera-${CAM}`).isChecked()).toBe(true);
    // Saving without a reason is refused in the form.
    await dialog.getByTestId('preserve-save').click();
    await expect.poll(() => dialog.locator('[data-field-error]').count()).toBeGreaterThan(0);
    await dialog.getByTestId('preserve-reason').fill('Vechtpartij bij de ingang van het café');
    await dialog.getByTestId('preserve-save').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('watch-announcer').innerText()).toContain('Bewijsstuk #1');

    // Admins have no evidence access: the supervisor reads it back.
    const list = await (await new ApiClient(room.url).login('supervisor')).get('/api/evidence');
    expect(list.status).toBe(200);
    const item = list.body.find((i: any) => i.number === 1);
    expect(item.reason).toBe('Vechtpartij bij de ingang van het café');
    expect(item.legalHold).toBe(true);
    expect(item.clips.map((c: any) => c.cameraId)).toEqual([CAM]);
    // −2 min … +3 min around the key press.
    const from = Date.parse(item.requestedFrom), to = Date.parse(item.requestedTo);
    expect(to - from).toBe(5 * 60_000);
    expect(Math.abs(from + 2 * 60_000 - pressed)).toBeLessThan(3000);

    // The room's evidence view lists it (pending: its post-roll is not recorded yet).
    await page.getByTestId('nav-evidence').click();
    const row = page.getByTestId('evidence-1');
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('pending');
    expect(await row.getByTestId('evidence-hold').innerText()).toContain('Actief');
  });

  it('observer: an item with a short range becomes ready live in the evidence view, with its hash', async () => {
    const page = await loginAs('observer');
    await page.goto(room.url + '/#/evidence');
    await page.getByTestId('evidence-list').waitFor();
    // A short explicit range inside what has been recorded (the default range would wait 3 minutes for the post-roll).
    const wait = publishingSince + 25_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const observer = await new ApiClient(room.url).login('observer');
    const now = Date.now();
    const r = await observer.post('/api/evidence', {
      cameras: [CAM], from: new Date(now - 20_000).toISOString(), to: new Date(now - 5_000).toISOString(), reason: 'Diefstal fiets, korte clip',
    });
    expect(r.status).toBe(201);
    readyItem = { id: r.body.id, number: r.body.number };
    const row = page.getByTestId(`evidence-${r.body.number}`);
    await row.waitFor();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
    expect(await row.getByTestId('clip-sha256').innerText()).toMatch(/^[0-9a-f]{64}$/);
    expect(await page.getByTestId('public-key-fingerprint').innerText()).not.toBe('…');
  });

  it('police: find the item, state case number and legal basis, play the clip, download the package', async () => {
    expect(readyItem).not.toBeNull();
    const page = await loginAs('police');
    const panel = page.getByTestId('evidence-panel');
    await panel.waitFor();
    expect(await panel.innerText()).not.toContain('nog niet beschikbaar');
    await panel.getByTestId('evidence-search-camera').fill(CAM);
    await panel.getByTestId('evidence-search').click();
    const row = panel.getByTestId(`evidence-row-${readyItem!.number}`);
    await row.waitFor();
    // No reason for police before they state a purpose.
    await row.getByTestId('evidence-open').click();
    const purpose = page.getByTestId('purpose-dialog');
    await purpose.waitFor();
    await purpose.getByTestId('purpose-submit').click();
    await expect.poll(() => purpose.locator('[data-field-error]').count()).toBe(2);
    await purpose.getByTestId('purpose-case').fill('PL0600-2026000123');
    await purpose.getByTestId('purpose-basis').selectOption('order-126nd-sv');
    await purpose.getByTestId('purpose-submit').click();

    const detail = page.getByTestId('evidence-detail');
    await detail.waitFor();
    expect(await detail.innerText()).toContain('Diefstal fiets');
    await expect.poll(() => detail.getByTestId('custody-log').locator('li[data-action="viewed"]').count()).toBeGreaterThan(0);

    await detail.getByTestId(`play-${CAM}`).click();
    const video = detail.getByTestId('evidence-video');
    await video.waitFor();
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && v.readyState >= 2 && !v.error), { timeout: 15_000 }).toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), detail.getByTestId('evidence-download').click()]);
    const file = `${downloads}/package.zip`;
    await download.saveAs(file);
    const zip = readFileSync(file);
    expect(zip.subarray(0, 4).toString('binary')).toBe('PK\u0003\u0004');
    expect(zip.includes(Buffer.from('manifest.json'))).toBe(true);
    expect(zip.includes(Buffer.from('manifest.sig'))).toBe(true);

    // Every view, play and download is in the custody trail under the case number.
    const sup = await new ApiClient(room.url).login('supervisor');
    const d = await sup.get(`/api/evidence/${readyItem!.id}`);
    expect(d.status).toBe(200);
    expect(d.body.caseNumbers).toContain('PL0600-2026000123');
    const actions = d.body.custody.filter((c: any) => c.caseNumber === 'PL0600-2026000123').map((c: any) => c.action);
    expect(actions).toContain('viewed');
    expect(actions.some((a: string) => a === 'exported' || a === 'link_issued')).toBe(true);
  });

  it("police: the open item's custody log follows play and download live, in the console's language", async () => {
    expect(readyItem).not.toBeNull();
    const page = await loginAs('police');
    const panel = page.getByTestId('evidence-panel');
    await panel.getByTestId('evidence-search-camera').fill(CAM);
    await panel.getByTestId('evidence-search').click();
    await panel.getByTestId(`evidence-row-${readyItem!.number}`).getByTestId('evidence-open').click();
    const purpose = page.getByTestId('purpose-dialog');
    await purpose.getByTestId('purpose-case').fill('PL0600-2026000456');
    await purpose.getByTestId('purpose-basis').selectOption('investigation-wpg-9');
    await purpose.getByTestId('purpose-submit').click();
    const detail = page.getByTestId('evidence-detail');
    const log = detail.getByTestId('custody-log');
    await log.waitFor();
    const entries = (action: string) => log.locator(`li[data-action="${action}"]`);
    const [played, exported] = [await entries('played').count(), await entries('exported').count()];

    // Playing adds "Afgespeeld" under this case number, while the dialog stays open.
    await detail.getByTestId(`play-${CAM}`).click();
    await expect.poll(() => entries('played').count(), { timeout: 10_000 }).toBe(played + 1);
    const play = entries('played').last();
    expect(await play.innerText()).toContain('Afgespeeld');
    expect(await play.innerText()).toContain('Politie');
    expect(await play.innerText()).toContain('PL0600-2026000456');
    expect(await play.innerText()).toContain('Eigen onderzoek');
    // Downloading the package adds "Geëxporteerd".
    const [download] = await Promise.all([page.waitForEvent('download'), detail.getByTestId('evidence-download').click()]);
    await download.path();
    await expect.poll(() => entries('exported').count(), { timeout: 10_000 }).toBe(exported + 1);
    expect(await entries('exported').last().innerText()).toContain('Geëxporteerd');
    // No raw codes in the Dutch console: every action, role and legal basis has its label (the demo's usernames,
    // such as "police", are names and stay as they are).
    const whats = await log.locator('.timeline__what').allInnerTexts();
    for (const code of ['preserved', 'produced', 'viewed', 'played', 'exported']) expect(whats, code).not.toContain(code);
    const text = await log.innerText();
    for (const code of ['(police)', '(observer)', '(supervisor)', 'order-126nd-sv', 'investigation-wpg-9']) expect(text, code).not.toContain(code);
    expect(text).toContain('Bewaard');
    expect(text).toContain('Clip gemaakt');
    expect(text).toContain('Ingezien');
    // The same log in English after switching the console's language.
    await page.getByTestId('language-switch').selectOption('en');
    await expect.poll(() => entries('exported').last().innerText()).toContain('Exported');
    expect(await entries('played').last().innerText()).toContain('Played');
    expect(await entries('played').last().innerText()).toContain('Police');
  });

  it('police: the main action of every result (Inzien) is visible without scrolling sideways, from 1280x800 to 2560x1440', async () => {
    // Items over several cameras with long names, as in the demo region.
    for (const [id, name] of [['ev-willem', 'Willemstraat/Langestraat'], ['ev-brammel', 'Brammelerdwarsstraat hoek Oldenzaalsestraat']]) {
      const r = await admin.post('/api/cameras', { id, name, municipalityId: 'enschede', location: { street: name, lat: 52.22, lon: 6.89 }, kind: 'permanent', source: { type: 'rtmp' } });
      expect(r.status).toBe(201);
    }
    const observer = await new ApiClient(room.url).login('observer');
    for (let i = 0; i < 2; i++) {
      const r = await observer.post('/api/evidence', { cameras: [CAM, 'ev-willem', 'ev-brammel'], reason: 'Meerdere camera\'s, lange namen' });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const page = await loginAs('police');
    const panel = page.getByTestId('evidence-panel');
    await expect.poll(() => panel.locator('[data-testid="evidence-open"]').count()).toBeGreaterThanOrEqual(4);
    for (const [width, height] of [[1280, 800], [1600, 900], [1920, 1080], [2560, 1440]] as const) {
      await page.setViewportSize({ width, height });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const box = (await panel.boundingBox())!;
      expect(box.x + box.width, `panel inside the window at ${width}x${height}`).toBeLessThanOrEqual(width);
      const wrap = panel.locator('.table-wrap');
      expect(await wrap.evaluate((el) => el.scrollWidth - el.clientWidth), `no sideways scrolling at ${width}x${height}`).toBeLessThanOrEqual(0);
      const buttons = panel.getByTestId('evidence-open');
      for (let i = 0; i < await buttons.count(); i++) {
        const b = (await buttons.nth(i).boundingBox())!;
        expect(b.x, `Inzien ${i} at ${width}x${height}`).toBeGreaterThanOrEqual(box.x);
        expect(b.x + b.width, `Inzien ${i} at ${width}x${height}`).toBeLessThanOrEqual(box.x + box.width);
        expect(await buttons.nth(i).evaluate((el) => {
          // Not hidden behind the edge of a scrolled or clipping ancestor either.
          const r = el.getBoundingClientRect();
          for (let p = el.parentElement; p; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (s.overflowX === 'visible') continue;
            const q = p.getBoundingClientRect();
            if (r.left < q.left || r.right > q.right) return false;
          }
          return true;
        }), `Inzien ${i} clipped at ${width}x${height}`).toBe(true);
      }
      await shot(page, `police-results-${width}x${height}`);
    }
  });

  it('supervisor: releases the legal hold with a reason', async () => {
    const page = await loginAs('supervisor');
    await page.goto(room.url + '/#/evidence');
    const row = page.getByTestId('evidence-1');
    await row.waitFor();
    await row.getByTestId('evidence-release').click();
    const dialog = page.getByTestId('release-dialog');
    await dialog.getByTestId('release-reason').fill('Geen aangifte gedaan, niet meer nodig');
    await dialog.getByTestId('release-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row.getByTestId('evidence-hold').innerText()).toContain('Vrijgegeven');
  });

  it('observer: an incident lists the evidence preserved for it, live, and links to the item in the evidence view', async () => {
    const observer = await new ApiClient(room.url).login('observer');
    const inc = await observer.post('/api/incidents', { taggedAt: new Date(Date.now() - 5000).toISOString(), cameraIds: [CAM], categoryId: 'vechtpartij', priority: 2 });
    expect(inc.status).toBe(201);
    const preserve = async (api: ApiClient, over: Record<string, unknown>) => {
      const now = Date.now();
      const r = await api.post('/api/evidence', { cameras: [CAM], from: new Date(now - 20_000).toISOString(), to: new Date(now - 5_000).toISOString(), reason: 'Vechtpartij bij de ingang', ...over });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body as { id: string; number: number };
    };
    const first = await preserve(observer, { incidentId: inc.body.id });
    await preserve(observer, { reason: 'Los van het incident' });

    const page = await loginAs('observer');
    await page.goto(room.url + '/#/incidents');
    await page.getByTestId(`incident-row-${inc.body.number}`).locator('button').first().click();
    const list = page.getByTestId('incident-detail').getByTestId('incident-evidence');
    await list.waitFor();
    expect(await list.locator('li').count()).toBe(1);
    expect(await list.innerText()).toContain(`Bewijsstuk #${first.number}`);
    expect(await list.innerText()).toContain('Bewijs Markt');
    // Preserved by someone else meanwhile: it appears without a reload.
    const second = await preserve(await new ApiClient(room.url).login('supervisor'), { incidentId: inc.body.id });
    await expect.poll(() => list.locator('li').count()).toBe(2);
    expect(await list.locator(`li[data-evidence-id="${second.id}"]`).innerText()).toContain(`Bewijsstuk #${second.number}`);

    // The link opens the item in the room's evidence view.
    await list.getByRole('link', { name: `Bewijsstuk #${first.number}` }).click();
    const row = page.getByTestId(`evidence-${first.number}`);
    await row.waitFor();
    expect(page.url()).toContain(`#/evidence/${first.id}`);
    await expect.poll(() => row.getAttribute('aria-current')).toBe('true');
    expect(await page.getByTestId('nav-evidence').getAttribute('aria-current')).toBe('page');
  });

  it('observer: B on a camera with an open incident offers to link the evidence to it; saving links it; once closed, no offer', async () => {
    const observer = await new ApiClient(room.url).login('observer');
    const sup = await new ApiClient(room.url).login('supervisor');
    const openOnCam = async () => ((await sup.get('/api/incidents?status=open&limit=200')).body as any[]).filter((x) => x.cameras.some((c: any) => c.id === CAM));
    for (const i of await openOnCam()) expect((await observer.patch(`/api/incidents/${i.id}`, { status: 'closed' })).status).toBe(200);
    const inc = await observer.post('/api/incidents', { taggedAt: new Date(Date.now() - 60_000).toISOString(), cameraIds: [CAM], categoryId: 'vechtpartij', priority: 1 });
    expect(inc.status).toBe(201);
    const page = await loginAs('observer');
    await page.getByTestId('camera-list').getByTestId(`pick-${CAM}`).waitFor();
    await page.keyboard.press('1');
    await page.getByTestId(`pick-${CAM}`).click();
    await expect.poll(() => page.getByTestId('wall-slot-1').getAttribute('data-camera-id')).toBe(CAM);
    await page.getByTestId('incident-panel').getByTestId(`incident-${inc.body.number}`).waitFor();

    await page.locator('body').press('b');
    const dialog = page.getByTestId('preserve-dialog');
    await dialog.waitFor();
    const choice = dialog.getByTestId('preserve-incident');
    // Offered and chosen at once: the newest open incident on the selected tile's camera; not linking is one choice away.
    expect(await choice.inputValue()).toBe(inc.body.id);
    const options = await choice.locator('option').allInnerTexts();
    expect(options.find((o) => o.includes(`#${inc.body.number}`))).toContain('Vechtpartij');
    expect(options).toContain('Niet koppelen');
    await dialog.getByTestId('preserve-reason').fill('Vechtpartij, beelden bij het open incident');
    await dialog.getByTestId('preserve-save').click();
    await dialog.waitFor({ state: 'detached' });
    const linked = await sup.get(`/api/evidence?incident=${inc.body.id}`);
    expect(linked.body.map((i: any) => [i.incidentId, i.reason])).toEqual([[inc.body.id, 'Vechtpartij, beelden bij het open incident']]);

    // Choosing "Niet koppelen" preserves without a link.
    await page.locator('body').press('b');
    await dialog.waitFor();
    await choice.selectOption('');
    await dialog.getByTestId('preserve-reason').fill('Los van het incident, zelfde camera');
    await dialog.getByTestId('preserve-save').click();
    await dialog.waitFor({ state: 'detached' });
    const all = await sup.get('/api/evidence?limit=200');
    expect(all.body.find((i: any) => i.reason === 'Los van het incident, zelfde camera').incidentId).toBeNull();

    // Closed incidents are not offered.
    expect((await observer.patch(`/api/incidents/${inc.body.id}`, { status: 'closed' })).status).toBe(200);
    await expect.poll(() => page.getByTestId('incident-panel').getByTestId(`incident-${inc.body.number}`).count()).toBe(0);
    await page.locator('body').press('b');
    await dialog.waitFor();
    expect(await dialog.getByTestId('preserve-incident').count()).toBe(0);
  });

  it('municipality: no evidence view, and the API refuses', async () => {
    const page = await loginAs('enschede');
    await page.getByTestId('municipality-name').waitFor();
    expect(await page.getByTestId('evidence-panel').count()).toBe(0);
    expect(await page.getByTestId('nav-evidence').count()).toBe(0);
    await page.goto(room.url + '/#/evidence');
    await page.getByTestId('municipality-name').waitFor();
    expect(await page.getByTestId('evidence-list').count()).toBe(0);
    const m = await new ApiClient(room.url).login('enschede');
    expect((await m.get('/api/evidence')).status).toBe(403);
    expect((await m.get(`/api/evidence/${readyItem?.id ?? '00000000-0000-4000-8000-000000000000'}`)).status).toBe(403);
  });
});
