// Folding a camera's repeated publish refusals: the first at once, then one row per minute with the count, an
// episode ended by a quiet minute, by the camera going live or by the server stopping. Rows are only ever added.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PublishRefusals, type RefusalRow } from '../../server/live/publish-refusals.js';

const START = new Date('2026-11-27T21:00:00Z');
let rows: RefusalRow[];
let warnings: unknown[];
let refusals: PublishRefusals;

beforeEach(() => {
  vi.useFakeTimers({ now: START });
  rows = []; warnings = [];
  const log = { warn: (o: unknown) => warnings.push(o), error: () => {} } as never;
  refusals = new PublishRefusals({ log, write: async (r) => { rows.push(r); } });
});
afterEach(() => { vi.useRealTimers(); });

/** n refusals, one every `everyMs`, of one camera and reason (main and sub alternating, as a unit pushes both). */
function refuse(n: number, everyMs: number, cameraId = 'ens-flex-2', reason = 'outside-window') {
  for (let i = 0; i < n; i++) {
    refusals.refused({ cameraId, stream: i % 2 ? 'sub' : 'main', reason, remoteAddr: '127.0.0.1' });
    vi.advanceTimersByTime(everyMs);
  }
}
const total = (list: RefusalRow[]) => list.reduce((s, r) => s + (r.details.count as number), 0);

describe('folded publish refusals', () => {
  it('20 refusals within a minute: the first at once, the other 19 in one row when the minute ends', async () => {
    refuse(20, 2_900); // the last at 55.1 s
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({ subject: 'ens-flex-2', remoteAddr: '127.0.0.1', details: { reason: 'outside-window', stream: 'main', count: 1 } });
    await vi.advanceTimersByTimeAsync(5_000); // the minute after the first refusal ends
    expect(rows).toHaveLength(2);
    expect(rows[1]!.details).toEqual({ reason: 'outside-window', streams: ['sub', 'main'], count: 19, remoteAddrs: ['127.0.0.1'],
      firstAt: new Date(START.getTime() + 2_900).toISOString(), lastAt: new Date(START.getTime() + 19 * 2_900).toISOString() });
    expect(total(rows)).toBe(20);
    expect(warnings).toHaveLength(2);
  });

  it('a camera refused all night writes one row per minute; a quiet minute ends the episode and the next refusal is written at once', async () => {
    refuse(60, 5_000); // five minutes, every 5 s
    expect(rows).toHaveLength(6); // the first, then one per minute with the ones after it
    expect(rows.slice(1).map((r) => r.details.count)).toEqual([11, 12, 12, 12, 12]);
    expect(total(rows)).toBe(60);
    await vi.advanceTimersByTimeAsync(60_000); // a quiet minute ends the episode: nothing to write
    expect(rows).toHaveLength(6);
    refuse(1, 0);
    expect(rows).toHaveLength(7);
    expect(rows[6]!.details).toEqual({ reason: 'outside-window', stream: 'main', count: 1 });
  });

  it('going live ends the episode (its count written then); other cameras and other reasons are episodes of their own', () => {
    refuse(3, 1_000);
    refuse(2, 1_000, 'ens-flex-3');
    refuse(2, 1_000, 'ens-flex-2', 'wrong-key');
    expect(rows.map((r) => [r.subject, r.details.reason, r.details.count])).toEqual([['ens-flex-2', 'outside-window', 1], ['ens-flex-3', 'outside-window', 1], ['ens-flex-2', 'wrong-key', 1]]);
    refusals.accepted('ens-flex-2');
    expect(rows.slice(3).map((r) => [r.subject, r.details.reason, r.details.count])).toEqual([['ens-flex-2', 'outside-window', 2], ['ens-flex-2', 'wrong-key', 1]]);
    refuse(1, 0);
    expect(rows.at(-1)!.details).toEqual({ reason: 'outside-window', stream: 'main', count: 1 });
  });

  it('stopping the server writes what was counted', async () => {
    refuse(4, 1_000);
    await refusals.stop();
    expect(rows.map((r) => r.details.count)).toEqual([1, 3]);
  });
});
