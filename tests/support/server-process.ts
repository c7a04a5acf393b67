// The server as a user runs it (`tsx server/main.ts`), as a real process of its own, for the fault tests: killed
// with SIGKILL (with its ffmpeg children: its own process group, as a crash or an OOM kill of the service leaves
// it) and started again on the same database, DATA_DIR and MEDIA_DIR. Same start as process.test.ts and
// evidence-kill.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Sql } from '../../server/db/connect.js';
import { freePort } from './ports.js';
import { publishTestPattern, type Publisher } from './publisher.js';

export interface ServerProcess {
  proc: ChildProcess; url: string; rtmpPort: number; env: NodeJS.ProcessEnv;
  output(): string;
  /** SIGKILL to the whole process group: the server and every ffmpeg it started. */
  killGroup(): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;
const exited = (p: ChildProcess) => new Promise<void>((r) => (alive(p) ? p.once('exit', () => r()) : r()));

/** Starts the server with fresh ports (a killed one's may linger) and resolves once it says it is running. */
export async function startServerProcess(env: Record<string, string>, started: ServerProcess[] = [], nodeArgs: string[] = []): Promise<ServerProcess> {
  const [port, rtmpPort, flvPort, pgPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const full: NodeJS.ProcessEnv = {
    ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), MEDIA_HOST: '127.0.0.1', RTMP_PORT: String(rtmpPort),
    FLV_PORT: String(flvPort), FLV_PORTS: '1', // the ports after a free FLV_PORT may be the free ports handed to the others
    EMBEDDED_PG_PORT: String(pgPort), SERVE_CLIENT: 'false', LOG_LEVEL: 'warn', ...env,
  };
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], { env: full, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const s: ServerProcess = {
    proc, url: `http://127.0.0.1:${port}`, rtmpPort, env: full, output: () => out,
    async killGroup() { if (alive(proc)) process.kill(-proc.pid!, 'SIGKILL'); await exited(proc); },
    async stop() { if (alive(proc)) proc.kill('SIGTERM'); await exited(proc); return proc.exitCode; },
  };
  started.push(s);
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => { if (out.includes('Uitkijk draait')) { clearInterval(t); resolve(); } }, 20);
    proc.once('exit', (code) => { clearInterval(t); reject(new Error(`server exited ${code} before it was up: ${out}`)); });
  });
  return s;
}

/** The committed rows a fault must never take: ids per table. */
export const COMMITTED_TABLES = ['incidents', 'alerts', 'alert_steps', 'dispatch_outbox', 'evidence_items', 'evidence_clips', 'evidence_custody', 'audit_log', 'recording_segments'] as const;
export async function committedRows(sql: Sql): Promise<Record<string, Set<string>>> {
  const out: Record<string, Set<string>> = {};
  for (const t of COMMITTED_TABLES) out[t] = new Set((await sql.unsafe(`select id::text as id from ${t}`)).map((r) => r.id as string));
  return out;
}
/** Per table, the ids of `before` that `after` no longer has (all empty: nothing lost). */
export function lostRows(before: Record<string, Set<string>>, after: Record<string, Set<string>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(before).map(([t, ids]) => [t, [...ids].filter((id) => !after[t]!.has(id))]));
}

/**
 * A camera that keeps pushing, as a real RTMP camera does: when its connection drops it tries again every 0.5 s,
 * at whatever address `url()` gives then (a restarted test server listens on new ports).
 */
export function reconnectingCamera(url: () => string | null): { stop(): Promise<void>; publishers: () => number } {
  let stopped = false, count = 0;
  let current: Publisher | null = null;
  const loop = (async () => {
    while (!stopped) {
      const u = url();
      if (u) { current = publishTestPattern(u); count++; await current.exited; current = null; }
      if (!stopped) await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return { publishers: () => count, async stop() { stopped = true; await current?.stop(); await loop; } };
}
