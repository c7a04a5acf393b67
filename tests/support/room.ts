// Starts the real server (real PostgreSQL, real HTTP and socket.io) on 127.0.0.1 with a fresh database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.js';
import { createLogger, type Logger } from '../../server/log.js';
import { startRoom, type Room } from '../../server/main.js';
import { freshDatabase } from './db.js';

export interface TestRoom extends Room { close(): Promise<void> }

/**
 * opts.db: run on this database and leave it in place on close (a restart test starts a second room on it and
 * drops it itself). Without it, each room gets a fresh database that close() drops.
 * opts.now: the room's clock for bookings (activation windows, lead time, usage).
 * opts.dataDir: likewise for DATA_DIR (recordings, evidence clips, the signing key): kept on close.
 * opts.configDir: another config/ (e.g. fewer demo cameras); opts.log: a logger whose lines the test reads (see capturedLog).
 */
export async function startTestRoom(env: Record<string, string> = {}, opts: { db?: Awaited<ReturnType<typeof freshDatabase>>; dataDir?: string; now?: () => Date; configDir?: string; log?: Logger } = {}): Promise<TestRoom> {
  const db = opts.db ?? await freshDatabase();
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'uitkijk-test-data-'));
  const config = loadConfig({
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', MEDIA_HOST: '127.0.0.1', RTMP_PORT: '0', FLV_PORT: '0',
    DATABASE_URL: db.url, DATA_DIR: dataDir, MEDIA_DIR: path.join(dataDir, 'media'), DEMO: 'true', DEMO_CAMERAS: 'false', RECORDING: 'on', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SERVE_CLIENT: 'false', ...env,
  });
  const room = await startRoom(config, opts.log ?? createLogger(config.LOG_LEVEL), { now: opts.now, configDir: opts.configDir });
  return {
    ...room,
    async close() {
      await room.stop();
      if (!opts.db) await db.drop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A tiny cookie-keeping HTTP client for API tests. */
export class ApiClient {
  cookie = '';
  constructor(readonly base: string, readonly origin = base) {}
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(this.base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.cookie ? { cookie: this.cookie } : {}), origin: this.origin, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    let json: any = undefined;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
    return { status: res.status, body: json, headers: res.headers };
  }
  get(p: string) { return this.request('GET', p); }
  post(p: string, b?: unknown) { return this.request('POST', p, b ?? {}); }
  patch(p: string, b: unknown) { return this.request('PATCH', p, b); }
  delete(p: string) { return this.request('DELETE', p); }
  async login(username: string, password = 'uitkijk-demo') {
    const r = await this.post('/api/session', { username, password });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return this;
  }
}

/** A logger whose lines the test can read back (parsed JSON), e.g. to assert that nothing was logged at error level. */
export function capturedLog(level = 'debug'): { log: Logger; lines: Array<Record<string, any>>; text(): string } {
  const raw: string[] = [];
  const log = createLogger(level, { write: (line: string) => { raw.push(line); } });
  return { log, get lines() { return raw.map((l) => JSON.parse(l)); }, text: () => raw.join('') };
}
