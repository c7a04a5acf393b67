// Real Chromium for end-to-end tests, driven by playwright-core. Playwright's own browser download fails on this
// kind of machine, so we never rely on it. Where the browser comes from, in this order: CHROMIUM_PATH, a
// system Chromium on PATH (Debian's decodes H.264), else the Chromium shipped inside the @sparticuz/chromium
// devDependency (143, the newest whose engines accept Node 20; it decodes H.264 too: tests/e2e/browser.test.ts).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { isExecutable, pathCandidates } from '../../streams/executables.js';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export type ChromiumSource = 'CHROMIUM_PATH' | 'PATH' | '@sparticuz/chromium';
export interface ChromiumBinary { path: string; source: ChromiumSource }

export interface ChromiumDeps {
  isExecutable(path: string): boolean;
  /** Unpacks the packaged Chromium (into the temp dir, once per machine) and gives its path. */
  packaged(): Promise<string>;
}

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
export const NO_BROWSER_HELP =
  'No Chromium for the browser tests: run `npm install` (it brings @sparticuz/chromium), install a system Chromium ' +
  '(Debian: apt-get install chromium), or set CHROMIUM_PATH to a Chromium that decodes H.264.';

/** Pure given its deps: the order above. A wrong CHROMIUM_PATH is an error, not a reason to use another browser. */
export async function chooseChromium(env: Record<string, string | undefined>, deps: ChromiumDeps): Promise<ChromiumBinary> {
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) {
    if (deps.isExecutable(explicit)) return { path: explicit, source: 'CHROMIUM_PATH' };
    throw new Error(`CHROMIUM_PATH=${explicit} is not an executable file. ${NO_BROWSER_HELP}`);
  }
  const onPath = pathCandidates(SYSTEM_NAMES, env.PATH).find((c) => deps.isExecutable(c));
  if (onPath) return { path: onPath, source: 'PATH' };
  let why: string;
  try {
    const p = await deps.packaged();
    if (deps.isExecutable(p)) return { path: p, source: '@sparticuz/chromium' };
    why = `${p} is not executable`;
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
  }
  throw new Error(`${NO_BROWSER_HELP} (@sparticuz/chromium: ${why})`);
}

const defaultDeps: ChromiumDeps = {
  isExecutable,
  async packaged() {
    const mod = (await import('@sparticuz/chromium')) as unknown as { default: { executablePath(): Promise<string> } };
    return mod.default.executablePath();
  },
};

let found: Promise<ChromiumBinary> | null = null;
/**
 * The browser of this run, found once. The test run's global set-up calls it first and hands the result to the
 * test files in CHROMIUM_PATH, so the packaged browser is unpacked once, never by two files at the same time.
 */
export function findChromium(env: Record<string, string | undefined> = process.env): Promise<ChromiumBinary> {
  found ??= chooseChromium(env, defaultDeps);
  return found;
}

export const chromiumArgs = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** Launches a fresh headless Chromium (playwright gives it a fresh user-data-dir of its own). */
export async function launchBrowser(): Promise<Browser> {
  const { path: executablePath } = await findChromium();
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
