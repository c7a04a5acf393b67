import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadConfig } from '../../server/config.js';

const load = (env: Record<string, string>) => loadConfig(env, path.resolve('config'));

describe('config', () => {
  it('has the documented defaults', () => {
    const c = load({});
    expect(c).toMatchObject({ PORT: 8080, RTMP_PORT: 1935, FLV_PORT: 8000, FLV_PORTS: 8, RETENTION_DAYS: 28, DEMO: true, LOG_LEVEL: 'info', NODE_ENV: 'development' });
    expect(c.DATA_DIR).toBe(path.resolve('data'));
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('escalates unacknowledged alerts after 30 s and has no webhook unless configured', () => {
    expect(load({})).toMatchObject({ DISPATCH_ESCALATE_SECONDS: 30, DISPATCH_WEBHOOK_TIMEOUT_MS: 5000, DISPATCH_WORKER: true });
    expect(load({}).DISPATCH_WEBHOOK_URL).toBeUndefined();
  });

  it('one node by default; NODE_ID makes it one of several, which needs DATABASE_URL and runs without the demo', () => {
    expect(load({})).toMatchObject({ NODE_ID: 'node-1', CLUSTERED: false, NODE_LEASE_SECONDS: 4, MEDIA_SHARED: false });
    expect(() => load({ NODE_ID: 'n2' })).toThrow(/NODE_ID=n2: more than one node needs DATABASE_URL/);
    const node = load({ NODE_ID: 'n2', DATABASE_URL: 'postgres://u@db/uitkijk' });
    expect(node).toMatchObject({ NODE_ID: 'n2', CLUSTERED: true, DEMO: false, DEMO_CAMERAS: false });
    expect(() => load({ NODE_ID: 'n2', DATABASE_URL: 'postgres://u@db/uitkijk', DEMO: 'true' })).toThrow(/DEMO=true: demo mode runs one node/);
    expect(() => load({ NODE_ID: 'N 2', DATABASE_URL: 'postgres://u@db/uitkijk' })).toThrow(/NODE_ID="N 2": lowercase letters/);
  });

  it('turns demo mode off in production', () => {
    expect(load({ NODE_ENV: 'production' }).DEMO).toBe(false);
  });

  it('records by default, except the simulated cameras of demo mode unless asked', () => {
    expect(load({ NODE_ENV: 'production' }).RECORDING).toBe(true);
    expect(load({}).RECORDING).toBe(false);
    expect(load({ RECORDING: 'on' }).RECORDING).toBe(true);
  });

  const invalid: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /PORT="eighty"/],
    [{ PORT: '70000' }, /PORT="70000".*65535/],
    [{ RTMP_PORT: '-1' }, /RTMP_PORT/],
    [{ RETENTION_DAYS: '29' }, /RETENTION_DAYS="29".*28/],
    [{ RETENTION_DAYS: '0' }, /RETENTION_DAYS/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL=.*postgres/],
    [{ DEMO: 'maybe' }, /DEMO="maybe".*true/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud".*info/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV="staging"/],
    [{ SESSION_IDLE_MINUTES: '0' }, /SESSION_IDLE_MINUTES/],
    [{ NODE_ENV: 'production', DEMO: 'true' }, /DEMO.*production/],
    [{ DISPATCH_WEBHOOK_URL: 'http://127.0.0.1:9/inbox' }, /DISPATCH_WEBHOOK_SECRET.*required/],
    [{ DISPATCH_WEBHOOK_URL: 'ftp://meldkamer/inbox', DISPATCH_WEBHOOK_SECRET: 'x'.repeat(16) }, /DISPATCH_WEBHOOK_URL="ftp/],
    [{ DISPATCH_WEBHOOK_URL: 'https://meldkamer/inbox', DISPATCH_WEBHOOK_SECRET: 'kort' }, /DISPATCH_WEBHOOK_SECRET.*16/],
    [{ DISPATCH_ESCALATE_SECONDS: '0' }, /DISPATCH_ESCALATE_SECONDS/],
    [{ DISPATCH_CAP_SENDER: 'met spaties' }, /DISPATCH_CAP_SENDER/],
    [{ FLV_PORTS: '0' }, /FLV_PORTS="0"/],
    [{ FLV_PORTS: '17' }, /FLV_PORTS="17".*16/],
    [{ FLV_PORT: '65534', FLV_PORTS: '4' }, /FLV_PORTS=4.*65535/],
  ];
  for (const [env, message] of invalid) {
    it(`refuses ${JSON.stringify(env)} naming the setting and what it accepts`, () => {
      expect(() => load(env)).toThrow(message);
    });
  }

  it('refuses to start from the command line with a bad setting, naming it', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('npx', ['tsx', 'server/main.ts'], { env: { ...process.env, RETENTION_DAYS: '90' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/RETENTION_DAYS="90"/);
  });
});
