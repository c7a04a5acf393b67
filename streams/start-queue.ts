// Starts that arrive in a burst — every camera of a node reconnecting at once after a restart, a network blip or a
// takeover — are let through a few at a time, each after a short random pause. Spawning 200 ffmpeg processes in the
// same second blocks the event loop (each spawn forks the server process) while the media server must answer those
// same cameras' publish checks; the jitter keeps the sources (RTSP cameras) from being asked all at the same instant.
import pLimit from 'p-limit';

export interface StartQueueOptions {
  /** How many starts run at the same time. */
  concurrency: number;
  /** Each start waits a random 0..jitterMs first (0: none). */
  jitterMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type StartQueue = <T>(start: () => T | Promise<T>) => Promise<T>;

export function startQueue(o: StartQueueOptions): StartQueue {
  const limit = pLimit(o.concurrency);
  const random = o.random ?? Math.random;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return (start) => limit(async () => {
    if (o.jitterMs) await sleep(Math.floor(random() * o.jitterMs));
    return start();
  });
}
