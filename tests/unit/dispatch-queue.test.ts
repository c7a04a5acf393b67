// The dispatch console's open-alert list is kept incrementally (sorted insert into chunks). It must always equal a
// full sort of the open alerts, whatever order messages come in, and leave unchanged chunks as the same objects.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../server/dispatch/schema.js';
import { OpenAlerts, queueOrder } from '../../client/src/dispatch/useDispatchQueue.js';

const statuses = ['raised', 'acknowledged', 'unit_sent', 'on_scene', 'closed'] as const;
function seeded(seed: number) { return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31); }

describe('open alerts in queue order', () => {
  it('equals a full sort after any sequence of new, changed and closed alerts', () => {
    for (let run = 0; run < 50; run++) {
      const rnd = seeded(run + 1);
      const list = new OpenAlerts();
      const truth = new Map<string, Alert>();
      for (let step = 0; step < 300; step++) {
        const id = `a${Math.floor(rnd() * 120)}`;
        const before = truth.get(id);
        const after = {
          id, priority: before?.priority ?? 1 + Math.floor(rnd() * 3),
          raisedAt: before?.raisedAt ?? new Date(1_800_000_000_000 + Math.floor(rnd() * 1e6)).toISOString(),
          status: statuses[Math.floor(rnd() * statuses.length)]!,
        } as Alert;
        list.replace(before, after);
        if (after.status === 'closed') truth.delete(id); else truth.set(id, after);
      }
      const got = list.snapshot().flatMap((c) => c.items.map((a) => a.id));
      expect(got).toEqual([...truth.values()].sort(queueOrder).map((a) => a.id));
      expect(list.size).toBe(truth.size);
      expect(list.unacknowledged).toBe([...truth.values()].filter((a) => a.status === 'raised').length);
    }
  });

  it('changes only the chunk an alert lands in', () => {
    const list = new OpenAlerts();
    const alert = (i: number, priority: number) => ({ id: `x${i}`, priority, raisedAt: new Date(1_800_000_000_000 + i * 1000).toISOString(), status: 'raised' } as Alert);
    for (let i = 0; i < 200; i++) list.replace(undefined, alert(i, 1 + (i % 3)));
    const before = list.snapshot();
    list.replace(undefined, alert(500, 3));
    const after = list.snapshot();
    const changed = after.filter((c) => !before.includes(c));
    expect(changed).toHaveLength(1);
    expect(changed[0]!.items.some((a) => a.id === 'x500')).toBe(true);
  });
});
