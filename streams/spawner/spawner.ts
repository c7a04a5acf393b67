// Starts the room's ffmpeg children from a small helper process instead of the room's own.
//
// Spawning forks the calling process. The room's process holds the media server's buffers (GOP caches, viewers'
// backlogs): at a few hundred MB to GBs, one fork blocked its event loop for up to 4.8 s in a reconnect storm of
// 200 cameras (CPU profile of bench:storm, issue #18), long enough for the media server's publish checks to time out
// and its stall watchdog to drop publishers. The helper stays at a few tens of MB, so its forks are cheap and, above
// all, not on the room's event loop. Its children's stdout and stderr come back over IPC; each looks like a
// ChildProcess to the supervisor (supervised-process.ts ChildLike). Killing the room's process group ends them all.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ChildLike, SpawnFn } from '../supervised-process.js';

type FromChild =
  | { t: 'spawn'; id: number; pid: number } | { t: 'error'; id: number; message: string; spawned?: boolean }
  | { t: 'out' | 'err'; id: number; data: string } | { t: 'outEnd'; id: number }
  | { t: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null };

class RelayedChild extends EventEmitter implements ChildLike {
  pid: number | undefined;
  readonly stdout: PassThrough | null;
  readonly stderr = new PassThrough();
  exited = false;
  constructor(readonly id: number, withStdout: boolean, private helper: ChildProcess) {
    super();
    this.stdout = withStdout ? new PassThrough() : null;
  }
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exited || !this.helper.connected) return false;
    this.helper.send({ t: 'kill', id: this.id, signal });
    return true;
  }
}

export interface Spawner {
  spawn: SpawnFn;
  /** The helper process now (a new one after the last died). */
  readonly helperPid: number | undefined;
  stop(): Promise<void>;
}

export function startSpawner(): Spawner {
  const children = new Map<number, RelayedChild>();
  let next = 1;
  let stopping = false;
  const end = (c: RelayedChild, code: number | null, signal: NodeJS.Signals | null) => {
    if (c.exited) return;
    c.exited = true;
    children.delete(c.id);
    c.stdout?.end();
    c.stderr.end();
    c.emit('exit', code, signal);
  };
  const fail = (c: RelayedChild, err: Error) => { if (c.exited) return; c.emit('error', err); end(c, null, null); };
  const startHelper = (): ChildProcess => {
    const h = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.cjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    h.on('message', (m: FromChild) => {
      const c = children.get(m.id);
      if (!c) return;
      switch (m.t) {
        case 'spawn': c.pid = m.pid; c.emit('spawn'); break;
        case 'out': c.stdout?.write(m.data); break;
        case 'err': c.stderr.write(m.data); break;
        case 'outEnd': c.stdout?.end(); break;
        case 'error': c.emit('error', new Error(m.message)); if (!m.spawned) end(c, null, null); break;
        case 'exit': end(c, m.code, m.signal); break;
      }
    });
    // The helper died (it should not). Its children would live on as orphans: they are ended here, by pid, each
    // reports an exit, its supervisor restarts it, and a new helper is there to start it.
    h.on('exit', () => {
      for (const c of [...children.values()]) {
        if (c.pid !== undefined) try { process.kill(c.pid, 'SIGKILL'); } catch { /* already gone */ }
        end(c, null, 'SIGKILL');
      }
      if (!stopping) helper = startHelper();
    });
    return h;
  };
  let helper = startHelper();
  return {
    get helperPid() { return helper.pid; },
    spawn(command, args, options) {
      const stdio = options.stdio as unknown[] | undefined;
      const c = new RelayedChild(next++, stdio?.[1] === 'pipe', helper);
      children.set(c.id, c);
      // After stop(): a failed spawn, reported as child_process reports one (an 'error' event), never a throw.
      if (!helper.connected) {
        process.nextTick(() => fail(c, new Error('the spawner has stopped')));
        return c;
      }
      // The helper has this process's environment already; only a different one is sent along.
      helper.send({ t: 'spawn', id: c.id, cmd: command, args: [...args], stdout: c.stdout !== null, env: options.env && options.env !== process.env ? options.env : undefined },
        (err) => { if (err) fail(c, err); });
      return c;
    },
    async stop() {
      stopping = true;
      if (helper.exitCode !== null || helper.signalCode !== null) return;
      const gone = new Promise((r) => helper.once('exit', r));
      helper.disconnect();
      await gone;
    },
  };
}
