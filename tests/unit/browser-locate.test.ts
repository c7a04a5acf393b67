import { describe, expect, it } from 'vitest';
import { chooseChromium, type ChromiumDeps } from '../support/browser.js';

function deps(executables: string[], packaged?: string): ChromiumDeps & { unpacked: number } {
  const d = {
    unpacked: 0,
    isExecutable: (p: string) => executables.includes(p),
    packaged: async () => {
      d.unpacked++;
      if (!packaged) throw new Error("Cannot find package '@sparticuz/chromium'");
      return packaged;
    },
  };
  return d;
}

describe('chooseChromium (where the browser tests get their browser)', () => {
  it('takes CHROMIUM_PATH first and refuses a wrong one instead of using another browser', async () => {
    await expect(chooseChromium({ CHROMIUM_PATH: '/opt/c', PATH: '/usr/bin' }, deps(['/opt/c', '/usr/bin/chromium']))).resolves.toEqual({ path: '/opt/c', source: 'CHROMIUM_PATH' });
    await expect(chooseChromium({ CHROMIUM_PATH: '/nope', PATH: '/usr/bin' }, deps(['/usr/bin/chromium']))).rejects.toThrow(/CHROMIUM_PATH=\/nope.*npm install/);
  });

  it('then the system Chromium on PATH, without unpacking the packaged one', async () => {
    const d = deps(['/usr/bin/chromium', '/x/c'], '/x/c');
    await expect(chooseChromium({ PATH: '/usr/local/bin:/usr/bin' }, d)).resolves.toEqual({ path: '/usr/bin/chromium', source: 'PATH' });
    expect(d.unpacked).toBe(0);
    await expect(chooseChromium({ PATH: '/opt/google' }, deps(['/opt/google/google-chrome']))).resolves.toMatchObject({ source: 'PATH' });
  });

  it('then the Chromium inside @sparticuz/chromium', async () => {
    await expect(chooseChromium({ PATH: '/usr/bin' }, deps(['/tmp/chromium'], '/tmp/chromium'))).resolves.toEqual({ path: '/tmp/chromium', source: '@sparticuz/chromium' });
  });

  it('with none, fails with one message that says how to get one', async () => {
    await expect(chooseChromium({ PATH: '/usr/bin' }, deps([]))).rejects.toThrow(/No Chromium for the browser tests: run `npm install`.*apt-get install chromium.*CHROMIUM_PATH/);
  });
});
