// The console's pure mask helpers as data: SVG points, what is covered at a moment (lifts end by themselves at
// `until`), the corners as text and back.
import { describe, expect, it } from 'vitest';
import type { CameraMasks } from '../../server/masks/schema';
import { coverAt, formatPoints, movePoint, newMaskId, nextLiftEnd, parsePoints, pointIn, svgPoints } from '../../client/src/masks/geometry';

const T0 = Date.parse('2026-06-12T21:00:00Z');
const masks: CameraMasks = {
  current: {
    cameraId: 'ens-oude-markt', version: 3, validFrom: '2026-06-01T10:00:00Z', changedBy: 'beheer', changeReason: 'cameraplan 2026',
    masks: [
      { id: 'tuin', kind: 'permanent', reason: 'voortuin', points: [[0, 0], [0.25, 0], [0.25, 0.5]] },
      { id: 'terras', kind: 'liftable', reason: 'terras café', points: [[0.5, 0.5], [1, 0.5], [1, 1], [0.5, 1]] },
      { id: 'winkel', kind: 'liftable', reason: 'etalage', points: [[0.1, 0.9], [0.2, 0.9], [0.2, 1]] },
    ],
  },
  lifts: [
    { id: 'l1', cameraId: 'ens-oude-markt', maskIds: ['terras', 'tuin'], reason: 'incident 12', liftedBy: 'supervisor',
      liftedAt: '2026-06-12T20:50:00Z', until: '2026-06-12T21:10:00Z', endedAt: null },
  ],
};

describe('mask geometry for the console', () => {
  it('normalised points become SVG user units at each picture size', () => {
    const p = [[0, 0], [0.25, 0.5], [1, 1]] as const;
    expect(svgPoints(p, 1920, 1080)).toBe('0,0 480,540 1920,1080');
    expect(svgPoints(p, 1280, 720)).toBe('0,0 320,360 1280,720');
    expect(svgPoints(p, 640, 360)).toBe('0,0 160,180 640,360');
    expect(svgPoints([[1 / 3, 2 / 3]], 1, 1)).toBe('0.33333,0.66667');
  });

  it('covers permanent masks always, liftable masks unless a lift is in force, and again once it ends', () => {
    const during = coverAt(masks, T0);
    // A lift naming a permanent mask never uncovers it.
    expect(during.covered.map((m) => m.id)).toEqual(['tuin', 'winkel']);
    expect(during.lifted.map((m) => m.id)).toEqual(['terras']);
    expect(during.lifts.map((l) => l.id)).toEqual(['l1']);
    expect(nextLiftEnd(masks, T0)).toBe(Date.parse('2026-06-12T21:10:00Z'));

    const after = coverAt(masks, Date.parse('2026-06-12T21:10:00Z'));
    expect(after.covered.map((m) => m.id)).toEqual(['tuin', 'terras', 'winkel']);
    expect(after.lifted).toEqual([]);
    expect(nextLiftEnd(masks, Date.parse('2026-06-12T21:10:00Z'))).toBeNull();

    const ended = coverAt({ ...masks, lifts: [{ ...masks.lifts[0]!, endedAt: '2026-06-12T20:55:00Z' }] }, T0);
    expect(ended.covered).toHaveLength(3);
  });

  it('writes corners as percentages and reads them back (comma or dot), refusing what is not a corner', () => {
    const pts: Array<[number, number]> = [[0.1, 0.2], [0.405, 0.2], [0.4, 0.6]];
    expect(formatPoints(pts)).toBe('10 20; 40.5 20; 40 60');
    expect(parsePoints('10 20; 40,5 20; 40 60')).toEqual(pts);
    expect(parsePoints(' 0 0 ;100 100; ')).toEqual([[0, 0], [1, 1]]);
    for (const bad of ['10 20; 40', '10 20 30', 'a b', '101 0', '-1 5']) expect(parsePoints(bad), bad).toBeNull();
  });

  it('new ids are unique and valid; keyboard and pointer points stay inside the picture', () => {
    expect(newMaskId([])).toBe('mask-1');
    expect(newMaskId(['mask-1', 'mask-3', 'tuin'])).toBe('mask-2');
    expect(movePoint([0.995, 0.5], 0.01, 0)).toEqual([1, 0.5]);
    expect(movePoint([0.5, 0.004], 0, -0.01)).toEqual([0.5, 0]);
    expect(pointIn({ left: 100, top: 50, width: 800, height: 450 }, 300, 275)).toEqual([0.25, 0.5]);
    expect(pointIn({ left: 100, top: 50, width: 800, height: 450 }, 50, 600)).toEqual([0, 1]);
  });
});
