// The live camera wall end to end: real Chromium, the real server (node-media-server, PostgreSQL), and real
// ffmpeg publishers standing in for four cameras (three with a sub stream, one without).
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Consoles, launchBrowser, shot } from '../support/browser';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher';
import { rtmpUrl } from '../support/cameras';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

const root = path.resolve(import.meta.dirname, '../..');

interface Cam { id: string; name: string; street: string; key: string; sub: boolean; pubs: Publisher[] }

let room: TestRoom;
let browser: Browser;
let admin: ApiClient;
const cams: Cam[] = [];
const consoles = new Consoles(() => browser, () => room.url);
const figures: Record<string, unknown> = {};

const rtmp = (id: string, key: string, sub: boolean) => rtmpUrl(room, id, key, sub ? 'sub' : 'main');

/** A camera publishes its main stream (640x360) and, when it has one, its sub stream (320x180). */
function startPublishing(c: Cam) {
  c.pubs = [publishTestPattern(rtmp(c.id, c.key, false), '640x360')];
  if (c.sub) c.pubs.push(publishTestPattern(rtmp(c.id, c.key, true), '320x180'));
}

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true' }), launchBrowser()]);
  admin = await new ApiClient(room.url).login('admin');
  const defs = [
    { id: 'wall-markt', name: 'Wand Markt', street: 'Markt 1' },
    { id: 'wall-station', name: 'Wand Station', street: 'Stationsplein 2' },
    { id: 'wall-haven', name: 'Wand Haven', street: 'Havenweg 3' },
    { id: 'wall-brink', name: 'Wand Brink', street: 'Brink 4' },
  ];
  for (const [i, d] of defs.entries()) {
    const r = await admin.post('/api/cameras', {
      id: d.id, name: d.name, municipalityId: 'enschede', location: { street: d.street, lat: 52.2, lon: 6.9 }, kind: 'permanent', source: { type: 'rtmp' }, hasSubStream: true,
    });
    expect(r.status).toBe(201);
    // The fourth camera claims a sub stream but never sends one: its tile falls back to the main stream.
    cams.push({ ...d, key: r.body.publishKey, sub: i < 3, pubs: [] });
  }
  cams.forEach(startPublishing);
  await waitFor('all four cameras online with their sub streams', () => cams.every((c) => room.board.get(c.id).online && (!c.sub || room.board.get(c.id).subStreamOnline)), 15_000);
}, 240_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  console.log('wall figures', JSON.stringify(figures));
  await Promise.all(cams.flatMap((c) => c.pubs.map((p) => p.stop())));
  await browser?.close();
  await room?.close();
});

const loginAs = (username: string): Promise<Page> => consoles.loginAs(username);

const tile = (page: Page, n: number) => page.getByTestId(`wall-slot-${n}`);

/** Per video in the selector: currentTime, size, and whether currentTime advanced over `ms`. */
async function playback(page: Page, selector: string, ms = 1200) {
  return page.evaluate(async ({ selector, ms }) => {
    const videos = [...document.querySelectorAll<HTMLVideoElement>(selector)];
    const before = videos.map((v) => v.currentTime);
    await new Promise((r) => setTimeout(r, ms));
    return videos.map((v, i) => ({ advanced: v.currentTime > before[i]! + 0.2, currentTime: v.currentTime, width: v.videoWidth, height: v.videoHeight }));
  }, { selector, ms });
}

async function tilesPlaying(page: Page, ns: number[]) {
  const all = await Promise.all(ns.map((n) => playback(page, `[data-testid="wall-slot-${n}"] video`)));
  return all.every((p) => p.length === 1 && p[0]!.advanced && p[0]!.width > 0);
}

/** Puts the test cameras on tiles 1–4: number key, then click in the list; the fourth by dragging. */
async function arrangeWall(page: Page) {
  await page.getByTestId('camera-list').getByTestId('pick-wall-markt').waitFor();
  for (const [i, c] of cams.slice(0, 3).entries()) {
    await page.keyboard.press(String(i + 1));
    await expect.poll(() => tile(page, i + 1).getAttribute('data-selected')).toBe('true');
    await page.getByTestId(`pick-${c.id}`).click();
    await expect.poll(() => tile(page, i + 1).getAttribute('data-camera-id')).toBe(c.id);
  }
  // Search narrows the list, then the camera is dragged onto tile 4.
  await page.getByTestId('camera-search').fill('brink');
  await expect.poll(() => page.getByTestId('camera-list').locator('tbody tr').count()).toBe(1);
  await page.getByTestId(`camera-${cams[3]!.id}`).dragTo(tile(page, 4).locator('.wall-tile__video'));
  await expect.poll(() => tile(page, 4).getAttribute('data-camera-id')).toBe(cams[3]!.id);
  await page.getByTestId('camera-search').fill('');
}

describe('the live camera wall in real Chromium', { timeout: 90_000 }, () => {
  it('observer: a 4-tile wall where every tile plays, with name, location, status and latency', async () => {
    const page = await loginAs('observer');
    await page.getByTestId('camera-wall').waitFor();
    expect(await page.getByTestId('camera-wall').getAttribute('data-layout')).toBe('4');
    await expect.poll(() => page.locator('[data-testid^="wall-slot-"]').count()).toBe(4);
    await arrangeWall(page);

    await waitFor('all four tiles playing', () => tilesPlaying(page, [1, 2, 3, 4]), 15_000, 200);
    const pb = await playback(page, '[data-testid^="wall-slot-"] video', 1500);
    expect(pb).toHaveLength(4);
    for (const p of pb) { expect(p.advanced).toBe(true); expect(p.width).toBeGreaterThan(0); }

    // Walls play sub streams (320x180); the camera without a live sub stream falls back to its main stream.
    for (const n of [1, 2, 3]) expect(await tile(page, n).getByTestId('player').getAttribute('data-stream')).toBe('sub');
    expect(await tile(page, 4).getByTestId('player').getAttribute('data-stream')).toBe('main');
    expect(pb.slice(0, 3).every((p) => p.width === 320 && p.height === 180)).toBe(true);
    expect(pb[3]).toMatchObject({ width: 640, height: 360 });

    // What each tile tells the operator.
    const t1 = tile(page, 1);
    expect(await t1.getByTestId('tile-name').innerText()).toBe('Wand Markt');
    expect(await t1.getByTestId('tile-location').innerText()).toBe('Markt 1, Enschede');
    expect(await t1.getByTestId('tile-status').innerText()).toBe('Online');
    await expect.poll(() => t1.getByTestId('tile-latency').innerText(), { timeout: 5000 }).toMatch(/^Vertraging \d+ ms$/);
    // The size shown is what the tile decodes (the sub stream); the frame rate is the camera's, from the status.
    await expect.poll(() => t1.getByTestId('tile-format').innerText(), { timeout: 6000 }).toBe('320×180 · 25 fps · substream');
    expect(await tile(page, 4).getByTestId('tile-format').innerText()).toContain('640×360');
    const latencies = await Promise.all([1, 2, 3, 4].map(async (n) => Number(await tile(page, n).getByTestId('tile-latency').getAttribute('data-ms'))));
    const firstFrames = await Promise.all([1, 2, 3, 4].map(async (n) => Number(await tile(page, n).getByTestId('player').getAttribute('data-first-frame-ms'))));
    figures.tileLatencyMs = latencies;
    figures.tileFirstFrameMs = firstFrames;
    expect(latencies.every((l) => Number.isFinite(l) && l >= 0 && l < 3000)).toBe(true);
    expect(firstFrames.every((f) => f > 0)).toBe(true);

    // The camera list shows live status with a word, not only a colour.
    expect(await page.getByTestId('camera-wall-markt').innerText()).toContain('Online');

    // Steady state: the latency each tile shows, sampled every 500 ms for 5 s (a figure for the report).
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) {
      await page.waitForTimeout(500);
      for (const n of [1, 2, 3, 4]) samples.push(Number(await tile(page, n).getByTestId('tile-latency').getAttribute('data-ms')));
    }
    samples.sort((a, b) => a - b);
    figures.steadyLatencyMs = { p50: samples[Math.floor(samples.length / 2)], p95: samples[Math.floor(samples.length * 0.95)], max: samples.at(-1) };
    expect(await tilesPlaying(page, [1, 2, 3, 4])).toBe(true);
    await shot(page, 'wall-4');
  });

  it('a killed camera turns its tile offline within 5 s while the others keep playing, and plays again when it returns', async () => {
    const page = await loginAs('observer');
    await waitFor('all four tiles playing', () => tilesPlaying(page, [1, 2, 3, 4]), 15_000, 200);

    const station = cams[1]!;
    const killedAt = Date.now();
    await Promise.all(station.pubs.map((p) => p.stop('SIGKILL')));
    await waitFor('tile 2 offline', async () => (await tile(page, 2).getByTestId('tile-status').innerText()) === 'Offline', 5000, 50);
    figures.offlineShownAfterMs = Date.now() - killedAt;
    expect(Date.now() - killedAt).toBeLessThan(5000);
    expect(await tile(page, 2).getByTestId('player-message').innerText()).toBe('Offline: de camera zendt niet uit');
    expect(await tile(page, 2).getByTestId('player').getAttribute('data-phase')).toBe('offline');
    // Its player is stopped: no source on the video element.
    expect(await tile(page, 2).locator('video').evaluate((v: HTMLVideoElement) => v.currentSrc === '' || v.src === '')).toBe(true);
    expect(await tilesPlaying(page, [1, 3, 4])).toBe(true);
    await shot(page, 'wall-offline');

    startPublishing(station);
    const backAt = Date.now();
    await waitFor('tile 2 playing again', () => tilesPlaying(page, [2]), 20_000, 200);
    figures.replayAfterRepublishMs = Date.now() - backAt;
    expect(await tile(page, 2).getByTestId('tile-status').innerText()).toBe('Online');
  });

  it('keyboard: 2 then F focuses tile 2 on its main stream (the wall stops), Escape returns; ? shows the shortcuts', async () => {
    const page = await loginAs('observer');
    await waitFor('all four tiles playing', () => tilesPlaying(page, [1, 2, 3, 4]), 20_000, 200);

    await page.keyboard.press('2');
    await page.keyboard.press('f');
    const focus = page.getByTestId('focus-view');
    await focus.waitFor();
    expect(await focus.getAttribute('data-camera-id')).toBe('wall-station');
    await waitFor('focus view playing', async () => {
      const [p] = await playback(page, '[data-testid="focus-view"] video');
      return p?.advanced && p.width === 640;
    }, 15_000, 200);
    expect(await focus.getByTestId('player').getAttribute('data-stream')).toBe('main');
    figures.focusFirstFrameMs = Number(await focus.getByTestId('player').getAttribute('data-first-frame-ms'));
    // Only the focused camera plays: the wall behind it has no players.
    expect(await page.locator('video').count()).toBe(1);
    await expect.poll(() => focus.getByTestId('tile-latency').innerText(), { timeout: 5000 }).toMatch(/^Vertraging \d+ ms$/);
    await page.waitForTimeout(1000);
    await shot(page, 'wall-focus');

    await page.keyboard.press('Escape');
    await page.getByTestId('wall-grid').waitFor();
    expect(await page.getByTestId('focus-view').count()).toBe(0);
    await waitFor('wall playing again', () => tilesPlaying(page, [1, 2, 3, 4]), 15_000, 200);

    // Arrow keys move the selection in the 2x2 grid.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByTestId('selected-tile').innerText()).toContain('4');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByTestId('selected-tile').innerText()).toContain('3');

    // Typing in the search field is never taken for a shortcut.
    await page.getByTestId('camera-search').fill('');
    await page.getByTestId('camera-search').press('g');
    await page.getByTestId('camera-search').press('2');
    expect(await page.getByTestId('camera-wall').getAttribute('data-layout')).toBe('4');
    expect(await page.getByTestId('camera-search').inputValue()).toBe('g2');
    await page.getByTestId('camera-search').fill('');

    // The help: by "?" and by its visible button.
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('?');
    const help = page.getByTestId('shortcut-help');
    await help.waitFor();
    expect(await help.innerText()).toContain('Volgende indeling');
    await shot(page, 'wall-help');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
    expect(await page.getByTestId('shortcut-help-open').isVisible()).toBe(true);
  });

  it('G cycles the layout, which is remembered after a reload', async () => {
    const page = await loginAs('observer');
    await page.getByTestId('wall-grid').waitFor();
    await expect.poll(() => tile(page, 1).getAttribute('data-camera-id')).toBe('wall-markt');
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/me/preferences') && r.request().method() === 'PUT' && r.status() === 200);
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('g');
    await expect.poll(() => page.getByTestId('camera-wall').getAttribute('data-layout')).toBe('9');
    expect(await page.locator('[data-testid^="wall-slot-"]').count()).toBe(9);
    await saved;
    await waitFor('four tiles playing in the 3x3 layout', () => tilesPlaying(page, [1, 2, 3, 4]), 15_000, 200);
    await shot(page, 'wall-9');

    await page.reload();
    await page.getByTestId('wall-grid').waitFor();
    await expect.poll(() => page.getByTestId('camera-wall').getAttribute('data-layout')).toBe('9');
    await expect.poll(() => page.locator('[data-testid^="wall-slot-"]').count()).toBe(9);
    expect(await tile(page, 2).getAttribute('data-camera-id')).toBe('wall-station');

    // 9 → 16 → 1 → 4: the full cycle, by key and by the layout buttons.
    await page.keyboard.press('g');
    await expect.poll(() => page.getByTestId('camera-wall').getAttribute('data-layout')).toBe('16');
    expect(await page.locator('[data-testid^="wall-slot-"]').count()).toBe(16);
    await page.waitForTimeout(2500);
    await shot(page, 'wall-16');
    await page.keyboard.press('g');
    await expect.poll(() => page.getByTestId('camera-wall').getAttribute('data-layout')).toBe('1');
    expect(await page.locator('video').count()).toBe(1);
    const back = page.waitForResponse((r) => r.url().endsWith('/api/me/preferences') && r.request().method() === 'PUT');
    await page.getByTestId('layout-4').click();
    await back;
    // An earlier layout's save may be the one that answered first: read until the last one has landed.
    const observer = await new ApiClient(room.url).login('observer');
    await expect.poll(async () => (await observer.get('/api/me/preferences')).body.wallLayout).toBe(4);
  });

  it('a hidden tab stops every player, and a visible one starts them again', async () => {
    const page = await loginAs('observer');
    await waitFor('all four tiles playing', () => tilesPlaying(page, [1, 2, 3, 4]), 15_000, 200);
    const openViews = () => room.sql`select count(*)::int as n from live_views v join users u on u.id = v.user_id where u.username = 'observer' and ended_at is null`;
    await waitFor('views recorded', async () => (await openViews())[0]!.n >= 4, 5000);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(() => tile(page, 1).getByTestId('player-message').innerText()).toContain('Gepauzeerd');
    await waitFor('every live view closed', async () => (await openViews())[0]!.n === 0, 5000);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitFor('playing again', () => tilesPlaying(page, [1, 2, 3, 4]), 15_000, 200);
  });

  it('refuses to play without a token, over HTTP-FLV and over WebSocket-FLV', async () => {
    const http = `http://127.0.0.1:${room.media.httpPort}/live/wall-markt.flv`;
    const res = await fetch(http).catch(() => null);
    expect(res?.status).not.toBe(200);
    await res?.body?.cancel();
    const page = await loginAs('observer');
    const ws = await page.evaluate((url) => new Promise<string>((resolve) => {
      const s = new WebSocket(url);
      s.onopen = () => { s.close(); resolve('open'); };
      s.onerror = () => resolve('refused');
      setTimeout(() => resolve('timeout'), 5000);
    }), `ws://127.0.0.1:${room.media.httpPort}/live/wall-markt.flv`);
    expect(ws).toBe('refused');
    // With a forged token too.
    const forged = await fetch(`${http}?token=forged.token`).catch(() => null);
    expect(forged?.status).not.toBe(200);
    await forged?.body?.cancel();
  });

  it('a play URL copied out of the observer\'s console does not play in another browser; in the console it does', async () => {
    const page = await loginAs('observer');
    const grant = await page.evaluate(async () => {
      const r = await fetch('/api/live/grants', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams: [{ cameraId: 'wall-markt', stream: 'sub' }] }) });
      return (await r.json()).grants[0].grant as { port: number; path: string };
    });
    const url = `ws://127.0.0.1:${grant.port}${grant.path}`;
    /** Opens the WebSocket-FLV URL as mpegts.js does: 'playing' once the first FLV bytes arrive. */
    const open = (p: Page) => p.evaluate((u) => new Promise<string>((resolve) => {
      const s = new WebSocket(u);
      s.binaryType = 'arraybuffer';
      s.onmessage = () => { s.close(); resolve('playing'); };
      s.onerror = () => resolve('refused');
      setTimeout(() => resolve('timeout'), 8000);
    }), url);
    // Another browser (no login), well within the token's 60 s.
    const elsewhere = await consoles.newPage('copied-url');
    await elsewhere.goto(room.url);
    expect(await open(elsewhere)).toBe('refused');
    await waitFor('refusal audited', async () => (await room.sql`select 1 from audit_log where action = 'live.play_refused' and subject = 'wall-markt' and details->>'reason' = 'not-the-granted-session'`)[0], 3000, 50);
    // The console it was granted to: Chromium sends the session cookie to the media server's port of the same host.
    expect(await open(page)).toBe('playing');
  });

  it('viewing history: the observer sees their own, the supervisor everyone\'s', async () => {
    const page = await loginAs('observer');
    await page.getByTestId('nav-history').click();
    expect(await page.getByTestId('nav-history').innerText()).toBe('Mijn kijkgeschiedenis');
    await page.getByTestId('history-table').waitFor();
    expect(await page.getByTestId('history-title').innerText()).toBe('Mijn kijkgeschiedenis');
    await expect.poll(() => page.locator('[data-testid="history-table"] tbody tr[data-camera-id="wall-markt"]').count()).toBeGreaterThan(0);
    const usernames = await page.locator('[data-testid="history-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-username')));
    expect(new Set(usernames)).toEqual(new Set(['observer']));

    const sup = await loginAs('supervisor');
    await sup.getByTestId('nav-history').click();
    await sup.getByTestId('history-table').waitFor();
    expect(await sup.getByTestId('history-title').innerText()).toBe('Kijkgeschiedenis van iedereen');
    await expect.poll(() => sup.locator('[data-testid="history-table"] tbody tr[data-username="observer"]').count()).toBeGreaterThan(0);
    expect(await sup.getByTestId('history-table').innerText()).toContain('Wand Markt');
    await shot(sup, 'wall-history');
    await sup.getByTestId('history-scope').selectOption('mine');
    await expect.poll(() => sup.locator('[data-testid="history-table"] tbody tr[data-username="observer"]').count()).toBe(0);
  });
});
