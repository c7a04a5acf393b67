// The spawner (streams/spawner): the room's ffmpeg children are forked by a small helper process. A child started
// through it behaves as a ChildProcess to its supervisor; a dead helper is replaced; after stop() a spawn fails
// as a failed spawn does (an 'error' event), never as an exception.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startSpawner, type Spawner } from '../../streams/spawner/spawner.js';
import type { ChildLike } from '../../streams/supervised-process.js';

const spawners: Spawner[] = [];
afterEach(async () => { for (const s of spawners.splice(0)) await s.stop(); });

const run = (s: Spawner, script: string) => s.spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
const outcome = (c: ChildLike) => new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) => {
  let out = '', err = '';
  c.stdout?.on('data', (d) => (out += d));
  c.stderr?.on('data', (d) => (err += d));
  c.once('exit', (code, signal) => setImmediate(() => resolve({ code, signal, out, err })));
});

describe('the spawner', () => {
  it('relays a child\'s pid, stdout, stderr and exit code', async () => {
    const s = startSpawner(); spawners.push(s);
    const c = run(s, 'console.log("segment 1"); console.error("a warning"); process.exit(3)');
    const spawned = new Promise<void>((r) => c.once('spawn', r));
    const o = await outcome(c);
    await spawned;
    expect(c.pid).toBeGreaterThan(0);
    expect(c.pid).not.toBe(s.helperPid);
    expect(o).toEqual({ code: 3, signal: null, out: 'segment 1\n', err: 'a warning\n' });
  });

  it('kills a child on request', async () => {
    const s = startSpawner(); spawners.push(s);
    const c = run(s, 'setInterval(() => {}, 1000)');
    await new Promise<void>((r) => c.once('spawn', r));
    const o = outcome(c);
    expect(c.kill('SIGTERM')).toBe(true);
    expect((await o).signal).toBe('SIGTERM');
  });

  it('a helper that dies takes its children with it (each reports an exit) and is replaced', async () => {
    const s = startSpawner(); spawners.push(s);
    const c = run(s, 'setInterval(() => {}, 1000)');
    await new Promise<void>((r) => c.once('spawn', r));
    const first = s.helperPid!;
    const o = outcome(c);
    process.kill(first, 'SIGKILL');
    expect((await o).signal).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    // Not left running as an orphan: gone, or a zombie waiting for init to reap it.
    const state = (() => { try { return readFileSync(`/proc/${c.pid}/stat`, 'utf8').split(') ')[1]![0]; } catch { return 'gone'; } })();
    expect(['gone', 'Z']).toContain(state);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.helperPid).not.toBe(first);
    expect((await outcome(run(s, 'console.log("again")'))).out).toBe('again\n');
  });

  it('after stop(), a spawn is an error event and an exit, not an exception', async () => {
    const s = startSpawner();
    await s.stop();
    const c = run(s, 'console.log(1)');
    const error = new Promise<Error>((r) => c.once('error', r));
    expect((await error).message).toMatch(/stopped/);
  });
});
