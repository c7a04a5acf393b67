// Real Chromium for end-to-end tests: Debian's chromium (it decodes H.264), driven by playwright-core.
// Playwright's own browser download fails on this kind of machine, so we never rely on it.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const chromiumPath = () => process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** Launches a fresh headless Chromium (playwright gives it a fresh user-data-dir of its own). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: install Debian's chromium package or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs });
}

/**
 * The consoles a test file opens: each login in its own browser context (its own cookies), uncaught page errors
 * collected. Call closeAll() after each test and expect it to return no errors.
 */
export class Consoles {
  private contexts: BrowserContext[] = [];
  private errors: string[] = [];
  constructor(private browser: () => Browser, private url: () => string, private defaults: BrowserContextOptions = {}) {}

  async newPage(label = '', options: BrowserContextOptions = {}): Promise<Page> {
    const ctx = await this.browser().newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true, ...this.defaults, ...options });
    this.contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => this.errors.push(`${label ? `[${label}] ` : ''}${e.message} ${e.stack ?? ''}`.trim()));
    return page;
  }

  /** Fills the (Dutch) login form; does not wait for the console. */
  async login(page: Page, username: string, password = 'uitkijk-demo') {
    await page.goto(this.url() + '/');
    await page.getByLabel('Gebruikersnaam', { exact: true }).fill(username);
    await page.getByLabel('Wachtwoord', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
  }

  /** A new page logged in as this user, once the console shows who is logged in. */
  async loginAs(username: string, password = 'uitkijk-demo', options: BrowserContextOptions = {}): Promise<Page> {
    const page = await this.newPage(username, options);
    await this.login(page, username, password);
    await page.getByTestId('current-user').waitFor();
    return page;
  }

  /** Closes every page of the test; returns the uncaught errors they had. */
  async closeAll(): Promise<string[]> {
    await Promise.all(this.contexts.splice(0).map((c) => c.close()));
    return this.errors.splice(0);
  }
}

/** A screenshot for a person reviewing the screens, only when E2E_SHOTS names a directory (tests write nothing otherwise). */
export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  const dir = process.env.E2E_SHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage });
}
