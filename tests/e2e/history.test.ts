// The viewing history in real Chromium: a live view from the wall and a playback of a recording (Wpg: every
// consultation) stand in one table, newest first, told apart by kind; the kind filter narrows it; a supervisor sees
// the observer's playback; the labels come in Dutch and, after the switch, in English.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Consoles, launchBrowser } from '../support/browser';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher';
import { createRtmpCamera, rtmpUrl } from '../support/cameras';
import { segments } from '../support/evidence';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

const CAM = 'hist-markt';
let room: TestRoom;
let browser: Browser;
let publisher: Publisher | null = null;
const consoles = new Consoles(() => browser, () => room.url);

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true', RECORDING: 'true' }), launchBrowser()]);
  const admin = await new ApiClient(room.url).login('admin');
  const key = await createRtmpCamera(admin, CAM, { name: 'Historie Markt' });
  publisher = publishTestPattern(rtmpUrl(room, CAM, key));
  await waitFor('3 recorded segments', async () => (await segments(room, CAM)).length >= 3, 20_000, 200);
}, 120_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  await publisher?.stop();
  await browser?.close();
  await room?.close();
});

const loginAs = (username: string): Promise<Page> => consoles.loginAs(username);

const rows = (page: Page, kind: 'live' | 'recording') => page.locator(`[data-testid="history-table"] tbody tr[data-kind="${kind}"][data-camera-id="${CAM}"]`);

describe('viewing history in real Chromium', { timeout: 90_000 }, () => {
  it('shows live views and playbacks of recordings together; the kind filter and the scopes work', async () => {
    // A playback of a recording, first …
    const observer = await new ApiClient(room.url).login('observer');
    const t = Date.now();
    const play = await fetch(`${room.url}/api/recordings/${CAM}/play?from=${encodeURIComponent(new Date(t - 5000).toISOString())}&to=${encodeURIComponent(new Date(t - 3000).toISOString())}`, { headers: { cookie: observer.cookie } });
    expect(play.status).toBe(200);
    await play.arrayBuffer();

    // … then a live view from the wall.
    const page = await loginAs('observer');
    await page.getByTestId('camera-list').getByTestId(`pick-${CAM}`).waitFor();
    await page.keyboard.press('1');
    await page.getByTestId(`pick-${CAM}`).click();
    await waitFor('live view recorded', async () => (await room.sql`select 1 from live_views where camera_id = ${CAM}`).length > 0, 15_000);

    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-table').waitFor();
    await expect.poll(() => rows(page, 'recording').count()).toBe(1);
    await expect.poll(() => rows(page, 'live').count()).toBeGreaterThan(0);
    // Newest first: the live view (opened after the playback) above the playback.
    const kinds = await page.locator(`[data-testid="history-table"] tbody tr[data-camera-id="${CAM}"]`).evaluateAll((trs) => trs.map((r) => r.getAttribute('data-kind')));
    expect(kinds.at(-1)).toBe('recording');
    expect(kinds[0]).toBe('live');
    expect(await rows(page, 'recording').innerText()).toMatch(/Opname[\s\S]*opname van .+ tot .+/);
    expect(await page.locator('.view-title + p').innerText()).toContain('teruggekeken opname');

    await page.getByTestId('history-kind').selectOption('recording');
    await expect.poll(() => rows(page, 'live').count()).toBe(0);
    expect(await rows(page, 'recording').count()).toBe(1);
    await page.getByTestId('history-kind').selectOption('live');
    await expect.poll(() => rows(page, 'recording').count()).toBe(0);
    expect(await rows(page, 'live').count()).toBeGreaterThan(0);

    // English, on the switch.
    await page.getByTestId('history-kind').selectOption('');
    await page.getByTestId('language-switch').selectOption('en');
    await expect.poll(() => rows(page, 'recording').innerText()).toMatch(/Recording[\s\S]*recording from .+ to .+/);

    // The supervisor sees the observer's playback in everyone's history, and not in their own.
    const sup = await loginAs('supervisor');
    await sup.getByTestId('nav-history').click();
    await sup.getByTestId('history-table').waitFor();
    await expect.poll(() => sup.locator(`[data-testid="history-table"] tbody tr[data-kind="recording"][data-username="observer"]`).count()).toBe(1);
    await sup.getByTestId('history-scope').selectOption('mine');
    await expect.poll(() => sup.locator('[data-testid="history-table"] tbody tr[data-kind="recording"]').count()).toBe(0);
  });
});
