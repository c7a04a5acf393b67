// The admin's rebalance: the fewest moves that leave every live node within one camera of the others.
import { describe, expect, it } from 'vitest';
import { planRebalance } from '../../server/cluster/ownership.js';

const cams = (spec: Record<string, number>, loose = 0) => [
  ...Object.entries(spec).flatMap(([node, n]) => Array.from({ length: n }, (_, i) => ({ cameraId: `${node}-c${i}`, nodeId: node }))),
  ...Array.from({ length: loose }, (_, i) => ({ cameraId: `loose-${i}`, nodeId: null })),
];
const counts = (c: ReturnType<typeof cams>, moved: ReturnType<typeof planRebalance>) => {
  const owner = new Map(c.map((x) => [x.cameraId, x.nodeId]));
  for (const m of moved) owner.set(m.cameraId, m.to);
  const out: Record<string, number> = {};
  for (const n of owner.values()) if (n) out[n] = (out[n] ?? 0) + 1;
  return out;
};

describe('planRebalance', () => {
  it('gives a node that joined its share, moving only what it needs', () => {
    const c = cams({ a: 6, b: 0, c: 0 });
    const moved = planRebalance(c, ['a', 'b', 'c']);
    expect(moved).toHaveLength(4);
    expect(counts(c, moved)).toEqual({ a: 2, b: 2, c: 2 });
    expect(moved.every((m) => m.from === 'a')).toBe(true);
  });

  it('moves nothing when the spread is already even (no flapping), also with a remainder', () => {
    expect(planRebalance(cams({ a: 2, b: 2, c: 2 }), ['a', 'b', 'c'])).toEqual([]);
    expect(planRebalance(cams({ a: 3, b: 2 }), ['a', 'b'])).toEqual([]);
    expect(planRebalance(cams({ a: 2, b: 3 }), ['a', 'b'])).toEqual([]);
  });

  it('places cameras of nodes that are not live, and is the same plan every time', () => {
    const c = [...cams({ a: 1, b: 1 }), { cameraId: 'x1', nodeId: 'gone' }, { cameraId: 'x2', nodeId: null }];
    const moved = planRebalance(c, ['a', 'b']);
    expect(moved.map((m) => m.cameraId).sort()).toEqual(['x1', 'x2']);
    expect(counts(c.map((x) => (x.nodeId === 'gone' ? { ...x, nodeId: null } : x)), moved)).toEqual({ a: 2, b: 2 });
    expect(planRebalance(c, ['a', 'b'])).toEqual(moved);
  });

  it('with no live node there is nowhere to go', () => {
    expect(planRebalance(cams({ a: 2 }), [])).toEqual([]);
  });
});
