// Fault: the recorder's ffmpeg is killed with SIGKILL (an OOM kill, a crash), four times in a row, each run ~6 s
// old, while the camera keeps streaming. Measured per kill: how much of the recording is missing from the index
// (from the end of the killed run's last segment, salvaged from .incoming, to the start of the next run's first
// segment), and when recording resumed. Nothing the killed run had indexed may go, and each gap must stay under 5 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera, publishTo } from '../support/cameras.js';
import { segments } from '../support/evidence.js';

const CAM = 'fault-rec';
let room: TestRoom;
let supervisor: ApiClient;
const publishers: Publisher[] = [];

beforeAll(async () => {
  room = await startTestRoom({ SEGMENT_SECONDS: '2' });
  const admin = await new ApiClient(room.url).login('admin');
  supervisor = await new ApiClient(room.url).login('supervisor');
  publishTo(publishers, room, CAM, await createRtmpCamera(admin, CAM));
  await waitFor('3 recorded segments', async () => (await segments(room, CAM)).length >= 3, 20_000, 200);
});
afterAll(async () => { await Promise.all(publishers.map((p) => p.stop())); await room?.close(); });

describe('the recorder\'s ffmpeg killed (kill -9), four times in a row', () => {
  it('resumes within 5 s each time, the gap in the recording under 5 s, every indexed segment kept', async () => {
    const figures: Array<{ kill: number; recorderBackMs: number; gapMs: number; resumedAfterKillMs: number; salvagedEndBeforeKillMs: number }> = [];
    for (let kill = 1; kill <= 4; kill++) {
      const [status] = (await room.recorder!.statuses()).filter((s) => s.cameraId === CAM);
      expect(status!.state).toBe('running');
      const runId = status!.runId!;
      // The run is ~6 s old (it recorded, as a real recorder does between two crashes) and into a segment, so the
      // kill leaves a half-written one in .incoming.
      const [first] = await waitFor(`run ${kill} has a closed segment`, async () => {
        const rows = await room.sql`select started_at from recording_segments where run_id = ${runId} order by seq limit 1`;
        return rows.length ? rows : null;
      }, 10_000, 100);
      await new Promise((r) => setTimeout(r, Math.max(1000, first!.started_at.getTime() + 6000 - Date.now())));
      const indexed = (await segments(room, CAM)).map((s) => String(s.id));
      const killedAt = Date.now();
      process.kill(status!.pid!, 'SIGKILL');
      // The recorder's own view: a new ffmpeg running (a new run) after the kill.
      await waitFor(`a new recorder run after kill ${kill}`, async () => {
        const [s] = (await room.recorder!.statuses()).filter((x) => x.cameraId === CAM);
        return s && s.runId !== runId && s.state === 'running';
      }, 15_000, 20);
      const recorderBackMs = Date.now() - killedAt;

      const next = await waitFor(`recording resumed after kill ${kill}`, async () => {
        const [s] = await room.sql`select * from recording_segments where camera_id = ${CAM} and run_id <> ${runId} and started_at > ${new Date(killedAt - 5000)} order by started_at limit 1`;
        return s;
      }, 15_000, 100);
      const [last] = await room.sql`select * from recording_segments where run_id = ${runId} order by seq desc limit 1`;
      const f = {
        kill, recorderBackMs,
        gapMs: next.started_at.getTime() - last!.ended_at.getTime(),
        resumedAfterKillMs: next.started_at.getTime() - killedAt,
        salvagedEndBeforeKillMs: killedAt - last!.ended_at.getTime(),
      };
      figures.push(f);

      // Nothing indexed before the kill went, and every indexed file is on disk.
      const after = await segments(room, CAM);
      const ids = new Set(after.map((s) => String(s.id)));
      expect(indexed.filter((id) => !ids.has(id))).toEqual([]);
      for (const s of after) expect(existsSync(path.join(room.config.MEDIA_DIR, s.path)), s.path).toBe(true);
      expect(f.recorderBackMs, JSON.stringify(f)).toBeLessThan(5000);
      expect(f.gapMs, JSON.stringify(f)).toBeLessThan(5000);
      expect(f.resumedAfterKillMs, JSON.stringify(f)).toBeLessThan(5000);
      // What the kill cost at the end of the killed run: the salvaged segment reaches to within 2.5 s of the kill (the stream reaches the recorder ~1 s late, and a segment begun just before the kill may hold no whole frame yet).
      expect(f.salvagedEndBeforeKillMs, JSON.stringify(f)).toBeLessThan(2500);
    }
    console.log('recorder kill figures', JSON.stringify(figures));

    // What the supervisor's console shows: the recorder running again, its restarts and the last error.
    const st = await supervisor.get('/api/recordings/status');
    expect(st.status).toBe(200);
    const cam = st.body.cameras.find((c: { cameraId: string }) => c.cameraId === CAM);
    expect(cam).toMatchObject({ state: 'running', restarts: 4, lastError: 'exit SIGKILL' });
  }, 120_000);
});
