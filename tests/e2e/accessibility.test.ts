// Accessibility in real Chromium: axe-core's WCAG 2.1 A/AA rules on every page of every role (each section of its
// console, the wall in each layout, the login page). Serious and critical findings fail the test, with their elements.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seriousViolations, type AxeViolation } from '../support/axe';
import { Consoles, launchBrowser } from '../support/browser';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

let room: TestRoom;
let browser: Browser;
// The smallest screen the room supports: where tables and toolbars are squeezed the most.
const consoles = new Consoles(() => browser, () => room.url, { viewport: { width: 1280, height: 800 } });

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true' }), launchBrowser()]);
  // Rows to check, not only empty tables: two incidents (one raised to dispatch) and an evidence item for the first.
  const observer = await new ApiClient(room.url).login('observer');
  const incident = async (categoryId: string, priority: number) => {
    const r = await observer.post('/api/incidents', {
      taggedAt: new Date(Date.now() - 60_000).toISOString(), cameraIds: ['ens-oude-markt'], categoryId, priority, persons: 'twee mannen', notes: 'bij de fontein',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string };
  };
  const fight = await incident('vechtpartij', 1);
  await incident('overlast', 3);
  expect((await observer.post(`/api/incidents/${fight.id}/alert`, { remark: 'graag eenheid' })).status).toBe(201);
  const second = (s: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + s * 1000).toISOString();
  const evidence = await observer.post('/api/evidence', { cameras: ['ens-oude-markt'], from: second(-180), to: second(-20), reason: 'vechtpartij bij de fontein', incidentId: fight.id });
  expect(evidence.status, JSON.stringify(evidence.body)).toBe(201);
}, 180_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await room?.close();
});

/** Once the view has its heading and nothing says "Laden…" any more. */
async function viewReady(page: Page) {
  await page.locator('#main h1').first().waitFor();
  await expect.poll(() => page.locator('#main [role="status"]', { hasText: 'Laden…' }).count(), { timeout: 10_000 }).toBe(0);
  await page.waitForTimeout(300);
}

/** Every section of the role's console (its navigation; a console without one is a single page), checked in turn. */
async function checkConsole(username: string): Promise<Record<string, AxeViolation[]>> {
  const page = await consoles.loginAs(username);
  const found: Record<string, AxeViolation[]> = {};
  const sections = await page.locator('.console-nav a').evaluateAll((links) => links.map((a) => a.getAttribute('data-testid')!));
  if (sections.length === 0) {
    await viewReady(page);
    const v = await seriousViolations(page);
    if (v.length) found[`${username} console`] = v;
  }
  for (const section of sections) {
    await page.getByTestId(section).click();
    await expect.poll(() => page.getByTestId(section).getAttribute('aria-current')).toBe('page');
    await viewReady(page);
    const v = await seriousViolations(page);
    if (v.length) found[`${username} ${section}`] = v;
  }
  return found;
}

describe('WCAG 2.1 AA (axe-core): nothing serious or critical', { timeout: 180_000 }, () => {
  it('checks what it is given: a page with a known violation is reported, with its element', async () => {
    const page = await consoles.newPage('probe');
    await page.goto(room.url + '/');
    await page.getByLabel('Gebruikersnaam', { exact: true }).waitFor();
    await page.evaluate(() => {
      const b = document.createElement('button');
      b.id = 'probe';
      b.setAttribute('aria-label', 'Iets anders');
      b.textContent = 'Verwijderen';
      document.body.append(b);
    });
    expect(await seriousViolations(page)).toEqual([expect.objectContaining({ rule: 'label-content-name-mismatch', impact: 'serious', targets: ['#probe'] })]);
  });

  it('the login page, and its error', async () => {
    const page = await consoles.newPage('login');
    await page.goto(room.url + '/');
    await page.getByLabel('Gebruikersnaam', { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await consoles.login(page, 'observer', 'wrong-password');
    await page.getByRole('alert').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  for (const username of ['observer', 'supervisor', 'dispatcher', 'police', 'enschede', 'admin']) {
    it(`${username}: every section of the console`, async () => {
      expect(await checkConsole(username)).toEqual({});
    });
  }

  it('police: the evidence found, and the case-number dialog before any view', async () => {
    const page = await consoles.loginAs('police');
    await page.getByTestId('evidence-open').first().click();
    await page.locator('dialog[open]').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('observer: the wall in every layout, the focus view, the shortcut help, and the dialogs of M and B', async () => {
    const page = await consoles.loginAs('observer');
    await page.getByTestId('wall-grid').waitFor();
    const found: Record<string, AxeViolation[]> = {};
    for (const layout of [1, 4, 9, 16]) {
      await page.getByTestId(`layout-${layout}`).click();
      await expect.poll(() => page.locator('[data-testid^="wall-slot-"]').count()).toBe(layout);
      const v = await seriousViolations(page);
      if (v.length) found[`layout ${layout}`] = v;
    }
    await page.getByTestId('focus-toggle').click();
    await page.getByTestId('focus-view').waitFor();
    const focus = await seriousViolations(page);
    if (focus.length) found.focus = focus;
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-help-open').click();
    await page.getByTestId('shortcut-help').waitFor();
    const help = await seriousViolations(page);
    if (help.length) found.help = help;
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('shortcut-help').count()).toBe(0);
    // M: the incident form; B: the preserve dialog (both over the wall, keyboard first).
    for (const [key, name] of [['m', 'incident form'], ['b', 'preserve dialog']] as const) {
      await page.keyboard.press(key);
      await page.locator('dialog[open]').waitFor();
      await page.waitForTimeout(300);
      const v = await seriousViolations(page);
      if (v.length) found[name] = v;
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);
    }
    expect(found).toEqual({});
  });
});
