// The wall and the console's frame at the screen sizes of a supervision room, measured in real Chromium: every wall
// layout fills the screen without page scrolling, tiles keep the cameras' 16:9, names stay readable, and the
// supervisor's eleven sections fit in one row of navigation.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Consoles, launchBrowser, shot } from '../support/browser';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

let room: TestRoom;
let browser: Browser;
const consoles = new Consoles(() => browser, () => room.url);
const figures: Record<string, string> = {};

const SIZES = [[1280, 800], [1600, 900], [1920, 1080], [2560, 1440]] as const;
const LAYOUTS = [1, 4, 9, 16] as const;
// The longest names of the demo region first, so the smallest tiles get the hardest names.
const WALL = [
  'hgl-willemstraat-langestraat', 'hgl-willemstraat-marktstraat', 'ens-brammelerdwarsstraat', 'ens-oldenzaalsestraat',
  'ens-flex-1', 'ens-hengelosestraat', 'ens-van-lochemstraat', 'ens-kalanderstraat', 'hgl-pastoriestraat', 'ens-stationsplein',
  'ens-van-heekplein', 'ens-oude-markt', 'ens-langestraat', 'ens-marktstraat', 'hgl-beekstraat', 'hgl-marktsteeg',
];

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true' }), launchBrowser()]);
  const observer = await new ApiClient(room.url).login('observer');
  expect((await observer.request('PUT', '/api/me/preferences', { wallLayout: 16, wallCameras: WALL })).status).toBe(200);
}, 180_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  console.log('wall sizes', JSON.stringify(figures, null, 1));
  await browser?.close();
  await room?.close();
});

/** Boxes of the page as it is shown: what scrolls, where the wall's grid and tiles are, whether names are clipped. */
function measureWall(page: Page) {
  return page.evaluate(() => {
    const box = (el: Element) => { const r = el.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; };
    const wall = document.querySelector('[data-testid="camera-wall"]')!;
    const grid = document.querySelector('[data-testid="wall-grid"]')!;
    const side = document.querySelector('aside.side-stack');
    return {
      viewport: { width: innerWidth, height: innerHeight },
      page: { scrollWidth: document.documentElement.scrollWidth, scrollHeight: document.documentElement.scrollHeight },
      wall: box(wall), grid: box(grid), side: side ? box(side) : null,
      tiles: [...grid.querySelectorAll('[data-testid^="wall-slot-"]')].map((tile) => {
        const name = tile.querySelector<HTMLElement>('[data-testid="tile-name"]');
        return {
          tile: box(tile),
          video: box(tile.querySelector('.wall-tile__video')!),
          name: name && {
            text: name.textContent,
            box: box(name),
            clipped: name.scrollWidth > name.clientWidth + 1 || name.scrollHeight > name.clientHeight + 1,
            // A tooltip with the whole name, on the tile's caption.
            tooltip: name.closest('[title]')?.getAttribute('title') ?? null,
          },
        };
      }),
    };
  });
}

describe('the wall fits the screen', { timeout: 300_000 }, () => {
  for (const [width, height] of SIZES) {
    it(`${width}x${height}: layouts 1, 4, 9 and 16 fill the screen without scrolling, tiles 16:9, names readable`, async () => {
      const page = await consoles.loginAs('observer', undefined, { viewport: { width, height } });
      await page.getByTestId('wall-grid').waitFor();
      for (const layout of LAYOUTS) {
        await page.getByTestId(`layout-${layout}`).click();
        await expect.poll(() => page.locator('[data-testid^="wall-slot-"][data-camera-id]').count()).toBe(layout);
        await page.waitForTimeout(300); // let the layout settle (fonts, status badges)
        const m = await measureWall(page);
        const where = `${width}x${height}, layout ${layout}`;

        // No page scrolling, either way.
        expect(m.page.scrollHeight, `${where}: page height`).toBeLessThanOrEqual(height);
        expect(m.page.scrollWidth, `${where}: page width`).toBeLessThanOrEqual(width);
        // The tiles lie within the screen and beside the side column, and fill one of the two directions: the whole
        // width of the wall, or the height down to the bottom of the screen (less the page's margin).
        const tiles = {
          left: Math.min(...m.tiles.map((t) => t.tile.left)), right: Math.max(...m.tiles.map((t) => t.tile.right)),
          top: Math.min(...m.tiles.map((t) => t.tile.top)), bottom: Math.max(...m.tiles.map((t) => t.tile.bottom)),
        };
        expect(tiles.bottom, `${where}: tiles' bottom`).toBeLessThanOrEqual(height);
        expect(tiles.left, `${where}: tiles within the wall`).toBeGreaterThanOrEqual(m.wall.left - 0.5);
        expect(tiles.right, `${where}: tiles within the wall`).toBeLessThanOrEqual(m.wall.right + 0.5);
        if (m.side) expect(m.wall.right, `${where}: wall beside the side column`).toBeLessThanOrEqual(m.side.left);
        const fillsWidth = tiles.right - tiles.left >= m.wall.width - 2;
        const fillsHeight = tiles.bottom >= height - 32;
        expect(fillsWidth || fillsHeight, `${where}: tiles ${JSON.stringify(tiles)} in wall ${JSON.stringify(m.wall)}`).toBe(true);
        figures[`${width}x${height} layout ${layout}`] = `picture ${Math.round(m.tiles[0]!.video.width)}x${Math.round(m.tiles[0]!.video.height)}, tiles ${Math.round(tiles.right - tiles.left)}x${Math.round(tiles.bottom - tiles.top)}`;

        expect(m.tiles).toHaveLength(layout);
        for (const [i, t] of m.tiles.entries()) {
          // The picture area keeps the cameras' 16:9, and every tile is the same size.
          expect(Math.abs(t.video.width / t.video.height - 16 / 9), `${where}: tile ${i + 1} ratio ${t.video.width}x${t.video.height}`).toBeLessThan(0.02);
          expect(Math.abs(t.tile.width - m.tiles[0]!.tile.width), `${where}: tile ${i + 1} width`).toBeLessThan(1);
          expect(Math.abs(t.tile.height - m.tiles[0]!.tile.height), `${where}: tile ${i + 1} height`).toBeLessThan(1);
          expect(t.tile.bottom, `${where}: tile ${i + 1} on screen`).toBeLessThanOrEqual(height);
          // The whole name is on screen (two lines at most in the small tiles), inside its tile, and in a tooltip.
          expect(t.name, `${where}: tile ${i + 1} name`).not.toBeNull();
          expect(t.name!.clipped, `${where}: "${t.name!.text}" clipped`).toBe(false);
          expect(t.name!.box.bottom, `${where}: "${t.name!.text}" inside its tile`).toBeLessThanOrEqual(t.tile.bottom);
          expect(t.name!.box.right, `${where}: "${t.name!.text}" inside its tile`).toBeLessThanOrEqual(t.tile.right);
          expect(t.name!.tooltip ?? '', `${where}: tooltip of tile ${i + 1}`).toContain(t.name!.text!);
        }
        await shot(page, `wall-fit-${width}x${height}-${layout}`);
      }

      // The focus view (F) fits as well.
      await page.keyboard.press('1');
      await page.keyboard.press('f');
      await page.getByTestId('focus-view').waitFor();
      const focus = await page.evaluate(() => ({
        scrollHeight: document.documentElement.scrollHeight,
        scrollWidth: document.documentElement.scrollWidth,
        video: document.querySelector('.focus-view__video')!.getBoundingClientRect().toJSON() as DOMRect,
      }));
      expect(focus.scrollHeight, `${width}x${height}: focus view page height`).toBeLessThanOrEqual(height);
      expect(focus.scrollWidth).toBeLessThanOrEqual(width);
      expect(Math.abs(focus.video.width / focus.video.height - 16 / 9)).toBeLessThan(0.02);
      await shot(page, `wall-fit-${width}x${height}-focus`);
      await page.keyboard.press('Escape');
    });
  }
});

describe('the supervisor\'s navigation', { timeout: 300_000 }, () => {
  for (const [width, height] of SIZES) {
    it(`${width}x${height}: all twelve sections in one row, in Dutch and in English, nothing wider than the screen`, async () => {
      const page = await consoles.loginAs('supervisor', undefined, { viewport: { width, height } });
      for (const language of ['nl', 'en']) {
        if (language === 'en') {
          await page.getByLabel('Taal').selectOption('en');
          await expect.poll(() => page.getByTestId('nav-board').innerText()).toBe('Incident board');
        }
        const m = await page.evaluate(() => {
          const links = [...document.querySelectorAll('.console-nav a')].map((a) => a.getBoundingClientRect());
          const header = document.querySelector('.app-header')!.getBoundingClientRect();
          return { tops: links.map((r) => Math.round(r.top)), rights: links.map((r) => r.right), headerHeight: header.height, scrollWidth: document.documentElement.scrollWidth };
        });
        expect(m.tops, `${width} ${language}`).toHaveLength(12); // the nodes view (#14) is the twelfth
        expect(new Set(m.tops).size, `${width} ${language}: rows of navigation (link tops ${m.tops})`).toBe(1);
        expect(Math.max(...m.rights), `${width} ${language}: last section on screen`).toBeLessThanOrEqual(width);
        expect(m.scrollWidth, `${width} ${language}: page width`).toBeLessThanOrEqual(width);
        // Brand and tools on one row, the sections on at most one more: the header never takes the wall's room.
        expect(m.headerHeight, `${width} ${language}: header height`).toBeLessThanOrEqual(110);
        await shot(page, `nav-supervisor-${width}x${height}-${language}`);
      }
    });
  }
});
