// The browser the e2e tests use must really decode H.264 through Media Source Extensions, as the console's players
// (mpegts.js for live, fragmented MP4 for playback) do. Checked for the browser this run found and, always, for the
// Chromium inside @sparticuz/chromium, the one a fresh machine gets from `npm install`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium as playwright } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUB_PROFILE } from '../../streams/ffmpeg/args.js';
import { ChildTracker, testFfmpeg, testLoop } from '../../streams/testing/fixtures.js';
import { chooseChromium, chromiumArgs, findChromium } from '../support/browser.js';

const PAGE = `<!doctype html><html lang="en"><title>h264</title><video id="v" muted playsinline></video><script>
window.result = (async () => {
  const v = document.getElementById('v');
  const ms = new MediaSource();
  v.src = URL.createObjectURL(ms);
  await new Promise((r) => ms.addEventListener('sourceopen', r, { once: true }));
  const sb = ms.addSourceBuffer('video/mp4; codecs="avc1.64001e"');
  const data = await (await fetch('/clip.mp4')).arrayBuffer();
  sb.appendBuffer(data);
  await new Promise((r) => sb.addEventListener('updateend', r, { once: true }));
  ms.endOfStream();
  await v.play();
  await new Promise((r) => setTimeout(r, 1500));
  const c = document.createElement('canvas'); c.width = 64; c.height = 36;
  const g = c.getContext('2d'); g.drawImage(v, 0, 0, 64, 36);
  const px = g.getImageData(0, 0, 64, 36).data;
  const colours = new Set(); for (let i = 0; i < px.length; i += 4) colours.add((px[i] >> 5) * 64 + (px[i + 1] >> 5) * 8 + (px[i + 2] >> 5));
  return { time: v.currentTime, width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames, colours: colours.size, error: v.error && v.error.code };
})();
</script></html>`;

describe('the test browser decodes H.264', () => {
  const kids = new ChildTracker();
  let server: http.Server;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'uitkijk-h264-'));
    const [ff, loop] = await Promise.all([testFfmpeg(), testLoop(SUB_PROFILE, 2)]);
    const fmp4 = path.join(dir, 'clip.mp4');
    const remux = kids.spawn(ff.path, ['-v', 'error', '-i', loop, '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', fmp4]);
    expect(await remux.exited, remux.stderrText()).toBe(0);
    const clip = readFileSync(fmp4);
    server = http.createServer((req, res) => {
      if (req.url === '/clip.mp4') res.writeHead(200, { 'content-type': 'video/mp4' }).end(clip);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }, 60_000);

  afterAll(async () => {
    await kids.stopAll();
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  async function playIn(executablePath: string) {
    const browser = await playwright.launch({ executablePath, headless: true, args: chromiumArgs });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      return { version: browser.version(), ...(await page.evaluate(() => (window as unknown as { result: Promise<Record<string, number>> }).result)) };
    } finally {
      await browser.close();
    }
  }

  const expectPlayed = (r: Record<string, unknown>) => {
    expect(r.error).toBeNull();
    expect(r.width).toBe(640);
    expect(r.time as number).toBeGreaterThan(0.5); // the clock ran: frames were decoded and shown
    expect(r.frames as number).toBeGreaterThan(10);
    expect(r.colours as number).toBeGreaterThan(8); // testsrc2's colours, not a black or grey frame
  };

  it('in the browser this run uses', { timeout: 60_000 }, async () => {
    expectPlayed(await playIn((await findChromium()).path));
  });

  it('in the Chromium shipped inside @sparticuz/chromium (what a fresh machine has)', { timeout: 90_000 }, async () => {
    // No CHROMIUM_PATH and an empty PATH: the search must end at the packaged browser.
    const packaged = await chooseChromium({ PATH: '' }, {
      isExecutable: () => true,
      packaged: async () => ((await import('@sparticuz/chromium')) as unknown as { default: { executablePath(): Promise<string> } }).default.executablePath(),
    });
    expect(packaged.source).toBe('@sparticuz/chromium');
    const r = await playIn(packaged.path);
    expect(r.version).toMatch(/^143\./);
    expectPlayed(r);
  });
});
