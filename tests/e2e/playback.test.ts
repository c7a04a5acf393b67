// Playback ("Terugkijken") in real Chromium: an observer picks a recorded camera, sees its recorded range, a gap and
// an incident mark on the timeline, clicks a moment and the recording plays in a <video> (the wall-clock time on
// screen follows it); the arrow keys move the cursor and Enter plays, a moment in a gap plays from the next
// recording; the playback is in the observer's viewing log. T on the wall opens the selected tile's camera.
// A municipality user has no such view and the API refuses them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { Consoles, launchBrowser, shot } from '../support/browser';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher';
import { createRtmpCamera, rtmpUrl } from '../support/cameras';
import { segments } from '../support/evidence';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

const CAM = 'pb-markt';
let room: TestRoom;
let browser: Browser;
let publisher: Publisher | null = null;
let incident: { id: string; number: number; taggedAt: string };
const consoles = new Consoles(() => browser, () => room.url);

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true', RECORDING: 'true' }), launchBrowser()]);
  const admin = await new ApiClient(room.url).login('admin');
  const key = await createRtmpCamera(admin, CAM, { name: 'Terugkijk Markt' });
  publisher = publishTestPattern(rtmpUrl(room, CAM, key));
  await waitFor('4 recorded segments', async () => (await segments(room, CAM)).length >= 4, 20_000, 200);
  // An incident on this camera, tagged a few seconds ago: a mark on the timeline.
  const observer = await new ApiClient(room.url).login('observer');
  const r = await observer.post('/api/incidents', { taggedAt: new Date(Date.now() - 4000).toISOString(), cameraIds: [CAM], categoryId: 'vechtpartij', priority: 2 });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  incident = r.body;
  // Enough recorded after the mark to play from it.
  await waitFor('8 recorded segments', async () => (await segments(room, CAM)).length >= 8, 20_000, 200);
}, 90_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  await publisher?.stop();
  await browser?.close();
  await room?.close();
});

/** Resolves once the playback video has advanced past `seconds` with decoded frames. */
const videoPlays = (page: Page, seconds = 1) => page.waitForFunction((s) => {
  const v = document.querySelector<HTMLVideoElement>('[data-testid="playback-video"]');
  return !!v && !v.hidden && v.currentTime > s && v.videoWidth > 0 && !v.paused;
}, seconds, { timeout: 20_000 });

const num = async (l: Locator, attr: string) => Number(await l.getAttribute(attr));

describe('playback in real Chromium', { timeout: 60_000 }, () => {
  it('observer: timeline with range, gap and incident mark; a click plays from that moment; keys move and play; logged', async () => {
    const page = await consoles.loginAs('observer');
    await page.getByTestId('nav-playback').click();
    await expect.poll(() => page.getByTestId('playback').innerText()).toContain('Kies in de lijst een camera');
    await page.getByTestId('camera-list').getByTestId(`pick-${CAM}`).click();
    await expect.poll(() => page.getByTestId('playback-camera').innerText()).toBe('Terugkijk Markt');
    expect(await page.evaluate(() => window.location.hash)).toBe(`#/playback/${CAM}`);

    // The last hour: recorded since the camera started, a gap before it, the incident as a mark.
    const bar = page.getByTestId('timeline');
    await expect.poll(() => page.getByTestId('timeline-range').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('timeline-gap').count()).toBeGreaterThan(0);
    const mark = page.getByTestId(`timeline-mark-${incident.number}`);
    await mark.waitFor();
    expect(await mark.getAttribute('aria-label')).toContain(`Incident #${incident.number}`);
    expect((await num(bar, 'data-to')) - (await num(bar, 'data-from'))).toBe(3_600_000);
    // Ten minutes, to click precisely.
    await page.getByTestId('playback-span-10').click();
    await expect.poll(async () => (await num(bar, 'data-to')) - (await num(bar, 'data-from'))).toBe(600_000);
    const range = page.getByTestId('timeline-range').last();
    const [rFrom, rTo, wFrom, wTo] = [await num(range, 'data-from'), await num(range, 'data-to'), await num(bar, 'data-from'), await num(bar, 'data-to')];
    expect(rTo - rFrom).toBeGreaterThan(8000);

    // A click in the middle of the recorded range plays from there.
    const box = (await bar.boundingBox())!;
    const mid = (rFrom + rTo) / 2;
    await bar.click({ position: { x: ((mid - wFrom) / (wTo - wFrom)) * box.width, y: box.height / 2 } });
    const cursor = await num(bar, 'data-cursor');
    expect(cursor).toBeGreaterThanOrEqual(rFrom);
    expect(cursor).toBeLessThanOrEqual(rTo);
    await videoPlays(page);
    // The range really played starts at the keyframe at or before the moment (1 s GOP), from the playback log.
    const actual = page.getByTestId('playback-actual-from');
    await expect.poll(() => actual.getAttribute('data-at')).not.toBeNull();
    const actualFrom = await num(actual, 'data-at');
    expect(actualFrom).toBeLessThanOrEqual(cursor + 2000);
    expect(actualFrom).toBeGreaterThanOrEqual(cursor - 3000);
    // The time on screen is wall-clock time: the start plus the video's progress, shown in Amsterdam time.
    const clock = page.getByTestId('playback-clock');
    await expect.poll(async () => (await num(clock, 'data-at')) - actualFrom).toBeGreaterThan(1000);
    expect(await num(clock, 'data-at')).toBeLessThan(Date.now());
    expect(await clock.innerText()).toMatch(/\d{2}:\d{2}:\d{2}/);
    await shot(page, 'playback-playing');

    // Logged like a live view: the observer's own playback history has it, with the range that was played.
    const observer = await new ApiClient(room.url).login('observer');
    const views = await observer.get(`/api/recordings/views?scope=mine&camera=${CAM}`);
    expect(views.status).toBe(200);
    expect(views.body.length).toBeGreaterThan(0);
    expect(views.body[0].username).toBe('observer');
    expect(Date.parse(views.body[0].rangeFrom)).toBe(actualFrom);

    // Keys on the focused bar: ← 10 s back, Shift+← a minute; Enter plays. A minute before the recording began is
    // a gap: it plays from the next recorded moment and says so.
    await bar.focus();
    await bar.press('ArrowLeft');
    expect(await num(bar, 'data-cursor')).toBe(cursor - 10_000);
    const first = (await num(page.getByTestId('timeline-range').first(), 'data-from'));
    for (let at = cursor - 10_000; at >= first - 5_000; at -= 60_000) await bar.press('Shift+ArrowLeft');
    expect(await num(bar, 'data-cursor')).toBeLessThan(first);
    await bar.press('Enter');
    await expect.poll(() => page.getByTestId('playback-notice').innerText()).toContain('volgende opname');
    await videoPlays(page, 0.5);

    // The incident mark plays from the tagged moment.
    await mark.click();
    expect(await num(bar, 'data-cursor')).toBe(Date.parse(incident.taggedAt));
    await videoPlays(page, 0.5);
    await shot(page, 'playback-mark');

    // B preserves from the moment on screen: the preserve dialog with this camera ticked.
    await page.keyboard.press('b');
    const dialog = page.getByTestId('preserve-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId(`preserve-camera-${CAM}`).isChecked()).toBe(true);
    expect(await dialog.getByTestId('preserve-moment').innerText()).toMatch(/\d{2}:\d{2}:\d{2}/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await observer.get(`/api/recordings/views?scope=mine&camera=${CAM}`)).body.length).toBeGreaterThanOrEqual(3);
  });

  it('T on the wall opens the selected tile\'s camera in the playback view and plays from half a minute ago', async () => {
    const page = await consoles.loginAs('observer');
    await page.getByTestId('camera-list').getByTestId(`pick-${CAM}`).waitFor();
    await page.keyboard.press('1');
    await page.getByTestId(`pick-${CAM}`).click();
    await expect.poll(() => page.getByTestId('wall-slot-1').getAttribute('data-camera-id')).toBe(CAM);
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('?');
    await expect.poll(() => page.getByTestId('shortcut-help').innerText()).toContain('terugkijken');
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-help').waitFor({ state: 'detached' });

    const pressed = Date.now();
    await page.keyboard.press('t');
    await expect.poll(() => page.getByTestId('playback-camera').innerText()).toBe('Terugkijk Markt');
    expect(await page.evaluate(() => window.location.hash)).toMatch(new RegExp(`^#/playback/${CAM}/`));
    expect(Math.abs((await num(page.getByTestId('timeline'), 'data-cursor')) - (pressed - 30_000))).toBeLessThan(2000);
    await videoPlays(page, 0.5);
  });

  it('municipality: no playback view, and the API refuses its own camera\'s recordings', async () => {
    const page = await consoles.loginAs('enschede');
    await page.getByTestId('municipality-name').waitFor();
    expect(await page.getByTestId('nav-playback').count()).toBe(0);
    await page.goto(`${room.url}/#/playback/${CAM}`);
    await page.getByTestId('municipality-name').waitFor();
    expect(await page.getByTestId('playback').count()).toBe(0);

    const muni = await new ApiClient(room.url).login('enschede');
    expect((await muni.get(`/api/recordings/${CAM}/ranges`)).status).toBe(403);
    const from = encodeURIComponent(new Date(Date.now() - 10_000).toISOString());
    expect((await muni.get(`/api/recordings/${CAM}/play?from=${from}`)).status).toBe(403);
    expect((await muni.get('/api/recordings/views?scope=mine')).status).toBe(403);
  });
});
