import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { backoffStep, DEFAULT_BACKOFF, superviseProcess, type ChildLike, type Clock, type SpawnFn } from '../../streams/supervised-process.js';

/** Manual clock: timers fire only when the test advances time. */
class FakeClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  pending(): number[] {
    return this.timers.map((t) => t.at - this.t);
  }
  advance(ms: number) {
    const until = this.t + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = until;
  }
}

class FakeChild extends EventEmitter implements ChildLike {
  stderr = new PassThrough();
  killed: string[] = [];
  constructor(public pid: number | undefined) {
    super();
  }
  kill(signal?: NodeJS.Signals) {
    this.killed.push(signal ?? 'SIGTERM');
    queueMicrotask(() => this.emit('exit', null, signal ?? 'SIGTERM'));
    return true;
  }
  crash(code = 1) {
    this.emit('exit', code, null);
  }
}

function harness() {
  const clock = new FakeClock();
  const children: FakeChild[] = [];
  const spawn: SpawnFn = () => {
    const child = new FakeChild(1000 + children.length);
    children.push(child);
    queueMicrotask(() => child.emit('spawn'));
    return child;
  };
  return { clock, children, spawn };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('backoffStep', () => {
  it('doubles from 1 s to a 30 s ceiling and resets after a healthy run', () => {
    let delay = DEFAULT_BACKOFF.initialMs;
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const step = backoffStep(DEFAULT_BACKOFF, delay, 100);
      waits.push(step.waitMs);
      delay = step.nextDelayMs;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffStep(DEFAULT_BACKOFF, 30000, 30000)).toEqual({ waitMs: 1000, nextDelayMs: 2000 });
  });
});

describe('superviseProcess', () => {
  it('restarts a crashing child after 1, 2, 4, 8, 16, 30, 30 s', async () => {
    const { clock, children, spawn } = harness();
    const proc = superviseProcess({ name: 'ffmpeg', command: 'ffmpeg', args: [], spawn, clock });
    const states: string[] = [];
    proc.events.on('state', (e) => states.push(e.state));
    await tick();
    expect(proc.snapshot()).toMatchObject({ state: 'running', pid: 1000, restarts: 0 });

    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      clock.advance(50); // runs briefly, then dies
      children.at(-1)!.crash();
      expect(proc.snapshot().state).toBe('backoff');
      waits.push(clock.pending()[0]!);
      clock.advance(clock.pending()[0]!);
      await tick();
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(children).toHaveLength(8);
    expect(proc.snapshot()).toMatchObject({ state: 'running', restarts: 7 });
    expect(states.slice(0, 4)).toEqual(['running', 'backoff', 'starting', 'running']);
    await proc.stop();
  });

  it('goes back to a 1 s delay after a run of 30 s or more', async () => {
    const { clock, children, spawn } = harness();
    const proc = superviseProcess({ name: 'ffmpeg', command: 'ffmpeg', args: [], spawn, clock });
    await tick();
    for (let i = 0; i < 3; i++) {
      children.at(-1)!.crash();
      clock.advance(clock.pending()[0]!);
      await tick();
    }
    clock.advance(30_000); // healthy run
    children.at(-1)!.crash();
    expect(clock.pending()).toEqual([1000]);
    await proc.stop();
  });

  it('stop() sends SIGTERM, awaits the exit and never restarts', async () => {
    const { clock, children, spawn } = harness();
    const proc = superviseProcess({ name: 'ffmpeg', command: 'ffmpeg', args: ['-i', 'x'], spawn, clock });
    await tick();
    await proc.stop();
    expect(children[0]!.killed).toEqual(['SIGTERM']);
    expect(proc.snapshot()).toMatchObject({ state: 'stopped', pid: null });
    expect(clock.pending()).toEqual([]);
    await proc.stop(); // idempotent
  });

  it('stop() during backoff cancels the pending restart', async () => {
    const { clock, children, spawn } = harness();
    const proc = superviseProcess({ name: 'ffmpeg', command: 'ffmpeg', args: [], spawn, clock });
    await tick();
    children[0]!.crash();
    expect(proc.snapshot().state).toBe('backoff');
    await proc.stop();
    clock.advance(60_000);
    expect(children).toHaveLength(1);
    expect(proc.snapshot().state).toBe('stopped');
  });

  it('treats a failed spawn (e.g. ENOENT) as an exit and retries', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const spawn: SpawnFn = () => {
      calls += 1;
      const child = new FakeChild(undefined);
      queueMicrotask(() => child.emit('error', new Error('spawn ffmpeg ENOENT')));
      return child;
    };
    const proc = superviseProcess({ name: 'ffmpeg', command: 'ffmpeg', args: [], spawn, clock });
    await tick();
    expect(proc.snapshot()).toMatchObject({ state: 'backoff', lastExit: { error: 'spawn ffmpeg ENOENT' } });
    clock.advance(1000);
    await tick();
    expect(calls).toBe(2);
    await proc.stop();
  });

  it('keeps the last stderr lines, redacted, for the exit report', async () => {
    const { clock, children, spawn } = harness();
    const proc = superviseProcess({
      name: 'ffmpeg',
      command: 'ffmpeg',
      args: [],
      spawn,
      clock,
      redact: (l) => l.replace(/key=\w+/, 'key=[redacted]'),
    });
    await tick();
    children[0]!.stderr.write('rtmp://h/live/c?key=secret: Connection refused\npartial');
    await tick();
    children[0]!.crash(1);
    expect(proc.snapshot().lastExit).toMatchObject({ code: 1, stderrTail: ['rtmp://h/live/c?key=[redacted]: Connection refused'] });
    await proc.stop();
  });
});
