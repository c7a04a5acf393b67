// The cluster's coordination on a real PostgreSQL, in one process: a job runs on one holder of its lease and moves
// when that holder stops beating; a second process with the same NODE_ID is refused; cameras without a live owner
// are claimed up to each node's fair share, never twice, and a live node's cameras are never taken.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.js';
import { createLogger } from '../../server/log.js';
import { EventBus } from '../../server/events.js';
import { Leases } from '../../server/cluster/leases.js';
import { NodeMembership } from '../../server/cluster/node.js';
import { CameraOwnership } from '../../server/cluster/ownership.js';
import { StartError } from '../../server/errors.js';
import { noteDownNodes } from '../../server/cluster/store.js';

const log = createLogger('silent');
let db: Awaited<ReturnType<typeof freshDatabase>>;
const stops: Array<() => Promise<void>> = [];
const address = (id: string) => ({ id, apiUrl: 'http://127.0.0.1:1', mediaHost: null, rtmpPort: 1935, flvPorts: [8000] });

async function node(id: string, ttl = 2): Promise<NodeMembership> {
  const n = new NodeMembership(db.sql, log, address(id), ttl, 200);
  await n.join();
  stops.push(() => n.stop());
  return n;
}

beforeAll(async () => {
  db = await freshDatabase();
  await db.sql`insert into municipalities (id, name) values ('enschede', 'Enschede') on conflict do nothing`;
});
// Each test's nodes and leases end with it: a node still beating counts as live in the next test's fair shares.
afterEach(async () => { for (const s of stops.splice(0).reverse()) await s().catch(() => {}); });
afterAll(async () => { await db?.drop(); });

describe('cluster coordination', () => {
  it('runs a job on one holder of its lease; when the holder stops renewing, another takes it within the lease time', async () => {
    const [a, b] = [await node('lease-a'), await node('lease-b')];
    const running: string[] = [];
    const job = (who: string) => () => { running.push(who); return { stop: async () => { running.splice(running.indexOf(who), 1); } }; };
    const la = new Leases(db.sql, log, { instance: a.instance, nodeId: a.id }, 2, 100);
    const lb = new Leases(db.sql, log, { instance: b.instance, nodeId: b.id }, 2, 100);
    stops.push(() => lb.stop());
    await la.runExclusive('test.job', job('a'));
    await lb.runExclusive('test.job', job('b'));
    await new Promise((r) => setTimeout(r, 500));
    expect(running).toEqual(['a']);
    expect(lb.held()).toEqual([]);
    // a's process "dies": its timer stops, nothing is released.
    clearInterval((la as unknown as { timer: NodeJS.Timeout }).timer);
    const t0 = Date.now();
    while (!running.includes('b') && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(running).toContain('b');
    expect(Date.now() - t0).toBeLessThan(3500);
    // A clean stop lets go at once.
    running.length = 0;
    await lb.stop();
    const lc = new Leases(db.sql, log, { instance: 'c0000000-0000-4000-8000-000000000000', nodeId: 'lease-c' }, 2, 100);
    stops.push(() => lc.stop());
    await lc.runExclusive('test.job', job('c'));
    expect(running).toEqual(['c']);
  });

  it('refuses a second running process with the same NODE_ID', { timeout: 15_000 }, async () => {
    await node('twin');
    const twin = new NodeMembership(db.sql, log, address('twin'), 2, 200);
    await expect(twin.join()).rejects.toThrow(StartError);
    await expect(twin.join()).rejects.toThrow(/NODE_ID twin is in use by another running node/);
  });

  it('a node that stalled past its lease and was noted down announces itself again when it beats', { timeout: 15_000 }, async () => {
    let revived = 0;
    const n = new NodeMembership(db.sql, log, address('stall'), 2, 200, () => { revived++; });
    await n.join();
    stops.push(() => n.stop());
    const internals = n as unknown as { timer: NodeJS.Timeout; beat(): Promise<void> };
    clearInterval(internals.timer); // the stall: no heartbeats
    await new Promise((r) => setTimeout(r, 2300));
    expect(await noteDownNodes(db.sql)).toContain('stall');
    expect(await noteDownNodes(db.sql)).not.toContain('stall'); // noted once
    await internals.beat();
    expect(revived).toBe(1);
    await internals.beat();
    expect(revived).toBe(1);
  });

  it('claims unowned RTSP cameras up to a fair share, never one camera twice, and never a live node\'s', async () => {
    for (let i = 0; i < 5; i++) {
      await db.sql`insert into cameras (id, name, municipality_id, street, lat, lon, kind, source_type, rtsp_url)
        values (${`own-${i}`}, ${`Own ${i}`}, 'enschede', 'Markt', 52, 6, 'permanent', 'rtsp', ${`rtsp://127.0.0.1/own-${i}`})`;
    }
    const [x, y] = [await node('own-x', 3), await node('own-y', 3)];
    const [ox, oy] = [new CameraOwnership(db.sql, new EventBus(), log, x, 100), new CameraOwnership(db.sql, new EventBus(), log, y, 100)];
    await ox.tick();
    await oy.tick();
    const held = async () => (await db.sql<{ node_id: string; n: number }[]>`select node_id, count(*)::int as n from camera_owners where camera_id like 'own-%' group by node_id order by node_id`).map((r) => [r.node_id, r.n]);
    expect(await held()).toEqual([['own-x', 3], ['own-y', 2]]); // ceil(5/2) = 3 for the first to tick
    // A third node joins: it gets nothing (moving cameras to it is the admin's rebalance).
    const z = await node('own-z', 3);
    const oz = new CameraOwnership(db.sql, new EventBus(), log, z, 100);
    await oz.tick();
    expect((await held()).map(([n]) => n)).not.toContain('own-z');
    // y stops: its cameras go to the live nodes at their next tick (z's fair share is ceil(5/2) = 3).
    await y.stop();
    await Promise.all([ox.tick(), oz.tick()]);
    const after = Object.fromEntries(await held());
    expect(after['own-y']).toBeUndefined();
    expect(after['own-x']! + after['own-z']!).toBe(5);
    expect(after['own-x']).toBe(3);
  });
});
