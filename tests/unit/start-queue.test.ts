import { describe, expect, it } from 'vitest';
import { startQueue } from '../../streams/start-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('the start queue (reconnect storms)', () => {
  it('runs at most `concurrency` starts at a time, and every start runs once, in arrival order', async () => {
    const queue = startQueue({ concurrency: 4 });
    let running = 0, most = 0;
    const order: number[] = [];
    const starts = Array.from({ length: 50 }, (_, i) => queue(async () => {
      order.push(i);
      most = Math.max(most, ++running);
      await tick();
      running--;
      return i * 2;
    }));
    expect(await Promise.all(starts)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(most).toBe(4);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('a start that fails frees its place and fails only its own caller', async () => {
    const queue = startQueue({ concurrency: 1 });
    const bad = queue(async () => { throw new Error('ffmpeg did not start'); });
    const good = queue(() => 'started');
    await expect(bad).rejects.toThrow('ffmpeg did not start');
    expect(await good).toBe('started');
  });

  it('each start waits its random share of the jitter first, inside its place', async () => {
    const slept: number[] = [];
    const randoms = [0, 0.5, 0.999];
    const queue = startQueue({ concurrency: 2, jitterMs: 1000, random: () => randoms.shift()!, sleep: async (ms) => { slept.push(ms); } });
    await Promise.all([queue(() => 1), queue(() => 2), queue(() => 3)]);
    expect(slept).toEqual([0, 500, 999]);
  });
});
