// The server as a user runs it: `tsx server/main.ts` with the embedded PostgreSQL under DATA_DIR.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/ports.js';

const dirs: string[] = [];
const procs: ChildProcess[] = [];
afterAll(() => { procs.forEach((p) => p.exitCode === null && p.kill('SIGKILL')); dirs.forEach((d) => rmSync(d, { recursive: true, force: true })); });

async function envFor(extra: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'uitkijk-proc-'));
  chmodSync(dir, 0o755);
  dirs.push(dir);
  // One play port: the ports after a free FLV_PORT may be the free ports handed to the others.
  const port = async () => String(await freePort());
  return { ...process.env, DATA_DIR: dir, PORT: await port(), EMBEDDED_PG_PORT: await port(), RTMP_PORT: await port(), FLV_PORT: await port(), FLV_PORTS: '1', HOST: '127.0.0.1', MEDIA_HOST: '127.0.0.1', SERVE_CLIENT: 'false', DEMO_CAMERAS: 'false', LOG_LEVEL: 'warn', DATABASE_URL: '', ...extra };
}

function start(env: NodeJS.ProcessEnv): Promise<{ p: ChildProcess; out: () => string }> {
  const p = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setInterval(() => { if (out.includes('Uitkijk draait')) { clearInterval(t); resolve({ p, out: () => out }); } }, 50);
    p.on('exit', (code) => { clearInterval(t); reject(Object.assign(new Error(`exited ${code}: ${out}`), { out, code })); });
  });
}
const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.on('exit', (c) => r(c))));

describe('the server process', () => {
  it('starts on the embedded database, reports health, answers 503 while the database is dead and 200 once it is restarted, and stops cleanly on SIGTERM', async () => {
    const env = await envFor();
    const { p, out } = await start(env);
    const base = `http://127.0.0.1:${env.PORT}`;
    expect(out()).toMatch(/observer\s+observer/);
    expect(out()).not.toMatch(/\.pg-password|postgres:\/\/uitkijk:/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // Kill PostgreSQL under the running server: health must say so, the server stays up and brings it back
    // (the figures: tests/integration/faults-postgres-kill.test.ts).
    const pid = Number(readFileSync(path.join(env.DATA_DIR!, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    let down: { http: number; database?: string } | null = null;
    for (const end = Date.now() + 5000; !down && Date.now() < end;) {
      const h = await fetch(`${base}/healthz`);
      if (h.status !== 200) down = { ...(await h.json()), http: h.status };
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(down).toMatchObject({ http: 503, database: 'down' });
    for (const end = Date.now() + 15_000; (await fetch(`${base}/healthz`)).status !== 200;) {
      expect(Date.now()).toBeLessThan(end);
      await new Promise((r) => setTimeout(r, 100));
    }
    p.kill('SIGTERM');
    expect(await exited(p)).toBe(0);
  }, 60_000);

  it('SIGTERM stops the embedded PostgreSQL too; a second start reuses the data', async () => {
    const env = await envFor();
    const first = await start(env);
    first.p.kill('SIGTERM');
    expect(await exited(first.p)).toBe(0);
    expect(existsSync(path.join(env.DATA_DIR!, 'postgres', 'postmaster.pid'))).toBe(false);
    const t0 = Date.now();
    const second = await start(env);
    expect(Date.now() - t0).toBeLessThan(15_000);
    second.p.kill('SIGTERM');
    expect(await exited(second.p)).toBe(0);
  }, 60_000);

  it('in production refuses to start without an admin, and starts after `npm run user:create`', async () => {
    const env = await envFor({ NODE_ENV: 'production' });
    const err = await start(env).then(() => null, (e) => e);
    expect(err?.code).toBe(1);
    expect(err.out).toMatch(/no admin account exists.*user:create/);
    const created = spawnSync('npx', ['tsx', 'server/auth/cli-create-user.ts', '--username', 'beheer', '--role', 'admin'], { env, input: 'a-very-long-password\n', encoding: 'utf8' });
    expect(created.stdout + created.stderr).toMatch(/created admin beheer/);
    expect(created.status).toBe(0);
    const { p, out } = await start(env);
    expect(out()).not.toMatch(/Demo-accounts/);
    const login = await fetch(`http://127.0.0.1:${env.PORT}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'observer', password: 'uitkijk-demo' }) });
    expect(login.status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${env.PORT}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'beheer', password: 'a-very-long-password' }) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/uitkijk_session=/);
    p.kill('SIGTERM');
    expect(await exited(p)).toBe(0);
  }, 90_000);
});
