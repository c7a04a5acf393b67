// Privacy masks in the console, in real Chromium against the real room: a camera publishing a test pattern with a
// permanent and a liftable mask. The pixels of the masked area of the tile, read from screenshots from the moment the
// tile shows anything, through a resize, a layout change and the focus view, are always the cover colour, while an
// unmasked area shows the pattern; the video stays hidden while the masks are not known yet. Then the supervisor's
// lift (marker for everyone, area visible, ended early), the admin's editor (a drawn mask saved; a conflict shown),
// the municipality's plan without images, and axe on the new dialogs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { MASK_COVER_COLOUR } from '../../client/src/masks/geometry';
import { seriousViolations } from '../support/axe';
import { Consoles, launchBrowser, shot } from '../support/browser';
import { createRtmpCamera, rtmpUrl } from '../support/cameras';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

let room: TestRoom;
let browser: Browser;
let decoder: Page;
let admin: ApiClient;
const publishers: Publisher[] = [];
const consoles = new Consoles(() => browser, () => room.url);
const CAM = 'mask-markt';
const figures: Record<string, unknown> = {};
const totals = { readings: 0, shown: 0 };

// Left of the picture (clear of the tile's number, the centred message and the stats at the bottom right).
const PERMANENT: [number, number][] = [[0.04, 0.3], [0.24, 0.3], [0.24, 0.8], [0.04, 0.8]];
const LIFTABLE: [number, number][] = [[0.6, 0.2], [0.9, 0.2], [0.9, 0.55], [0.6, 0.55]];
const MASKS = [
  { id: 'voortuin', kind: 'permanent', reason: 'voortuin Markt 1', points: PERMANENT },
  { id: 'terras', kind: 'liftable', reason: 'terras café Markt 3', points: LIFTABLE },
];
const COVER = [1, 3, 5].map((i) => parseInt(MASK_COVER_COLOUR.slice(i, i + 2), 16));

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true' }), launchBrowser()]);
  admin = await new ApiClient(room.url).login('admin');
  const key = await createRtmpCamera(admin, CAM, { name: 'Masker Markt', hasSubStream: true });
  // Main 640x360 (the focus view, the admin's frame); the sub stream (the wall) 4:3, so the 16:9 tile shows it
  // letterboxed (bars left and right) and the cover must follow the picture, not the tile.
  publishers.push(publishTestPattern(rtmpUrl(room, CAM, key, 'main'), '640x360'), publishTestPattern(rtmpUrl(room, CAM, key, 'sub'), '320x240'));
  const r = await admin.request('PUT', `/api/cameras/${CAM}/masks`, { masks: MASKS, changeReason: 'cameraplan: voortuin en terras', baseVersion: 0 });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  for (const u of ['observer', 'supervisor']) {
    const c = await new ApiClient(room.url).login(u);
    expect((await c.request('PUT', '/api/me/preferences', { wallLayout: 4, wallCameras: [CAM] })).status).toBe(200);
  }
  // A blank page that decodes the screenshots with Chromium's own PNG decoder (no image library needed).
  decoder = await (await browser.newContext()).newPage();
  await waitFor('the camera online with its sub stream', () => room.board.get(CAM).online && room.board.get(CAM).subStreamOnline, 15_000);
}, 240_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  console.log('mask figures', JSON.stringify({ ...figures, totals }));
  await Promise.all(publishers.map((p) => p.stop()));
  await browser?.close();
  await room?.close();
});

interface Rect { x: number; y: number; width: number; height: number }
interface Reading {
  /** Pixels of the masked area (inset 3 px) that are not the cover colour. */
  maskedNotCover: number; maskedPixels: number;
  /** …of those, how many look like picture (bright or coloured, not the dark tile background). */
  maskedPicture: number;
  /** Bright/coloured pixels in an unmasked area of the picture. */
  openPicture: number; openPixels: number;
  /** The cover of the liftable area: pixels of it that are the cover colour. */
  liftableCover: number; liftablePixels: number;
}

/** Where a normalised rectangle of the picture is on the page: the video's letterboxed content box (object-fit: contain). */
async function geometry(page: Page, scope: string) {
  return page.evaluate((scope) => {
    const v = document.querySelector<HTMLVideoElement>(`${scope} video`);
    // Live: the player says whether its video is shown; playback: the video itself (not hidden, not veiled, a frame).
    const player = document.querySelector<HTMLElement>(`${scope} [data-testid="player"]`);
    if (!v || v.hidden) return null;
    const r = v.getBoundingClientRect();
    const vw = v.videoWidth || 16;
    const vh = v.videoHeight || 9;
    const s = Math.min(r.width / vw, r.height / vh);
    const content = { x: r.left + (r.width - vw * s) / 2, y: r.top + (r.height - vh * s) / 2, width: vw * s, height: vh * s };
    const shown = player ? player.classList.contains('player--playing') : getComputedStyle(v).opacity === '1' && v.readyState >= 2;
    return { box: { x: r.left, y: r.top, width: r.width, height: r.height }, content, shown,
      phase: player?.dataset.phase ?? null, masks: (player ?? v).dataset.masks ?? null };
  }, scope);
}

const area = (c: Rect, pts: [number, number][], inset = 3): Rect => {
  const xs = pts.map((p) => p[0]); const ys = pts.map((p) => p[1]);
  const x = c.x + Math.min(...xs) * c.width + inset; const y = c.y + Math.min(...ys) * c.height + inset;
  return { x, y, width: (Math.max(...xs) - Math.min(...xs)) * c.width - 2 * inset, height: (Math.max(...ys) - Math.min(...ys)) * c.height - 2 * inset };
};

/** One reading: geometry, screenshot of the player's box, geometry again (a layout that moved in between is no reading). */
async function read(page: Page, scope: string): Promise<(Reading & { shown: boolean; phase: string | null; masks: string | null }) | null> {
  const g1 = await geometry(page, scope);
  if (!g1 || g1.box.width < 20) return null;
  const clip = { x: Math.floor(g1.box.x), y: Math.floor(g1.box.y), width: Math.floor(g1.box.width), height: Math.floor(g1.box.height) };
  const png = await page.screenshot({ clip, animations: 'allow', caret: 'initial' }).catch(() => null);
  const g2 = await geometry(page, scope);
  if (!png || !g2 || JSON.stringify(g1.content) !== JSON.stringify(g2.content)) return null;
  const rel = (r: Rect): Rect => ({ x: r.x - clip.x, y: r.y - clip.y, width: r.width, height: r.height });
  // Below the centred message ("Verbinden…") and above the stats line at the bottom.
  const open: [number, number][] = [[0.3, 0.62], [0.55, 0.62], [0.55, 0.85], [0.3, 0.85]];
  const counts = await decoder.evaluate(async ({ b64, masked, openArea, liftable, cover }) => {
    const bmp = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const canvas = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bmp, 0, 0);
    const scan = (r: { x: number; y: number; width: number; height: number }) => {
      const x0 = Math.max(0, Math.ceil(r.x)); const y0 = Math.max(0, Math.ceil(r.y));
      const x1 = Math.min(bmp.width, Math.floor(r.x + r.width)); const y1 = Math.min(bmp.height, Math.floor(r.y + r.height));
      if (x1 <= x0 || y1 <= y0) return { pixels: 0, notCover: 0, picture: 0, cover: 0 };
      const d = ctx.getImageData(x0, y0, x1 - x0, y1 - y0).data;
      let notCover = 0; let picture = 0; let coverN = 0;
      for (let i = 0; i < d.length; i += 4) {
        const px = [d[i]!, d[i + 1]!, d[i + 2]!];
        const isCover = px.every((v, k) => Math.abs(v - cover[k]!) <= 6);
        if (isCover) coverN++; else notCover++;
        // The tile's own background is near black; the test pattern is bright or strongly coloured.
        if (!isCover && (Math.max(...px) > 60)) picture++;
      }
      return { pixels: d.length / 4, notCover, picture, cover: coverN };
    };
    const m = scan(masked); const o = scan(openArea); const l = scan(liftable);
    return { maskedNotCover: m.notCover, maskedPixels: m.pixels, maskedPicture: m.picture, openPicture: o.picture, openPixels: o.pixels, liftableCover: l.cover, liftablePixels: l.pixels };
  }, { b64: png.toString('base64'), masked: rel(area(g1.content, PERMANENT)), openArea: rel(area(g1.content, open)), liftable: rel(area(g1.content, LIFTABLE)), cover: COVER });
  return { ...counts, shown: g1.shown && g2.shown, phase: g1.phase, masks: g1.masks };
}

/**
 * Reads the player in `scope` until `until` holds (or for `ms`), checking every reading: the masked area never shows
 * picture, and once the video is shown it is entirely the cover colour. Returns the readings.
 */
async function watch(page: Page, scope: string, what: string, opts: { ms?: number; until?: (r: Reading & { shown: boolean }) => boolean; timeout?: number } = {}) {
  const readings: Array<Reading & { shown: boolean; phase: string | null; masks: string | null }> = [];
  const start = Date.now();
  for (;;) {
    const r = await read(page, scope);
    if (r) {
      readings.push(r);
      expect(r.maskedPixels, `${what}: masked area measured`).toBeGreaterThan(50);
      expect(r.maskedPicture, `${what}: picture in the masked area (reading ${readings.length}, ${JSON.stringify(r)})`).toBe(0);
      if (r.shown) expect(r.maskedNotCover, `${what}: masked area not all cover colour (reading ${readings.length}, ${JSON.stringify(r)})`).toBe(0);
      if (opts.until?.(r)) break;
    }
    if (opts.ms !== undefined && Date.now() - start > opts.ms) break;
    if (opts.until && Date.now() - start > (opts.timeout ?? 15_000)) throw new Error(`${what}: condition not reached; last ${JSON.stringify(readings.at(-1))}`);
  }
  expect(readings.length, `${what}: readings taken`).toBeGreaterThan(0);
  totals.readings += readings.length;
  totals.shown += readings.filter((r) => r.shown).length;
  return readings;
}

const playingWithPicture = (r: Reading & { shown: boolean }) => r.shown && r.openPicture > r.openPixels * 0.2;
const TILE = '[data-testid="wall-slot-1"]';

describe('privacy masks in the console (real Chromium)', { timeout: 180_000 }, () => {
  it('the wall never shows the masked area: hidden until the masks are known, covered from the first frame, through resize, layout change and focus view', async () => {
    const page = await consoles.newPage('observer');
    // Hold the camera's masks back: the stream plays meanwhile, and nothing of it may show.
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let asked = 0;
    await page.route(`**/api/cameras/${CAM}/masks`, async (route) => { asked++; await held; await route.continue(); });
    await consoles.login(page, 'observer');
    await page.getByTestId('wall-grid').waitFor();

    const hidden = await watch(page, TILE, 'masks held back', { until: (r) => (r as { phase?: string | null }).phase === 'playing', timeout: 20_000 });
    // The stream plays, the masks are not known: the video is not shown, nowhere in the tile.
    const more = await watch(page, TILE, 'masks held back, stream playing', { ms: 1500 });
    for (const r of [...hidden, ...more]) {
      expect(r.shown).toBe(false);
      expect(r.openPicture, 'picture shown before the masks were known').toBe(0);
    }
    expect(more.every((r) => r.masks === 'loading' && r.phase === 'playing')).toBe(true);
    expect(asked).toBeGreaterThan(0);
    release();

    const first = await watch(page, TILE, 'first frames', { until: playingWithPicture });
    figures.readingsUntilPicture = hidden.length + more.length + first.length;
    // The liftable mask is covered too (no lift in force).
    const last = first.at(-1)!;
    expect(last.liftableCover).toBe(last.liftablePixels);
    await shot(page, 'masks-wall-4');

    // A resize of the window, in steps, read while the layout settles.
    // (The room's screens: 1280x800 is the smallest it supports, see wall-fit.test.ts.)
    for (const [w, h] of [[1280, 800], [1920, 1080], [1440, 900], [1600, 1000]] as const) {
      await page.setViewportSize({ width: w, height: h });
      const rs = await watch(page, TILE, `resize ${w}x${h}`, { ms: 1200 });
      expect(rs.filter(playingWithPicture).length, `resize ${w}x${h}: picture shown (${rs.length} readings, last ${JSON.stringify(rs.at(-1))})`).toBeGreaterThan(0);
    }
    // Layout changes: 1, 9, back to 4 (the tile changes size; the player stays).
    for (const layout of [1, 9, 4]) {
      await page.getByTestId(`layout-${layout}`).click();
      const rs = await watch(page, TILE, `layout ${layout}`, { ms: 1500 });
      expect(rs.filter(playingWithPicture).length, `layout ${layout}: picture shown`).toBeGreaterThan(0);
    }
    // The focus view: a new player on the main stream, under the same cover.
    await page.keyboard.press('1');
    await page.keyboard.press('f');
    await page.getByTestId('focus-view').waitFor();
    const focus = await watch(page, '[data-testid="focus-view"]', 'focus view', { until: playingWithPicture });
    await watch(page, '[data-testid="focus-view"]', 'focus view playing', { ms: 1500 });
    await shot(page, 'masks-focus');
    figures.readings = { hidden: hidden.length + more.length, first: first.length, focus: focus.length };
    expect(await page.locator('[data-testid="focus-view"] [data-testid="player"]').getAttribute('data-stream')).toBe('main');
  });

  it('the dispatcher\'s alert view covers the masked area too, from its first frame', async () => {
    const observer = await new ApiClient(room.url).login('observer');
    const i = await observer.post('/api/incidents', { taggedAt: new Date(Date.now() - 1000).toISOString(), cameraIds: [CAM], categoryId: 'vechtpartij', priority: 1 });
    expect(i.status, JSON.stringify(i.body)).toBe(201);
    expect((await observer.post(`/api/incidents/${i.body.id}/alert`, {})).status).toBe(201);
    const page = await consoles.loginAs('dispatcher');
    await page.getByTestId(`alert-row-${i.body.number}`).locator('.alert-row__open').click();
    await page.getByTestId('alert-video').waitFor();
    await watch(page, '[data-testid="alert-video"]', 'dispatcher', { until: playingWithPicture });
    await watch(page, '[data-testid="alert-video"]', 'dispatcher playing', { ms: 1000 });
    await shot(page, 'masks-dispatcher');
  });

  it('playback of the recording is covered the same way (the current version; live lifts do not apply)', async () => {
    const page = await consoles.loginAs('observer');
    const moment = new Date(Date.now() - 15_000).toISOString();
    await page.evaluate((h) => { window.location.hash = h; }, `#/playback/${CAM}/${encodeURIComponent(moment)}`);
    await page.getByTestId('playback-video').waitFor({ state: 'attached' });
    const rs = await watch(page, '[data-testid="playback"]', 'playback', { until: playingWithPicture, timeout: 20_000 });
    expect(rs.at(-1)!.liftableCover).toBe(rs.at(-1)!.liftablePixels);
    await watch(page, '[data-testid="playback"]', 'playback playing', { ms: 1000 });
    await shot(page, 'masks-playback');
  });

  it('supervisor lifts the liftable mask: the area shows, everyone sees the marker (who, until when); ended early it is covered again', async () => {
    const observer = await consoles.loginAs('observer');
    await observer.getByTestId('wall-grid').waitFor();
    await watch(observer, TILE, 'observer before the lift', { until: playingWithPicture });
    // Unhindered, the masks arrive well before the first frame (the read runs beside the grant): what the wait costs.
    const marks = await observer.evaluate(() => Object.fromEntries(['grant-requested', 'masks-known', 'first-frame']
      .map((p) => [p, performance.getEntriesByName(`live:${p}`)[0]?.startTime ?? null])));
    figures.marksMs = { masksKnown: Math.round(marks['masks-known']! - marks['grant-requested']!), firstFrame: Math.round(marks['first-frame']! - marks['grant-requested']!) };
    const supervisor = await consoles.loginAs('supervisor');
    await supervisor.getByTestId('nav-watch').click();
    await supervisor.getByTestId('wall-grid').waitFor();
    await supervisor.keyboard.press('1');
    await supervisor.keyboard.press('f');
    await supervisor.getByTestId('mask-lift-open').click();
    const dialog = supervisor.getByTestId('mask-lift-dialog');
    await dialog.waitFor();
    expect(await seriousViolations(supervisor)).toEqual([]);
    // Refused without a reason: the field says so, nothing lifted.
    await dialog.getByTestId('mask-lift-submit').click();
    await expect.poll(() => dialog.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0);
    await dialog.getByTestId('mask-lift-reason').fill('incident 12: verdachte vlucht over het terras');
    await dialog.getByTestId('mask-lift-minutes').fill('10');
    await dialog.getByTestId('mask-lift-submit').click();
    await dialog.getByTestId('mask-lift-notice').waitFor();
    await supervisor.keyboard.press('Escape');

    // The observer's tile: marker with who and until when, the liftable area shows the picture, the permanent stays covered.
    const marker = observer.locator(`${TILE} [data-testid="mask-lifted"]`);
    await marker.waitFor({ timeout: 10_000 });
    expect(await marker.textContent()).toContain('supervisor');
    expect(await observer.locator(`${TILE} [data-testid="mask-cover"]`).getAttribute('data-lifted')).toBe('1');
    const during = await watch(observer, TILE, 'during the lift', { until: (r) => r.shown && r.liftableCover < r.liftablePixels * 0.5 });
    expect(during.at(-1)!.maskedNotCover).toBe(0);
    expect(await supervisor.locator('[data-testid="focus-view"] [data-testid="mask-lifted"]').count()).toBe(1);
    await shot(observer, 'masks-lifted');

    // Ended early. The observer's console hears of the change and shows nothing of the camera until it has read the
    // masks again (held back here): then covered again, the marker gone.
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    await observer.route(`**/api/cameras/${CAM}/masks`, async (route) => { await held; await route.continue(); });
    await supervisor.getByTestId('mask-lift-open').click();
    await supervisor.getByTestId('mask-lift-end').click();
    await supervisor.getByTestId('mask-lift-notice').waitFor();
    await supervisor.keyboard.press('Escape');
    await expect.poll(() => observer.locator(`${TILE} [data-testid="player"]`).getAttribute('data-masks'), { timeout: 10_000 }).toBe('loading');
    const whileReading = await watch(observer, TILE, 'masks changed, being read again', { ms: 1000 });
    for (const r of whileReading) { expect(r.shown).toBe(false); expect(r.openPicture).toBe(0); expect(r.maskedPicture).toBe(0); }
    release();
    await expect.poll(() => marker.count(), { timeout: 10_000 }).toBe(0);
    await watch(observer, TILE, 'after the lift', { until: (r) => r.shown && r.liftableCover === r.liftablePixels });
  });

  it('admin draws a mask with the keyboard on a fresh frame and saves a new version; a save from an older version is a conflict', async () => {
    const page = await consoles.loginAs('admin');
    await page.getByRole('button', { name: 'Maskers Masker Markt' }).click();
    const editor = page.getByTestId('mask-editor');
    await editor.waitFor();
    await editor.getByTestId('mask-frame').waitFor({ timeout: 15_000 });
    await expect.poll(() => editor.getByTestId('mask-frame').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
    expect(await editor.locator('[data-testid^="mask-item-"]').count()).toBe(2);
    expect(await seriousViolations(page)).toEqual([]);

    // Keyboard: N starts a mask; the cross starts in the middle; three corners with Enter.
    const stage = editor.getByTestId('mask-stage');
    await stage.focus();
    await page.keyboard.press('n');
    await page.keyboard.press('Enter');                // 50 50
    await page.keyboard.press('Shift+ArrowRight');     // 60 50
    await page.keyboard.press('Enter');
    await page.keyboard.press('Shift+ArrowDown');      // 60 60
    await page.keyboard.press('Enter');
    // The list's field follows the drawing a render later: wait for it rather than read it at once.
    await expect.poll(() => editor.getByTestId('mask-stage-said').textContent()).toContain('Hoek 3 van masker 3');
    const third = editor.getByTestId('mask-item-3');
    await expect.poll(() => third.getByTestId('mask-corners').inputValue()).toBe('50 50; 60 50; 60 60');
    // Saving without the reasons marks the fields.
    await editor.getByTestId('mask-save').click();
    await expect.poll(() => editor.locator('[aria-invalid="true"]').count()).toBe(2);
    await third.getByTestId('mask-reason').fill('etalage Markt 5');
    await third.getByTestId('mask-kind').selectOption('liftable');
    await editor.getByTestId('mask-change-reason').fill('cameraplan 2027: etalage toegevoegd');
    await editor.getByTestId('mask-save').click();
    await page.getByTestId('camera-admin-notice').waitFor();
    expect(await page.getByTestId('camera-admin-notice').textContent()).toContain('versie 2');
    const saved = (await admin.get(`/api/cameras/${CAM}/masks`)).body;
    expect(saved.current.version).toBe(2);
    expect(saved.current.masks[2]).toEqual({ id: 'mask-1', kind: 'liftable', reason: 'etalage Markt 5', points: [[0.5, 0.5], [0.6, 0.5], [0.6, 0.6]] });

    // Another admin saves version 3 while this one draws on version 2: the save is refused and says who and what.
    await page.getByRole('button', { name: 'Maskers Masker Markt' }).click();
    await editor.getByTestId('mask-item-3').waitFor();
    const other = await admin.request('PUT', `/api/cameras/${CAM}/masks`, { masks: MASKS, changeReason: 'etalage weer weg', baseVersion: 2 });
    expect(other.status).toBe(200);
    await editor.getByTestId('mask-item-3').getByTestId('mask-remove').click();
    await editor.getByTestId('mask-change-reason').fill('etalage eruit');
    await editor.getByTestId('mask-save').click();
    const conflict = editor.getByTestId('mask-conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('Versie 3');
    expect(await conflict.textContent()).toContain('etalage weer weg');
    expect(await seriousViolations(page)).toEqual([]);
    expect((await admin.get(`/api/cameras/${CAM}/masks`)).body.current.version).toBe(3);
    await editor.getByTestId('mask-conflict-reload').click();
    expect(await editor.locator('[data-testid^="mask-item-"]').count()).toBe(2);
    await page.keyboard.press('Escape');
  });

  it('the municipality sees its camera\'s masks as a plan, without any image', async () => {
    const page = await consoles.loginAs('enschede');
    const panel = page.getByTestId('municipality-masks');
    await panel.waitFor();
    await panel.getByTestId('mask-camera').selectOption(CAM);
    await expect.poll(() => panel.getByTestId('mask-row').count()).toBe(2);
    expect(await panel.getByTestId('mask-row').first().textContent()).toContain('voortuin Markt 1');
    expect(await panel.getByTestId('mask-version-line').textContent()).toMatch(/^Versie 3, geldig vanaf/);
    expect(await panel.locator('img, video, canvas').count()).toBe(0);
    await panel.locator('summary').click();
    await expect.poll(() => panel.locator('[data-testid="mask-versions"] tbody tr').count()).toBe(3);
    expect(await seriousViolations(page)).toEqual([]);
  });
});
