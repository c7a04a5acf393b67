// The room's nodes in the console (issue #14), in real Chromium against the real server: one node ('node-1') that
// holds every camera and runs every job. The admin sees it, rebalances (nothing moves with one node) and reads an
// RTMP camera's push address in the camera registry; a second node is simulated by its row in PostgreSQL (a node is
// nothing more to the others: its heartbeat lease), to move a camera there and to see it go down. The supervisor
// reads the same view without its buttons; the observer does not get it, and the API refuses it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seriousViolations } from '../support/axe';
import { Consoles, launchBrowser, shot } from '../support/browser';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room';

let room: TestRoom;
let browser: Browser;
// The smallest screen the room supports: everything the admin needs must be above its fold.
const VIEWPORT = { width: 1280, height: 800 };
const consoles = new Consoles(() => browser, () => room.url, { viewport: VIEWPORT });

beforeAll(async () => {
  [room, browser] = await Promise.all([startTestRoom({ SERVE_CLIENT: 'true' }), launchBrowser()]);
}, 180_000);

afterEach(async () => {
  expect(await consoles.closeAll(), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await room?.close();
});

const JOBS = ['dispatch.outbox', 'dispatch.escalation', 'evidence.clips', 'bookings.activation', 'recordings.retention@node-1'];

async function openNodes(page: Page) {
  await page.getByTestId('nav-nodes').click();
  await page.getByRole('heading', { level: 1, name: 'Knooppunten' }).waitFor();
  await page.getByTestId('cluster-node-node-1').waitFor();
}

/** The element ends above the fold of the 1280×800 screen (without scrolling). */
async function aboveTheFold(page: Page, testId: string) {
  const box = await page.getByTestId(testId).boundingBox();
  expect(box, testId).not.toBeNull();
  expect(box!.y + box!.height, `${testId} ends below the fold`).toBeLessThanOrEqual(VIEWPORT.height);
}

describe('nodes view', () => {
  it('admin: this node alive with every camera and every job; rebalance with one node moves nothing, and says so', async () => {
    const [{ cameras }] = await room.sql<{ cameras: number }[]>`select count(*)::int as cameras from cameras`;
    const page = await consoles.loginAs('admin');
    await openNodes(page);
    const node = page.getByTestId('cluster-node-node-1');
    await expect.poll(() => node.getByTestId('node-state').innerText()).toBe('Actief');
    await expect.poll(() => node.getByTestId('node-cameras').innerText()).toBe(String(cameras));
    expect(await node.innerText()).toContain('deze console');
    expect(await node.innerText()).toMatch(/\d+ s geleden/);
    const [{ rtmp_port }] = await room.sql<{ rtmp_port: number }[]>`select rtmp_port from nodes where id = 'node-1'`;
    expect(await node.innerText()).toContain(`RTMP ${rtmp_port}`);

    // Every job is run by node-1, each named in words (the lease's own name beside it, for whoever reads the logs).
    for (const job of JOBS) {
      const row = page.getByTestId(`cluster-job-${job}`);
      await row.waitFor();
      expect(await row.getByTestId('job-node').innerText()).toBe('node-1');
    }
    expect(await page.getByTestId('cluster-job-dispatch.outbox').innerText()).toContain('Meldingen naar de meldkamer versturen');
    expect(await page.getByTestId('cluster-job-recordings.retention@node-1').innerText()).toContain('Opnames na de bewaartermijn opruimen (node-1)');

    // The cameras per node: all of them on node-1; the RTMP ones cannot move while no other node runs.
    const group = page.getByTestId('node-group-node-1');
    await expect.poll(() => group.locator('[data-testid^="node-camera-"]').count()).toBe(cameras);
    expect(await group.getByTestId('node-camera-hgl-stadhuis').innerText()).toContain('RTSP');
    expect(await group.getByTestId('node-camera-ens-oude-markt').innerText()).toContain('Oude Markt');
    expect(await page.getByTestId('node-camera-move').count()).toBe(0);

    await shot(page, 'nodes-admin');
    // One screen: the button, both tables and the last camera of the node without scrolling.
    await aboveTheFold(page, 'cluster-rebalance');
    await aboveTheFold(page, 'cluster-jobs');
    const last = await group.locator('[data-testid^="node-camera-"]').last().getAttribute('data-testid');
    await aboveTheFold(page, last!);
    expect(await seriousViolations(page)).toEqual([]);

    // Rebalance asks first; cancelling does nothing.
    await page.getByTestId('cluster-rebalance').click();
    const dialog = page.getByTestId('confirm-rebalance');
    await dialog.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const rebalances = async () => (await room.sql`select 1 from audit_log where action = 'cluster.rebalanced'`).length;
    expect(await rebalances()).toBe(0);

    await page.getByTestId('cluster-rebalance').click();
    await dialog.getByTestId('confirm').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('cluster-notice').innerText()).toBe("Niets verplaatst: de camera's waren al eerlijk verdeeld.");
    expect(await rebalances()).toBe(1);
    expect(await node.getByTestId('node-cameras').innerText()).toBe(String(cameras));
  });

  it('admin: the camera registry shows an RTMP camera\'s node and push address, in the table and in its form', async () => {
    const [{ rtmp_port }] = await room.sql<{ rtmp_port: number }[]>`select rtmp_port from nodes where id = 'node-1'`;
    const address = `rtmp://127.0.0.1:${rtmp_port}/live/ens-van-heekplein`;
    const page = await consoles.loginAs('admin');
    const row = page.getByTestId('camera-ens-van-heekplein');
    await row.waitFor();
    await expect.poll(() => row.getByTestId('camera-ingest-address').innerText()).toBe(address);
    await shot(page, 'cameras-ingest');
    expect(await row.getByTestId('camera-ingest').innerText()).toContain('op node-1');
    expect(await row.getByTestId('camera-ingest-down').count()).toBe(0);
    // An RTSP camera is pulled: no push address.
    expect(await page.getByTestId('camera-hgl-stadhuis').getByTestId('camera-ingest').count()).toBe(0);

    await row.getByRole('button', { name: /^Bewerken/ }).click();
    const form = page.getByTestId('camera-form');
    await form.waitFor();
    expect(await form.getByTestId('camera-ingest-address').innerText()).toBe(address);
    await shot(page, 'camera-form-ingest');
    expect(await seriousViolations(page)).toEqual([]);
  });

  // Three waits on the view's own refresh (every 5 s): more than the default 30 s when the machine is busy.
  it('admin: with a second node an RTMP camera moves there (select, confirm, new address); when that node goes down, the registry says so', { timeout: 90_000 }, async () => {
    // node-2 as the others see a node: a row with a heartbeat lease (an hour, so it stays alive through the test).
    await room.sql`insert into nodes (id, instance, host, pid, api_url, media_host, rtmp_port, flv_ports, expires_at)
      values ('node-2', gen_random_uuid(), 'media-2', 1, 'http://127.0.0.1:9', 'media-2.test', 19350, '{18000}', now() + interval '1 hour')`;
    try {
      const page = await consoles.loginAs('admin');
      await openNodes(page);
      await page.getByTestId('cluster-node-node-2').waitFor();
      const chip = page.getByTestId('node-group-node-1').getByTestId('node-camera-ens-oude-markt');
      // The view refreshes by itself: the move appears once node-2 is seen alive.
      await chip.getByTestId('node-camera-move').click({ timeout: 15_000 });
      const dialog = page.getByTestId('move-camera');
      await dialog.waitFor();
      expect(await dialog.getByTestId('move-camera-node').inputValue()).toBe('node-2');
      expect(await dialog.getByTestId('move-camera-address').innerText()).toBe('rtmp://media-2.test:19350/live/ens-oude-markt');
      expect(await seriousViolations(page)).toEqual([]);
      await dialog.getByTestId('confirm').click();
      await dialog.waitFor({ state: 'detached' });
      expect(await page.getByTestId('cluster-notice').innerText()).toContain('rtmp://media-2.test:19350/live/ens-oude-markt');
      await page.getByTestId('node-group-node-2').getByTestId('node-camera-ens-oude-markt').waitFor();
      await shot(page, 'nodes-two');
      const [owner] = await room.sql<{ node_id: string }[]>`select node_id from camera_owners where camera_id = 'ens-oude-markt'`;
      expect(owner!.node_id).toBe('node-2');

      // node-2's lease runs out: it shows down here, and the camera registry says the camera cannot push there now.
      await room.sql`update nodes set expires_at = now() - interval '1 second' where id = 'node-2'`;
      await expect.poll(() => page.getByTestId('cluster-node-node-2').getByTestId('node-state').innerText(), { timeout: 15_000 }).toBe('Uitgevallen');
      await page.getByTestId('nav-cameras').click();
      const row = page.getByTestId('camera-ens-oude-markt');
      await expect.poll(() => row.getByTestId('camera-ingest-down').innerText(), { timeout: 15_000 }).toBe('node-2 is uitgevallen: de camera kan daar nu niet zenden.');
      expect(await row.getByTestId('camera-ingest-address').innerText()).toBe('rtmp://media-2.test:19350/live/ens-oude-markt');
      await row.scrollIntoViewIfNeeded();
      await shot(page, 'cameras-node-down');
    } finally {
      // Back to one node for the tests after this one.
      await room.sql`update camera_owners set node_id = 'node-1' where node_id = 'node-2'`;
      await room.sql`delete from nodes where id = 'node-2'`;
    }
  });

  it('supervisor: the same view, read only (no rebalance, no move)', async () => {
    const page = await consoles.loginAs('supervisor');
    await openNodes(page);
    await expect.poll(() => page.getByTestId('cluster-node-node-1').getByTestId('node-state').innerText()).toBe('Actief');
    await page.getByTestId('cluster-job-dispatch.outbox').waitFor();
    await page.getByTestId('node-group-node-1').getByTestId('node-camera-ens-oude-markt').waitFor();
    await shot(page, 'nodes-supervisor');
    expect(await page.getByTestId('cluster-self').innerText()).toContain('Alleen inzien');
    expect(await page.getByTestId('cluster-rebalance').count()).toBe(0);
    expect(await page.getByTestId('node-camera-move').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('a move to a node that is not running, of a camera that does not exist, or with a bad node id is refused and changes nothing', async () => {
    const admin = await new ApiClient(room.url).login('admin');
    const before = await room.sql`select camera_id, node_id from camera_owners order by camera_id`;
    const move = (camera: string, nodeId: unknown) => admin.request('PUT', `/api/cluster/cameras/${camera}/node`, { nodeId });
    expect(await move('ens-oude-markt', 'node-9')).toMatchObject({ status: 409, body: { error: { code: 'node_not_live', field: 'nodeId' } } });
    expect(await move('geen-camera', 'node-1')).toMatchObject({ status: 404 });
    expect(await move('ens-oude-markt', 'Node 1')).toMatchObject({ status: 400, body: { error: { field: 'nodeId' } } });
    expect(await room.sql`select camera_id, node_id from camera_owners order by camera_id`).toEqual(before);
  });

  it('observer: no nodes view (#/nodes falls back to the wall), and GET /api/cluster answers 403', async () => {
    const page = await consoles.loginAs('observer');
    await page.getByTestId('nav-watch').waitFor();
    expect(await page.getByTestId('nav-nodes').count()).toBe(0);
    await page.goto(room.url + '/#/nodes');
    await page.getByTestId('camera-wall').waitFor();
    expect(await page.getByTestId('cluster-nodes').count()).toBe(0);

    const observer = await new ApiClient(room.url).login('observer');
    const res = await observer.get('/api/cluster');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await observer.post('/api/cluster/rebalance')).status).toBe(403);
    const supervisor = await new ApiClient(room.url).login('supervisor');
    expect((await supervisor.get('/api/cluster')).status).toBe(200);
    expect((await supervisor.post('/api/cluster/rebalance')).status).toBe(403);
  });
});
