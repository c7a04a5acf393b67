// Reconnect storm, small enough for CI (issue #18): 60 cameras arriving within 2 s — as after a restart of the room
// or a blip of the ingest network — are all accepted and online, with no refusal, while the recorder starts them
// a few at a time. Each camera is a real ffmpeg pushing a pre-encoded loop with -c copy, as a camera's encoder does.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLoop } from '../../streams/testing/fixtures.js';
import { createRtmpCamera, rtmpUrl } from '../support/cameras.js';
import { waitFor } from '../support/publisher.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import type { MediaServerEvents } from '../../streams/media-server/index.js';

const CAMERAS = 60;
let room: TestRoom;
const pushers: ChildProcess[] = [];

beforeAll(async () => { room = await startTestRoom({ RECORDING: 'on' }); });
afterAll(async () => {
  for (const p of pushers) p.kill('SIGKILL');
  await Promise.all(pushers.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null)));
  await room?.close();
});

describe('a reconnect storm', () => {
  it(`${CAMERAS} cameras arriving within 2 s are all accepted and online within 30 s, none refused, and all recorded`, async () => {
    const admin = await new ApiClient(room.url).login('admin');
    const loop = await testLoop();
    const keys: Array<[string, string]> = [];
    for (let i = 0; i < CAMERAS; i++) keys.push([`storm-${i}`, await createRtmpCamera(admin, `storm-${i}`)]);
    const refused: Array<MediaServerEvents['rejected']> = [];
    room.media.events.on('rejected', (e) => { if (e.kind === 'publish') refused.push(e); });

    const first = Date.now();
    for (const [i, [id, key]] of keys.entries()) {
      setTimeout(() => pushers.push(spawn(process.env.FFMPEG_PATH || 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', loop,
        '-c', 'copy', '-f', 'flv', rtmpUrl(room, id, key)], { stdio: 'ignore' })), (i * 2000) / CAMERAS);
    }
    await waitFor('every camera online', () => keys.every(([id]) => room.board.get(id).online), 32_000, 200);
    expect(Date.now() - first).toBeLessThan(32_000); // the last arrived at 2 s: online within 30 s of it
    expect(refused).toEqual([]);
    expect(pushers.every((p) => p.exitCode === null)).toBe(true); // none was dropped and had to try again
    // The recorder started every camera too (paced, off the publish path): each has recorded segments.
    await waitFor('a recorded segment of every camera', async () =>
      (await room.sql`select count(distinct camera_id)::int as n from recording_segments where camera_id like 'storm-%'`)[0]!.n === CAMERAS, 40_000, 500);
  });
});
