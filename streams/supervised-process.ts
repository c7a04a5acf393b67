// Keeps one child process (an ffmpeg) alive: restarts it after it exits, waiting 1 s, 2 s, 4 s … up to
// 30 s between attempts, and back to 1 s once a run has lasted long enough to count as healthy.
// Spawn and clock are injectable so the backoff sequence is unit-tested without real time or processes.
import { spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createEmitter, silentLog, type StreamsLog, type TypedEmitter } from './typed-emitter.js';

export type SupervisedState = 'starting' | 'running' | 'backoff' | 'stopped';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A run at least this long resets the delay to initialMs. */
  healthyAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, healthyAfterMs: 30_000 };

/** The delay before the next start and the delay after that. Pure. */
export function backoffStep(policy: BackoffPolicy, currentDelayMs: number, ranMs: number): { waitMs: number; nextDelayMs: number } {
  const base = ranMs >= policy.healthyAfterMs ? policy.initialMs : currentDelayMs;
  const waitMs = Math.min(base, policy.maxMs);
  return { waitMs, nextDelayMs: Math.min(waitMs * 2, policy.maxMs) };
}

/** The parts of a ChildProcess the supervisor uses (a fake in unit tests). */
export interface ChildLike {
  readonly pid?: number | undefined;
  readonly stderr: Readable | null;
  readonly stdout?: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: 'spawn', listener: () => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildLike;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ProcessExit {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: string;
  ranMs: number;
  at: Date;
  /** Last stderr lines, the usual explanation of an ffmpeg exit. */
  stderrTail: string[];
}

export interface SupervisedSnapshot {
  name: string;
  state: SupervisedState;
  pid: number | null;
  /** Starts after the first one. */
  restarts: number;
  lastExit: ProcessExit | null;
  nextStartAt: Date | null;
}

export interface SupervisedEvents {
  state: { name: string; state: SupervisedState; previous: SupervisedState };
  spawn: { name: string; pid: number };
  exit: { name: string } & ProcessExit;
  stderr: { name: string; line: string };
}

export interface SupervisedProcessOptions {
  name: string;
  command: string;
  /** A function is called again for each start (e.g. to pick up a new port). */
  args: readonly string[] | (() => readonly string[]);
  env?: NodeJS.ProcessEnv;
  backoff?: Partial<BackoffPolicy>;
  /** After SIGTERM, wait this long before SIGKILL. */
  stopTimeoutMs?: number;
  log?: StreamsLog;
  /** Applied to stderr lines before they are kept or logged (hide keys in URLs). */
  redact?: (line: string) => string;
  stderrTailLines?: number;
  spawn?: SpawnFn;
  clock?: Clock;
  /**
   * When given, the child's stdout is piped and each line handed here with the number of the start it came
   * from (0 for the first, then 1, 2 … as in `restarts`), so late output of an old child is never taken for the new one's.
   */
  onStdoutLine?: (line: string, start: number) => void;
  /** Called once the stdout of that start has ended (after its last line; 'exit' may come before it). */
  onStdoutEnd?: (start: number) => void;
}

export interface SupervisedProcess {
  readonly name: string;
  readonly events: TypedEmitter<SupervisedEvents>;
  snapshot(): SupervisedSnapshot;
  /** Kills the child (SIGTERM, then SIGKILL) and stops restarting; resolves when it has exited. */
  stop(): Promise<void>;
}

export function superviseProcess(opts: SupervisedProcessOptions): SupervisedProcess {
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...opts.backoff };
  const clock = opts.clock ?? realClock;
  const spawnFn: SpawnFn = opts.spawn ?? ((cmd, args, o) => nodeSpawn(cmd, [...args], o));
  const log = opts.log ?? silentLog;
  const redact = opts.redact ?? ((l: string) => l);
  const tailSize = opts.stderrTailLines ?? 20;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 3_000;
  const events = createEmitter<SupervisedEvents>();

  let state: SupervisedState = 'starting';
  let child: ChildLike | null = null;
  let childExited: Promise<void> = Promise.resolve();
  let delayMs = policy.initialMs;
  let restarts = 0;
  let lastExit: ProcessExit | null = null;
  let nextStartAt: number | null = null;
  let backoffTimer: unknown = null;
  let stopping: Promise<void> | null = null;

  const setState = (next: SupervisedState) => {
    if (next === state) return;
    const previous = state;
    state = next;
    events.emit('state', { name: opts.name, state: next, previous });
  };

  const launch = () => {
    nextStartAt = null;
    setState('starting');
    const startedAt = clock.now();
    const tail: string[] = [];
    let finished = false;
    let resolveExited!: () => void;
    childExited = new Promise<void>((r) => (resolveExited = r));

    const finish = (code: number | null, signal: string | null, error?: string) => {
      if (finished) return;
      finished = true;
      child = null;
      onExit({ code, signal, error, ranMs: clock.now() - startedAt, at: new Date(), stderrTail: [...tail] });
      resolveExited();
    };

    let spawned: ChildLike;
    try {
      const args = typeof opts.args === 'function' ? opts.args() : opts.args;
      spawned = spawnFn(opts.command, args, { stdio: ['ignore', opts.onStdoutLine ? 'pipe' : 'ignore', 'pipe'], env: opts.env ?? process.env });
    } catch (err) {
      finish(null, null, err instanceof Error ? err.message : String(err));
      return;
    }
    child = spawned;
    spawned.once('spawn', () => {
      if (child === spawned && !stopping) setState('running');
      if (spawned.pid !== undefined) events.emit('spawn', { name: opts.name, pid: spawned.pid });
    });
    spawned.once('error', (err) => {
      // A failed spawn has no pid and may never emit 'exit'; a failed kill() of a live child is not an exit.
      if (spawned.pid === undefined) finish(null, null, err.message);
      else log.warn({ process: opts.name, err: err.message }, 'child process error');
    });
    spawned.once('exit', (code, signal) => finish(code, signal));
    const onLine = opts.onStdoutLine;
    if (onLine && spawned.stdout) {
      const start = restarts;
      let partial = '';
      spawned.stdout.setEncoding('utf8');
      spawned.stdout.on('data', (chunk: string) => {
        const lines = (partial + chunk).split(/\r?\n/);
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) onLine(line, start);
      });
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        if (partial.trim()) onLine(partial, start);
        partial = '';
        opts.onStdoutEnd?.(start);
      };
      spawned.stdout.on('end', end);
      spawned.stdout.on('close', end);
      spawned.stdout.on('error', () => {});
    }
    if (spawned.stderr) {
      let partial = '';
      spawned.stderr.setEncoding('utf8');
      spawned.stderr.on('data', (chunk: string) => {
        const lines = (partial + chunk).split(/\r?\n|\r/);
        partial = lines.pop() ?? '';
        if (partial.length > 4096) partial = partial.slice(-4096);
        for (const raw of lines) {
          const line = redact(raw.trim());
          if (!line) continue;
          tail.push(line);
          if (tail.length > tailSize) tail.shift();
          events.emit('stderr', { name: opts.name, line });
        }
      });
      spawned.stderr.on('error', () => {});
    }
  };

  const onExit = (exit: ProcessExit) => {
    lastExit = exit;
    events.emit('exit', { name: opts.name, ...exit });
    if (stopping) {
      setState('stopped');
      return;
    }
    const step = backoffStep(policy, delayMs, exit.ranMs);
    delayMs = step.nextDelayMs;
    nextStartAt = clock.now() + step.waitMs;
    setState('backoff');
    log.warn(
      { process: opts.name, code: exit.code, signal: exit.signal, error: exit.error, ranMs: exit.ranMs, retryInMs: step.waitMs, stderr: exit.stderrTail.slice(-3) },
      'supervised process exited; restarting after backoff',
    );
    backoffTimer = clock.setTimeout(() => {
      backoffTimer = null;
      if (stopping) return;
      restarts += 1;
      launch();
    }, step.waitMs);
  };

  const stop = (): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (backoffTimer !== null) {
        clock.clearTimeout(backoffTimer);
        backoffTimer = null;
      }
      nextStartAt = null;
      const running = child;
      if (running) {
        const exited = childExited;
        running.kill('SIGTERM');
        let killTimer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          exited.then(() => false),
          new Promise<boolean>((r) => (killTimer = setTimeout(() => r(true), stopTimeoutMs))),
        ]);
        clearTimeout(killTimer);
        if (timedOut) {
          running.kill('SIGKILL');
          await exited;
        }
      }
      setState('stopped');
    })();
    return stopping;
  };

  launch();

  return {
    name: opts.name,
    events,
    snapshot: () => ({
      name: opts.name,
      state,
      pid: child?.pid ?? null,
      restarts,
      lastExit,
      nextStartAt: nextStartAt === null ? null : new Date(nextStartAt),
    }),
    stop,
  };
}
