// Fault: MEDIA_DIR on a small tmpfs (mounted here, as root) that fills up while a camera records: a real ENOSPC
// for the recorder's ffmpeg. On the disk: weeks of older recordings (unpreserved), a preserved evidence clip, and
// then something else taking every free byte. Measured: how long until recording resumes, the gap in the
// recording, what was deleted (only the oldest unpreserved segments), whether any committed row or the preserved
// clip went, what the supervisor's console sees. An observer tags an incident while the disk is full.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { DiskLowAlert } from '../../server/recordings/schema.js';
import { insertSegment } from '../../server/recordings/store.js';
import { statDisk } from '../../server/recordings/files.js';
import { segmentPath } from '../../streams/recorder.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera, publishTo } from '../support/cameras.js';
import { segments, waitReady } from '../support/evidence.js';
import { committedRows, lostRows } from '../support/server-process.js';

const CAM = 'fault-disk';
const MB = 1024 * 1024;
const mediaDir = mkdtempSync(path.join(tmpdir(), 'uitkijk-fault-disk-'));
let mounted = false;
let room: TestRoom | null = null;
const publishers: Publisher[] = [];
const sockets: Socket[] = [];

beforeAll(() => {
  // A real small disk: 40 MB of tmpfs (needs root, as the test machine runs; without it this test fails, it is not skipped).
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m,mode=0755', 'tmpfs', mediaDir]);
  mounted = true;
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await Promise.all(publishers.map((p) => p.stop()));
  await room?.close();
  if (mounted) execFileSync('umount', [mediaDir]);
  rmSync(mediaDir, { recursive: true, force: true });
});

/** Writes into `file` until the disk says ENOSPC, in ever smaller pieces: afterwards not one free block is left. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [MB, 64 * 1024, 4096, 512]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try { written += writeSync(fd, chunk); } catch (e) { if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break; throw e; }
      }
    }
  } finally { closeSync(fd); }
  return written;
}

describe('MEDIA_DIR fills up (tmpfs, real ENOSPC)', () => {
  it('frees space from the oldest unpreserved recordings at once and records again within 5 s; nothing committed or preserved lost', async () => {
    room = await startTestRoom({ MEDIA_DIR: mediaDir, DISK_MIN_FREE_MB: '4', SEGMENT_SECONDS: '2' });
    const [admin, observer, supervisor] = await Promise.all(['admin', 'observer', 'supervisor'].map((u) => new ApiClient(room!.url).login(u)));
    const supervisorConsole: Socket<ServerToClientEvents, ClientToServerEvents> = connect(room.url, { transports: ['websocket'], extraHeaders: { cookie: supervisor.cookie }, reconnection: false });
    sockets.push(supervisorConsole);
    const diskLow: DiskLowAlert[] = [];
    supervisorConsole.on('recordings:disk-low', (a) => diskLow.push(a));
    await new Promise<void>((r) => supervisorConsole.on('connect', () => r()));

    publishTo(publishers, room, CAM, await createRtmpCamera(admin, CAM));
    await waitFor('3 recorded segments', async () => (await segments(room!, CAM)).length >= 3, 20_000, 200);

    // Three weeks ago's recordings of this camera (copies of a real segment), about 20 MB: what the guard may delete.
    const [sample] = await segments(room, CAM);
    const oldIds: string[] = [];
    const oldStart = Date.now() - 21 * 24 * 3_600_000;
    for (let i = 0, bytes = 0; bytes < 20 * MB; i++) {
      const startedAt = new Date(oldStart + i * 2000);
      const rel = segmentPath(CAM, '00000000-0000-4000-8000-000000000000', i, startedAt);
      mkdirSync(path.dirname(path.join(mediaDir, rel)), { recursive: true });
      copyFileSync(path.join(mediaDir, sample!.path), path.join(mediaDir, rel));
      await insertSegment(room.sql, { cameraId: CAM, runId: '00000000-0000-4000-8000-000000000000', seq: i, startedAt, endedAt: new Date(startedAt.getTime() + 2000), bytes: Number(sample!.bytes), path: rel, recovered: false }, room.config.NODE_ID);
      bytes += Number(sample!.bytes);
    }
    const old = await room.sql`select id::text as id from recording_segments where run_id = '00000000-0000-4000-8000-000000000000'`;
    oldIds.push(...old.map((r) => r.id as string));

    // Preserved evidence on the same disk, tied to an incident.
    const incident = await observer.post('/api/incidents', { taggedAt: new Date(Date.now() - 3000).toISOString(), cameraIds: [CAM], categoryId: 'vernieling', priority: 2, notes: 'voor de volle schijf' });
    expect(incident.status).toBe(201);
    const t = Date.now();
    const ev = await observer.post('/api/evidence', { cameras: [CAM], from: new Date(t - 4000).toISOString(), to: new Date(t - 1000).toISOString(), reason: 'Bewaard voor de volle schijf', incidentId: incident.body.id });
    const item = await waitReady(observer, ev.body.id);
    expect(item.state).toBe('ready');
    const clipFile = path.join(mediaDir, 'evidence', ev.body.id, `${CAM}.mp4`);
    const clipHash = item.clips[0]!.sha256;
    const before = await committedRows(room.sql);

    // Something else takes every free byte of the disk.
    const [status] = (await room.recorder!.statuses()).filter((s) => s.cameraId === CAM);
    const runAtFill = status!.runId!;
    const filled = fillDisk(path.join(mediaDir, 'other-data.bin'));
    const filledAt = Date.now();
    expect((await statDisk(mediaDir)).freeBytes).toBeLessThan(64 * 1024);

    // The recorder meets ENOSPC for real.
    await waitFor('the recorder failing with ENOSPC', async () => {
      const [s] = (await room!.recorder!.statuses()).filter((x) => x.cameraId === CAM);
      return s && /No space left on device/i.test(s.lastError ?? '');
    }, 15_000, 50);
    const enospcAfterMs = Date.now() - filledAt;
    // An observer tags an incident while the disk is full: it is saved (its snapshot may fail, the incident not).
    const tagged = await observer.post('/api/incidents', { taggedAt: new Date(Date.now() - 1000).toISOString(), cameraIds: [CAM], categoryId: 'vernieling', priority: 2, notes: 'tijdens de volle schijf' });
    expect(tagged.status, JSON.stringify(tagged.body)).toBe(201);

    // Recording resumes: a new run's segment.
    const [resumed] = await waitFor('recording resumed', async () => {
      const rows = await room!.sql`select * from recording_segments where camera_id = ${CAM} and run_id <> ${runAtFill} and run_id <> '00000000-0000-4000-8000-000000000000' and started_at > ${new Date(filledAt - 5000)} order by started_at limit 1`;
      return rows.length ? rows : null;
    }, 60_000, 100);
    const [lastBefore] = await room.sql`select * from recording_segments where run_id = ${runAtFill} order by seq desc limit 1`;
    const figures = {
      filledBytes: filled, enospcAfterMs,
      resumedAfterFullMs: resumed!.started_at.getTime() - filledAt,
      gapMs: resumed!.started_at.getTime() - lastBefore!.ended_at.getTime(),
      recordedBeforeFullMs: lastBefore!.ended_at.getTime() - filledAt,
      deletedOld: 0, disk: await statDisk(mediaDir),
    };

    // What the guard deleted: only the oldest unpreserved segments, oldest first; the clip and every other row kept.
    const after = await committedRows(room.sql);
    const lost = lostRows(before, after);
    figures.deletedOld = lost.recording_segments!.length;
    console.log('disk full figures', JSON.stringify(figures));
    expect(lost.recording_segments!.length).toBeGreaterThan(0);
    expect(lost.recording_segments!.filter((id) => !oldIds.includes(id))).toEqual([]);
    const deletedSeqs = (await room.sql`select count(*)::int as n, min(seq) as first from recording_segments where run_id = '00000000-0000-4000-8000-000000000000'`)[0]!;
    expect(deletedSeqs.first).toBe(lost.recording_segments!.length); // the oldest went first
    expect({ ...lost, recording_segments: [] }).toEqual(Object.fromEntries(Object.keys(before).map((k) => [k, []])));
    // No segment ffmpeg could not write a byte of is in the index (it would claim a recording that is not there).
    expect(await room.sql`select path from recording_segments where bytes = 0`).toEqual([]);
    expect(createHash('sha256').update(readFileSync(clipFile)).digest('hex')).toBe(clipHash);
    expect(existsSync(path.join(mediaDir, 'other-data.bin'))).toBe(true); // not ours: never touched

    // The supervisor's console was told, and the status page shows the recorder running again.
    await waitFor('disk-low on the supervisor console', () => diskLow.some((a) => a.deletedSegments > 0), 5_000, 50);
    const st = await supervisor.get('/api/recordings/status');
    expect(st.body.cameras.find((c: { cameraId: string }) => c.cameraId === CAM)).toMatchObject({ state: 'running' });
    expect((await admin.get('/api/audit/verify')).body).toMatchObject({ ok: true });

    expect(figures.resumedAfterFullMs, JSON.stringify(figures)).toBeLessThan(5000);
    expect(figures.gapMs, JSON.stringify(figures)).toBeLessThan(5000);
  }, 120_000);
});
