// A refused camera retries every few seconds: its refusals are folded (one row at once, the rest counted), in the
// audit trail and in the log, through the real media server, ffmpeg publishers and PostgreSQL. And the demo's
// flexible units push only inside their windows, so they are never refused at all.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera, rtmpUrl } from '../support/cameras.js';

const rooms: TestRoom[] = [];
const publishers: Publisher[] = [];
const dirs: string[] = [];
// One media server per process (node-media-server's global state): each test's room is closed after it.
afterEach(async () => {
  await Promise.all(publishers.splice(0).map((p) => p.stop()));
  for (const r of rooms.splice(0)) await r.close();
});
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A logger that keeps its lines for the test (warnings and up). */
function capturedLog() {
  const lines: Array<{ level: number; msg: string; cameraId?: string; count?: number }> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => { lines.push(JSON.parse(line)); } });
  return { log, lines };
}

const refusalRows = (room: TestRoom, cameraId: string) => room.sql<{ at: Date; details: { reason: string; count: number; firstAt?: string; lastAt?: string } }[]>`
  select at, details from audit_log where action = 'live.publish_refused' and subject = ${cameraId} order by id`;

describe('folded publish refusals', () => {
  it('a camera refused 20 times in a minute makes 2 audit rows and 2 warnings: the first at once, the other 19 counted in one', async () => {
    const { log, lines } = capturedLog();
    const room = await startTestRoom({}, { log });
    rooms.push(room);
    const admin = await new ApiClient(room.url).login('admin');
    const key = await createRtmpCamera(admin, 'fold-cam');
    let seen = 0;
    room.media.events.on('rejected', (e) => { if (e.cameraId === 'fold-cam') seen += 1; });

    // 20 tries with a wrong key, two at a time, as a misconfigured camera retrying.
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      const pair = [publishTestPattern(rtmpUrl(room, 'fold-cam', 'not-the-key'), '64x36'), publishTestPattern(rtmpUrl(room, 'fold-cam', 'not-the-key'), '64x36')];
      publishers.push(...pair);
      await Promise.all(pair.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 8000))])));
    }
    await waitFor('20 refusals at the media server', () => seen === 20);
    const tookMs = Date.now() - started;
    expect(tookMs, 'the 20 tries must fall inside one minute for this test').toBeLessThan(60_000);

    // While the episode runs: only its first refusal is written.
    const during = await refusalRows(room, 'fold-cam');
    expect(during.map((r) => r.details)).toEqual([{ reason: 'wrong-key', stream: 'main', count: 1 }]);

    // The camera goes live with its key: the episode ends and its count is written.
    publishers.push(publishTestPattern(rtmpUrl(room, 'fold-cam', key), '64x36'));
    await waitFor('online', () => room.board.get('fold-cam').online, 15_000);
    const rows = await waitFor('the folded row', async () => { const r = await refusalRows(room, 'fold-cam'); return r.length === 2 && r; });
    expect(rows[1]!.details).toMatchObject({ reason: 'wrong-key', streams: ['main'], count: 19, remoteAddrs: ['127.0.0.1'] });
    const { firstAt, lastAt } = rows[1]!.details;
    // The folded refusals' times: after the first try started, in order, inside the minute of the tries.
    expect(new Date(firstAt!).getTime()).toBeGreaterThanOrEqual(started);
    expect(new Date(lastAt!).getTime()).toBeGreaterThan(new Date(firstAt!).getTime());
    expect(new Date(lastAt!).getTime()).toBeLessThanOrEqual(started + tookMs);
    expect(rows.reduce((s, r) => s + r.details.count, 0)).toBe(20);

    // The log folds the same way: two warnings about this camera, not forty.
    const warnings = lines.filter((l) => l.level === 40 && l.cameraId === 'fold-cam');
    expect(warnings.map((w) => w.count ?? 1)).toEqual([1, 19]);
    // Still one intact, append-only chain.
    expect((await admin.get('/api/audit/verify')).body.ok).toBe(true);
  }, 120_000);
});

describe('demo flexible units', () => {
  it('push only inside their windows: no refusal rows outside them, none when a window opens or ends', async () => {
    // The demo with only its three flexible units (less to encode); unit 1's seeded event runs now, 2 and 3 have none.
    const configDir = mkdtempSync(path.join(tmpdir(), 'uitkijk-config-'));
    dirs.push(configDir);
    cpSync(path.resolve(import.meta.dirname, '../../config'), configDir, { recursive: true });
    const demo = JSON.parse(readFileSync(path.join(configDir, 'demo.json'), 'utf8'));
    demo.cameras = demo.cameras.filter((c: { kind: string }) => c.kind === 'flexible');
    expect(demo.cameras.map((c: { id: string }) => c.id)).toEqual(['ens-flex-1', 'ens-flex-2', 'ens-flex-3']);
    writeFileSync(path.join(configDir, 'demo.json'), JSON.stringify(demo));
    const room = await startTestRoom({ DEMO_CAMERAS: 'true', DEMO_RTSP_PORT: '0' }, { configDir });
    rooms.push(room);
    const refused = async () => (await room.sql`select subject, details from audit_log where action = 'live.publish_refused'`).map((r) => r.subject);

    await waitFor('unit 1 live in its window', () => room.board.get('ens-flex-1').online, 90_000, 250);
    await room.demoCameras!.ready;
    await new Promise((r) => setTimeout(r, 8000)); // a unit pushing outside its window is refused within seconds
    expect(await refused()).toEqual([]);
    expect(room.board.get('ens-flex-2').online).toBe(false);

    // Unit 2 is assigned to the running event: it starts with its window, accepted at once.
    const [live] = await room.sql`select booking_id from booking_units where camera_id = 'ens-flex-1'`;
    await room.sql`insert into booking_units (booking_id, window_id, camera_id, period)
      select booking_id, id, 'ens-flex-2', period from booking_windows where booking_id = ${live!.booking_id}`;
    await room.activation.tick();
    await waitFor('unit 2 live', () => room.board.get('ens-flex-2').online, 90_000, 250);

    // Its assignment ends (the window is over for it): it is cut and stops pushing, so nothing is refused after.
    await room.sql`delete from booking_units where camera_id = 'ens-flex-2'`;
    await room.activation.tick();
    await waitFor('unit 2 offline', () => !room.board.get('ens-flex-2').online, 15_000);
    await new Promise((r) => setTimeout(r, 8000));
    expect(await refused()).toEqual([]);
    expect(room.board.get('ens-flex-1').online).toBe(true);
  }, 240_000);
});
