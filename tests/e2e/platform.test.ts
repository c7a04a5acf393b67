// End to end in real Chromium against the real server (real PostgreSQL, demo data, the built console).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Consoles, launchBrowser } from '../support/browser';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

const root = path.resolve(import.meta.dirname, '../..');

let room: TestRoom;
let browser: Browser;
const consoles = new Consoles(() => browser, () => room.url, { viewport: { width: 1440, height: 900 } });

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true' }), launchBrowser()]);
}, 180_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await room?.close();
});

const newPage = () => consoles.newPage();
const login = (page: Page, username: string, password?: string) => consoles.login(page, username, password);
const loginAs = (username: string): Promise<Page> => consoles.loginAs(username);

describe('the console in real Chromium', () => {
  it('observer: logs in and sees the camera list of Enschede and Hengelo, and the camera wall', async () => {
    const page = await loginAs('observer');
    await expect.poll(() => page.getByTestId('current-user').innerText()).toContain('Olga Observant');
    await expect.poll(() => page.getByTestId('current-user').innerText()).toContain('Observant');
    const list = page.getByTestId('camera-list');
    await list.waitFor();
    await page.getByTestId('camera-ens-oude-markt').waitFor();
    expect(await page.getByTestId('camera-ens-oude-markt').innerText()).toContain('Oude Markt');
    expect(await page.getByTestId('camera-hgl-beekstraat').innerText()).toContain('Beekstraat');
    expect(await list.getByRole('heading', { name: /Enschede/ }).count()).toBe(1);
    expect(await list.getByRole('heading', { name: /Hengelo/ }).count()).toBe(1);
    // 17 permanent cameras and flexible unit 1, whose seeded event runs now; units 2 and 3 have no window, so no row.
    expect(await list.locator('tbody tr').count()).toBe(18);

    // The wall opens in the default 2x2 layout with the first cameras, each tile saying whether it is live
    // (tests/e2e/wall.test.ts plays real streams on it).
    const wall = page.getByTestId('camera-wall');
    expect(await wall.getAttribute('data-layout')).toBe('4');
    await expect.poll(() => wall.locator('[data-testid^="wall-slot-"]').count()).toBe(4);
    await expect.poll(() => wall.locator('[data-testid^="wall-slot-"][data-camera-id]').count()).toBe(4);
    await expect.poll(() => wall.getByTestId('tile-status').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/^(Online|Offline)$/)]));

    // Search narrows the list (keyboard: "/" focuses the search field).
    await page.keyboard.press('/');
    await page.keyboard.type('beek');
    await expect.poll(() => list.locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('camera-hgl-beekstraat').isVisible()).toBe(true);

    // Live connection indicator, and the page is Dutch.
    await expect.poll(() => page.getByTestId('live-state').innerText()).toBe('Live');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('nl');
  });

  it('municipality user "enschede" sees only Enschede cameras', async () => {
    const page = await loginAs('enschede');
    await page.getByTestId('camera-ens-oude-markt').waitFor();
    expect(await page.getByTestId('municipality-name').innerText()).toContain('Enschede');
    const rows = page.getByTestId('camera-list').locator('tbody tr');
    // The registry view: 11 permanent cameras and the 3 flexible units registered in Enschede.
    expect(await rows.count()).toBe(14);
    expect(await page.locator('[data-testid^="camera-hgl-"]').count()).toBe(0);
    expect(await page.getByText('Beekstraat').count()).toBe(0);
    // One group only ("Hengelosestraat" is an Enschede street, so match the group, not the word).
    expect(await page.locator('[data-testid^="municipality-group-"]').count()).toBe(1);
    expect(await page.getByTestId('municipality-group-hengelo').count()).toBe(0);
  });

  it('a wrong password shows a clear error and stays on the login page', async () => {
    const page = await newPage();
    await login(page, 'observer', 'not-the-password');
    const alert = page.getByRole('alert').filter({ hasText: /Onjuiste gebruikersnaam of wachtwoord/ });
    await alert.waitFor();
    expect(await page.getByLabel('Gebruikersnaam', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByLabel('Wachtwoord', { exact: true }).inputValue()).toBe('');
    expect(await page.getByTestId('current-user').count()).toBe(0);
    expect(await page.getByTestId('camera-list').count()).toBe(0);
  });

  it('the language switch turns the interface English, sets <html lang> and is remembered', async () => {
    const page = await newPage();
    await page.goto(room.url + '/');
    await page.getByLabel('Taal', { exact: true }).selectOption('en');
    await page.getByLabel('Username', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Log in', exact: true }).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');

    await page.reload();
    await page.getByLabel('Username', { exact: true }).fill('observer');
    await page.getByLabel('Password', { exact: true }).fill('uitkijk-demo');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByTestId('camera-wall').getByRole('heading', { name: 'Camera wall' }).waitFor();
    expect(await page.getByRole('button', { name: '4 tiles', exact: true }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('shortcut-help-open').innerText()).toContain('Shortcuts');
    expect(await page.getByTestId('logout').innerText()).toBe('Log out');
    expect(await page.getByTestId('current-user').innerText()).toContain('Observer');
  });

  it('admin creates a camera, sees the one-time key, and the observer sees it appear live', async () => {
    const observer = await loginAs('observer');
    await observer.getByTestId('camera-ens-oude-markt').waitFor();
    await expect.poll(() => observer.getByTestId('live-state').innerText()).toBe('Live');

    const admin = await loginAs('admin');
    await admin.getByTestId('camera-admin-table').waitFor();
    await admin.getByTestId('camera-create').click();
    const form = admin.getByTestId('camera-form');
    await form.waitFor();
    await form.getByLabel('Id', { exact: true }).fill('ens-e2e-test');
    await form.getByLabel('Naam', { exact: true }).fill('E2E <b>Teststraat</b>');
    await form.getByLabel('Gemeente', { exact: true }).selectOption('enschede');
    await form.getByLabel('Locatie (straat)', { exact: true }).fill('Teststraat 1');
    await form.getByLabel('Breedtegraad', { exact: true }).fill('52,2210');
    await form.getByLabel('Lengtegraad', { exact: true }).fill('6.8950');
    // Permanent: a flexible unit reaches the observers' list only inside a booking window (tests/e2e/bookings.test.ts).
    await form.getByLabel('Flexibel', { exact: true }).check();
    await form.getByLabel('Vast', { exact: true }).check();
    await form.getByTestId('camera-form-submit').click();

    const keyDialog = admin.getByTestId('publish-key-dialog');
    await keyDialog.waitFor();
    expect(await keyDialog.getByTestId('publish-key-warning').innerText()).toMatch(/één keer/);
    const key = await keyDialog.getByTestId('publish-key').inputValue();
    expect(key.length).toBeGreaterThanOrEqual(20);
    expect(await keyDialog.getByTestId('publish-url').inputValue()).toContain(`/live/ens-e2e-test?key=`);
    await keyDialog.getByTestId('publish-key-done').click();
    await keyDialog.waitFor({ state: 'detached' });
    const adminRow = admin.getByTestId('camera-ens-e2e-test');
    await adminRow.waitFor();
    // HTML typed into a name is shown as text, never interpreted.
    expect(await adminRow.innerText()).toContain('E2E <b>Teststraat</b>');
    expect(await adminRow.locator('b').count()).toBe(0);

    // The observer's list updates over socket.io, without a reload.
    await observer.getByTestId('camera-ens-e2e-test').waitFor({ timeout: 10_000 });
    expect(await observer.getByTestId('camera-ens-e2e-test').innerText()).toContain('E2E <b>Teststraat</b>');

    // The same id again: the server refuses, and the error stands next to the id field.
    await admin.getByTestId('camera-create').click();
    await form.waitFor();
    await form.getByLabel('Id', { exact: true }).fill('ens-e2e-test');
    await form.getByLabel('Naam', { exact: true }).fill('Dubbel');
    await form.getByLabel('Gemeente', { exact: true }).selectOption('enschede');
    await form.getByLabel('Locatie (straat)', { exact: true }).fill('Teststraat 2');
    await form.getByLabel('Breedtegraad', { exact: true }).fill('52.2');
    await form.getByLabel('Lengtegraad', { exact: true }).fill('6.9');
    await form.getByTestId('camera-form-submit').click();
    const idField = form.getByLabel('Id', { exact: true });
    await expect.poll(() => idField.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await idField.getAttribute('aria-describedby')) ?? '';
    expect(await form.locator('[data-field-error]').first().innerText()).toContain('Er bestaat al een camera met dit id');
    expect(describedBy).toMatch(/error/);

    // Client-side checks with the same schema: a latitude out of range is named at its field.
    await form.getByLabel('Id', { exact: true }).fill('ens-e2e-other');
    await form.getByLabel('Breedtegraad', { exact: true }).fill('123');
    await form.getByTestId('camera-form-submit').click();
    await expect.poll(() => form.getByLabel('Breedtegraad', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await admin.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
  });

  it('an RTSP camera changed elsewhere keeps its masked address in the admin\'s table (the push carries none)', async () => {
    const admin = await loginAs('admin');
    const row = admin.getByTestId('camera-hgl-stadhuis');
    await row.waitFor();
    const address = /rtsp:\/\/\S+/.exec(await row.innerText())?.[0];
    expect(address).toBeDefined();
    // Another admin renames it: every console gets 'camera:changed' without the address.
    const other = await new ApiClient(room.url).login('admin');
    expect((await other.patch('/api/cameras/hgl-stadhuis', { name: 'Stadhuis (hernoemd)' })).status).toBe(200);
    await expect.poll(() => row.innerText()).toContain('Stadhuis (hernoemd)');
    await expect.poll(() => row.innerText()).toContain(address);
  });

  it('admin verifies the audit chain; the supervisor reads the audit trail', async () => {
    const admin = await loginAs('admin');
    await admin.getByTestId('nav-audit').click();
    await admin.getByTestId('audit-table').waitFor();
    await admin.getByTestId('audit-verify').click();
    await expect.poll(() => admin.getByTestId('audit-verify-result').innerText()).toMatch(/De keten is intact: \d+ regels gecontroleerd/);

    const supervisor = await loginAs('supervisor');
    await supervisor.getByTestId('nav-audit').click();
    const table = supervisor.getByTestId('audit-table');
    await table.waitFor();
    expect(await table.innerText()).toContain('Aangemeld');
    expect(await supervisor.getByTestId('audit-verify').count()).toBe(0);
    // Newest first.
    const ids = await table.locator('tbody tr td:first-child').allInnerTexts();
    const numbers = ids.map(Number);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
  });

  it('a disabled user is sent back to login at once (session:ended over socket.io)', async () => {
    const dispatcher = await loginAs('dispatcher');
    await dispatcher.getByTestId('alerts-queue').waitFor();
    await expect.poll(() => dispatcher.getByTestId('live-state').innerText()).toBe('Live');

    const admin = await loginAs('admin');
    await admin.getByTestId('nav-users').click();
    const row = admin.getByTestId('user-dispatcher');
    await row.waitFor();
    await row.getByRole('button', { name: /Uitschakelen/ }).click();
    await admin.getByTestId('confirm-disable-user').getByTestId('confirm').click();
    await expect.poll(() => row.innerText()).toContain('Uitgeschakeld');

    await dispatcher.getByTestId('login-notice').waitFor({ timeout: 10_000 });
    expect(await dispatcher.getByTestId('login-notice').innerText()).toContain('Je sessie is beëindigd');
    expect(await dispatcher.getByLabel('Gebruikersnaam', { exact: true }).isVisible()).toBe(true);
  });

  // Last on purpose: it blocks logins from this address for the rest of the window.
  it('a throttled login shows how long to wait', async () => {
    const page = await newPage();
    await page.goto(room.url + '/');
    // Fill the failure window quickly through the API, then try once through the form.
    for (let i = 0; i < 10; i++) {
      const r = await page.request.post(room.url + '/api/session', { data: { username: 'nobody-e2e', password: 'wrong-password' } });
      if (r.status() === 429) break;
      expect(r.status()).toBe(401);
    }
    await login(page, 'nobody-e2e', 'wrong-password');
    const alert = page.getByRole('alert').filter({ hasText: /Te veel mislukte pogingen/ });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/Probeer het over \d+ (minuten|minuut|seconden|seconde) opnieuw/);
    expect(await page.getByRole('button', { name: 'Aanmelden', exact: true }).isDisabled()).toBe(true);
  });
});
