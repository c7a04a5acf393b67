// Real Chromium for end-to-end tests: Debian's chromium (it decodes H.264), driven by playwright-core.
// Playwright's own browser download fails on this kind of machine, so we never rely on it.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
